/* File-backed MAP_PRIVATE mappings: the mapping shows the file's bytes (at offset 0 and at
 * a page offset), stores go to private copies that neither the file (read back with
 * pread) nor a later mapping see, and the file is unchanged after munmap. */
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

static const char *yesno(int b) { return b ? "yes" : "no"; }

static unsigned char pattern(size_t i) { return (unsigned char)(i * 31 + (i >> 12) * 7 + 3); }

int main(void)
{
    char path[] = "/tmp/faultline-mmap-private-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        printf("mkstemp failed\n");
        return 1;
    }
    size_t len = 4 * PAGE;
    static unsigned char buf[4 * 4096];
    for (size_t i = 0; i < len; i++)
        buf[i] = pattern(i);
    printf("write file: %s\n", yesno(write(fd, buf, len) == (ssize_t)len));

    volatile unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("mmap private rw: %s\n", p == MAP_FAILED ? ename(errno) : "ok");
    if (p == MAP_FAILED) {
        unlink(path);
        return 1;
    }
    int same = 1;
    for (size_t i = 0; i < len; i++)
        same &= p[i] == pattern(i);
    printf("mapping matches file: %s\n", yesno(same));

    /* Offset mapping: page 2 of the file. */
    volatile unsigned char *o = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);
    printf("mmap at offset 2 pages: %s\n", o == MAP_FAILED ? ename(errno) : "ok");
    printf("offset mapping shows file page 2: %s\n",
           yesno(o != MAP_FAILED && o[0] == pattern(2 * PAGE) && o[PAGE - 1] == pattern(3 * PAGE - 1)));

    p[0] = 0xEE;
    p[2 * PAGE + 10] = 0xDD;
    printf("private stores read back: %s\n", yesno(p[0] == 0xEE && p[2 * PAGE + 10] == 0xDD));
    unsigned char c = 0;
    printf("pread after store sees original byte: %s\n",
           yesno(pread(fd, &c, 1, 0) == 1 && c == pattern(0)));
    printf("other private mapping of same page unaffected: %s\n",
           yesno(o != MAP_FAILED && o[10] == pattern(2 * PAGE + 10)));
    printf("untouched bytes of a copied page: %s\n", yesno(p[1] == pattern(1) && p[PAGE - 1] == pattern(PAGE - 1)));

    printf("munmap: %s\n", munmap((void *)p, len) == 0 ? "ok" : ename(errno));
    volatile unsigned char *again = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("new mapping shows original file: %s\n",
           yesno(again != MAP_FAILED && again[0] == pattern(0) && again[2 * PAGE + 10] == pattern(2 * PAGE + 10)));
    int unchanged = pread(fd, buf, len, 0) == (ssize_t)len;
    for (size_t i = 0; unchanged && i < len; i++)
        unchanged &= buf[i] == pattern(i);
    printf("file unchanged: %s\n", yesno(unchanged));

    /* The mapping outlives the descriptor. */
    close(fd);
    unlink(path);
    printf("mapping readable after close+unlink: %s\n", yesno(again[len - 1] == pattern(len - 1)));
    return 0;
}
