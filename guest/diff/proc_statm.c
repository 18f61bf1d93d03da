/* /proc/self/statm: seven numbers (size resident shared text lib data dt, in pages); size
 * matches VmSize from /proc/self/status, grows by exactly 1024 pages with a 4 MiB mapping
 * and "data" with it (private writable), resident <= size, shared <= resident, text > 0,
 * lib and dt are 0. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static unsigned long v[8];
static int count;

static void load(void)
{
    char buf[256];
    int fd = open("/proc/self/statm", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = 0;
    memset(v, 0, sizeof v);
    count = sscanf(buf, "%lu %lu %lu %lu %lu %lu %lu %lu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
}

static long vmsize_kb(void)
{
    static char buf[16384];
    int fd = open("/proc/self/status", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = 0;
    char *p = strstr(buf, "VmSize:");
    long kb = -1;
    if (p)
        sscanf(p + 7, "%ld", &kb);
    return kb;
}

int main(void)
{
    printf("start\n");
    fflush(stdout);
    load();
    unsigned long size0 = v[0], data0 = v[5];
    long kb = vmsize_kb();
    printf("fields: %d\n", count);
    printf("size * 4 == VmSize: %s\n", (long)v[0] * 4 == kb ? "yes" : "no");
    printf("resident <= size: %s, shared <= resident: %s, text > 0: %s, lib == 0: %s, dt == 0: %s, data <= size: %s\n",
           v[1] <= v[0] ? "yes" : "no", v[2] <= v[1] ? "yes" : "no", v[3] > 0 ? "yes" : "no", v[4] == 0 ? "yes" : "no",
           v[6] == 0 ? "yes" : "no", v[5] <= v[0] ? "yes" : "no");
    void *p = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    load();
    printf("after mmap 4 MiB rw: size delta %lu pages, data delta %lu pages\n", v[0] - size0, v[5] - data0);
    void *q = mmap(NULL, 4 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    load();
    printf("after mmap 4 MiB read-only: size delta %lu pages, data delta %lu pages\n", v[0] - size0, v[5] - data0);
    munmap(p, 4 << 20);
    munmap(q, 4 << 20);
    load();
    printf("after munmap: size back: %s\n", v[0] == size0 ? "yes" : "no");
    return 0;
}
