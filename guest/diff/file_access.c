/* access/faccessat/faccessat2 on files with different permission bits: F_OK, R_OK, W_OK,
 * X_OK; missing files (ENOENT), a file used as a directory (ENOTDIR), a dangling symlink
 * with and without AT_SYMLINK_NOFOLLOW, invalid mode bits and invalid flags (EINVAL),
 * AT_EACCESS, AT_EMPTY_PATH on a descriptor. The answers for R_OK/W_OK depend on who runs
 * the test (root passes them regardless of the bits), but both sides run as the same
 * user; X_OK on a file without any x bit is EACCES even for root. */
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

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

static int dfd;

static void ac(const char *name, int mode, int flags)
{
    static const char *names[] = {"F_OK", "X_OK", "W_OK", "W_OK|X_OK", "R_OK", "R_OK|X_OK", "R_OK|W_OK", "R_OK|W_OK|X_OK"};
    errno = 0;
    long r = syscall(SYS_faccessat2, dfd, name, mode, flags);
    printf("%-10s %-16s flags %#-6x: %s\n", name, (unsigned)mode < 8 ? names[mode] : "bad mode", flags,
           r == 0 ? "ok" : ename(errno));
}

int main(void)
{
    char dir[] = "/tmp/faultline-access-XXXXXX";
    mkdtemp(dir);
    dfd = open(dir, O_RDONLY | O_DIRECTORY);
    const struct { const char *name; mode_t mode; } f[] = {
        {"none", 0}, {"r", 0400}, {"rw", 0600}, {"rx", 0500}, {"x_other", 0001}};
    for (int i = 0; i < 5; i++) {
        close(openat(dfd, f[i].name, O_CREAT | O_WRONLY, 0600));
        fchmodat(dfd, f[i].name, f[i].mode, 0);
    }
    symlinkat("missing", dfd, "dangling");
    symlinkat("rx", dfd, "link");

    for (int i = 0; i < 5; i++)
        for (int m = 0; m < 8; m++)
            if (m == 0 || m == 1 || m == 2 || m == 4 || m == 7)
                ac(f[i].name, m, 0);
    ac("missing", F_OK, 0);
    ac("r/x", F_OK, 0);
    ac("dangling", F_OK, 0);
    ac("dangling", F_OK, AT_SYMLINK_NOFOLLOW);
    ac("link", X_OK, 0);
    ac("link", F_OK, AT_SYMLINK_NOFOLLOW);
    ac("rw", 8, 0);
    ac("rw", F_OK, 0x1);
    ac("rw", R_OK, AT_EACCESS);
    ac(".", X_OK, 0);

    char path[128];
    snprintf(path, sizeof path, "%s/rx", dir);
    printf("access(rx, X_OK): %s\n", access(path, X_OK) == 0 ? "ok" : ename(errno));
    printf("access(rx, F_OK): %s\n", access(path, F_OK) == 0 ? "ok" : ename(errno));
    snprintf(path, sizeof path, "%s/none", dir);
    printf("access(none, X_OK): %s\n", access(path, X_OK) == 0 ? "ok" : ename(errno));
    printf("faccessat (syscall 269) rx X_OK: %s\n",
           syscall(SYS_faccessat, dfd, "rx", X_OK) == 0 ? "ok" : ename(errno));
    int fd = openat(dfd, "rx", O_RDONLY);
    printf("faccessat2 \"\" AT_EMPTY_PATH on rx fd, X_OK: %s\n",
           syscall(SYS_faccessat2, fd, "", X_OK, AT_EMPTY_PATH) == 0 ? "ok" : ename(errno));
    close(fd);

    for (int i = 0; i < 5; i++)
        unlinkat(dfd, f[i].name, 0);
    unlinkat(dfd, "dangling", 0);
    unlinkat(dfd, "link", 0);
    close(dfd);
    printf("cleanup: %s\n", rmdir(dir) == 0 ? "ok" : ename(errno));
    return 0;
}
