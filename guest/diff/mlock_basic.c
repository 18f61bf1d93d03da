/* mlock family: mlock/munlock of a small anonymous range succeed and make the pages
 * resident (mincore), mlock2 with MLOCK_ONFAULT does not; an unaligned address is rounded
 * down (mlock is page-granular, unlike mprotect); unmapped ranges are ENOMEM; unknown
 * mlock2 flags and mlockall flags 0 or unknown are EINVAL; mlockall(MCL_FUTURE) followed by
 * munlockall succeeds; /proc/self/status VmLck follows the locked size. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

#define PAGE 4096ul
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

static void res(const char *what, long r)
{
    printf("%-44s: %s\n", what, r == 0 ? "ok" : ename(errno));
}

static int resident(void *p, size_t pages)
{
    unsigned char v[16];
    int n = 0;
    if (mincore(p, pages * PAGE, v))
        return -1;
    for (size_t i = 0; i < pages; i++)
        n += v[i] & 1;
    return n;
}

static void vmlck(void)
{
    static char buf[8192];
    int fd = open("/proc/self/status", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    char *l = strstr(buf, "VmLck:");
    unsigned long kb = 0;
    if (l)
        sscanf(l + 6, "%lu", &kb);
    printf("VmLck: %lu kB\n", kb);
}

int main(void)
{
    unsigned char *p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    vmlck();
    printf("resident before mlock: %d\n", resident(p, 8));
    errno = 0;
    res("mlock pages 0-3", syscall(SYS_mlock, p, 4 * PAGE));
    printf("resident after mlock: %d\n", resident(p, 8));
    vmlck();
    res("mlock2 pages 4-5 MLOCK_ONFAULT", syscall(SYS_mlock2, p + 4 * PAGE, 2 * PAGE, MLOCK_ONFAULT));
    printf("resident after mlock2 ONFAULT: %d\n", resident(p, 8));
    vmlck();
    res("mlock2 unknown flag 2", syscall(SYS_mlock2, p, PAGE, 2));
    res("mlock page 6 + 1 byte, 10 bytes", syscall(SYS_mlock, p + 6 * PAGE + 1, 10));
    printf("resident: %d\n", resident(p, 8));
    res("munlock pages 0-7", syscall(SYS_munlock, p, 8 * PAGE));
    vmlck();
    res("munlock again", syscall(SYS_munlock, p, 8 * PAGE));
    res("mlock length 0", syscall(SYS_mlock, p, 0));
    munmap(p + 7 * PAGE, PAGE);
    res("mlock range with an unmapped page", syscall(SYS_mlock, p + 6 * PAGE, 2 * PAGE));
    res("munlock range with an unmapped page", syscall(SYS_munlock, p + 6 * PAGE, 2 * PAGE));
    res("mlockall flags 0", syscall(SYS_mlockall, 0));
    res("mlockall unknown flag 8", syscall(SYS_mlockall, 8));
    res("mlockall MCL_ONFAULT alone", syscall(SYS_mlockall, MCL_ONFAULT));
    res("mlockall MCL_FUTURE", syscall(SYS_mlockall, MCL_FUTURE));
    res("munlockall", syscall(SYS_munlockall));
    vmlck();
    return 0;
}
