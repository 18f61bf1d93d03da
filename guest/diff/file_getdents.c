/* getdents64 on a temporary directory with files, a subdirectory, a symlink and a fifo:
 * all names (sorted before printing) with their d_type, "." and ".." included; reading in
 * several calls with a small buffer gives the same set; a buffer too small for one entry is
 * EINVAL; end of directory returns 0; lseek to 0 rewinds; getdents64 on a regular file is
 * ENOTDIR and on a bad fd EBADF. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

struct ent {
    char name[64];
    unsigned char type;
};

static int cmp(const void *a, const void *b) { return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name); }

static const char *tname(unsigned char t)
{
    switch (t) {
    case 1: return "fifo";
    case 2: return "chr";
    case 4: return "dir";
    case 8: return "reg";
    case 10: return "lnk";
    case 12: return "sock";
    default: return "unknown";
    }
}

/* Reads the whole directory with buffers of bufsize bytes; returns the entry count. */
static int list(int fd, size_t bufsize, struct ent *out, int *calls)
{
    static char buf[8192] __attribute__((aligned(8)));
    int n = 0;
    *calls = 0;
    for (;;) {
        long r = syscall(SYS_getdents64, fd, buf, bufsize);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        (*calls)++;
        for (long off = 0; off < r;) {
            unsigned short reclen;
            memcpy(&reclen, buf + off + 16, 2);
            unsigned char type = (unsigned char)buf[off + 18];
            snprintf(out[n].name, sizeof out[n].name, "%s", buf + off + 19);
            out[n].type = type;
            n++;
            off += reclen;
        }
    }
    qsort(out, (size_t)n, sizeof *out, cmp);
    return n;
}

int main(void)
{
    char dir[] = "/tmp/faultline-dents-XXXXXX";
    mkdtemp(dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    const char *files[] = {"alpha", "beta", "gamma.txt", "a-much-longer-file-name-for-the-record-length"};
    for (int i = 0; i < 4; i++)
        close(openat(dfd, files[i], O_CREAT | O_WRONLY, 0600));
    for (int i = 0; i < 20; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%02d", i);
        close(openat(dfd, name, O_CREAT | O_WRONLY, 0600));
    }
    mkdirat(dfd, "subdir", 0700);
    symlinkat("alpha", dfd, "link");
    mkfifoat(dfd, "fifo", 0600);

    static struct ent e[64];
    int calls;
    int n = list(dfd, 8192, e, &calls);
    printf("entries: %d (in %d call%s)\n", n, calls, calls == 1 ? "" : "s");
    for (int i = 0; i < n; i++)
        if (e[i].name[0] != 'n')
            printf("  %-48s %s\n", e[i].name, tname(e[i].type));
    int nfiles = 0;
    for (int i = 0; i < n; i++)
        nfiles += e[i].name[0] == 'n' && strlen(e[i].name) == 3 && e[i].type == 8;
    printf("  n00..n19 regular files: %d\n", nfiles);

    long r = syscall(SYS_getdents64, dfd, e, 64);
    printf("getdents64 at end: %ld\n", r);
    lseek(dfd, 0, SEEK_SET);
    static struct ent e2[64];
    int n2 = list(dfd, 100, e2, &calls);
    int same = n2 == n;
    for (int i = 0; same && i < n; i++)
        same = strcmp(e[i].name, e2[i].name) == 0 && e[i].type == e2[i].type;
    printf("rewound, 100-byte buffer: %d entries, more than one call: %s, same set: %s\n", n2,
           calls > 1 ? "yes" : "no", same ? "yes" : "no");
    lseek(dfd, 0, SEEK_SET);
    static char tiny[32];
    r = syscall(SYS_getdents64, dfd, tiny, 10);
    printf("10-byte buffer: %s\n", r < 0 ? ename(errno) : "ok");
    int ffd = openat(dfd, "alpha", O_RDONLY);
    r = syscall(SYS_getdents64, ffd, e, sizeof e);
    printf("on a regular file: %s\n", r < 0 ? ename(errno) : "ok");
    r = syscall(SYS_getdents64, 999, e, sizeof e);
    printf("on a bad fd: %s\n", r < 0 ? ename(errno) : "ok");
    close(ffd);

    for (int i = 0; i < n; i++)
        if (strcmp(e[i].name, ".") && strcmp(e[i].name, ".."))
            unlinkat(dfd, e[i].name, e[i].type == 4 ? AT_REMOVEDIR : 0);
    close(dfd);
    printf("cleanup: %s\n", rmdir(dir) == 0 ? "ok" : ename(errno));
    return 0;
}
