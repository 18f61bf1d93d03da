/* mremap with MREMAP_MAYMOVE: when the mapping cannot grow in place it moves; every byte
 * comes along (anonymous private memory and a private file mapping, including a page that
 * was stored to), the old range is unmapped afterwards (mincore: ENOMEM), new pages are
 * zero (anonymous) or the file's bytes (file). */
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

static int mapped(void *p, size_t len)
{
    unsigned char vec[64];
    return mincore(p, len, vec) == 0 ? 1 : (errno == ENOMEM ? 0 : -1);
}

static unsigned char pat(size_t i) { return (unsigned char)(i * 13 + (i >> 12)); }

int main(void)
{
    /* Anonymous: 8 pages followed by a blocker page. */
    unsigned char *area = mmap(NULL, 9 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        return 1;
    mprotect(area + 8 * PAGE, PAGE, PROT_READ); /* a different VMA right above */
    for (size_t i = 0; i < 8 * PAGE; i++)
        area[i] = pat(i);
    unsigned char *q = mremap(area, 8 * PAGE, 32 * PAGE, 0);
    printf("grow without MAYMOVE: %s\n", q == MAP_FAILED ? ename(errno) : "ok");
    q = mremap(area, 8 * PAGE, 32 * PAGE, MREMAP_MAYMOVE);
    printf("grow with MAYMOVE: %s\n", q == MAP_FAILED ? ename(errno) : q == area ? "same address" : "moved");
    if (q == MAP_FAILED)
        return 1;
    int ok = 1;
    for (size_t i = 0; i < 8 * PAGE; i++)
        ok &= q[i] == pat(i);
    printf("all 32 KiB of data moved: %s\n", ok ? "yes" : "no");
    ok = 1;
    for (size_t i = 8 * PAGE; i < 32 * PAGE; i += 128)
        ok &= q[i] == 0;
    printf("new pages zero: %s\n", ok ? "yes" : "no");
    printf("old range mapped: %d, blocker still mapped: %d, new range mapped: %d\n",
           mapped(area, 8 * PAGE), mapped(area + 8 * PAGE, PAGE), mapped(q, 32 * PAGE));
    q[31 * PAGE] = 1;

    /* MAYMOVE is allowed to stay put when there is room. */
    unsigned char *r = mremap(q, 32 * PAGE, 16 * PAGE, MREMAP_MAYMOVE);
    printf("shrink with MAYMOVE: %s\n", r == MAP_FAILED ? ename(errno) : r == q ? "same address" : "moved");

    /* Private file mapping with a modified page. */
    char path[] = "/tmp/faultline-mremap-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static unsigned char buf[8 * 4096];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = pat(i + 7);
    write(fd, buf, sizeof buf);
    /* 4 pages of the file; the 4th made read-only is a separate VMA that blocks growth. */
    unsigned char *f = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("file mapping + blocker: %s\n",
           f != MAP_FAILED && mprotect(f + 3 * PAGE, PAGE, PROT_READ) == 0 ? "ok" : "failed");
    f[PAGE + 10] = 0xEE;
    unsigned char *g = mremap(f, 3 * PAGE, 6 * PAGE, MREMAP_MAYMOVE);
    printf("grow file mapping with MAYMOVE: %s\n", g == MAP_FAILED ? ename(errno) : g == f ? "same address" : "moved");
    if (g != MAP_FAILED) {
        ok = g[PAGE + 10] == 0xEE;
        for (size_t i = 0; i < 6 * PAGE; i++)
            if (i != PAGE + 10)
                ok &= g[i] == pat(i + 7);
        printf("private copy and file pages (incl. 3 new ones) correct: %s\n", ok ? "yes" : "no");
    }
    unsigned char c;
    pread(fd, &c, 1, PAGE + 10);
    printf("file still has the original byte: %s\n", c == pat(PAGE + 17) ? "yes" : "no");
    close(fd);
    return 0;
}
