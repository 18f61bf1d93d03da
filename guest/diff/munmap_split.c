/* munmap punches holes and trims VMAs, as /proc/self/maps shows: a hole in the middle of 10
 * pages (2 VMAs), the head and the tail trimmed, a range spanning a hole and two VMAs, and
 * re-mapping the hole so the pieces merge again. munmap of an already unmapped range
 * succeeds; an unaligned address or a zero length is EINVAL; an unaligned length is rounded
 * up to whole pages. */
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

static void um(const char *what, void *p, size_t len)
{
    int r = munmap(p, len);
    printf("munmap %s: %s\n", what, r == 0 ? "ok" : ename(errno));
}

int main(void)
{
    const size_t n = 10;
    unsigned char *base = reserve(n);
    const int RW = PROT_READ | PROT_WRITE;
    if (!base || mmap(base, n * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != base)
        return 1;
    for (size_t i = 0; i < n; i++)
        base[i * PAGE] = (unsigned char)(i + 1);
    show_region("10 rw pages", base, n * PAGE);

    um("pages 4-5", base + 4 * PAGE, 2 * PAGE);
    show_region("after", base, n * PAGE);
    um("pages 4-5 again (already unmapped)", base + 4 * PAGE, 2 * PAGE);
    um("page 0", base, PAGE);
    um("page 9 with length 1 byte", base + 9 * PAGE, 1);
    show_region("after", base, n * PAGE);
    um("pages 3-6 (spans the hole)", base + 3 * PAGE, 4 * PAGE);
    show_region("after", base, n * PAGE);
    um("unaligned address", base + 7 * PAGE + 8, PAGE);
    um("length 0", base + 7 * PAGE, 0);
    show_region("after errors", base, n * PAGE);

    /* Map the hole again with the same protection: the neighbours merge with it. */
    void *r = mmap(base + 3 * PAGE, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("mmap pages 3-6 again: %s\n", r == base + 3 * PAGE ? "ok" : "failed");
    show_region("after", base, n * PAGE);
    printf("page markers:");
    for (size_t i = 1; i < 9; i++)
        printf(" %d", base[i * PAGE]);
    printf("\n");
    um("everything (including the guard pages)", base - PAGE, (n + 2) * PAGE);
    show_region("after", base - PAGE, (n + 2) * PAGE);
    return 0;
}
