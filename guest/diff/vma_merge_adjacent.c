/* Adjacent mappings merge into one VMA when nothing distinguishes them: a second anonymous
 * rw mapping placed right after a first; a read-only one does not merge until mprotect
 * makes it rw; a shared anonymous mapping never merges with private memory; two
 * MAP_PRIVATE file mappings merge when their file offsets are contiguous, not otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "common.h"

#define PAGE 4096ul

static const int RW = PROT_READ | PROT_WRITE;

static int fixed(unsigned char *at, size_t pages, int prot, int flags, int fd, off_t off)
{
    return mmap(at, pages * PAGE, prot, flags | MAP_FIXED, fd, off) == at;
}

int main(void)
{
    const size_t n = 12;
    unsigned char *base = reserve(n);
    if (!base)
        return 1;
    munmap(base, n * PAGE);
    const int PA = MAP_PRIVATE | MAP_ANONYMOUS;

    printf("map pages 0-1 rw: %d\n", fixed(base, 2, RW, PA, -1, 0));
    printf("map pages 2-3 rw: %d\n", fixed(base + 2 * PAGE, 2, RW, PA, -1, 0));
    show_region("two adjacent rw anonymous mappings", base, n * PAGE);
    printf("map pages 4-5 read-only: %d\n", fixed(base + 4 * PAGE, 2, PROT_READ, PA, -1, 0));
    show_region("read-only neighbour", base, n * PAGE);
    printf("mprotect pages 4-5 rw: %d\n", mprotect(base + 4 * PAGE, 2 * PAGE, RW) == 0);
    show_region("after making it rw", base, n * PAGE);
    printf("map page 6 shared anonymous rw: %d\n", fixed(base + 6 * PAGE, 1, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    show_region("shared neighbour", base, n * PAGE);

    char path[] = "/tmp/faultline-merge-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static char data[8 * 4096];
    write(fd, data, sizeof data);
    printf("map page 7 = file page 0: %d\n", fixed(base + 7 * PAGE, 1, PROT_READ, MAP_PRIVATE, fd, 0));
    printf("map page 8 = file page 1: %d\n", fixed(base + 8 * PAGE, 1, PROT_READ, MAP_PRIVATE, fd, PAGE));
    printf("map page 9 = file page 5: %d\n", fixed(base + 9 * PAGE, 1, PROT_READ, MAP_PRIVATE, fd, 5 * PAGE));
    printf("map page 10 = file page 6: %d\n", fixed(base + 10 * PAGE, 1, PROT_READ, MAP_PRIVATE, fd, 6 * PAGE));
    show_region("file mappings", base, n * PAGE);
    close(fd);
    return 0;
}
