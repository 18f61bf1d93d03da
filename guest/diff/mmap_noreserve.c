/* Large MAP_NORESERVE mappings: 64 GiB of address space, of which a handful of widely
 * spread pages are touched; untouched pages read as zero, stores stick, and the mapping can
 * be partly unmapped and fully unmapped. Also a 64 GiB PROT_NONE reservation (never
 * accounted) made accessible piece by piece with mprotect. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "common.h"

#define PAGE 4096ul
#define GIB (1ul << 30)

int main(void)
{
    size_t len = 64 * GIB;
    volatile unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    printf("mmap 64 GiB MAP_NORESERVE: %s\n", p == MAP_FAILED ? ename(errno) : "ok");
    if (p == MAP_FAILED)
        return 1;
    int good = 1;
    for (size_t g = 0; g < 64; g += 3) {
        size_t off = g * GIB + (g % 5) * PAGE + g;
        good &= p[off] == 0;
        p[off] = (unsigned char)(g + 1);
    }
    for (size_t g = 0; g < 64; g += 3)
        good &= p[g * GIB + (g % 5) * PAGE + g] == (unsigned char)(g + 1);
    printf("sparse stores in 22 different GiBs: %s\n", good ? "ok" : "BAD");
    p[len - 1] = 0x99;
    printf("last byte: %s\n", p[len - 1] == 0x99 ? "ok" : "BAD");
    printf("untouched page zero: %s\n", p[33 * GIB + 7 * PAGE] == 0 ? "yes" : "no");
    printf("munmap the middle 32 GiB: %s\n", munmap((void *)(p + 16 * GIB), 32 * GIB) == 0 ? "ok" : ename(errno));
    printf("data below the hole kept: %s\n", p[15 * GIB + 0 * PAGE + 15] == 16 ? "yes" : "no");
    printf("data above the hole kept: %s\n", p[48 * GIB + 3 * PAGE + 48] == 49 ? "yes" : "no");
    printf("munmap the rest: %s\n", munmap((void *)p, len) == 0 ? "ok" : ename(errno));

    unsigned char *r = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    printf("mmap 64 GiB PROT_NONE: %s\n", r == MAP_FAILED ? ename(errno) : "ok");
    if (r == MAP_FAILED)
        return 1;
    int ok = 1;
    for (size_t g = 1; g < 64; g *= 2) {
        ok &= mprotect(r + g * GIB, 2 * PAGE, PROT_READ | PROT_WRITE) == 0;
        ((volatile unsigned char *)r)[g * GIB + PAGE] = (unsigned char)g;
    }
    for (size_t g = 1; g < 64; g *= 2)
        ok &= ((volatile unsigned char *)r)[g * GIB + PAGE] == (unsigned char)g;
    printf("mprotect 6 windows rw and use them: %s\n", ok ? "ok" : "BAD");
    printf("munmap: %s\n", munmap(r, len) == 0 ? "ok" : ename(errno));
    return 0;
}
