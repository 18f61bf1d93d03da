/* madvise advice values and errors: NORMAL, RANDOM, SEQUENTIAL, WILLNEED, DONTFORK/DOFORK,
 * MADV_FREE (contents after it are either kept or zero, so only its return value and a
 * write afterwards are checked) succeed; length 0 succeeds; an unknown advice value and an
 * unaligned address are EINVAL; a range with unmapped pages is ENOMEM (for WILLNEED and
 * DONTNEED alike); MADV_FREE on a file mapping is EINVAL. Raw system calls: musl's
 * wrapper is a plain system call but glibc's posix_madvise differs, so neither is used. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

#define PAGE 4096ul
#ifndef MADV_FREE
#define MADV_FREE 8
#endif

static void adv(const char *what, void *p, size_t len, int advice)
{
    errno = 0;
    long r = syscall(SYS_madvise, p, len, advice);
    printf("%-40s: %s\n", what, r == 0 ? "ok" : ename(errno));
}

int main(void)
{
    unsigned char *p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    memset(p, 0x33, 8 * PAGE);
    munmap(p + 6 * PAGE, PAGE); /* page 6 is a hole */

    adv("MADV_NORMAL", p, 4 * PAGE, MADV_NORMAL);
    adv("MADV_RANDOM", p, 4 * PAGE, MADV_RANDOM);
    adv("MADV_SEQUENTIAL", p, 4 * PAGE, MADV_SEQUENTIAL);
    adv("MADV_WILLNEED", p, 4 * PAGE, MADV_WILLNEED);
    adv("MADV_DONTFORK", p, 4 * PAGE, MADV_DONTFORK);
    adv("MADV_DOFORK", p, 4 * PAGE, MADV_DOFORK);
    adv("MADV_NORMAL, length 0", p, 0, MADV_NORMAL);
    adv("MADV_NORMAL, unaligned length", p, 100, MADV_NORMAL);
    adv("MADV_FREE", p, 2 * PAGE, MADV_FREE);
    p[10] = 0x44;
    printf("write after MADV_FREE sticks: %s\n", p[10] == 0x44 ? "yes" : "no");
    printf("page 3 (outside the freed range): %02x\n", p[3 * PAGE]);
    adv("unknown advice 12345", p, PAGE, 12345);
    adv("unknown advice -1", p, PAGE, -1);
    adv("unaligned address", p + 1, PAGE, MADV_NORMAL);
    adv("unaligned address, DONTNEED", p + 1, PAGE, MADV_DONTNEED);
    adv("WILLNEED over the hole (pages 5-7)", p + 5 * PAGE, 3 * PAGE, MADV_WILLNEED);
    adv("DONTNEED over the hole (pages 5-7)", p + 5 * PAGE, 3 * PAGE, MADV_DONTNEED);
    printf("page 5 after DONTNEED over the hole: %02x\n", p[5 * PAGE]);
    adv("NORMAL on the hole only", p + 6 * PAGE, PAGE, MADV_NORMAL);
    adv("MADV_REMOVE on private anonymous", p, PAGE, MADV_REMOVE);

    char path[] = "/tmp/faultline-madvise-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static char data[4096];
    write(fd, data, sizeof data);
    void *f = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    adv("WILLNEED on a file mapping", f, PAGE, MADV_WILLNEED);
    adv("MADV_FREE on a file mapping", f, PAGE, MADV_FREE);
    close(fd);
    return 0;
}
