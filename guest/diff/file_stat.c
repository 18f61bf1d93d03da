/* fstat, stat/lstat (newfstatat), fstatat with AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH, and
 * statx, on a regular file, a directory, a symlink, a pipe and /dev/null: file type, size,
 * permission bits, link count, and agreement between the calls (same inode and device);
 * errors ENOENT, ENOTDIR, EBADF, EINVAL (statx flags). No times, owners or inode numbers are
 * printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

/* struct statx as the kernel defines it (musl's headers may lack it). */
struct kstatx {
    unsigned int stx_mask, stx_blksize;
    unsigned long long stx_attributes;
    unsigned int stx_nlink, stx_uid, stx_gid;
    unsigned short stx_mode, pad1;
    unsigned long long stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    unsigned long long times[8];
    unsigned int stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    unsigned long long spare[14];
};
#define K_STATX_TYPE 0x1u
#define K_STATX_MODE 0x2u
#define K_STATX_NLINK 0x4u
#define K_STATX_SIZE 0x200u
#define K_STATX_BASIC_STATS 0x7ffu

static const char *type(mode_t m)
{
    return S_ISREG(m) ? "regular" : S_ISDIR(m) ? "directory" : S_ISLNK(m) ? "symlink" :
           S_ISFIFO(m) ? "fifo" : S_ISCHR(m) ? "chardev" : S_ISBLK(m) ? "blockdev" : S_ISSOCK(m) ? "socket" : "?";
}

static void show(const char *what, int r, const struct stat *st)
{
    if (r)
        printf("%-36s: %s\n", what, ename(errno));
    else if (S_ISREG(st->st_mode) || S_ISLNK(st->st_mode))
        printf("%-36s: %s %04o size %lld nlink %lu\n", what, type(st->st_mode), st->st_mode & 07777,
               (long long)st->st_size, (unsigned long)st->st_nlink);
    else
        printf("%-36s: %s %04o\n", what, type(st->st_mode), st->st_mode & 07777);
}

int main(void)
{
    umask(022);
    char dir[] = "/tmp/faultline-stat-XXXXXX";
    mkdtemp(dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    int fd = openat(dfd, "file", O_CREAT | O_RDWR, 0640);
    write(fd, "twelve bytes", 12);
    symlinkat("file", dfd, "link");
    linkat(dfd, "file", dfd, "hardlink", 0);
    mkdirat(dfd, "sub", 0755);
    fchmod(fd, 0604);

    struct stat a, b, c;
    show("fstat file", fstat(fd, &a), &a);
    show("fstatat file", fstatat(dfd, "file", &b, 0), &b);
    printf("same inode and device: %s\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev ? "yes" : "no");
    show("fstatat link (follows)", fstatat(dfd, "link", &c, 0), &c);
    printf("link resolves to the file: %s\n", c.st_ino == a.st_ino ? "yes" : "no");
    show("fstatat link AT_SYMLINK_NOFOLLOW", fstatat(dfd, "link", &c, AT_SYMLINK_NOFOLLOW), &c);
    show("fstatat sub", fstatat(dfd, "sub", &c, 0), &c);
    show("fstatat \"\" AT_EMPTY_PATH on file fd", fstatat(fd, "", &c, AT_EMPTY_PATH), &c);
    show("fstatat \"\" without AT_EMPTY_PATH", fstatat(fd, "", &c, 0), &c);
    show("fstatat missing", fstatat(dfd, "missing", &c, 0), &c);
    show("fstatat file/x", fstatat(dfd, "file/x", &c, 0), &c);
    show("fstatat relative to a file fd", fstatat(fd, "x", &c, 0), &c);
    show("fstatat with bad flags 0x1", fstatat(dfd, "file", &c, 0x1), &c);
    show("fstat bad fd", fstat(999, &c), &c);
    int p[2];
    pipe(p);
    show("fstat pipe", fstat(p[0], &c), &c);
    show("stat /dev/null", stat("/dev/null", &c), &c);
    show("stat /", stat("/", &c), &c);

    struct kstatx sx;
    memset(&sx, 0, sizeof sx);
    int r = (int)syscall(SYS_statx, dfd, "file", 0, K_STATX_BASIC_STATS, &sx);
    printf("statx file: %s", r == 0 ? "ok" : ename(errno));
    if (r == 0)
        printf(", %s %04o size %llu nlink %u, type+mode+size+nlink in mask: %s, ino matches: %s\n",
               type(sx.stx_mode), sx.stx_mode & 07777, (unsigned long long)sx.stx_size, sx.stx_nlink,
               (sx.stx_mask & (K_STATX_TYPE | K_STATX_MODE | K_STATX_SIZE | K_STATX_NLINK)) ==
                       (K_STATX_TYPE | K_STATX_MODE | K_STATX_SIZE | K_STATX_NLINK) ? "yes" : "no",
               sx.stx_ino == a.st_ino ? "yes" : "no");
    else
        printf("\n");
    r = (int)syscall(SYS_statx, dfd, "link", AT_SYMLINK_NOFOLLOW, K_STATX_TYPE | K_STATX_SIZE, &sx);
    printf("statx link NOFOLLOW: %s, %s size %llu\n", r == 0 ? "ok" : ename(errno), type(sx.stx_mode),
           (unsigned long long)sx.stx_size);
    r = (int)syscall(SYS_statx, fd, "", AT_EMPTY_PATH, K_STATX_SIZE, &sx);
    printf("statx AT_EMPTY_PATH: %s, size %llu\n", r == 0 ? "ok" : ename(errno), (unsigned long long)sx.stx_size);
    r = (int)syscall(SYS_statx, dfd, "missing", 0, K_STATX_BASIC_STATS, &sx);
    printf("statx missing: %s\n", r == 0 ? "ok" : ename(errno));
    r = (int)syscall(SYS_statx, dfd, "file", 0x80000000, K_STATX_BASIC_STATS, &sx);
    printf("statx bad flags: %s\n", r == 0 ? "ok" : ename(errno));
    r = (int)syscall(SYS_statx, dfd, "file", 0, 0x80000000u, &sx);
    printf("statx reserved mask bit: %s\n", r == 0 ? "ok" : ename(errno));

    close(fd);
    unlinkat(dfd, "file", 0);
    unlinkat(dfd, "hardlink", 0);
    unlinkat(dfd, "link", 0);
    unlinkat(dfd, "sub", AT_REMOVEDIR);
    close(dfd);
    rmdir(dir);
    return 0;
}
