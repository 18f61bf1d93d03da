/* MADV_DONTNEED throws pages away: private anonymous pages read as zero afterwards (and
 * can be written again); private file pages show the file's contents again (the private
 * copies are dropped); shared file pages keep what was stored (it is in the page cache).
 * Only the advised range is affected. */
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

static void marks(const char *what, volatile unsigned char *p, size_t pages)
{
    printf("%-38s:", what);
    for (size_t i = 0; i < pages; i++)
        printf(" %02x", p[i * PAGE + 100]);
    printf("\n");
}

static void adv(volatile unsigned char *p, size_t first, size_t n)
{
    int r = madvise((void *)(p + first * PAGE), n * PAGE, MADV_DONTNEED);
    printf("madvise DONTNEED pages %zu-%zu: %s\n", first, first + n - 1, r == 0 ? "ok" : ename(errno));
}

int main(void)
{
    const int RW = PROT_READ | PROT_WRITE;
    volatile unsigned char *a = mmap(NULL, 6 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (size_t i = 0; i < 6; i++)
        a[i * PAGE + 100] = (unsigned char)(0xA0 + i);
    marks("anonymous private", a, 6);
    adv(a, 1, 3);
    marks("anonymous private after", a, 6);
    a[2 * PAGE + 100] = 0x42;
    marks("written again", a, 6);

    char path[] = "/tmp/faultline-dontneed-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static unsigned char buf[6 * 4096];
    for (size_t i = 0; i < 6; i++)
        buf[i * PAGE + 100] = (unsigned char)(0xF0 + i);
    write(fd, buf, sizeof buf);

    volatile unsigned char *f = mmap(NULL, 6 * PAGE, RW, MAP_PRIVATE, fd, 0);
    for (size_t i = 0; i < 6; i++)
        f[i * PAGE + 100] = (unsigned char)(0x10 + i);
    marks("file private, all pages stored to", f, 6);
    adv(f, 0, 4);
    marks("file private after", f, 6);

    volatile unsigned char *s = mmap(NULL, 6 * PAGE, RW, MAP_SHARED, fd, 0);
    for (size_t i = 0; i < 6; i++)
        s[i * PAGE + 100] = (unsigned char)(0x50 + i);
    marks("file shared, all pages stored to", s, 6);
    adv(s, 0, 6);
    marks("file shared after", s, 6);
    unsigned char c;
    pread(fd, &c, 1, 3 * PAGE + 100);
    printf("file has the shared store: %02x\n", c);
    /* The private mapping's dropped pages now show the file as it is now. */
    marks("file private (dropped pages see the file)", f, 6);

    close(fd);
    return 0;
}
