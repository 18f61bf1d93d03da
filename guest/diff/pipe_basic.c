/* pipe/pipe2 within one process: data written comes back in order (also across several
 * writes and partial reads), FIONREAD-like accounting through short reads, O_NONBLOCK read
 * of an empty pipe is EAGAIN, read returns 0 once the write end is closed and the data is
 * drained, a write with the read end closed is EPIPE when SIGPIPE is ignored, filling a
 * non-blocking pipe stops with EAGAIN at its capacity, pipe2 O_CLOEXEC/O_NONBLOCK set the
 * flags, unknown pipe2 flags are EINVAL, reading the write end / writing the read end is
 * EBADF. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

static void rv(const char *what, long r)
{
    if (r < 0)
        printf("%-40s: %s\n", what, ename(errno));
    else
        printf("%-40s: %ld\n", what, r);
}

int main(void)
{
    int p[2];
    rv("pipe", pipe(p));
    printf("write end is read end + 1: %s\n", p[1] == p[0] + 1 ? "yes" : "no");
    rv("write 5", write(p[1], "hello", 5));
    rv("write 6", write(p[1], " world", 6));
    int avail = -1;
    ioctl(p[0], FIONREAD, &avail);
    printf("FIONREAD: %d\n", avail);
    char b[64] = {0};
    rv("read 3", read(p[0], b, 3));
    printf("data: %s\n", b);
    memset(b, 0, sizeof b);
    rv("read 64 (gets the rest)", read(p[0], b, 64));
    printf("data: %s\n", b);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    rv("read empty, O_NONBLOCK", read(p[0], b, 1));
    rv("write on the read end", write(p[0], "x", 1));
    rv("read on the write end", read(p[1], b, 1));
    write(p[1], "tail", 4);
    close(p[1]);
    rv("read after writer closed", read(p[0], b, 64));
    rv("read at EOF", read(p[0], b, 64));
    close(p[0]);

    signal(SIGPIPE, SIG_IGN);
    rv("pipe", pipe(p));
    close(p[0]);
    rv("write with the read end closed", write(p[1], "x", 1));
    close(p[1]);

    rv("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK));
    static char chunk[4096];
    long total = 0, r;
    while ((r = write(p[1], chunk, sizeof chunk)) > 0)
        total += r;
    printf("non-blocking fill stopped with %s after %ld bytes\n", ename(errno), total);
    rv("write 1 byte to the full pipe", write(p[1], "x", 1));
    long drained = 0;
    while ((r = read(p[0], chunk, sizeof chunk)) > 0)
        drained += r;
    printf("drained %ld bytes\n", drained);
    close(p[0]);
    close(p[1]);

    rv("pipe2 O_CLOEXEC", pipe2(p, O_CLOEXEC));
    printf("FD_CLOEXEC on both ends: %d %d\n", fcntl(p[0], F_GETFD), fcntl(p[1], F_GETFD));
    close(p[0]);
    close(p[1]);
    rv("pipe2 unknown flag O_APPEND", syscall(SYS_pipe2, p, O_APPEND));
    rv("pipe2 with a NULL array", syscall(SYS_pipe2, NULL, 0));
    return 0;
}
