/* /proc/meminfo: every line is "Name:" followed by a number and, for most, "kB"; the lines
 * MemTotal, MemFree, MemAvailable, Buffers, Cached, SwapTotal, SwapFree exist with kB
 * units, MemTotal > 0, MemFree <= MemTotal, MemAvailable <= MemTotal, SwapFree <= SwapTotal;
 * MemTotal is the first line. No values are printed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char buf[65536];

static long get(const char *name, int *has_kb)
{
    char key[40];
    snprintf(key, sizeof key, "\n%s:", name);
    char *p = strstr(buf, key);
    if (!p && strncmp(buf, key + 1, strlen(key) - 1) == 0)
        p = buf - 1;
    if (!p)
        return -1;
    long v = -1;
    char unit[8] = "";
    int n = sscanf(p + strlen(key), " %ld %7s", &v, unit);
    *has_kb = n == 2 && strcmp(unit, "kB") == 0;
    return v;
}

int main(void)
{
    int fd = open("/proc/meminfo", O_RDONLY);
    size_t n = 0;
    ssize_t r;
    while (fd >= 0 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
        n += (size_t)r;
    if (fd >= 0)
        close(fd);
    buf[n] = 0;
    printf("opened: %s\n", fd >= 0 ? "yes" : "no");
    printf("first line is MemTotal: %s\n", strncmp(buf, "MemTotal:", 9) == 0 ? "yes" : "no");

    int lines = 0, good = 0;
    for (char *line = buf; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        char name[64], unit[8];
        long v;
        int k = sscanf(line, "%63[^:]: %ld %7s", name, &v, unit);
        lines++;
        good += (k == 2 || (k == 3 && strcmp(unit, "kB") == 0)) && v >= 0 && !strchr(name, ' ');
        if (nl)
            *nl = '\n';
        if (!nl)
            break;
        line = nl + 1;
    }
    printf("well-formed lines: %s\n", lines > 0 && good == lines ? "all" : "not all");

    const char *keys[] = {"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapTotal", "SwapFree"};
    long val[7];
    for (int i = 0; i < 7; i++) {
        int kb = 0;
        val[i] = get(keys[i], &kb);
        printf("%s: %s\n", keys[i], val[i] < 0 ? "missing" : kb ? "present, kB" : "present, no kB");
    }
    printf("MemTotal > 0: %s, MemFree <= MemTotal: %s, MemAvailable <= MemTotal: %s, SwapFree <= SwapTotal: %s\n",
           val[0] > 0 ? "yes" : "no", val[1] <= val[0] ? "yes" : "no", val[2] <= val[0] ? "yes" : "no",
           val[6] <= val[5] ? "yes" : "no");
    return 0;
}
