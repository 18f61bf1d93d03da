/* /proc/self/status memory fields: after mapping 12 MiB VmSize grows by exactly 12288 kB;
 * after touching all of it VmRSS and RssAnon grow by at least 10 MiB (the counters are
 * approximate per-CPU sums, so only a lower bound is printed); VmPeak and VmHWM are at
 * least VmSize and VmRSS; after munmap VmSize is back, VmRSS dropped by at least 10 MiB and
 * the high-water mark VmHWM still shows the growth. The Vm and Rss lines have the
 * "Name:<tab>value kB" form. (VmLib is not checked: it counts the vDSO.) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1024ul * 1024)

static char buf[16384];

static void load(void)
{
    int fd = open("/proc/self/status", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = 0;
}

static long field(const char *name)
{
    char key[32];
    snprintf(key, sizeof key, "\n%s:", name);
    char *p = strstr(buf, key);
    if (!p)
        return -1;
    long v = -1;
    char unit[8] = "";
    if (sscanf(p + strlen(key), " %ld %7s", &v, unit) != 2 || strcmp(unit, "kB") != 0)
        return -2;
    return v;
}

int main(void)
{
    printf("start\n"); /* stdout's buffer is allocated before the first measurement */
    fflush(stdout);
    load();
    long size0 = field("VmSize"), rss0 = field("VmRSS"), anon0 = field("RssAnon");
    printf("VmSize, VmRSS, RssAnon present in kB: %s\n", size0 > 0 && rss0 > 0 && anon0 >= 0 ? "yes" : "no");

    size_t len = 12 * MIB;
    volatile unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    load();
    long size1 = field("VmSize"), rss1 = field("VmRSS");
    printf("after mmap 12 MiB: VmSize delta %ld kB, VmRSS grew by less than 1 MiB: %s\n", size1 - size0,
           rss1 - rss0 < 1024 ? "yes" : "no");
    for (size_t i = 0; i < len; i += 4096)
        p[i] = 1;
    load();
    long size2 = field("VmSize"), rss2 = field("VmRSS"), anon2 = field("RssAnon");
    long peak = field("VmPeak"), hwm = field("VmHWM");
    printf("after touching it: VmSize delta %ld kB, VmRSS grew by >= 10 MiB: %s, RssAnon grew by >= 10 MiB: %s\n",
           size2 - size0, rss2 - rss0 >= 10240 ? "yes" : "no", anon2 - anon0 >= 10240 ? "yes" : "no");
    printf("VmPeak >= VmSize: %s, VmHWM >= VmRSS: %s\n", peak >= size2 ? "yes" : "no", hwm >= rss2 ? "yes" : "no");
    munmap((void *)p, len);
    load();
    long size3 = field("VmSize"), rss3 = field("VmRSS"), hwm3 = field("VmHWM");
    printf("after munmap: VmSize back: %s, VmRSS dropped by >= 10 MiB: %s, VmHWM still >= start + 10 MiB: %s\n",
           size3 == size0 ? "yes" : "no", rss2 - rss3 >= 10240 ? "yes" : "no", hwm3 - rss0 >= 10240 ? "yes" : "no");

    const char *fields[] = {"VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS", "RssAnon", "RssFile",
                            "RssShmem", "VmData", "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap"};
    int ok = 0;
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        ok += field(fields[i]) >= 0;
    printf("Vm*/Rss* fields with kB values: %d of %zu\n", ok, sizeof fields / sizeof *fields);
    printf("VmStk > 0: %s, VmExe > 0: %s\n", field("VmStk") > 0 ? "yes" : "no", field("VmExe") > 0 ? "yes" : "no");
    return 0;
}
