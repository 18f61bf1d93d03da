/* rename/renameat/renameat2 in a temporary directory: a file to a new name (old name gone,
 * contents kept, same inode), over an existing file (replaced), a directory to a new name
 * and over an empty directory, over a non-empty directory (ENOTEMPTY), a file over a
 * directory (EISDIR), a directory over a file (ENOTDIR), a directory into itself (EINVAL),
 * a missing source (ENOENT), renaming a name onto itself (no-op), RENAME_NOREPLACE
 * (EEXIST), RENAME_EXCHANGE (contents swap), NOREPLACE|EXCHANGE (EINVAL); the result is
 * shown as the sorted directory listing. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

static int dfd;

static void res(const char *what, long r) { printf("%-40s: %s\n", what, r == 0 ? "ok" : ename(errno)); }

static long ren2(const char *a, const char *b, unsigned flags)
{
    return syscall(SYS_renameat2, dfd, a, dfd, b, flags);
}

static int scmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void listing(void)
{
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY);
    DIR *d = fdopendir(fd);
    static char names[32][300];
    char *p[32];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 32)
        if (e->d_name[0] != '.') {
            snprintf(names[n], sizeof names[n], "%s%s", e->d_name, e->d_type == DT_DIR ? "/" : "");
            p[n] = names[n];
            n++;
        }
    closedir(d);
    qsort(p, (size_t)n, sizeof *p, scmp);
    printf("  listing:");
    for (int i = 0; i < n; i++) {
        char content[16] = "";
        int f = openat(dfd, p[i], O_RDONLY);
        if (f >= 0 && p[i][strlen(p[i]) - 1] != '/') {
            ssize_t k = read(f, content, sizeof content - 1);
            content[k > 0 ? k : 0] = 0;
        }
        if (f >= 0)
            close(f);
        printf(" %s%s%s%s", p[i], *content ? "(" : "", content, *content ? ")" : "");
    }
    printf("\n");
}

static void mkfile(const char *name, const char *content)
{
    int fd = openat(dfd, name, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    write(fd, content, strlen(content));
    close(fd);
}

int main(void)
{
    char dir[] = "/tmp/faultline-rename-XXXXXX";
    mkdtemp(dir);
    dfd = open(dir, O_RDONLY | O_DIRECTORY);
    mkfile("a", "AAA");
    mkfile("b", "BBB");
    mkdirat(dfd, "d", 0700);
    mkdirat(dfd, "empty", 0700);
    mkdirat(dfd, "full", 0700);
    mkfile("full/x", "X");
    listing();

    struct stat before, after;
    fstatat(dfd, "a", &before, 0);
    char from[128], to[128];
    snprintf(from, sizeof from, "%s/a", dir);
    snprintf(to, sizeof to, "%s/c", dir);
    res("rename a -> c", rename(from, to));
    fstatat(dfd, "c", &after, 0);
    printf("same inode: %s\n", before.st_ino == after.st_ino ? "yes" : "no");
    res("renameat c -> b (replaces b)", renameat(dfd, "c", dfd, "b"));
    listing();
    res("renameat b -> b (same name)", renameat(dfd, "b", dfd, "b"));
    res("renameat missing -> z", renameat(dfd, "missing", dfd, "z"));
    res("renameat d -> d2", renameat(dfd, "d", dfd, "d2"));
    res("renameat d2 -> empty (empty dir)", renameat(dfd, "d2", dfd, "empty"));
    res("renameat empty -> full (not empty)", renameat(dfd, "empty", dfd, "full"));
    res("renameat b -> full (file over dir)", renameat(dfd, "b", dfd, "full"));
    res("renameat full -> b (dir over file)", renameat(dfd, "full", dfd, "b"));
    res("renameat full -> full/inner (into itself)", renameat(dfd, "full", dfd, "full/inner"));
    res("renameat b -> missing/z", renameat(dfd, "b", dfd, "missing/z"));
    listing();
    mkfile("n", "NNN");
    res("renameat2 NOREPLACE n -> b", ren2("n", "b", RENAME_NOREPLACE));
    res("renameat2 NOREPLACE n -> m", ren2("n", "m", RENAME_NOREPLACE));
    res("renameat2 EXCHANGE m <-> b", ren2("m", "b", RENAME_EXCHANGE));
    listing();
    res("renameat2 EXCHANGE b <-> full (file/dir)", ren2("b", "full", RENAME_EXCHANGE));
    listing();
    res("renameat2 EXCHANGE with missing target", ren2("b", "nothing", RENAME_EXCHANGE));
    res("renameat2 NOREPLACE|EXCHANGE", ren2("b", "m", RENAME_NOREPLACE | RENAME_EXCHANGE));
    res("renameat2 unknown flag 0x100", ren2("b", "m", 0x100));

    /* cleanup */
    unlinkat(dfd, "b/x", 0);
    unlinkat(dfd, "full", 0);
    unlinkat(dfd, "b", AT_REMOVEDIR);
    unlinkat(dfd, "m", 0);
    unlinkat(dfd, "empty", AT_REMOVEDIR);
    listing();
    close(dfd);
    res("cleanup", rmdir(dir));
    return 0;
}
