/* Helpers shared by the differential test programs (the .c files in guest/diff and
 * guest/diff-proc).
 *
 * Header-only: everything is static (inline where it is a function), so a program that
 * includes this and uses none of it gets no code, no data and no warnings. It must build
 * with musl-gcc -static, gcc -static and gcc -static-pie (guest/guests.cmake); the
 * depfile the guest build writes (-MD) lists it, so editing it rebuilds every guest.
 * Define _GNU_SOURCE (if wanted) before including anything, as usual. */
#ifndef FAULTLINE_GUEST_DIFF_COMMON_H
#define FAULTLINE_GUEST_DIFF_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* errno as its name: the output must not depend on the C library's strerror() texts. */
static inline const char *ename(int e)
{
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case E2BIG: return "E2BIG";
    case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
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
    case ENOTTY: return "ENOTTY";
    case ETXTBSY: return "ETXTBSY";
    case EFBIG: return "EFBIG";
    case ESPIPE: return "ESPIPE";
    case EPIPE: return "EPIPE";
    case ERANGE: return "ERANGE";
    case EDEADLK: return "EDEADLK";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case ENXIO: return "ENXIO";
    case EOVERFLOW: return "EOVERFLOW";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: {
        static char buf[32];
        snprintf(buf, sizeof buf, "errno %d", e);
        return buf;
    }
    }
}

/* Prints the /proc/self/maps lines that overlap [base, base + len), with addresses as
 * signed page offsets from base, the permissions, and what backs them ("anon", a
 * [bracketed] name, "shmem", or "file@<offset in pages>"); returns how many there were.
 * Uses only open/read on a static buffer, so nothing here allocates or maps memory. */
static inline int show_region(const char *title, const void *basep, size_t len)
{
    static char maps_buf[1 << 17];
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
static inline unsigned char *reserve(size_t n)
{
    unsigned char *g = mmap(NULL, (n + 2) * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g == MAP_FAILED)
        return NULL;
    return g + 4096;
}

#endif
