/* mkdir/mkdirat/rmdir/unlink/unlinkat in a temporary directory: creation modes under
 * umask 027, EEXIST for existing names (file or directory), ENOENT for a missing parent,
 * ENOTDIR for a file as parent; unlink of a directory (EISDIR), rmdir of a file (ENOTDIR),
 * of a non-empty directory (ENOTEMPTY), of "." (EINVAL); unlinkat with AT_REMOVEDIR on a
 * file (ENOTDIR) and on a directory, with unknown flags (EINVAL); the link count of a
 * directory grows with subdirectories; a file stays readable through an open descriptor
 * after unlink (st_nlink 0). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static int dfd;

static void res(const char *what, int r) { printf("%-40s: %s\n", what, r == 0 ? "ok" : ename(errno)); }

static void mode_of(const char *name)
{
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        printf("  %s: %s %04o nlink %lu\n", name, S_ISDIR(st.st_mode) ? "dir" : "file", st.st_mode & 07777,
               (unsigned long)st.st_nlink);
    else
        printf("  %s: %s\n", name, ename(errno));
}

int main(void)
{
    umask(027);
    char dir[] = "/tmp/faultline-mkdir-XXXXXX";
    mkdtemp(dir);
    dfd = open(dir, O_RDONLY | O_DIRECTORY);
    char path[128];
    snprintf(path, sizeof path, "%s/d1", dir);
    res("mkdir d1 0777", mkdir(path, 0777));
    res("mkdir d1 again", mkdir(path, 0777));
    res("mkdirat d2 0700", mkdirat(dfd, "d2", 0700));
    res("mkdirat d1/sub 0755", mkdirat(dfd, "d1/sub", 0755));
    res("mkdirat d1/sub2 01777", mkdirat(dfd, "d1/sub2", 01777));
    mode_of("d1");
    mode_of("d2");
    mode_of("d1/sub");
    mode_of("d1/sub2");
    close(openat(dfd, "file", O_CREAT | O_WRONLY, 0666));
    mode_of("file");
    res("mkdirat over a file", mkdirat(dfd, "file", 0700));
    res("mkdirat missing/x", mkdirat(dfd, "missing/x", 0700));
    res("mkdirat file/x", mkdirat(dfd, "file/x", 0700));
    res("mkdirat \"\"", mkdirat(dfd, "", 0700));
    int ffd = openat(dfd, "file", O_RDONLY);
    res("mkdirat relative to a file fd", mkdirat(ffd, "x", 0700));
    close(ffd);
    res("mkdirat relative to a bad fd", mkdirat(999, "x", 0700));

    res("unlinkat d2 (a directory, flags 0)", unlinkat(dfd, "d2", 0));
    snprintf(path, sizeof path, "%s/d2", dir);
    res("unlink d2", unlink(path));
    snprintf(path, sizeof path, "%s/file", dir);
    res("rmdir file", rmdir(path));
    res("unlinkat file AT_REMOVEDIR", unlinkat(dfd, "file", AT_REMOVEDIR));
    snprintf(path, sizeof path, "%s/d1", dir);
    res("rmdir d1 (not empty)", rmdir(path));
    res("unlinkat d1 AT_REMOVEDIR (not empty)", unlinkat(dfd, "d1", AT_REMOVEDIR));
    res("unlinkat d1/. AT_REMOVEDIR", unlinkat(dfd, "d1/.", AT_REMOVEDIR));
    res("unlinkat unknown flag 0x1", unlinkat(dfd, "file", 0x1));
    res("unlinkat missing", unlinkat(dfd, "missing", 0));
    res("unlinkat d1/sub2 AT_REMOVEDIR", unlinkat(dfd, "d1/sub2", AT_REMOVEDIR));
    mode_of("d1");
    res("unlinkat d2 AT_REMOVEDIR", unlinkat(dfd, "d2", AT_REMOVEDIR));
    mode_of("d2");

    int fd = openat(dfd, "file", O_RDWR);
    write(fd, "still here", 10);
    res("unlinkat file", unlinkat(dfd, "file", 0));
    mode_of("file");
    struct stat st;
    fstat(fd, &st);
    char b[11] = {0};
    pread(fd, b, 10, 0);
    printf("open descriptor after unlink: nlink %lu, reads \"%s\"\n", (unsigned long)st.st_nlink, b);
    close(fd);
    res("unlinkat file again", unlinkat(dfd, "file", 0));

    unlinkat(dfd, "d1/sub", AT_REMOVEDIR);
    unlinkat(dfd, "d1", AT_REMOVEDIR);
    close(dfd);
    res("cleanup", rmdir(dir));
    return 0;
}
