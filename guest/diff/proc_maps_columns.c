/* /proc/self/maps and smaps for regions this program makes itself, normalised so that no
 * address shows: each line is parsed with sscanf("%lx-%lx %4s %lx %x:%x %lu %s"); printed
 * are the permissions, the file offset (relative to what was asked), whether the line has
 * a name and which (the temporary file's basename pattern, [heap], [stack]), that a name
 * starts after exactly 73 characters and that an anonymous line ends with a space.
 * Regions: a guarded anonymous read-write mapping, a PROT_NONE middle page splitting it,
 * an anonymous r-x mapping, a private read-only file mapping at an offset, a shared
 * writable file mapping, a shared mapping of a file opened read-only (r--s), the brk area
 * and the stack. smaps: the anonymous region after writing 5 pages and reading 3 (those
 * read map the shared zero page: not in Rss), the private file mapping with every page
 * read, and one file page mapped twice (each mapping has half of it: Pss 2 kB). For file
 * pages only Shared and Private totals are printed: whether a page cache page counts as
 * dirty depends on the file system the temporary file is on. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096ul

static char text[1 << 18];
static char path[] = "/tmp/faultline-columns-XXXXXX";

static size_t slurp(const char *file)
{
    int fd = open(file, O_RDONLY);
    size_t n = 0;
    ssize_t r;
    while (fd >= 0 && (r = read(fd, text + n, sizeof text - 1 - n)) > 0)
        n += (size_t)r;
    if (fd >= 0)
        close(fd);
    text[n] = 0;
    return n;
}

/* The maps line of the VMA containing `addr`, copied into `line`. */
static int find_line(uintptr_t addr, char *line, size_t size)
{
    slurp("/proc/self/maps");
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        unsigned long s, e;
        if (sscanf(p, "%lx-%lx", &s, &e) == 2 && s <= addr && addr < e) {
            if (len >= size)
                len = size - 1;
            memcpy(line, p, len);
            line[len] = 0;
            return 1;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
}

static void show_line(const char *what, const void *addr, unsigned long base_offset, unsigned long pages)
{
    char line[4096];
    if (!find_line((uintptr_t)addr, line, sizeof line)) {
        printf("%s: no line\n", what);
        return;
    }
    unsigned long s, e, off, ino;
    unsigned maj, min;
    char perms[8], name[4096] = "";
    int fields = sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %4095s", &s, &e, perms, &off, &maj, &min, &ino, name);
    const char *kind = "none";
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    if (fields == 8) {
        if (strncmp(base, "faultline-columns-", 18) == 0)
            kind = "the temporary file";
        else if (name[0] == '[')
            kind = name;
        else
            kind = "something else";
    }
    const char *at = fields == 8 ? strstr(line, name) : NULL;
    printf("%s: fields %d, %s, %lu page(s)%s, offset %+ld pages, device/inode %s, name %s", what, fields, perms,
           (e - s) / PAGE, pages && (e - s) / PAGE == pages ? " as mapped" : "",
           ((long)off - (long)base_offset) / (long)PAGE, maj || min || ino ? "set" : "zero", kind);
    if (at)
        printf(" at column %ld", (long)(at - line));
    else
        printf(", ends with a space: %s", line[0] && line[strlen(line) - 1] == ' ' ? "yes" : "no");
    printf("\n");
}

static void show_smaps(const char *what, const void *addr, int file_backed)
{
    slurp("/proc/self/smaps");
    char head[32];
    snprintf(head, sizeof head, "%lx-", (unsigned long)(uintptr_t)addr);
    char *p = text;
    while (p && strncmp(p, head, strlen(head)) != 0) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    printf("%s smaps:", what);
    if (!p) {
        printf(" not found\n");
        return;
    }
    const char *keys[] = {"Size", "Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean",
                          "Private_Dirty", "Referenced", "Anonymous", "LazyFree", "Swap", "Locked"};
    unsigned long v[12] = {0};
    char *end = strstr(p, "VmFlags:");
    for (size_t k = 0; k < 12; k++) {
        char key[32];
        snprintf(key, sizeof key, "\n%s:", keys[k]);
        char *q = strstr(p, key);
        char unit[8] = "";
        if (!q || (end && q > end) || sscanf(q + strlen(key), "%lu %7s", &v[k], unit) != 2 || strcmp(unit, "kB") != 0) {
            printf(" %s=?", keys[k]);
            v[k] = 0;
        }
    }
    if (file_backed)
        printf(" Size=%lu Rss=%lu Pss=%lu Shared=%lu Private=%lu Anonymous=%lu Swap=%lu\n", v[0], v[1], v[2],
               v[3] + v[4], v[5] + v[6], v[8], v[10]);
    else
        printf(" Size=%lu Rss=%lu Pss=%lu Shared_Clean=%lu Shared_Dirty=%lu Private_Clean=%lu Private_Dirty=%lu "
               "Referenced=%lu Anonymous=%lu LazyFree=%lu Swap=%lu Locked=%lu\n",
               v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
}

int main(void)
{
    int fd = mkstemp(path);
    static char data[6 * 4096];
    memset(data, 'f', sizeof data);
    if (fd < 0 || write(fd, data, sizeof data) != (ssize_t)sizeof data)
        return 1;
    fsync(fd);
    int ro = open(path, O_RDONLY);

    /* Anonymous: 16 read-write pages between PROT_NONE guards (nothing merges with them). */
    unsigned char *g = mmap(NULL, 18 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *a = g + PAGE;
    mprotect(a, 16 * PAGE, PROT_READ | PROT_WRITE);
    show_line("anonymous rw", a, 0, 16);
    for (int i = 0; i < 5; i++)
        a[i * 2 * PAGE] = 1;
    volatile unsigned sum = 0;
    for (int i = 0; i < 3; i++)
        sum += a[(i * 2 + 1) * PAGE];
    show_smaps("anonymous, 5 pages written and 3 read", a, 0);
    mprotect(a + 12 * PAGE, PAGE, PROT_NONE);
    show_line("below the PROT_NONE page", a, 0, 0);
    show_line("the PROT_NONE page", a + 12 * PAGE, 0, 1);
    show_line("above the PROT_NONE page", a + 13 * PAGE, 0, 3);
    show_line("guard page", g, 0, 0);

    unsigned char *x = mmap(NULL, 2 * PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show_line("anonymous r-x", x, 0, 2);

    /* Files: private read-only at an offset, shared writable, shared through a read-only
     * descriptor, and one page mapped twice. */
    unsigned char *pr = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);
    show_line("private file at offset 2 pages", pr, 2 * PAGE, 3);
    for (int i = 0; i < 3; i++)
        sum += pr[i * PAGE];
    show_smaps("private file, all 3 pages read", pr, 1);
    unsigned char *sw = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 5 * PAGE);
    show_line("shared writable file", sw, 5 * PAGE, 1);
    unsigned char *sr = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, ro, 0);
    show_line("shared file opened read-only", sr, 0, 2);
    unsigned char *d1 = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
    unsigned char *d2 = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
    sum += d1[0] + d2[0];
    show_smaps("a file page mapped twice, first mapping", d1, 1);
    show_smaps("a file page mapped twice, second mapping", d2, 1);
    munmap(d2, PAGE);
    show_smaps("after unmapping the second", d1, 1);

    /* The brk area (raw brk: musl's sbrk refuses to move) and the stack. */
    uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
    uintptr_t top = (uintptr_t)syscall(SYS_brk, cur + 8 * PAGE);
    if (top == cur + 8 * PAGE) {
        ((volatile char *)cur)[PAGE] = 1;
        show_line("brk area", (void *)(cur + PAGE), 0, 0);
    } else {
        printf("brk did not move\n");
    }
    int local = 0;
    show_line("stack", &local, 0, 0);

    close(ro);
    close(fd);
    unlink(path);
    return sum == 12345 ? 2 : 0;
}
