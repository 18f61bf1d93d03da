/* mremap errors through the raw system call: unknown flags, unaligned old address, new
 * size 0 (EINVAL), an unmapped old range and an old range spanning two VMAs (EFAULT),
 * old_size 0 on a private mapping (EINVAL; on a shared one it makes an alias), growing a
 * range that ends inside a VMA without MAYMOVE. Lengths are rounded up to pages: an
 * unaligned old_size/new_size is fine. */
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

static void try(const char *what, void *old, size_t olen, size_t nlen, long flags, void *naddr)
{
    errno = 0;
    long r = syscall(SYS_mremap, old, olen, nlen, flags, naddr);
    if (r == -1)
        printf("%-46s: %s\n", what, ename(errno));
    else
        printf("%-46s: ok, %s\n", what, (void *)r == old ? "same address" : "moved");
}

int main(void)
{
    const int RW = PROT_READ | PROT_WRITE;
    unsigned char *p = mmap(NULL, 8 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    mprotect(p + 4 * PAGE, 4 * PAGE, PROT_READ); /* two VMAs: 0-3 rw, 4-7 r */
    munmap(p + 7 * PAGE, PAGE);                  /* page 7 unmapped */

    try("unknown flag 0x100", p, PAGE, PAGE, 0x100, NULL);
    try("flags -1", p, PAGE, PAGE, -1, NULL);
    try("unaligned old address", p + 1, PAGE, PAGE, 0, NULL);
    try("new size 0", p, PAGE, 0, 0, NULL);
    try("new size 0 with MAYMOVE", p, PAGE, 0, MREMAP_MAYMOVE, NULL);
    try("old range unmapped (page 7)", p + 7 * PAGE, PAGE, 2 * PAGE, MREMAP_MAYMOVE, NULL);
    try("old range spans two VMAs (pages 2-5)", p + 2 * PAGE, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE, NULL);
    try("old range spans two VMAs, shrinking", p + 2 * PAGE, 4 * PAGE, PAGE, 0, NULL);
    try("old size 0 on a private mapping", p, 0, PAGE, MREMAP_MAYMOVE, NULL);
    try("grow pages 0-1 to 3 pages (page 2 in use)", p, 2 * PAGE, 3 * PAGE, 0, NULL);
    try("same size (no-op)", p, 2 * PAGE, 2 * PAGE, 0, NULL);
    try("unaligned sizes 1 byte -> 4095 bytes", p, 1, 4095, 0, NULL);
    try("huge new size 2^47", p, PAGE, 1ul << 47, MREMAP_MAYMOVE, NULL);
    try("new size -4096", p, PAGE, -PAGE, MREMAP_MAYMOVE, NULL);

    unsigned char *s = mmap(NULL, 2 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    try("old size 0 on a shared mapping", s, 0, 2 * PAGE, MREMAP_MAYMOVE, NULL);
    try("old size 0 on a shared mapping, no MAYMOVE", s, 0, 2 * PAGE, 0, NULL);
    return 0;
}
