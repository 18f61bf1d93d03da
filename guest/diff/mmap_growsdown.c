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
#include "common.h"

#define PAGE 4096ul

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
