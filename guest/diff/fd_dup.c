/* dup/dup2/dup3: the lowest free descriptor is used (numbers printed relative to the first
 * descriptor the program opened), duplicates share the file offset and status flags but
 * not FD_CLOEXEC; dup2 onto an open descriptor closes it first; dup2(fd, fd) returns fd
 * (EBADF if fd is not open); dup3(fd, fd) is EINVAL; dup3 with O_CLOEXEC sets FD_CLOEXEC,
 * unknown dup3 flags are EINVAL; dup of a bad fd and dup2 to a negative or huge target are
 * EBADF; closing the original leaves the duplicate working. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

static int base;

static void fdres(const char *what, int r)
{
    if (r < 0)
        printf("%-34s: %s\n", what, ename(errno));
    else
        printf("%-34s: base%+d cloexec=%d\n", what, r - base, (fcntl(r, F_GETFD) & FD_CLOEXEC) != 0);
}

int main(void)
{
    char path[] = "/tmp/faultline-dup-XXXXXX";
    int fd = mkstemp(path);
    base = fd;
    write(fd, "abcdefghij", 10);
    lseek(fd, 2, SEEK_SET);
    fcntl(fd, F_SETFD, FD_CLOEXEC);

    int d = dup(fd);
    fdres("dup (lowest free)", d);
    char c;
    read(d, &c, 1);
    printf("read through dup: %c, original offset now %lld\n", c, (long long)lseek(fd, 0, SEEK_CUR));
    fcntl(d, F_SETFL, O_APPEND);
    printf("O_APPEND set via dup visible on original: %s\n", fcntl(fd, F_GETFL) & O_APPEND ? "yes" : "no");
    fcntl(d, F_SETFL, 0);

    int other = open(path, O_RDONLY);
    fdres("open another", other);
    fdres("dup2 onto the other (open)", dup2(fd, other));
    printf("target now shares the offset: %s\n", lseek(other, 0, SEEK_CUR) == lseek(fd, 0, SEEK_CUR) ? "yes" : "no");
    fdres("dup2(fd, fd)", dup2(fd, fd));
    fdres("dup2(bad, bad)", dup2(base + 50, base + 50));
    fdres("dup2 to a free high fd (base+40)", dup2(fd, base + 40));
    fdres("dup2 to -1", dup2(fd, -1));
    fdres("dup2 to 1000000", dup2(fd, 1000000));
    fdres("dup3 O_CLOEXEC to base+41", dup3(fd, base + 41, O_CLOEXEC));
    fdres("dup3 flags 0 to base+41 (replaces)", dup3(d, base + 41, 0));
    fdres("dup3(fd, fd, 0)", (int)syscall(SYS_dup3, fd, fd, 0));
    fdres("dup3 unknown flag", (int)syscall(SYS_dup3, fd, base + 42, 0x1));
    fdres("dup of a bad fd", dup(999));
    fdres("F_DUPFD from base+10", fcntl(fd, F_DUPFD, base + 10));
    fdres("F_DUPFD_CLOEXEC from base+10", fcntl(fd, F_DUPFD_CLOEXEC, base + 10));
    fdres("dup (lowest free again)", dup(fd));

    close(fd);
    char b[4] = {0};
    lseek(d, 0, SEEK_SET);
    printf("dup works after closing the original: %s\n", read(d, b, 3) == 3 && strcmp(b, "abc") == 0 ? "yes" : "no");
    printf("closed original is EBADF: %s\n", fcntl(fd, F_GETFD) < 0 ? ename(errno) : "still open");
    fdres("dup reuses the closed number", dup(d));
    unlink(path);
    return 0;
}
