/* Two MAP_SHARED mappings of one file (through the same descriptor, through a second
 * descriptor, and at overlapping offsets) see each other's stores immediately, byte for
 * byte, in both directions; a read-only MAP_SHARED mapping sees them too. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ul

int main(void)
{
    char path[] = "/tmp/faultline-twoshared-XXXXXX";
    int fd = mkstemp(path);
    ftruncate(fd, 4 * PAGE);
    int fd2 = open(path, O_RDWR);
    int fd3 = open(path, O_RDONLY);
    unlink(path); /* the name is not needed any more */

    volatile unsigned char *a = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    volatile unsigned char *b = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
    volatile unsigned char *c = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 2 * PAGE);
    volatile unsigned char *r = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fd3, 0);
    if (a == MAP_FAILED || b == MAP_FAILED || c == MAP_FAILED || r == MAP_FAILED)
        return 1;
    printf("four mappings at different addresses: %s\n", a != b && b != c && a != c && r != a ? "yes" : "no");

    unsigned long seen_ab = 0, seen_ba = 0, seen_c = 0, seen_r = 0;
    for (unsigned i = 0; i < 4 * PAGE; i += 37) {
        a[i] = (unsigned char)(i * 3 + 1);
        seen_ab += b[i] == (unsigned char)(i * 3 + 1);
        seen_r += r[i] == (unsigned char)(i * 3 + 1);
    }
    for (unsigned i = 1; i < 4 * PAGE; i += 41) {
        b[i] = (unsigned char)(i * 5 + 2);
        seen_ba += a[i] == (unsigned char)(i * 5 + 2);
    }
    for (unsigned i = 0; i < 2 * PAGE; i += 43) {
        c[i] = (unsigned char)(i + 9);
        seen_c += a[2 * PAGE + i] == (unsigned char)(i + 9) && b[2 * PAGE + i] == (unsigned char)(i + 9);
    }
    printf("a->b stores seen: %lu of %u\n", seen_ab, (4 * 4096 + 36) / 37);
    printf("a->read-only stores seen: %lu of %u\n", seen_r, (4 * 4096 + 36) / 37);
    printf("b->a stores seen: %lu of %u\n", seen_ba, (4 * 4096 - 1 + 40) / 41);
    printf("offset mapping -> a and b: %lu of %u\n", seen_c, (2 * 4096 + 42) / 43);

    /* Whole-page copies through one mapping show in the other. */
    memset((void *)(b + PAGE), 'Z', PAGE);
    int all = 1;
    for (unsigned i = 0; i < PAGE; i++)
        all &= a[PAGE + i] == 'Z';
    printf("memset of a page through b visible in a: %s\n", all ? "yes" : "no");

    munmap((void *)a, 4 * PAGE);
    printf("b unaffected by unmapping a: %s\n", b[PAGE] == 'Z' && c[0] == 9 ? "yes" : "no");
    close(fd);
    close(fd2);
    close(fd3);
    return 0;
}
