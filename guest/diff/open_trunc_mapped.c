/* open(O_TRUNC) of a file whose pages were mapped before: the cached pages go with the old
 * contents. After writing 8 KiB of 'A', mapping both pages, and reopening with O_TRUNC to
 * write "hello", a new mapping shows "hello" and zeros after it (not the old 'A's), and a
 * read of the second page's place gives 0 bytes. Also O_RDWR|O_TRUNC on a file still mapped
 * by a live MAP_SHARED mapping: the mapping sees the file's new (zeroed) contents. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
    char path[] = "/tmp/faultline-otrunc-XXXXXX";
    int fd = mkstemp(path);
    char buf[8192];
    memset(buf, 'A', sizeof buf);
    write(fd, buf, sizeof buf);
    char *m = mmap(0, 8192, PROT_READ, MAP_SHARED, fd, 0);
    volatile char c = m[0];
    c = m[4096];
    (void)c;
    munmap(m, 8192);
    close(fd);

    fd = open(path, O_WRONLY | O_TRUNC);
    write(fd, "hello", 5);
    close(fd);
    fd = open(path, O_RDONLY);
    m = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0);
    int zeros = 1;
    for (int i = 5; i < 4096; i++)
        zeros &= m[i] == 0;
    printf("after O_TRUNC: %.5s, rest of the page zero: %s\n", m, zeros ? "yes" : "no");
    printf("pread at 4096: %zd bytes\n", pread(fd, buf, 10, 4096));
    munmap(m, 4096);
    close(fd);

    /* A live shared mapping while the file is truncated by open and refilled by write. */
    fd = open(path, O_RDWR);
    write(fd, "0123456789", 10);
    char *live = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0);
    printf("live before: %.10s\n", live);
    int fd2 = open(path, O_RDWR | O_TRUNC);
    write(fd2, "xy", 2);
    printf("live after: %.2s, byte 5: %d\n", live, live[5]);
    munmap(live, 4096);
    close(fd2);
    close(fd);
    unlink(path);
    return 0;
}
