/* Anonymous shared mappings (shmem-backed): fresh pages are zero, stores stick, and because
 * the pages belong to a shared object rather than to the mapping: MADV_DONTNEED does not
 * lose the data, and a second view made with mremap(old_size = 0) sees the same bytes. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "common.h"

#define PAGE 4096ul

static const char *yesno(int b) { return b ? "yes" : "no"; }

int main(void)
{
    size_t len = 8 * PAGE;
    volatile unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    printf("mmap shared anonymous 8 pages: %s\n", yesno(p != MAP_FAILED));
    if (p == MAP_FAILED)
        return 1;
    int zero = 1;
    for (size_t i = 0; i < len; i++)
        zero &= p[i] == 0;
    printf("fresh pages zero: %s\n", yesno(zero));
    for (size_t i = 0; i < len; i += PAGE)
        p[i + 5] = (unsigned char)(0x40 + i / PAGE);
    int good = 1;
    for (size_t i = 0; i < len; i += PAGE)
        good &= p[i + 5] == (unsigned char)(0x40 + i / PAGE);
    printf("stores read back: %s\n", yesno(good));

    /* A second view of the same shared object. */
    volatile unsigned char *alias = mremap((void *)p, 0, len, MREMAP_MAYMOVE);
    printf("mremap(old_size=0) alias: %s\n", alias == MAP_FAILED ? ename(errno) : "ok");
    if (alias != MAP_FAILED) {
        printf("alias is a different address: %s\n", yesno(alias != p));
        printf("alias sees existing data: %s\n", yesno(alias[5] == 0x40 && alias[7 * PAGE + 5] == 0x47));
        alias[3 * PAGE + 100] = 0xAB;
        p[4 * PAGE + 200] = 0xCD;
        printf("store through alias seen by original: %s\n", yesno(p[3 * PAGE + 100] == 0xAB));
        printf("store through original seen by alias: %s\n", yesno(alias[4 * PAGE + 200] == 0xCD));
    }

    /* MADV_DONTNEED drops the page table entries only; the shmem pages keep the data. */
    printf("madvise DONTNEED: %s\n", madvise((void *)p, len, MADV_DONTNEED) == 0 ? "ok" : ename(errno));
    printf("data survives DONTNEED: %s\n", yesno(p[5] == 0x40 && p[3 * PAGE + 100] == 0xAB &&
                                                   p[4 * PAGE + 200] == 0xCD));

    /* Read-only protection on a shared anonymous mapping keeps the contents. */
    printf("mprotect read-only: %s\n", mprotect((void *)p, len, PROT_READ) == 0 ? "ok" : ename(errno));
    printf("readable after mprotect: %s\n", yesno(p[7 * PAGE + 5] == 0x47));

    printf("munmap: %s\n", munmap((void *)p, len) == 0 ? "ok" : ename(errno));
    if (alias != MAP_FAILED)
        printf("alias still valid after original unmapped: %s\n", yesno(alias[3 * PAGE + 100] == 0xAB));
    return 0;
}
