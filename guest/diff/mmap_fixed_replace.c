/* MAP_FIXED over part of an existing mapping replaces exactly those pages: the new pages
 * are fresh (zero, or the file's bytes), the neighbours keep their data, and
 * /proc/self/maps shows the split (a read-only or file-backed replacement) or the merge
 * (an identical anonymous replacement). */
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

static const char *yesno(int b) { return b ? "yes" : "no"; }

static void fill(volatile unsigned char *p, size_t pages)
{
    for (size_t i = 0; i < pages; i++)
        p[i * PAGE + 9] = (unsigned char)(0xA0 + i);
}

static void print_marks(volatile unsigned char *p, size_t pages)
{
    printf("  page markers:");
    for (size_t i = 0; i < pages; i++)
        printf(" %02x", p[i * PAGE + 9]);
    printf("\n");
}

int main(void)
{
    const size_t n = 8;
    unsigned char *base = reserve(n);
    if (!base)
        return 1;
    volatile unsigned char *p = mmap(base, n * PAGE, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("mmap fixed 8 pages: %s\n", yesno(p == base));
    fill(p, n);
    show_region("initial", base, n * PAGE);

    /* Replace pages 2..3 with read-only anonymous memory. */
    void *r = mmap(base + 2 * PAGE, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED read-only over pages 2-3: %s\n", yesno(r == base + 2 * PAGE));
    print_marks(p, n);
    show_region("after read-only replacement", base, n * PAGE);

    /* Replace pages 5..6 with identical-looking rw anonymous memory. */
    r = mmap(base + 5 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED rw anonymous over pages 5-6: %s\n", yesno(r == base + 5 * PAGE));
    print_marks(p, n);
    show_region("after rw anonymous replacement", base, n * PAGE);

    /* Replace page 0..1 with a file. */
    char path[] = "/tmp/faultline-fixed-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static unsigned char fbuf[2 * 4096];
    memset(fbuf, 'F', sizeof fbuf);
    write(fd, fbuf, sizeof fbuf);
    r = mmap(base, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0);
    printf("MAP_FIXED file over pages 0-1: %s\n", yesno(r == base));
    print_marks(p, n);
    show_region("after file replacement", base, n * PAGE);

    /* One MAP_FIXED spanning several of the pieces puts it back together. */
    r = mmap(base, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED over everything: %s\n", yesno(r == base));
    print_marks(p, n);
    show_region("after full replacement", base, n * PAGE);

    close(fd);
    return 0;
}
