/* Stack overflow caught on an alternate signal stack: infinite recursion runs into the
 * stack limit, the SIGSEGV handler (SA_ONSTACK) runs on the sigaltstack (a local of the
 * handler lies inside it, sigaltstack() in the handler reports SS_ONSTACK, and changing the
 * alternate stack from there is EPERM), and siglongjmp gets back to main. Also: sigaltstack
 * reports SS_DISABLE before one is set, too small a stack is ENOMEM, unknown flags EINVAL. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"

static char altstack[256 * 1024] __attribute__((aligned(16)));
static sigjmp_buf env;
static volatile int on_alt, reported_onstack, code, change_errno, depth_reached;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    volatile char local;
    on_alt = (uintptr_t)&local >= (uintptr_t)altstack && (uintptr_t)&local < (uintptr_t)altstack + sizeof altstack;
    stack_t cur;
    sigaltstack(NULL, &cur);
    reported_onstack = (cur.ss_flags & SS_ONSTACK) != 0;
    stack_t other = {.ss_sp = altstack, .ss_size = sizeof altstack / 2, .ss_flags = 0};
    change_errno = sigaltstack(&other, NULL) == 0 ? 0 : errno;
    code = si->si_code;
    siglongjmp(env, 1);
}

static volatile int limit = 1 << 30; /* never reached: the stack runs out first */

static int __attribute__((noinline)) recurse(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    depth_reached = n;
    if (n >= limit)
        return 0;
    return recurse(n + 1) + pad[0];
}

int main(void)
{
    stack_t old;
    sigaltstack(NULL, &old);
    printf("initially disabled: %s\n", old.ss_flags & SS_DISABLE ? "yes" : "no");
    stack_t tiny = {.ss_sp = altstack, .ss_size = 256, .ss_flags = 0};
    printf("256-byte alternate stack: %s\n", sigaltstack(&tiny, NULL) == 0 ? "ok" : ename(errno));
    stack_t bad = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0x1234};
    printf("unknown ss_flags: %s\n", sigaltstack(&bad, NULL) == 0 ? "ok" : ename(errno));
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    printf("set 256 KiB alternate stack: %s\n", sigaltstack(&ss, NULL) == 0 ? "ok" : ename(errno));
    sigaltstack(NULL, &old);
    printf("query: size matches %s, flags %d\n", old.ss_size == sizeof altstack ? "yes" : "no", old.ss_flags);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);

    if (sigsetjmp(env, 1) == 0) {
        recurse(0);
        printf("recursion returned?\n");
    } else {
        printf("stack overflow caught: si_code %s\n", code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "other");
        printf("handler ran on the alternate stack: %s\n", on_alt ? "yes" : "no");
        printf("sigaltstack in the handler reported SS_ONSTACK: %s\n", reported_onstack ? "yes" : "no");
        printf("changing the alternate stack while on it: %s\n", change_errno ? ename(change_errno) : "ok");
        printf("recursion went deeper than 10000 frames: %s\n", depth_reached > 10000 ? "yes" : "no");
    }
    sigaltstack(NULL, &old);
    printf("after siglongjmp: SS_ONSTACK clear: %s\n", old.ss_flags & SS_ONSTACK ? "no" : "yes");
    stack_t off = {.ss_flags = SS_DISABLE};
    printf("disable: %s\n", sigaltstack(&off, NULL) == 0 ? "ok" : ename(errno));
    return 0;
}
