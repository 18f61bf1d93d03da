/* /proc/self/maps format and contents, normalised so nothing depends on address-space
 * randomization: every line parses with "%lx-%lx %4s %lx %x:%x %lu" plus an optional name,
 * ranges are page-aligned, non-empty, sorted and non-overlapping, permissions are
 * [r-][w-][x-][ps]; the program's own file-backed lines (basename of argv[0]) are listed
 * with permissions and "offset 0 or not"; [heap] and [stack] are present and rw-p; a file
 * mapping made here shows the right offset, device and inode (compared with fstat) and its
 * file name; an anonymous 3-page mapping with a read-only middle page shows 3 lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PAGE 4096ul

static char maps[1 << 17];

int main(int argc, char **argv)
{
    (void)argc;
    const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    char path[] = "/tmp/faultline-maps-XXXXXX";
    int fd = mkstemp(path);
    static char data[3 * 4096];
    write(fd, data, sizeof data);
    struct stat st;
    fstat(fd, &st);
    unsigned char *f = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, PAGE);
    unsigned char *a = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(a + PAGE, PAGE, PROT_READ);
    void *heap = malloc(100); /* make sure the heap exists (musl may use brk or mmap) */
    (void)heap;

    int mfd = open("/proc/self/maps", O_RDONLY);
    size_t n = 0;
    ssize_t r;
    while (mfd >= 0 && (r = read(mfd, maps + n, sizeof maps - 1 - n)) > 0)
        n += (size_t)r;
    if (mfd >= 0)
        close(mfd);
    maps[n] = 0;
    printf("opened /proc/self/maps: %s\n", mfd >= 0 ? "yes" : "no");

    int lines = 0, parsed = 0, aligned = 0, sorted = 1, perms_ok = 0, heap_seen = 0, stack_seen = 0;
    unsigned long prev_end = 0;
    char self_lines[512] = "";
    char *line = maps;
    while (*line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        lines++;
        unsigned long s, e, off, ino;
        unsigned maj, min;
        char perm[8];
        int name_at = 0;
        if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &s, &e, perm, &off, &maj, &min, &ino, &name_at) >= 7) {
            parsed++;
            const char *name = name_at ? line + name_at : "";
            aligned += s % PAGE == 0 && e % PAGE == 0 && s < e;
            if (s < prev_end)
                sorted = 0;
            prev_end = e;
            perms_ok += strlen(perm) == 4 && strchr("r-", perm[0]) && strchr("w-", perm[1]) &&
                        strchr("x-", perm[2]) && strchr("ps", perm[3]);
            const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
            if (*name == '/' && strcmp(base, self) == 0) {
                char item[32];
                snprintf(item, sizeof item, " %s%s", perm, off == 0 ? "@0" : "@n");
                strncat(self_lines, item, sizeof self_lines - strlen(self_lines) - 1);
            }
            if (strcmp(name, "[heap]") == 0)
                heap_seen++, printf("[heap]: %s, offset 0: %s, inode 0: %s\n", perm, off == 0 ? "yes" : "no", ino == 0 ? "yes" : "no");
            if (strcmp(name, "[stack]") == 0)
                stack_seen++, printf("[stack]: %s, offset 0: %s, inode 0: %s\n", perm, off == 0 ? "yes" : "no", ino == 0 ? "yes" : "no");
            if (s == (uintptr_t)f)
                printf("file mapping: %s, %lu pages, offset %lu pages, dev matches: %s, inode matches: %s, name matches: %s\n",
                       perm, (e - s) / PAGE, off / PAGE, makedev(maj, min) == st.st_dev ? "yes" : "no",
                       ino == st.st_ino ? "yes" : "no", strcmp(name, path) == 0 ? "yes" : "no");
            if (e > (uintptr_t)a && s < (uintptr_t)a + 3 * PAGE)
                printf("anonymous region line: pages %+ld..%+ld %s, offset 0: %s, dev 00:00 inode 0: %s, no name: %s\n",
                       ((long)s - (long)(uintptr_t)a) / (long)PAGE, ((long)e - (long)(uintptr_t)a) / (long)PAGE,
                       perm, off == 0 ? "yes" : "no", maj == 0 && min == 0 && ino == 0 ? "yes" : "no", *name ? "no" : "yes");
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    printf("all lines parse: %s, page-aligned non-empty ranges: %s, sorted without overlap: %s, permission syntax: %s\n",
           parsed == lines && lines > 0 ? "yes" : "no", aligned == parsed ? "yes" : "no", sorted ? "yes" : "no",
           perms_ok == parsed ? "yes" : "no");
    printf("program's own file lines:%s\n", self_lines);
    printf("[heap] lines: %d, [stack] lines: %d\n", heap_seen, stack_seen);
    close(fd);
    unlink(path);
    return 0;
}
