/* mremap without moving: growing in place when the pages above are free (same address,
 * old data kept, new pages zero, one VMA in /proc/self/maps), shrinking in place (the
 * tail is unmapped), and growing without MREMAP_MAYMOVE when the pages above are taken:
 * ENOMEM and nothing changes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ul

/* errno as its name: the output must not depend on the C library's strerror() texts. */
__attribute__((unused)) static const char *ename(int e)
{
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case EFBIG: return "EFBIG";
    case ESPIPE: return "ESPIPE";
    case EPIPE: return "EPIPE";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case ENXIO: return "ENXIO";
    case EOVERFLOW: return "EOVERFLOW";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ETXTBSY: return "ETXTBSY";
    default: {
        static char buf[32];
        snprintf(buf, sizeof buf, "errno %d", e);
        return buf;
    }
    }
}
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

int main(void)
{
    const size_t n = 16;
    unsigned char *base = reserve(n);
    if (!base)
        return 1;
    munmap(base, n * PAGE);
    unsigned char *p = mmap(base, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    for (size_t i = 0; i < 4; i++)
        p[i * PAGE + 1] = (unsigned char)(0x30 + i);
    show_region("4 pages", base, n * PAGE);

    unsigned char *q = mremap(p, 4 * PAGE, 10 * PAGE, 0);
    printf("grow to 10 pages in place: %s\n", q == MAP_FAILED ? ename(errno) : q == p ? "same address" : "moved");
    show_region("after", base, n * PAGE);
    int ok = 1;
    for (size_t i = 0; i < 4; i++)
        ok &= p[i * PAGE + 1] == (unsigned char)(0x30 + i);
    printf("old data kept: %s\n", ok ? "yes" : "no");
    ok = 1;
    for (size_t i = 4 * PAGE; i < 10 * PAGE; i += 256)
        ok &= p[i] == 0;
    printf("new pages zero: %s\n", ok ? "yes" : "no");
    p[9 * PAGE + 5] = 0x99;

    q = mremap(p, 10 * PAGE, 6 * PAGE, 0);
    printf("shrink to 6 pages: %s\n", q == MAP_FAILED ? ename(errno) : q == p ? "same address" : "moved");
    show_region("after", base, n * PAGE);

    /* Occupy page 8, then try to grow past it without permission to move. */
    void *blk = mmap(base + 8 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("blocker at page 8: %s\n", blk == base + 8 * PAGE ? "ok" : "failed");
    q = mremap(p, 6 * PAGE, 8 * PAGE, 0);
    printf("grow to 8 pages (up to the blocker): %s\n", q == MAP_FAILED ? ename(errno) : q == p ? "same address" : "moved");
    q = mremap(p, 8 * PAGE, 9 * PAGE, 0);
    printf("grow to 9 pages (over the blocker): %s\n", q == MAP_FAILED ? ename(errno) : q == p ? "same address" : "moved");
    show_region("after", base, n * PAGE);

    /* Shrinking a part of a mapping: old_size smaller than the VMA. */
    q = mremap(p, 2 * PAGE, PAGE, 0);
    printf("shrink the first 2 pages to 1: %s\n", q == MAP_FAILED ? ename(errno) : q == p ? "same address" : "moved");
    show_region("after", base, n * PAGE);
    printf("page 0 data: %02x\n", p[1]);
    return 0;
}
