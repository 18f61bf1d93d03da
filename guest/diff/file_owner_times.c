/* Owners and times on files in a temporary directory: utimensat with explicit times, with
 * UTIME_OMIT for one of them, on a symlink itself (AT_SYMLINK_NOFOLLOW) and through it, on a
 * descriptor (futimens), with AT_EMPTY_PATH; utimes, futimesat and utime; bad nanoseconds and
 * microseconds are EINVAL, a missing file ENOENT, a bad pointer EFAULT, bad flags EINVAL;
 * UTIME_NOW moves the time forward. chown/lchown/fchown/fchownat to the caller's own ids
 * (no change, allowed for everyone) and -1 (keep); the owner that stat reports after each. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>
#include "common.h"

static void show(const char *what, int r, int dfd, const char *name, int flags)
{
    struct stat st;
    if (r < 0) {
        printf("%-40s: %s\n", what, ename(errno));
        return;
    }
    if (fstatat(dfd, name, &st, flags) != 0) {
        printf("%-40s: ok, stat %s\n", what, ename(errno));
        return;
    }
    printf("%-40s: ok, atime %lld.%09ld mtime %lld.%09ld owner %s\n", what, (long long)st.st_atim.tv_sec,
           st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
           st.st_uid == getuid() && st.st_gid == getgid() ? "me" : "other");
}

static void result(const char *what, int r)
{
    printf("%-40s: %s\n", what, r < 0 ? ename(errno) : "ok");
}

int main(void)
{
    char dir[] = "/tmp/faultline-times-XXXXXX";
    mkdtemp(dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    int fd = openat(dfd, "file", O_CREAT | O_RDWR, 0644);
    symlinkat("file", dfd, "link");

    struct timespec ts[2] = {{1000000000, 123456789}, {1200000000, 987654321}};
    show("utimensat explicit", utimensat(dfd, "file", ts, 0), dfd, "file", 0);
    struct timespec omit[2] = {{5, UTIME_OMIT}, {1300000000, 5}};
    show("utimensat atime omitted", utimensat(dfd, "file", omit, 0), dfd, "file", 0);
    struct timespec on_link[2] = {{1100000000, 1}, {1100000000, 2}};
    show("utimensat on the link itself", utimensat(dfd, "link", on_link, AT_SYMLINK_NOFOLLOW), dfd, "link",
         AT_SYMLINK_NOFOLLOW);
    show("  the file is unchanged", 0, dfd, "file", 0);
    struct timespec through[2] = {{1400000000, 0}, {1400000001, 0}};
    show("utimensat through the link", utimensat(dfd, "link", through, 0), dfd, "file", 0);
    struct timespec on_fd[2] = {{1500000000, 7}, {1500000000, 8}};
    show("futimens", futimens(fd, on_fd), dfd, "file", 0);
    struct timespec empty[2] = {{1600000000, 0}, {1600000000, 1}};
    show("utimensat AT_EMPTY_PATH", utimensat(fd, "", empty, AT_EMPTY_PATH), dfd, "file", 0);
    struct timespec both_omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    show("utimensat both omitted (missing file)", utimensat(dfd, "missing", both_omit, 0), dfd, "file", 0);

    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    result("utimensat nsec 1e9", utimensat(dfd, "file", bad, 0));
    struct timespec negative[2] = {{0, -1}, {0, 0}};
    result("utimensat nsec -1", utimensat(dfd, "file", negative, 0));
    result("utimensat missing", utimensat(dfd, "missing", ts, 0));
    result("utimensat bad flags", utimensat(dfd, "file", ts, 0x4000));
    result("utimensat bad pointer", (int)syscall(SYS_utimensat, dfd, "file", (void *)8, 0));
    result("utimensat NULL path, AT_FDCWD", (int)syscall(SYS_utimensat, AT_FDCWD, NULL, ts, 0));

    char path[128];
    snprintf(path, sizeof path, "%s/file", dir);
    struct timeval tv[2] = {{1700000000, 250000}, {1700000001, 500000}};
    show("utimes", utimes(path, tv), dfd, "file", 0);
    struct timeval badtv[2] = {{0, 1000000}, {0, 0}};
    result("utimes usec 1e6", utimes(path, badtv));
    struct timeval fat[2] = {{1750000000, 1}, {1750000000, 2}};
    show("futimesat", (int)syscall(SYS_futimesat, dfd, "file", fat), dfd, "file", 0);
    struct utimbuf ub = {1800000000, 1800000002};
    show("utime", utime(path, &ub), dfd, "file", 0);

    struct stat before, after;
    fstat(fd, &before);
    result("utimensat NULL (now)", utimensat(dfd, "file", NULL, 0));
    fstat(fd, &after);
    printf("%-40s: %s\n", "  mtime moved forward", after.st_mtim.tv_sec > before.st_mtim.tv_sec ? "yes" : "no");
    /* Fixed times again, so that what follows prints the same natively and under faultline. */
    utimensat(dfd, "file", ts, 0);
    utimensat(dfd, "link", on_link, AT_SYMLINK_NOFOLLOW);

    show("chown to my own ids", chown(path, getuid(), getgid()), dfd, "file", 0);
    show("lchown the link", lchown(path, -1, getgid()), dfd, "link", AT_SYMLINK_NOFOLLOW);
    show("fchown -1 -1", fchown(fd, -1, -1), dfd, "file", 0);
    show("fchownat AT_EMPTY_PATH", fchownat(fd, "", getuid(), -1, AT_EMPTY_PATH), dfd, "file", 0);
    result("fchownat bad flags", fchownat(dfd, "file", -1, -1, 0x4000));
    result("chown missing", chown("/nonexistent/faultline", -1, -1));

    unlinkat(dfd, "link", 0);
    unlinkat(dfd, "file", 0);
    rmdir(dir);
    return 0;
}
