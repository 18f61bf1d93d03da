/* mremap without moving: growing in place when the pages above are free (same address,
 * old data kept, new pages zero, one VMA in /proc/self/maps), shrinking in place (the
 * tail is unmapped), and growing without MREMAP_MAYMOVE when the pages above are taken:
 * ENOMEM and nothing changes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "common.h"

#define PAGE 4096ul

int main(void)
{
    const size_t n = 16;
    unsigned char *base = reserve(n);
    if (!base)
        return 1;
    munmap(base, n * PAGE);
    unsigned char *p = mmap(base, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    for (size_t i = 0; i < 4; i++)
        p[i * PAGE + 1] = (unsigned char)(0x30 + i);
    show_region("4 pages", base, n * PAGE);

    unsigned char *q = mremap(p, 4 * PAGE, 10 * PAGE, 0);
    printf("grow to 10 pages in place: %s\n", q == MAP_FAILED ? ename(errno) : q == p ? "same address" : "moved");
    show_region("after", base, n * PAGE);
    int ok = 1;
    for (size_t i = 0; i < 4; i++)
        ok &= p[i * PAGE + 1] == (unsigned char)(0x30 + i);
    printf("old data kept: %s\n", ok ? "yes" : "no");
    ok = 1;
    for (size_t i = 4 * PAGE; i < 10 * PAGE; i += 256)
        ok &= p[i] == 0;
    printf("new pages zero: %s\n", ok ? "yes" : "no");
    p[9 * PAGE + 5] = 0x99;

    q = mremap(p, 10 * PAGE, 6 * PAGE, 0);
    printf("shrink to 6 pages: %s\n", q == MAP_FAILED ? ename(errno) : q == p ? "same address" : "moved");
    show_region("after", base, n * PAGE);

    /* Occupy page 8, then try to grow past it without permission to move. */
    void *blk = mmap(base + 8 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("blocker at page 8: %s\n", blk == base + 8 * PAGE ? "ok" : "failed");
    q = mremap(p, 6 * PAGE, 8 * PAGE, 0);
    printf("grow to 8 pages (up to the blocker): %s\n", q == MAP_FAILED ? ename(errno) : q == p ? "same address" : "moved");
    q = mremap(p, 8 * PAGE, 9 * PAGE, 0);
    printf("grow to 9 pages (over the blocker): %s\n", q == MAP_FAILED ? ename(errno) : q == p ? "same address" : "moved");
    show_region("after", base, n * PAGE);

    /* Shrinking a part of a mapping: old_size smaller than the VMA. */
    q = mremap(p, 2 * PAGE, PAGE, 0);
    printf("shrink the first 2 pages to 1: %s\n", q == MAP_FAILED ? ename(errno) : q == p ? "same address" : "moved");
    show_region("after", base, n * PAGE);
    printf("page 0 data: %02x\n", p[1]);
    return 0;
}
