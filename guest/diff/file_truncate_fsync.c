/* ftruncate/truncate and fsync/fdatasync: growing reads back zeros, shrinking drops the
 * tail, the file offset is not moved, a write at the old offset after a shrink leaves a
 * hole; ftruncate on an O_RDONLY descriptor (EINVAL, or EBADF), on a directory (EISDIR via
 * truncate, EINVAL via ftruncate), a negative length (EINVAL), a pipe (EINVAL); truncate of
 * a missing path (ENOENT); fsync and fdatasync of a file and a directory succeed, of a
 * pipe are EINVAL, of a bad fd EBADF. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static void res(const char *what, int r) { printf("%-36s: %s\n", what, r == 0 ? "ok" : ename(errno)); }

static long long size(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
}

int main(void)
{
    char path[] = "/tmp/faultline-truncate-XXXXXX";
    int fd = mkstemp(path);
    write(fd, "0123456789", 10);
    res("ftruncate to 100", ftruncate(fd, 100));
    printf("size %lld, offset %lld\n", size(fd), (long long)lseek(fd, 0, SEEK_CUR));
    char b[100];
    memset(b, 'x', sizeof b);
    pread(fd, b, 100, 0);
    int z = 1;
    for (int i = 10; i < 100; i++)
        z &= b[i] == 0;
    printf("first bytes kept: %.10s, extension zero: %s\n", b, z ? "yes" : "no");
    res("ftruncate to 4", ftruncate(fd, 4));
    printf("size %lld, offset %lld\n", size(fd), (long long)lseek(fd, 0, SEEK_CUR));
    write(fd, "W", 1); /* at offset 10: a hole from 4 to 10 */
    printf("size after write at the old offset: %lld\n", size(fd));
    memset(b, 'x', sizeof b);
    pread(fd, b, 11, 0);
    printf("bytes 4-9 zero: %s, byte 10: %c\n", memcmp(b + 4, "\0\0\0\0\0\0", 6) == 0 ? "yes" : "no", b[10]);
    res("truncate by path to 2", truncate(path, 2));
    printf("size %lld\n", size(fd));
    res("ftruncate to 0", ftruncate(fd, 0));
    printf("size %lld\n", size(fd));
    res("ftruncate to -1", ftruncate(fd, -1));
    res("truncate to -1", truncate(path, -1));
    int ro = open(path, O_RDONLY);
    res("ftruncate on O_RDONLY fd", ftruncate(ro, 10));
    res("truncate /tmp (a directory)", truncate("/tmp", 0));
    int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
    res("ftruncate on a directory fd", ftruncate(dfd, 0));
    res("truncate missing path", truncate("/tmp/faultline-no-such-file/x", 0));
    int p[2];
    pipe(p);
    res("ftruncate on a pipe", ftruncate(p[1], 0));
    res("ftruncate bad fd", ftruncate(999, 0));

    res("fsync file", fsync(fd));
    res("fdatasync file", fdatasync(fd));
    res("fsync O_RDONLY file", fsync(ro));
    res("fsync directory", fsync(dfd));
    res("fsync pipe", fsync(p[0]));
    res("fdatasync pipe", fdatasync(p[1]));
    res("fsync bad fd", fsync(999));
    res("syncfs", syncfs(fd));
    close(ro);
    close(fd);
    unlink(path);
    return 0;
}
