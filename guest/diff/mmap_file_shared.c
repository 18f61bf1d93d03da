/* File-backed MAP_SHARED: stores through the mapping are visible to read() right away
 * (same page cache), after msync(MS_SYNC), and after munmap; write() into the file is
 * visible through the mapping; the file size never changes because of the mapping. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

#define PAGE 4096ul

static const char *yesno(int b) { return b ? "yes" : "no"; }

static int byte_at(int fd, off_t off)
{
    unsigned char c;
    return pread(fd, &c, 1, off) == 1 ? c : -1;
}

int main(void)
{
    char path[] = "/tmp/faultline-mmap-shared-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    int fd2 = open(path, O_RDONLY); /* a second open file description, used at the end */
    unlink(path);                    /* nothing is left behind if the run dies */
    size_t len = 3 * PAGE;
    printf("ftruncate to 3 pages: %s\n", ftruncate(fd, len) == 0 ? "ok" : ename(errno));
    volatile unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("mmap shared rw: %s\n", p == MAP_FAILED ? ename(errno) : "ok");
    if (p == MAP_FAILED)
        return 1;
    printf("new file reads zero through mapping: %s\n", yesno(p[0] == 0 && p[len - 1] == 0));

    p[0] = 'A';
    p[PAGE + 1] = 'B';
    printf("read() sees store before msync: %d %d\n", byte_at(fd, 0), byte_at(fd, PAGE + 1));
    p[2 * PAGE + 2] = 'C';
    printf("msync MS_SYNC: %s\n", msync((void *)p, len, MS_SYNC) == 0 ? "ok" : ename(errno));
    printf("read() sees store after msync: %d\n", byte_at(fd, 2 * PAGE + 2));

    /* write() goes to the same pages the mapping shows. */
    printf("pwrite 'xyz' at 100: %s\n", pwrite(fd, "xyz", 3, 100) == 3 ? "ok" : ename(errno));
    printf("mapping sees pwrite: %c%c%c\n", p[100], p[101], p[102]);

    p[PAGE + 500] = 'D';
    printf("munmap: %s\n", munmap((void *)p, len) == 0 ? "ok" : ename(errno));
    printf("read() sees store after munmap: %d\n", byte_at(fd, PAGE + 500));

    struct stat st;
    fstat(fd, &st);
    printf("file size: %lld\n", (long long)st.st_size);

    /* The data reaches the other descriptor (its own file offset, still 0). */
    char b[4] = {0};
    printf("second fd read: %s\n", fd2 >= 0 && read(fd2, b, 1) == 1 && b[0] == 'A' ? "A" : "?");
    close(fd2);
    close(fd);
    return 0;
}
