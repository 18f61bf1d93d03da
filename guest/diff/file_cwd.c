/* getcwd/chdir/fchdir with a temporary directory tree: after chdir the cwd is that
 * directory (compared with the path, printed as a yes/no), relative chdir into a
 * subdirectory and "..", fchdir to a directory fd, relative opens follow the cwd, the raw
 * getcwd system call returns the length including the NUL, a too-small buffer is ERANGE;
 * chdir to a file is ENOTDIR, to a missing directory ENOENT, fchdir to a file fd ENOTDIR
 * and to a bad fd EBADF; the cwd can be removed while in use (getcwd then reports it as
 * unreachable: ENOENT from the system call). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

static char cwd[PATH_MAX];

static const char *where(const char *base)
{
    static char out[PATH_MAX];
    long r = syscall(SYS_getcwd, cwd, sizeof cwd);
    if (r < 0) {
        snprintf(out, sizeof out, "getcwd failed: %s", ename(errno));
        return out;
    }
    size_t n = strlen(base);
    if (strcmp(cwd, base) == 0)
        return "<tmpdir>";
    if (strncmp(cwd, base, n) == 0 && cwd[n] == '/') {
        snprintf(out, sizeof out, "<tmpdir>%s", cwd + n);
        return out;
    }
    return "outside the temporary directory";
}

int main(void)
{
    char start[PATH_MAX];
    if (!getcwd(start, sizeof start))
        return 1;
    char dir[] = "/tmp/faultline-cwd-XXXXXX";
    mkdtemp(dir);
    /* /tmp may itself be a symlink; compare against the resolved name. */
    char real[PATH_MAX];
    if (!realpath(dir, real))
        return 1;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    mkdirat(dfd, "a", 0700);
    mkdirat(dfd, "a/b", 0700);
    close(openat(dfd, "a/b/file", O_CREAT | O_WRONLY, 0600));
    close(openat(dfd, "a/marker-a", O_CREAT | O_WRONLY, 0600));

    printf("chdir tmpdir: %s\n", chdir(dir) == 0 ? "ok" : ename(errno));
    printf("cwd: %s\n", where(real));
    long r = syscall(SYS_getcwd, cwd, sizeof cwd);
    printf("getcwd syscall returns strlen+1: %s\n", r == (long)strlen(cwd) + 1 ? "yes" : "no");
    printf("chdir a/b: %s\n", chdir("a/b") == 0 ? "ok" : ename(errno));
    printf("cwd: %s\n", where(real));
    printf("relative open of file: %s\n", access("file", F_OK) == 0 ? "ok" : ename(errno));
    printf("chdir ..: %s\n", chdir("..") == 0 ? "ok" : ename(errno));
    printf("cwd: %s\n", where(real));
    printf("relative open of marker-a: %s\n", access("marker-a", F_OK) == 0 ? "ok" : ename(errno));
    printf("chdir b/file: %s\n", chdir("b/file") == 0 ? "ok" : ename(errno));
    printf("chdir missing: %s\n", chdir("missing") == 0 ? "ok" : ename(errno));
    printf("chdir \"\": %s\n", chdir("") == 0 ? "ok" : ename(errno));
    printf("cwd unchanged: %s\n", where(real));
    printf("fchdir tmpdir fd: %s\n", fchdir(dfd) == 0 ? "ok" : ename(errno));
    printf("cwd: %s\n", where(real));
    int ffd = openat(dfd, "a/b/file", O_RDONLY);
    printf("fchdir file fd: %s\n", fchdir(ffd) == 0 ? "ok" : ename(errno));
    printf("fchdir bad fd: %s\n", fchdir(999) == 0 ? "ok" : ename(errno));
    close(ffd);

    char small[4];
    r = syscall(SYS_getcwd, small, sizeof small);
    printf("getcwd with a 4-byte buffer: %s\n", r < 0 ? ename(errno) : "ok");
    r = syscall(SYS_getcwd, small, 0);
    printf("getcwd with size 0: %s\n", r < 0 ? ename(errno) : "ok");

    printf("chdir a/b: %s\n", chdir("a/b") == 0 ? "ok" : ename(errno));
    unlinkat(dfd, "a/b/file", 0);
    printf("rmdir the cwd: %s\n", unlinkat(dfd, "a/b", AT_REMOVEDIR) == 0 ? "ok" : ename(errno));
    r = syscall(SYS_getcwd, cwd, sizeof cwd);
    printf("getcwd of a removed cwd: %s\n", r < 0 ? ename(errno) : "ok");
    printf("create a file in it: %s\n", open("new", O_CREAT | O_WRONLY, 0600) < 0 ? ename(errno) : "ok");
    printf("chdir ..: %s\n", chdir("..") == 0 ? "ok" : ename(errno));
    printf("cwd: %s\n", where(real));

    printf("chdir back: %s\n", chdir(start) == 0 ? "ok" : ename(errno));
    unlinkat(dfd, "a/marker-a", 0);
    unlinkat(dfd, "a", AT_REMOVEDIR);
    close(dfd);
    printf("cleanup: %s\n", rmdir(dir) == 0 ? "ok" : ename(errno));
    return 0;
}
