/* The program break through the raw brk system call (musl's brk() always fails): growing
 * maps zero-filled memory and extends the [heap] VMA; shrinking unmaps it (a store above
 * the new break is SIGSEGV/SEGV_MAPERR); memory given back and taken again reads as zero
 * while the part kept keeps its data; an unaligned break is returned exactly; impossible
 * requests (beyond user space, or closer than one page to the next mapping) leave the
 * break where it was. stdout is set up before the break moves and nothing allocates while
 * it is away from where malloc left it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096ul
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static uintptr_t base;

static long rel(uintptr_t a) { return ((long)a - (long)base) / (long)PAGE; }

static uintptr_t brk_to(uintptr_t a) { return (uintptr_t)syscall(SYS_brk, a); }

static char maps[1 << 17];

/* The [heap] VMA's end, in pages from base ("none" when there is no [heap] line). */
static void show_heap(const char *what)
{
    int fd = open("/proc/self/maps", O_RDONLY);
    size_t n = 0;
    ssize_t r;
    while (fd >= 0 && (r = read(fd, maps + n, sizeof maps - 1 - n)) > 0)
        n += (size_t)r;
    close(fd);
    maps[n] = 0;
    char *h = strstr(maps, "[heap]");
    if (!h) {
        printf("%s: no [heap]\n", what);
        return;
    }
    while (h > maps && h[-1] != '\n')
        h--;
    unsigned long s, e;
    char perm[8];
    sscanf(h, "%lx-%lx %7s", &s, &e, perm);
    printf("%s: [heap] %s ends at %+ld, starts %s\n", what, perm, rel(e),
           s <= base ? "at or below the start" : "above the start");
}

static sigjmp_buf env;
static volatile int got_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    got_code = si->si_code;
    siglongjmp(env, 1);
}

static void store(const char *what, uintptr_t a)
{
    got_code = 0;
    if (sigsetjmp(env, 1) == 0) {
        *(volatile unsigned char *)a = 1;
        printf("store %s: ok\n", what);
    } else {
        printf("store %s: SIGSEGV %s\n", what, got_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other");
    }
}

static int zero(uintptr_t from, uintptr_t to)
{
    for (uintptr_t a = from; a < to; a += 64)
        if (*(volatile unsigned char *)a)
            return 0;
    return 1;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    printf("start\n"); /* glibc allocates stdout's buffer here, before we move the break */
    fflush(stdout);

    uintptr_t orig = brk_to(0);
    base = (orig + PAGE - 1) & ~(PAGE - 1);
    printf("brk(0) == sbrk(0): %s\n", (void *)orig == sbrk(0) ? "yes" : "no");
    printf("brk to the page boundary: %s\n", brk_to(base) == base ? "ok" : "refused");
    printf("brk +64 pages: %+ld\n", rel(brk_to(base + 64 * PAGE)));
    show_heap("after growing");
    printf("new memory zero: %s\n", zero(base, base + 64 * PAGE) ? "yes" : "no");
    memset((void *)base, 0xA5, 64 * PAGE);
    printf("brk +16 pages: %+ld\n", rel(brk_to(base + 16 * PAGE)));
    show_heap("after shrinking");
    store("at +20 pages (above the break)", base + 20 * PAGE);
    store("at +15 pages (below the break)", base + 15 * PAGE + 7);
    printf("brk +64 pages again: %+ld\n", rel(brk_to(base + 64 * PAGE)));
    printf("kept pages keep their data: %s\n",
           ((unsigned char *)base)[0] == 0xA5 && ((unsigned char *)base)[16 * PAGE - 1] == 0xA5 ? "yes" : "no");
    printf("returned pages read zero again: %s\n", zero(base + 16 * PAGE, base + 64 * PAGE) ? "yes" : "no");
    uintptr_t odd = brk_to(base + 64 * PAGE + 100);
    printf("unaligned brk returns exact value: %s\n", odd == base + 64 * PAGE + 100 ? "yes" : "no");
    show_heap("after unaligned brk");
    store("at +64 pages + 4000 (same page as the break)", base + 64 * PAGE + 4000);
    printf("brk to 2^47: %+ld\n", rel(brk_to(1ul << 47)));
    printf("brk below the heap start: %+ld\n", rel(brk_to(PAGE)));

    /* A mapping 128 pages above base: the break may come up to one page below it. */
    void *m = mmap((void *)(base + 128 * PAGE), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("mapping at +128: %s\n", m == (void *)(base + 128 * PAGE) ? "ok" : "failed");
    printf("brk +128 pages (touches the mapping): %+ld\n", rel(brk_to(base + 128 * PAGE)));
    printf("brk +127 pages + 1 (rounds up to it): %+ld\n", rel(brk_to(base + 127 * PAGE + 1)));
    printf("brk +127 pages: %+ld\n", rel(brk_to(base + 127 * PAGE)));
    show_heap("up to the mapping");
    munmap(m, PAGE);

    printf("brk back to the original break: %s\n", brk_to(orig) == orig ? "ok" : "refused");
    return 0;
}
