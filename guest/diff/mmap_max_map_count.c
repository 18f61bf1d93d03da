/* Millions of tiny mappings meet the VMA limit (vm.max_map_count, 65530 by default): one-page
 * anonymous mappings whose protections alternate (so none merge) until mmap fails with
 * ENOMEM; at the limit, an munmap or mprotect that would split a VMA in two fails with ENOMEM
 * too, while one that removes a whole VMA works and makes room for exactly one more. The
 * count itself depends on what the process already had (Linux adds [vdso], [vvar]): only its
 * size class is printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "common.h"

int main(void)
{
    const long pg = 4096;
    /* A region to carve the mappings from, so that they are adjacent and none is merged. */
    const long n = 70000;
    char *base = mmap(NULL, (size_t)n * 3 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        printf("reserve: %s\n", ename(errno));
        return 1;
    }
    munmap(base, (size_t)n * 3 * pg);
    long made = 0;
    int err = 0;
    for (long i = 0; i < n; ++i) {
        int prot = (i & 1) ? PROT_READ : PROT_READ | PROT_WRITE;
        void *p = mmap(base + i * 2 * pg, (size_t)pg, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == MAP_FAILED) {
            err = errno;
            break;
        }
        ++made;
    }
    printf("mmap stopped with %s after %s mappings\n", ename(err),
           made > 65000 && made < 65530 ? "65000..65529" : "an unexpected number of");

    /* A three-page mapping at the limit: splitting it is refused, removing it whole is not. */
    munmap(base, (size_t)pg);  /* room for one */
    char *three = mmap(NULL, 3 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("three-page mapping in the freed slot: %s\n", three == MAP_FAILED ? ename(errno) : "ok");
    errno = 0;
    printf("munmap its middle page (a split): %s\n", munmap(three + pg, (size_t)pg) ? ename(errno) : "ok");
    printf("mprotect its middle page (a split): %s\n",
           mprotect(three + pg, (size_t)pg, PROT_READ) ? ename(errno) : "ok");
    printf("mprotect its first page (a split into two): %s\n", mprotect(three, (size_t)pg, PROT_READ) ? ename(errno) : "ok");
    printf("munmap all of it: %s\n", munmap(three, 3 * (size_t)pg) ? ename(errno) : "ok");
    void *again = mmap(NULL, (size_t)pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("one more mapping: %s\n", again == MAP_FAILED ? ename(errno) : "ok");
    void *beyond = mmap(NULL, (size_t)pg, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("and another: %s\n", beyond == MAP_FAILED ? ename(errno) : "ok");
    return 0;
}
