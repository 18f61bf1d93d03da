/* MAP_GROWSDOWN: a mapping that grows downwards when a page just below it is touched, as
 * the main stack does. /proc/self/maps shows the start moving down page by page (the
 * growth is not limited to the page right below: touching 8 pages further down works).
 * When an accessible mapping sits closer than the stack guard gap below, the access is a
 * SIGSEGV instead (SEGV_MAPERR). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
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

static sigjmp_buf env;
static volatile int got_sig, got_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = si->si_code;
    siglongjmp(env, 1);
}

static void touch(const char *what, volatile unsigned char *a)
{
    got_sig = 0;
    if (sigsetjmp(env, 1) == 0) {
        *a = 0x42;
        printf("%s: ok, reads back %s\n", what, *a == 0x42 ? "yes" : "no");
    } else {
        printf("%s: signal %d code %s\n", what, got_sig,
               got_code == SEGV_MAPERR ? "SEGV_MAPERR" : got_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other");
    }
}

int main(void)
{
    static char altstack[64 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);

    /* 1024 pages of address space: the grows-down mapping sits at the top, everything
     * below it is left unmapped (more than the 256-page guard gap). */
    const size_t span = 1024;
    unsigned char *area = mmap(NULL, span * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        return 1;
    munmap(area, span * PAGE);
    unsigned char *top = area + (span - 4) * PAGE;
    unsigned char *g = mmap(top, 4 * PAGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED, -1, 0);
    printf("mmap MAP_GROWSDOWN: %s\n", g == MAP_FAILED ? ename(errno) : "ok");
    if (g == MAP_FAILED)
        return 1;
    show_region("initial", top - 16 * PAGE, 20 * PAGE);
    touch("store in the mapping", top);
    touch("store 1 page below", top - PAGE + 100);
    show_region("after touching 1 page below", top - 16 * PAGE, 20 * PAGE);
    touch("store 8 pages below the new start", top - 9 * PAGE);
    show_region("after touching 8 pages further", top - 16 * PAGE, 20 * PAGE);
    printf("grown pages zero: %s\n", top[-PAGE] == 0 && top[-5 * PAGE] == 0 ? "yes" : "no");

    /* An accessible mapping 64 pages below the current start: within the guard gap. */
    unsigned char *blocker = mmap(top - 9 * PAGE - 64 * PAGE, PAGE, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("mmap blocker 64 pages below: %s\n", blocker == MAP_FAILED ? ename(errno) : "ok");
    touch("store 1 page below with blocker in the gap", top - 10 * PAGE);
    show_region("after refused growth", top - 16 * PAGE, 20 * PAGE);
    munmap(blocker, PAGE);
    touch("store 1 page below after blocker removed", top - 10 * PAGE);
    show_region("final", top - 16 * PAGE, 20 * PAGE);
    return 0;
}
