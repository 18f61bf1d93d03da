/* mincore on private anonymous memory: untouched pages are not resident (0), written pages
 * are (1), pages that were only read map the shared zero page (which Linux reports as
 * resident), MADV_DONTNEED makes pages non-resident again. Errors: unaligned address
 * EINVAL, a range containing unmapped pages ENOMEM, a length that is not a page multiple
 * covers the partial page. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

#define PAGE 4096ul
#define N 12

static void show(const char *what, void *p, size_t len)
{
    unsigned char vec[N + 4];
    memset(vec, 0xFF, sizeof vec);
    errno = 0;
    long r = syscall(SYS_mincore, p, len, vec);
    printf("%-34s:", what);
    if (r != 0) {
        printf(" %s\n", ename(errno));
        return;
    }
    size_t pages = (len + PAGE - 1) / PAGE;
    for (size_t i = 0; i < pages; i++)
        printf(" %d", vec[i] & 1);
    printf("  (next byte %s)\n", vec[pages] == 0xFF ? "untouched" : "written");
}

int main(void)
{
    volatile unsigned char *p = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    show("fresh mapping", (void *)p, N * PAGE);
    p[0] = 1;
    p[3 * PAGE + 17] = 1;
    p[N * PAGE - 1] = 1;
    show("pages 0, 3, 11 written", (void *)p, N * PAGE);
    unsigned sum = p[5 * PAGE] + p[6 * PAGE + 100];
    show("pages 5, 6 read only", (void *)p, N * PAGE);
    p[6 * PAGE] = (unsigned char)(sum + 2);
    show("page 6 then written", (void *)p, N * PAGE);
    madvise((void *)(p + 3 * PAGE), 4 * PAGE, MADV_DONTNEED);
    show("MADV_DONTNEED pages 3-6", (void *)p, N * PAGE);
    show("pages 0-2 with length 2 pages + 1", (void *)p, 2 * PAGE + 1);
    show("unaligned address", (void *)(p + 1), PAGE);
    show("length 0", (void *)p, 0);
    munmap((void *)(p + 8 * PAGE), PAGE);
    show("range with page 8 unmapped", (void *)p, N * PAGE);
    show("only the unmapped page", (void *)(p + 8 * PAGE), PAGE);
    show("pages 9-11 after the hole", (void *)(p + 9 * PAGE), 3 * PAGE);

    /* A PROT_NONE mapping is still mapped: mincore answers for it. */
    mprotect((void *)p, PAGE, PROT_NONE);
    show("page 0 after PROT_NONE", (void *)p, PAGE);
    return 0;
}
