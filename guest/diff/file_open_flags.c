/* open/openat flags in a fresh temporary directory: O_CREAT|O_EXCL (EEXIST the second
 * time, also on a dangling symlink), O_DIRECTORY on a file (ENOTDIR), a missing file and a
 * file used as a directory (ENOENT, ENOTDIR), a directory opened for writing (EISDIR),
 * O_TRUNC, O_APPEND, O_NOFOLLOW on a symlink (ELOOP), O_CLOEXEC, O_PATH (read: EBADF),
 * openat relative to a directory fd / to a file fd (ENOTDIR) / to a bad fd (EBADF), an
 * absolute path that ignores the dirfd, an empty path (ENOENT), a too-long name
 * (ENAMETOOLONG), and the creation mode under umask 022. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static char dir[64];
static char buf[256];

static const char *in(const char *name)
{
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static int show(const char *what, int fd)
{
    printf("%-44s: %s\n", what, fd >= 0 ? "ok" : ename(errno));
    return fd;
}

int main(void)
{
    umask(022);
    strcpy(dir, "/tmp/faultline-open-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    int fd = show("O_CREAT|O_EXCL|O_WRONLY new file", open(in("f"), O_CREAT | O_EXCL | O_WRONLY, 0666));
    write(fd, "0123456789", 10);
    close(fd);
    struct stat st;
    stat(in("f"), &st);
    printf("mode with umask 022: %04o\n", st.st_mode & 07777);
    show("O_CREAT|O_EXCL existing file", open(in("f"), O_CREAT | O_EXCL | O_RDWR, 0600));
    close(show("O_CREAT existing file (no O_EXCL)", open(in("f"), O_CREAT | O_RDWR, 0600)));
    show("O_DIRECTORY on a file", open(in("f"), O_RDONLY | O_DIRECTORY));
    show("missing file", open(in("missing"), O_RDONLY));
    show("file used as a directory (f/x)", open(in("f/x"), O_RDONLY));
    show("O_CREAT in a missing directory", open(in("nodir/x"), O_CREAT | O_WRONLY, 0600));
    show("directory O_WRONLY", open(dir, O_WRONLY));
    show("directory O_RDWR", open(dir, O_RDWR));
    close(show("directory O_RDONLY", open(dir, O_RDONLY)));
    close(show("directory O_RDONLY|O_DIRECTORY", open(dir, O_RDONLY | O_DIRECTORY)));

    fd = show("O_TRUNC", open(in("f"), O_RDWR | O_TRUNC));
    fstat(fd, &st);
    printf("size after O_TRUNC: %lld\n", (long long)st.st_size);
    write(fd, "abc", 3);
    close(fd);
    fd = show("O_APPEND", open(in("f"), O_WRONLY | O_APPEND));
    lseek(fd, 0, SEEK_SET);
    write(fd, "XYZ", 3);
    printf("offset after append write: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    close(fd);
    fd = open(in("f"), O_RDONLY);
    char c[16] = {0};
    read(fd, c, sizeof c - 1);
    close(fd);
    printf("contents: %s\n", c);

    symlink("f", in("link"));
    symlink("nothing-here", in("dangling"));
    show("O_NOFOLLOW on a symlink", open(in("link"), O_RDONLY | O_NOFOLLOW));
    close(show("symlink followed", open(in("link"), O_RDONLY)));
    show("O_CREAT|O_EXCL on a dangling symlink", open(in("dangling"), O_CREAT | O_EXCL | O_WRONLY, 0600));
    show("O_RDONLY on a dangling symlink", open(in("dangling"), O_RDONLY));

    fd = show("O_CLOEXEC", open(in("f"), O_RDONLY | O_CLOEXEC));
    printf("FD_CLOEXEC set: %s\n", fcntl(fd, F_GETFD) & FD_CLOEXEC ? "yes" : "no");
    close(fd);
    fd = show("O_PATH", open(in("f"), O_PATH));
    printf("read from O_PATH fd: %s\n", read(fd, c, 1) < 0 ? ename(errno) : "ok");
    close(fd);

    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    close(show("openat relative to a directory fd", openat(dfd, "f", O_RDONLY)));
    int ffd = open(in("f"), O_RDONLY);
    show("openat relative to a file fd", openat(ffd, "f", O_RDONLY));
    show("openat with bad dirfd", openat(999, "f", O_RDONLY));
    close(show("openat absolute path, bad dirfd", openat(999, in("f"), O_RDONLY)));
    close(show("openat O_CREAT relative", openat(dfd, "g", O_CREAT | O_WRONLY, 0640)));
    fstatat(dfd, "g", &st, 0);
    printf("mode of g (0640 under umask 022): %04o\n", st.st_mode & 07777);
    show("empty path", open("", O_RDONLY));
    static char longname[400];
    memset(longname, 'n', 300);
    show("300-character name", openat(dfd, longname, O_RDONLY));
    close(ffd);

    unlinkat(dfd, "f", 0);
    unlinkat(dfd, "g", 0);
    unlinkat(dfd, "link", 0);
    unlinkat(dfd, "dangling", 0);
    close(dfd);
    printf("cleanup: %s\n", rmdir(dir) == 0 ? "ok" : ename(errno));
    return 0;
}
