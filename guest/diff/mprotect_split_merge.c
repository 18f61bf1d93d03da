/* mprotect splits and merges VMAs, as /proc/self/maps shows: 5 rw pages, the middle one
 * made read-only (3 VMAs), a second page next to it made read-only (the read-only VMAs
 * merge), everything made rw again (one VMA), a protection change spanning several VMAs,
 * and a no-op mprotect (same protection) that must not split anything. Contents survive
 * every change. The pages are written first, so the VMAs have an anon_vma and keep
 * VM_ACCOUNT: page 0 made PROT_NONE does not merge with the (unaccounted) PROT_NONE guard
 * page below the region. */
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

static void mp(const char *what, unsigned char *base, size_t first, size_t n, int prot)
{
    int r = mprotect(base + first * PAGE, n * PAGE, prot);
    printf("mprotect %s: %s\n", what, r == 0 ? "ok" : ename(errno));
}

int main(void)
{
    const size_t n = 5;
    unsigned char *base = reserve(n);
    const int RW = PROT_READ | PROT_WRITE;
    if (!base || mmap(base, n * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != base)
        return 1;
    for (size_t i = 0; i < n; i++)
        base[i * PAGE] = (unsigned char)(i + 1);
    show_region("5 rw pages", base, n * PAGE);

    mp("page 2 read-only", base, 2, 1, PROT_READ);
    show_region("after", base, n * PAGE);
    mp("page 3 read-only", base, 3, 1, PROT_READ);
    show_region("after", base, n * PAGE);
    mp("page 2 read-only again (no change)", base, 2, 1, PROT_READ);
    show_region("after", base, n * PAGE);
    mp("pages 1-3 read+exec (spans 2 VMAs)", base, 1, 3, PROT_READ | PROT_EXEC);
    show_region("after", base, n * PAGE);
    mp("page 0 none, page 4 write-only", base, 0, 1, PROT_NONE);
    mp("page 4 write-only", base, 4, 1, PROT_WRITE);
    show_region("after", base, n * PAGE);
    mp("all pages rw", base, 0, n, RW);
    show_region("after", base, n * PAGE);
    mp("pages 0-4 rw (no change)", base, 0, n, RW);
    show_region("after", base, n * PAGE);

    int ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= base[i * PAGE] == (unsigned char)(i + 1);
    printf("contents survived: %s\n", ok ? "yes" : "no");
    return 0;
}
