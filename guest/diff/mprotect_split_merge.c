/* mprotect splits and merges VMAs, as /proc/self/maps shows: 5 rw pages, the middle one
 * made read-only (3 VMAs), a second page next to it made read-only (the read-only VMAs
 * merge), everything made rw again (one VMA), a protection change spanning several VMAs,
 * and a no-op mprotect (same protection) that must not split anything. Contents survive
 * every change. The pages are written first, so the VMAs have an anon_vma and keep
 * VM_ACCOUNT: page 0 made PROT_NONE does not merge with the (unaccounted) PROT_NONE guard
 * page below the region. */
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

static void mp(const char *what, unsigned char *base, size_t first, size_t n, int prot)
{
    int r = mprotect(base + first * PAGE, n * PAGE, prot);
    printf("mprotect %s: %s\n", what, r == 0 ? "ok" : ename(errno));
}

int main(void)
{
    const size_t n = 5;
    unsigned char *base = reserve(n);
    const int RW = PROT_READ | PROT_WRITE;
    if (!base || mmap(base, n * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != base)
        return 1;
    for (size_t i = 0; i < n; i++)
        base[i * PAGE] = (unsigned char)(i + 1);
    show_region("5 rw pages", base, n * PAGE);

    mp("page 2 read-only", base, 2, 1, PROT_READ);
    show_region("after", base, n * PAGE);
    mp("page 3 read-only", base, 3, 1, PROT_READ);
    show_region("after", base, n * PAGE);
    mp("page 2 read-only again (no change)", base, 2, 1, PROT_READ);
    show_region("after", base, n * PAGE);
    mp("pages 1-3 read+exec (spans 2 VMAs)", base, 1, 3, PROT_READ | PROT_EXEC);
    show_region("after", base, n * PAGE);
    mp("page 0 none, page 4 write-only", base, 0, 1, PROT_NONE);
    mp("page 4 write-only", base, 4, 1, PROT_WRITE);
    show_region("after", base, n * PAGE);
    mp("all pages rw", base, 0, n, RW);
    show_region("after", base, n * PAGE);
    mp("pages 0-4 rw (no change)", base, 0, n, RW);
    show_region("after", base, n * PAGE);

    int ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= base[i * PAGE] == (unsigned char)(i + 1);
    printf("contents survived: %s\n", ok ? "yes" : "no");
    return 0;
}
