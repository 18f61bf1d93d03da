/* A SIGSEGV handler that repairs the fault and returns: the faulting instruction is
 * restarted and succeeds. 16 read-only pages are written in order, each first store faults
 * once, the handler mprotect()s that page writable; a PROT_NONE region is made readable on
 * first read; and a handler that maps a missing page with MAP_FIXED (a user-level demand
 * pager) serves 32 pages of a reserved-then-unmapped area. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ul

static unsigned char *region;
static size_t region_len;
static volatile int faults, stray;
static volatile int mode; /* 0: mprotect rw, 1: mprotect r, 2: mmap fixed */

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    uintptr_t a = (uintptr_t)si->si_addr;
    if (a < (uintptr_t)region || a >= (uintptr_t)region + region_len) {
        stray++;
        _exit(3); /* a fault we did not expect: give up */
    }
    void *page = (void *)(a & ~(PAGE - 1));
    faults++;
    if (mode == 0)
        mprotect(page, PAGE, PROT_READ | PROT_WRITE);
    else if (mode == 1)
        mprotect(page, PAGE, PROT_READ);
    else
        mmap(page, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    region_len = 16 * PAGE;
    region = mmap(NULL, region_len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    volatile unsigned char *v = region;
    mode = 0;
    for (size_t i = 0; i < region_len; i += 512)
        v[i] = (unsigned char)(i / 512 + 1);
    int ok = 1;
    for (size_t i = 0; i < region_len; i += 512)
        ok &= v[i] == (unsigned char)(i / 512 + 1);
    printf("read-only pages written: faults %d (one per page), data ok: %s\n", faults, ok ? "yes" : "no");
    munmap(region, region_len);

    faults = 0;
    region = mmap(NULL, region_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    v = region;
    mode = 1;
    unsigned sum = 0;
    for (size_t i = 0; i < region_len; i += 1024)
        sum += v[i];
    printf("PROT_NONE pages read: faults %d, sum %u\n", faults, sum);
    munmap(region, region_len);

    faults = 0;
    region_len = 32 * PAGE;
    region = mmap(NULL, region_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(region, region_len); /* nothing mapped there now: every first touch is MAPERR */
    v = region;
    mode = 2;
    for (size_t i = 0; i < region_len; i += 2048)
        v[i + 7] = (unsigned char)i;
    ok = 1;
    for (size_t i = 0; i < region_len; i += 2048)
        ok &= v[i + 7] == (unsigned char)i;
    printf("user-level demand paging of 32 pages: faults %d, data ok: %s, stray faults %d\n", faults,
           ok ? "yes" : "no", stray);
    return 0;
}
