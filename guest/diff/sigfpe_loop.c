/* SIGFPE from integer division, caught 1000 times in a row with siglongjmp: every time
 * si_signo is SIGFPE, si_code FPE_INTDIV and si_addr the address of the divide instruction
 * (the instruction is in assembly with a global label). Also 64-bit division by zero and
 * INT_MIN / -1 (an overflow, also #DE, also FPE_INTDIV). After all that, ordinary
 * division still works. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int div32(int a, int b);
long div64(long a, long b);
extern const char div32_insn[], div64_insn[];
__asm__(".text\n"
        ".globl div32\n.type div32,@function\n"
        "div32:\n"
        "  mov %edi, %eax\n"
        "  cltd\n"
        ".globl div32_insn\n"
        "div32_insn:\n"
        "  idivl %esi\n"
        "  ret\n"
        ".size div32, .-div32\n"
        ".globl div64\n.type div64,@function\n"
        "div64:\n"
        "  mov %rdi, %rax\n"
        "  cqto\n"
        ".globl div64_insn\n"
        "div64_insn:\n"
        "  idivq %rsi\n"
        "  ret\n"
        ".size div64, .-div64\n");

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

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, NULL);

    int good = 0, other = 0;
    for (int i = 0; i < 1000; i++) {
        got_signo = 0;
        if (sigsetjmp(env, 1) == 0) {
            volatile int r = div32(i, 0);
            (void)r;
            other++;
        } else if (got_signo == SIGFPE && got_code == FPE_INTDIV && got_addr == (void *)div32_insn) {
            good++;
        } else {
            other++;
        }
    }
    printf("1000 x 32-bit division by zero: %d SIGFPE/FPE_INTDIV at the idiv, %d other\n", good, other);

    good = other = 0;
    for (int i = 0; i < 100; i++) {
        got_signo = 0;
        if (sigsetjmp(env, 1) == 0) {
            volatile long r = div64(i, 0);
            (void)r;
            other++;
        } else if (got_signo == SIGFPE && got_code == FPE_INTDIV && got_addr == (void *)div64_insn) {
            good++;
        } else {
            other++;
        }
    }
    printf("100 x 64-bit division by zero: %d SIGFPE/FPE_INTDIV at the idiv, %d other\n", good, other);

    got_signo = 0;
    if (sigsetjmp(env, 1) == 0) {
        volatile int r = div32(INT32_MIN, -1);
        printf("INT_MIN / -1: no signal (%d)\n", r);
    } else {
        printf("INT_MIN / -1: signo %d code %s at the idiv: %s\n", got_signo,
               got_code == FPE_INTDIV ? "FPE_INTDIV" : got_code == FPE_INTOVF ? "FPE_INTOVF" : "other",
               got_addr == (void *)div32_insn ? "yes" : "no");
    }
    got_signo = 0;
    if (sigsetjmp(env, 1) == 0) {
        volatile long r = div64(INT64_MIN, -1);
        printf("LONG_MIN / -1: no signal (%ld)\n", r);
    } else {
        printf("LONG_MIN / -1: signo %d code %s\n", got_signo, got_code == FPE_INTDIV ? "FPE_INTDIV" : "other");
    }
    printf("div32(100, 7) = %d, div64(-1000000000000, 3) = %ld\n", div32(100, 7), div64(-1000000000000l, 3));
    return 0;
}
