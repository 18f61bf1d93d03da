/* read/write/pread/pwrite/readv/writev on a regular file: offsets advance (or, for
 * pread/pwrite, do not), short reads at EOF, read at EOF returns 0, pwrite past EOF leaves
 * a zero-filled gap, vectors with empty elements, iovcnt 0, negative offsets and iovcnt
 * (EINVAL), reads and writes on descriptors of the wrong mode (EBADF). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "common.h"

static void rv(const char *what, ssize_t r)
{
    if (r < 0)
        printf("%-40s: %s\n", what, ename(errno));
    else
        printf("%-40s: %zd\n", what, r);
}

static long pos(int fd) { return (long)lseek(fd, 0, SEEK_CUR); }

int main(void)
{
    char path[] = "/tmp/faultline-rw-XXXXXX";
    int fd = mkstemp(path);
    char b[128];

    rv("write 10", write(fd, "0123456789", 10));
    printf("offset: %ld\n", pos(fd));
    rv("pwrite 3 at 2", pwrite(fd, "abc", 3, 2));
    printf("offset after pwrite: %ld\n", pos(fd));
    lseek(fd, 0, SEEK_SET);
    memset(b, 0, sizeof b);
    rv("read 4", read(fd, b, 4));
    printf("data: %s, offset %ld\n", b, pos(fd));
    memset(b, 0, sizeof b);
    rv("read 100 (short)", read(fd, b, 100));
    printf("data: %s, offset %ld\n", b, pos(fd));
    rv("read at EOF", read(fd, b, 10));
    rv("read 0 bytes", read(fd, b, 0));
    memset(b, 0, sizeof b);
    rv("pread 5 at 3", pread(fd, b, 5, 3));
    printf("data: %s, offset %ld\n", b, pos(fd));
    rv("pread at 1000 (past EOF)", pread(fd, b, 5, 1000));
    rv("pwrite 2 at 20 (past EOF)", pwrite(fd, "ZZ", 2, 20));
    memset(b, 'x', sizeof b);
    rv("pread 22 at 0", pread(fd, b, 22, 0));
    printf("gap bytes 10-19 zero: %s\n", memcmp(b + 10, "\0\0\0\0\0\0\0\0\0\0", 10) == 0 ? "yes" : "no");

    struct iovec w[4] = {{"he", 2}, {"", 0}, {"llo", 3}, {" world", 6}};
    lseek(fd, 0, SEEK_SET);
    rv("writev 4 vectors (one empty)", writev(fd, w, 4));
    printf("offset: %ld\n", pos(fd));
    char r1[3] = {0}, r2[5] = {0}, r3[40] = {0};
    struct iovec r[3] = {{r1, 2}, {r2, 4}, {r3, 39}};
    lseek(fd, 0, SEEK_SET);
    rv("readv 3 vectors", readv(fd, r, 3));
    printf("vectors: \"%s\" \"%s\" \"%.16s\"\n", r1, r2, r3);
    rv("readv iovcnt 0", readv(fd, r, 0));
    rv("readv iovcnt -1", syscall(SYS_readv, fd, r, -1));
    rv("writev iovcnt 1025", syscall(SYS_writev, fd, w, 1025));
    rv("preadv at 6", preadv(fd, r, 1, 6));
    printf("data: %s\n", r1);
    rv("pwritev at 0", pwritev(fd, w + 3, 1, 0));
    rv("pread negative offset", pread(fd, b, 1, -1));
    rv("pwrite negative offset", pwrite(fd, b, 1, -5));
    struct stat st;
    fstat(fd, &st);
    printf("file size: %lld\n", (long long)st.st_size);

    int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY);
    rv("write to O_RDONLY fd", write(ro, "x", 1));
    rv("read from O_WRONLY fd", read(wo, b, 1));
    rv("read from closed fd", read(999, b, 1));
    rv("write to bad fd -1", write(-1, "x", 1));
    rv("read into a NULL buffer", syscall(SYS_read, ro, NULL, 4));
    close(ro);
    close(wo);
    close(fd);
    unlink(path);
    return 0;
}
