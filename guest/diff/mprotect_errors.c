/* mprotect errors and edge cases: unaligned address EINVAL, unknown protection bits
 * EINVAL, length 0 succeeds, an unmapped range ENOMEM, a range that starts mapped and runs
 * into a hole changes the mapped part before failing with ENOMEM (visible in
 * /proc/self/maps), an unaligned length is rounded up, PROT_GROWSDOWN on a mapping that
 * does not grow down is EINVAL. Raw system calls: musl's mprotect() rounds the address down
 * to a page itself. The untouched pages have no anon_vma, so once read-only they lose
 * VM_ACCOUNT and can merge with the PROT_NONE guard page below (Linux 6.x). */
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

static void mp(const char *what, void *p, size_t len, int prot)
{
    errno = 0;
    int r = (int)syscall(SYS_mprotect, p, len, prot);
    printf("mprotect %-38s: %s\n", what, r == 0 ? "ok" : ename(errno));
}

int main(void)
{
    const size_t n = 6;
    unsigned char *base = reserve(n);
    const int RW = PROT_READ | PROT_WRITE;
    if (!base || mmap(base, 3 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != base)
        return 1;
    munmap(base + 3 * PAGE, 3 * PAGE); /* pages 3-5 are a hole now, then the upper guard */
    show_region("pages 0-2 mapped, 3-5 not", base, n * PAGE);

    mp("unaligned address", base + 1, PAGE, PROT_READ);
    mp("unknown prot bit 0x10", base, PAGE, PROT_READ | 0x10);
    mp("prot 0x80000000", base, PAGE, (int)0x80000000u);
    mp("length 0", base, 0, PROT_READ);
    mp("unaligned address, length 0", base + 1, 0, PROT_READ);
    mp("length -4096", base, -PAGE, PROT_READ);
    mp("unmapped pages 3-4", base + 3 * PAGE, 2 * PAGE, PROT_READ);
    mp("PROT_GROWSDOWN on a normal mapping", base, PAGE, PROT_READ | PROT_GROWSDOWN);
    show_region("after the errors so far", base, n * PAGE);

    mp("pages 1-4 (runs into the hole)", base + PAGE, 4 * PAGE, PROT_READ);
    show_region("after", base, n * PAGE);
    mp("page 0 with length 1 byte", base, 1, PROT_NONE);
    show_region("after", base, n * PAGE);
    mp("address 0", NULL, PAGE, PROT_READ);
    mp("beyond user space", (void *)(1ul << 47), PAGE, PROT_READ);
    return 0;
}
