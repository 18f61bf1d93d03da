/* fcntl on files and pipes: F_GETFL reports the access mode and O_APPEND/O_NONBLOCK;
 * F_SETFL changes O_APPEND and O_NONBLOCK but not the access mode or creation flags;
 * O_APPEND makes writes go to the end; O_NONBLOCK on a pipe makes an empty read EAGAIN;
 * F_GETFD/F_SETFD and FD_CLOEXEC; F_DUPFD/F_DUPFD_CLOEXEC with a minimum; F_GETPIPE_SZ;
 * errors: unknown command (EINVAL), bad fd (EBADF), F_DUPFD with a negative minimum
 * (EINVAL). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

static void fl(const char *what, int fd)
{
    int f = fcntl(fd, F_GETFL);
    if (f < 0) {
        printf("%-30s: %s\n", what, ename(errno));
        return;
    }
    int acc = f & O_ACCMODE;
    printf("%-30s: %s%s%s%s\n", what, acc == O_RDONLY ? "O_RDONLY" : acc == O_WRONLY ? "O_WRONLY" : "O_RDWR",
           f & O_APPEND ? "|O_APPEND" : "", f & O_NONBLOCK ? "|O_NONBLOCK" : "",
           f & (O_CREAT | O_TRUNC | O_EXCL) ? "|creation flags!" : "");
}

static void res(const char *what, long r)
{
    if (r < 0)
        printf("%-30s: %s\n", what, ename(errno));
    else
        printf("%-30s: %ld\n", what, r);
}

int main(void)
{
    char path[] = "/tmp/faultline-fcntl-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    int rw = open(path, O_RDWR | O_TRUNC);
    int ro = open(path, O_RDONLY);
    int wa = open(path, O_WRONLY | O_APPEND);
    fl("O_RDWR|O_TRUNC", rw);
    fl("O_RDONLY", ro);
    fl("O_WRONLY|O_APPEND", wa);

    res("F_SETFL O_APPEND|O_NONBLOCK", fcntl(rw, F_SETFL, O_APPEND | O_NONBLOCK));
    fl("after", rw);
    write(rw, "0123456789", 10);
    lseek(rw, 0, SEEK_SET);
    write(rw, "AB", 2);
    char b[16] = {0};
    pread(rw, b, 15, 0);
    printf("contents after append-mode write at offset 0: %s\n", b);
    res("F_SETFL O_WRONLY|O_TRUNC (ignored)", fcntl(rw, F_SETFL, O_WRONLY | O_TRUNC));
    fl("after", rw);
    res("F_SETFL 0 on O_APPEND fd", fcntl(wa, F_SETFL, 0));
    fl("after", wa);

    res("F_GETFD", fcntl(rw, F_GETFD));
    res("F_SETFD FD_CLOEXEC", fcntl(rw, F_SETFD, FD_CLOEXEC));
    res("F_GETFD", fcntl(rw, F_GETFD));
    res("F_SETFD 0", fcntl(rw, F_SETFD, 0));
    res("F_GETFD", fcntl(rw, F_GETFD));
    int d = fcntl(rw, F_DUPFD, rw + 20);
    printf("F_DUPFD min rw+20: rw%+d, cloexec %d\n", d - rw, fcntl(d, F_GETFD));
    d = fcntl(rw, F_DUPFD_CLOEXEC, rw + 20);
    printf("F_DUPFD_CLOEXEC min rw+20: rw%+d, cloexec %d\n", d - rw, fcntl(d, F_GETFD));
    res("F_DUPFD min -1", syscall(SYS_fcntl, rw, F_DUPFD, -1));
    res("unknown command 9999", syscall(SYS_fcntl, rw, 9999, 0));
    res("F_GETFL bad fd", syscall(SYS_fcntl, 999, F_GETFL));

    int p[2];
    pipe(p);
    fl("pipe read end", p[0]);
    fl("pipe write end", p[1]);
    res("read empty pipe, O_NONBLOCK", (fcntl(p[0], F_SETFL, O_NONBLOCK), read(p[0], b, 1)));
    fl("pipe read end after", p[0]);
    res("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
    res("F_GETPIPE_SZ on a file", fcntl(rw, F_GETPIPE_SZ));
    close(rw);
    close(ro);
    close(wa);
    unlink(path);
    return 0;
}
