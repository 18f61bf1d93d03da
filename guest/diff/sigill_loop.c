/* SIGILL from ud2, caught repeatedly: 500 times through __builtin_trap() and 500 times
 * through a ud2 at a known label; each time si_signo SIGILL, si_code ILL_ILLOPN, and for
 * the labelled one si_addr is the ud2's address. A SIGILL handler installed with
 * SA_RESETHAND is reset to SIG_DFL after its first run (sigaction reports it). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void do_ud2(void);
extern const char ud2_insn[];
__asm__(".text\n"
        ".globl do_ud2\n.type do_ud2,@function\n"
        "do_ud2:\n"
        ".globl ud2_insn\n"
        "ud2_insn:\n"
        "  ud2\n"
        "  ret\n"
        ".size do_ud2, .-do_ud2\n");

static sigjmp_buf env;
static volatile int got_signo, got_code;
static void *volatile got_addr;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_signo = si->si_signo == sig ? sig : -1;
    got_code = si->si_code;
    got_addr = si->si_addr;
    siglongjmp(env, 1);
}

static void __attribute__((noinline)) trap(void) { __builtin_trap(); }

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, NULL);

    int good = 0, other = 0;
    for (int i = 0; i < 500; i++) {
        got_signo = 0;
        if (sigsetjmp(env, 1) == 0) {
            trap();
            other++;
        } else if (got_signo == SIGILL && got_code == ILL_ILLOPN) {
            good++;
        } else {
            other++;
        }
    }
    printf("500 x __builtin_trap: %d SIGILL/ILL_ILLOPN, %d other\n", good, other);

    good = other = 0;
    for (int i = 0; i < 500; i++) {
        got_signo = 0;
        if (sigsetjmp(env, 1) == 0) {
            do_ud2();
            other++;
        } else if (got_signo == SIGILL && got_code == ILL_ILLOPN && got_addr == (void *)ud2_insn) {
            good++;
        } else {
            other++;
        }
    }
    printf("500 x ud2 at a label: %d SIGILL/ILL_ILLOPN with si_addr at the ud2, %d other\n", good, other);

    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGILL, &sa, NULL);
    got_signo = 0;
    if (sigsetjmp(env, 1) == 0)
        do_ud2();
    struct sigaction now;
    sigaction(SIGILL, NULL, &now);
    printf("SA_RESETHAND: handler ran: %s, disposition afterwards is SIG_DFL: %s\n",
           got_signo == SIGILL ? "yes" : "no", now.sa_handler == SIG_DFL ? "yes" : "no");
    return 0;
}
