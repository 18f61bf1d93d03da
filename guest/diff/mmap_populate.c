/* MAP_POPULATE prefaults the whole mapping: mincore reports every page resident right
 * after mmap (without it: none), and the populated memory is zero. A populated private file
 * mapping shows the file's contents; populating a PROT_NONE mapping is allowed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "common.h"

#define PAGE 4096ul
#define N 16

static void residency(const char *what, void *p, size_t pages)
{
    unsigned char vec[64];
    int r = mincore(p, pages * PAGE, vec);
    size_t in = 0;
    for (size_t i = 0; r == 0 && i < pages; i++)
        in += vec[i] & 1;
    if (r)
        printf("%s: mincore %s\n", what, ename(errno));
    else
        printf("%s: %zu of %zu pages resident\n", what, in, pages);
}

int main(void)
{
    const int RW = PROT_READ | PROT_WRITE;
    void *plain = mmap(NULL, N * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    residency("anonymous without MAP_POPULATE", plain, N);

    volatile unsigned char *pop = mmap(NULL, N * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    printf("mmap MAP_POPULATE: %s\n", pop == MAP_FAILED ? ename(errno) : "ok");
    residency("anonymous with MAP_POPULATE", (void *)pop, N);
    int zero = 1;
    for (size_t i = 0; i < N * PAGE; i += 512)
        zero &= pop[i] == 0;
    printf("populated memory zero: %s\n", zero ? "yes" : "no");
    pop[5] = 9;
    printf("writable: %s\n", pop[5] == 9 ? "yes" : "no");

    void *ro = mmap(NULL, N * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    printf("mmap read-only MAP_POPULATE: %s\n", ro == MAP_FAILED ? ename(errno) : "ok");
    residency("read-only with MAP_POPULATE", ro, N);

    void *none = mmap(NULL, N * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    printf("mmap PROT_NONE MAP_POPULATE: %s\n", none == MAP_FAILED ? ename(errno) : "ok");
    residency("PROT_NONE with MAP_POPULATE", none, N);

    volatile unsigned char *sh = mmap(NULL, N * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    printf("mmap shared anonymous MAP_POPULATE: %s\n", sh == MAP_FAILED ? ename(errno) : "ok");
    residency("shared anonymous with MAP_POPULATE", (void *)sh, N);

    char path[] = "/tmp/faultline-populate-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static char buf[4 * 4096];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)('a' + i % 26);
    write(fd, buf, sizeof buf);
    volatile char *f = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    printf("file mapping MAP_POPULATE: %s\n", f == MAP_FAILED ? ename(errno) : "ok");
    if (f != MAP_FAILED)
        printf("file contents: %c%c%c ... %c\n", f[0], f[1], f[2], f[4 * PAGE - 1]);
    close(fd);
    return 0;
}
