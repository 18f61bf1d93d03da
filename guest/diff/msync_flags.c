/* msync: MS_SYNC, MS_ASYNC and MS_INVALIDATE succeed on shared file, private file and
 * anonymous mappings (and the shared file's data is in the file afterwards); MS_SYNC
 * together with MS_ASYNC, unknown flag bits and an unaligned address are EINVAL; a range
 * with unmapped pages is ENOMEM; length 0 succeeds; an unaligned length is fine. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

#define PAGE 4096ul

static void ms(const char *what, void *p, size_t len, int flags)
{
    errno = 0;
    long r = syscall(SYS_msync, p, len, flags);
    printf("%-40s: %s\n", what, r == 0 ? "ok" : ename(errno));
}

int main(void)
{
    char path[] = "/tmp/faultline-msync-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    ftruncate(fd, 4 * PAGE);
    unsigned char *s = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    unsigned char *pf = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    unsigned char *a = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED || pf == MAP_FAILED || a == MAP_FAILED)
        return 1;

    memcpy(s + PAGE, "synced", 6);
    ms("shared file, MS_SYNC", s, 4 * PAGE, MS_SYNC);
    char b[8] = {0};
    pread(fd, b, 6, PAGE);
    printf("file content after MS_SYNC: %s\n", b);
    memcpy(s + 2 * PAGE, "async", 5);
    ms("shared file, MS_ASYNC", s, 4 * PAGE, MS_ASYNC);
    ms("shared file, MS_INVALIDATE", s, 4 * PAGE, MS_INVALIDATE);
    ms("shared file, MS_SYNC|MS_INVALIDATE", s, 4 * PAGE, MS_SYNC | MS_INVALIDATE);
    ms("shared file, MS_ASYNC|MS_INVALIDATE", s, 4 * PAGE, MS_ASYNC | MS_INVALIDATE);
    ms("shared file, flags 0", s, 4 * PAGE, 0);
    memset(b, 0, sizeof b);
    pread(fd, b, 5, 2 * PAGE);
    printf("file content after MS_ASYNC: %s\n", b);
    printf("mapping content after MS_INVALIDATE: %.6s %.5s\n", s + PAGE, s + 2 * PAGE);

    pf[0] = 'P';
    ms("private file, MS_SYNC", pf, 4 * PAGE, MS_SYNC);
    b[0] = 0;
    pread(fd, b, 1, 0);
    printf("private store not written to the file: %s\n", b[0] == 0 ? "yes" : "no");
    ms("anonymous, MS_SYNC", a, 4 * PAGE, MS_SYNC);
    ms("anonymous, MS_ASYNC", a, 4 * PAGE, MS_ASYNC);

    ms("MS_SYNC|MS_ASYNC", s, PAGE, MS_SYNC | MS_ASYNC);
    ms("unknown flag 0x10", s, PAGE, 0x10);
    ms("unknown flag 0x80000000", s, PAGE, (int)0x80000000u);
    ms("unaligned address", s + 1, PAGE, MS_SYNC);
    ms("length 0", s, 0, MS_SYNC);
    ms("unaligned length", s, 10, MS_SYNC);
    munmap(a + 2 * PAGE, PAGE);
    ms("range with an unmapped page", a, 4 * PAGE, MS_SYNC);
    ms("only the unmapped page", a + 2 * PAGE, PAGE, MS_ASYNC);
    ms("length -4096", s, -PAGE, MS_SYNC);
    close(fd);
    return 0;
}
