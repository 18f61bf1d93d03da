/* /proc/self/smaps for an anonymous 64-page mapping of which 10 pages are written and 5
 * more only read (those map the shared zero page, which is not counted in Rss): Size, Rss,
 * Pss, Private_Dirty, Anonymous, Swap in kB; then after MADV_DONTNEED of 4 written pages;
 * then for a read-only private file mapping with 3 of its 4 pages read (Rss counts all 4:
 * Linux maps the neighbouring page-cache pages on a read fault, "fault-around", 64 KiB by
 * default; Anonymous stays 0), and for a second, writable private mapping of the same file
 * with one page read and one written (that page becomes Anonymous and Private_Dirty; the
 * others are shared with the first mapping, so Pss counts half of them). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ul

static char smaps[1 << 20];

static void show(const char *what, const void *start)
{
    int fd = open("/proc/self/smaps", O_RDONLY);
    size_t n = 0;
    ssize_t r;
    while (fd >= 0 && (r = read(fd, smaps + n, sizeof smaps - 1 - n)) > 0)
        n += (size_t)r;
    if (fd >= 0)
        close(fd);
    smaps[n] = 0;
    char head[32];
    snprintf(head, sizeof head, "%lx-", (unsigned long)(uintptr_t)start);
    char *p = smaps;
    while (p && strncmp(p, head, strlen(head)) != 0) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    printf("%s:", what);
    if (!p) {
        printf(" region not found\n");
        return;
    }
    const char *keys[] = {"Size", "Rss", "Pss", "Private_Clean", "Private_Dirty", "Anonymous", "Swap", "Locked"};
    p = strchr(p, '\n') + 1; /* skip the header line */
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        char key[32];
        snprintf(key, sizeof key, "\n%s:", keys[k]);
        char *q = strstr(p - 1, key); /* within this entry: the next header comes later */
        unsigned long kb = 0;
        char unit[8] = "";
        if (q && sscanf(q + strlen(key), "%lu %7s", &kb, unit) == 2)
            printf(" %s=%lu%s", keys[k], kb, unit);
        else
            printf(" %s=?", keys[k]);
    }
    printf("\n");
}

int main(void)
{
    volatile unsigned char *a = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    /* keep the neighbours from merging with it */
    mprotect((void *)(a + 63 * PAGE), PAGE, PROT_NONE);
    show("fresh (63 rw pages + 1 PROT_NONE)", (const void *)a);
    for (int i = 0; i < 10; i++)
        a[i * 3 * PAGE] = 1;
    unsigned s = 0;
    for (int i = 0; i < 5; i++)
        s += a[(i * 3 + 1) * PAGE];
    show("10 pages written, 5 read", (const void *)a);
    madvise((void *)a, 10 * PAGE, MADV_DONTNEED); /* drops written pages 0, 3, 6, 9 */
    show("after DONTNEED of pages 0-9", (const void *)a);

    char path[] = "/tmp/faultline-smaps-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static char data[4 * 4096];
    memset(data, 'x', sizeof data);
    write(fd, data, sizeof data);
    fsync(fd);
    volatile unsigned char *f = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    /* Every page is touched: how many untouched neighbours Linux's fault-around maps
     * depends on what its page cache holds at that moment (it made this test flaky). */
    for (int i = 0; i < 4; i++)
        s += f[i * PAGE];
    show("file, 4 pages read", (const void *)f);
    volatile unsigned char *w = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    s += w[0] + w[2 * PAGE] + w[3 * PAGE];
    w[PAGE] = 'y';
    show("writable private file, 3 read 1 written", (const void *)w);
    printf("(sum %u)\n", s);
    close(fd);
    return 0;
}
