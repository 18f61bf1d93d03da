/* Adjacent mappings merge into one VMA when nothing distinguishes them: a second anonymous
 * rw mapping placed right after a first; a read-only one does not merge until mprotect
 * makes it rw; a shared anonymous mapping never merges with private memory; two
 * MAP_PRIVATE file mappings merge when their file offsets are contiguous, not otherwise. */
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

/* Prints the /proc/self/maps lines that overlap [base, base + len), with addresses as
 * signed page offsets from base, the permissions, and what backs them ("anon", a
 * [bracketed] name, or "file@<offset in pages>"); returns how many there were. Uses only
 * open/read on a static buffer, so nothing here allocates or maps memory. */
static char maps_buf[1 << 17];

static int show_region(const char *title, const void *basep, size_t len)
{
    uintptr_t base = (uintptr_t)basep;
    int fd = open("/proc/self/maps", O_RDONLY);
    size_t n = 0;
    if (fd >= 0) {
        ssize_t r;
        while (n < sizeof maps_buf - 1 && (r = read(fd, maps_buf + n, sizeof maps_buf - 1 - n)) > 0)
            n += (size_t)r;
        close(fd);
    }
    maps_buf[n] = 0;
    printf("%s:\n", title);
    int count = 0;
    char *line = maps_buf;
    while (*line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        unsigned long s, e, off, ino;
        unsigned maj, min;
        char perm[8];
        int name_at = 0;
        if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &s, &e, perm, &off, &maj, &min, &ino,
                   &name_at) == 7 && e > base && s < base + len) {
            const char *name = name_at ? line + name_at : "";
            long ps = ((long)s - (long)base) / 4096, pe = ((long)e - (long)base) / 4096;
            if (!*name)
                printf("  %+ld..%+ld %s anon\n", ps, pe, perm);
            else if (*name == '[')
                printf("  %+ld..%+ld %s %s\n", ps, pe, perm, name);
            else if (strncmp(name, "/dev/zero", 9) == 0 || strncmp(name, "/SYSV", 5) == 0)
                printf("  %+ld..%+ld %s shmem\n", ps, pe, perm);
            else
                printf("  %+ld..%+ld %s file@%lu\n", ps, pe, perm, off / 4096);
            count++;
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    printf("  (%d vma%s)\n", count, count == 1 ? "" : "s");
    return count;
}

/* Reserves n pages with a PROT_NONE guard page on each side, so that the region's VMAs can
 * never merge with unrelated mappings; returns the first of the n pages. */
__attribute__((unused)) static unsigned char *reserve(size_t n)
{
    unsigned char *g = mmap(NULL, (n + 2) * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g == MAP_FAILED)
        return NULL;
    return g + 4096;
}

static const int RW = PROT_READ | PROT_WRITE;

static int fixed(unsigned char *at, size_t pages, int prot, int flags, int fd, off_t off)
{
    return mmap(at, pages * PAGE, prot, flags | MAP_FIXED, fd, off) == at;
}

int main(void)
{
    const size_t n = 12;
    unsigned char *base = reserve(n);
    if (!base)
        return 1;
    munmap(base, n * PAGE);
    const int PA = MAP_PRIVATE | MAP_ANONYMOUS;

    printf("map pages 0-1 rw: %d\n", fixed(base, 2, RW, PA, -1, 0));
    printf("map pages 2-3 rw: %d\n", fixed(base + 2 * PAGE, 2, RW, PA, -1, 0));
    show_region("two adjacent rw anonymous mappings", base, n * PAGE);
    printf("map pages 4-5 read-only: %d\n", fixed(base + 4 * PAGE, 2, PROT_READ, PA, -1, 0));
    show_region("read-only neighbour", base, n * PAGE);
    printf("mprotect pages 4-5 rw: %d\n", mprotect(base + 4 * PAGE, 2 * PAGE, RW) == 0);
    show_region("after making it rw", base, n * PAGE);
    printf("map page 6 shared anonymous rw: %d\n", fixed(base + 6 * PAGE, 1, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    show_region("shared neighbour", base, n * PAGE);

    char path[] = "/tmp/faultline-merge-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static char data[8 * 4096];
    write(fd, data, sizeof data);
    printf("map page 7 = file page 0: %d\n", fixed(base + 7 * PAGE, 1, PROT_READ, MAP_PRIVATE, fd, 0));
    printf("map page 8 = file page 1: %d\n", fixed(base + 8 * PAGE, 1, PROT_READ, MAP_PRIVATE, fd, PAGE));
    printf("map page 9 = file page 5: %d\n", fixed(base + 9 * PAGE, 1, PROT_READ, MAP_PRIVATE, fd, 5 * PAGE));
    printf("map page 10 = file page 6: %d\n", fixed(base + 10 * PAGE, 1, PROT_READ, MAP_PRIVATE, fd, 6 * PAGE));
    show_region("file mappings", base, n * PAGE);
    close(fd);
    return 0;
}
