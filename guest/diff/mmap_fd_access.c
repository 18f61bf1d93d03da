/* mmap and the descriptor's access mode: MAP_SHARED+PROT_WRITE needs a writable
 * descriptor (EACCES on O_RDONLY, also via a later mprotect), MAP_PRIVATE+PROT_WRITE on an
 * O_RDONLY descriptor is fine (copy-on-write), every file mapping needs a readable
 * descriptor (O_WRONLY: EACCES, whatever the protection), O_APPEND does not matter (only
 * the inode's append-only attribute would), descriptors without mmap support (directories,
 * pipes) give ENODEV and O_PATH ones EBADF. /dev/zero maps as zero-filled memory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "common.h"

#define PAGE 4096ul

static void *try(const char *what, int prot, int flags, int fd)
{
    errno = 0;
    void *p = mmap(NULL, PAGE, prot, flags, fd, 0);
    printf("%-46s -> %s\n", what, p == MAP_FAILED ? ename(errno) : "ok");
    return p == MAP_FAILED ? NULL : p;
}

int main(void)
{
    char path[] = "/tmp/faultline-mmap-access-XXXXXX";
    int fd = mkstemp(path);
    write(fd, "hello, file", 11);
    close(fd);

    int ro = open(path, O_RDONLY);
    int wo = open(path, O_WRONLY);
    int rw = open(path, O_RDWR);
    int ap = open(path, O_RDWR | O_APPEND);
    int path_fd = open(path, O_PATH);
    unlink(path); /* the name is not needed any more */

    const int R = PROT_READ, RW = PROT_READ | PROT_WRITE;
    void *p;
    p = try("O_RDONLY, MAP_SHARED, PROT_READ", R, MAP_SHARED, ro);
    if (p) {
        errno = 0;
        int r = mprotect(p, PAGE, RW);
        printf("%-46s -> %s\n", "  then mprotect PROT_WRITE", r == 0 ? "ok" : ename(errno));
        munmap(p, PAGE);
    }
    try("O_RDONLY, MAP_SHARED, PROT_READ|WRITE", RW, MAP_SHARED, ro);
    p = try("O_RDONLY, MAP_PRIVATE, PROT_READ|WRITE", RW, MAP_PRIVATE, ro);
    if (p) {
        volatile char *c = p;
        c[0] = 'J';
        char b[12] = {0};
        pread(ro, b, 11, 0);
        printf("  private store: mapping \"%.5s\", file \"%.5s\"\n", (char *)p, b);
        munmap(p, PAGE);
    }
    try("O_WRONLY, MAP_SHARED, PROT_WRITE", PROT_WRITE, MAP_SHARED, wo);
    try("O_WRONLY, MAP_SHARED, PROT_READ|WRITE", RW, MAP_SHARED, wo);
    try("O_WRONLY, MAP_PRIVATE, PROT_READ", R, MAP_PRIVATE, wo);
    try("O_WRONLY, MAP_PRIVATE, PROT_NONE", PROT_NONE, MAP_PRIVATE, wo);
    p = try("O_RDWR, MAP_SHARED, PROT_READ|WRITE", RW, MAP_SHARED, rw);
    if (p)
        munmap(p, PAGE);
    try("O_RDWR|O_APPEND, MAP_SHARED, PROT_READ|WRITE", RW, MAP_SHARED, ap);
    p = try("O_RDWR|O_APPEND, MAP_SHARED, PROT_READ", R, MAP_SHARED, ap);
    if (p)
        munmap(p, PAGE);

    int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
    try("directory, MAP_PRIVATE, PROT_READ", R, MAP_PRIVATE, dir);
    int pfd[2];
    pipe(pfd);
    try("pipe read end, MAP_PRIVATE, PROT_READ", R, MAP_PRIVATE, pfd[0]);
    try("pipe read end, MAP_SHARED, PROT_READ", R, MAP_SHARED, pfd[0]);
    try("O_PATH descriptor, MAP_PRIVATE", R, MAP_PRIVATE, path_fd);

    int zero = open("/dev/zero", O_RDWR);
    volatile unsigned char *z = try("/dev/zero, MAP_PRIVATE, PROT_READ|WRITE", RW, MAP_PRIVATE, zero);
    if (z) {
        int ok = z[0] == 0 && z[PAGE - 1] == 0;
        z[7] = 7;
        printf("  zero-filled: %s, writable: %s\n", ok ? "yes" : "no", z[7] == 7 ? "yes" : "no");
    }
    z = try("/dev/zero, MAP_SHARED, PROT_READ|WRITE", RW, MAP_SHARED, zero);
    if (z) {
        int ok = z[0] == 0 && z[PAGE - 1] == 0;
        z[7] = 7;
        printf("  zero-filled: %s, writable: %s\n", ok ? "yes" : "no", z[7] == 7 ? "yes" : "no");
    }

    return 0;
}
