/* mremap with MREMAP_FIXED: the mapping moves to exactly the given address (free, or
 * occupied: the occupant is unmapped first), with its data, and can change size on the
 * way; the old range is gone. MREMAP_DONTUNMAP moves the pages but leaves the old range
 * mapped and empty (reads zero). Errors: FIXED without MAYMOVE, an unaligned new address,
 * overlapping old and new ranges, DONTUNMAP with a size change: EINVAL. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

#define PAGE 4096ul
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static long mr(void *old, size_t olen, size_t nlen, long flags, void *naddr)
{
    return syscall(SYS_mremap, old, olen, nlen, flags, naddr);
}

static void result(const char *what, long r, void *want)
{
    if (r == -1)
        printf("%-44s: %s\n", what, ename(errno));
    else
        printf("%-44s: %s\n", what, (void *)r == want ? "at the requested address" : "elsewhere");
}

static void fill(unsigned char *p, size_t pages, unsigned char tag)
{
    for (size_t i = 0; i < pages; i++)
        p[i * PAGE + 3] = (unsigned char)(tag + i);
}

static int check(unsigned char *p, size_t pages, unsigned char tag)
{
    for (size_t i = 0; i < pages; i++)
        if (p[i * PAGE + 3] != (unsigned char)(tag + i))
            return 0;
    return 1;
}

int main(void)
{
    const size_t n = 24;
    unsigned char *base = reserve(n);
    const int RW = PROT_READ | PROT_WRITE;
    const int F = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
    if (!base)
        return 1;
    mmap(base, 4 * PAGE, RW, F, -1, 0);          /* A: pages 0-3 */
    mmap(base + 10 * PAGE, 2 * PAGE, PROT_READ, F, -1, 0); /* B: pages 10-11, read-only */
    fill(base, 4, 0x10);
    show_region("A at 0-3, B at 10-11", base, n * PAGE);
    long r;

    result("A -> page 5, FIXED without MAYMOVE", mr(base, 4 * PAGE, 4 * PAGE, MREMAP_FIXED, base + 5 * PAGE), base + 5 * PAGE);
    result("A -> page 5 + 8 bytes", mr(base, 4 * PAGE, 4 * PAGE, MREMAP_FIXED | MREMAP_MAYMOVE, base + 5 * PAGE + 8), NULL);
    result("A -> page 2 (overlaps itself)", mr(base, 4 * PAGE, 4 * PAGE, MREMAP_FIXED | MREMAP_MAYMOVE, base + 2 * PAGE), base + 2 * PAGE);
    r = mr(base, 4 * PAGE, 4 * PAGE, MREMAP_FIXED | MREMAP_MAYMOVE, base + 14 * PAGE);
    result("A -> page 14, same size", r, base + 14 * PAGE);
    if (r == -1)
        return 1;
    printf("data moved: %s\n", check(base + 14 * PAGE, 4, 0x10) ? "yes" : "no");
    show_region("after", base, n * PAGE);

    r = mr(base + 14 * PAGE, 4 * PAGE, 6 * PAGE, MREMAP_FIXED | MREMAP_MAYMOVE, base + 8 * PAGE);
    result("A -> page 8, grown to 6 pages (over B)", r, base + 8 * PAGE);
    if (r == -1)
        return 1;
    printf("data moved: %s, grown part zero: %s\n", check(base + 8 * PAGE, 4, 0x10) ? "yes" : "no",
           base[12 * PAGE + 3] == 0 && base[13 * PAGE + 3] == 0 ? "yes" : "no");
    show_region("after (B replaced)", base, n * PAGE);

    r = mr(base + 8 * PAGE, 6 * PAGE, 2 * PAGE, MREMAP_FIXED | MREMAP_MAYMOVE, base);
    result("A -> page 0, shrunk to 2 pages", r, base);
    if (r == -1)
        return 1;
    printf("data moved: %s\n", check(base, 2, 0x10) ? "yes" : "no");
    show_region("after", base, n * PAGE);

    result("DONTUNMAP with a size change", mr(base, 2 * PAGE, 3 * PAGE, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, NULL), NULL);
    result("DONTUNMAP without MAYMOVE", mr(base, 2 * PAGE, 2 * PAGE, MREMAP_DONTUNMAP, NULL), NULL);
    r = mr(base, 2 * PAGE, 2 * PAGE, MREMAP_DONTUNMAP | MREMAP_MAYMOVE | MREMAP_FIXED, base + 20 * PAGE);
    result("A -> page 20 with DONTUNMAP", r, base + 20 * PAGE);
    if (r == -1)
        return 1;
    printf("data at the new place: %s, old range reads zero: %s\n", check(base + 20 * PAGE, 2, 0x10) ? "yes" : "no",
           base[3] == 0 && base[PAGE + 3] == 0 ? "yes" : "no");
    show_region("after", base, n * PAGE);
    return 0;
}
