/* SIGTRAP from int3: the handler sees si_signo SIGTRAP and si_code SI_KERNEL (printed),
 * the saved RIP points just past the int3 byte (compared with a label placed after it),
 * and returning from the handler continues with the next instruction; 100 rounds. The
 * two-byte form "int $3" behaves the same. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

int do_int3(int x);
int do_int3_long(int x);
extern const char after_int3[], after_int3_long[];
__asm__(".text\n"
        ".globl do_int3\n.type do_int3,@function\n"
        "do_int3:\n"
        "  lea 1(%rdi), %eax\n"
        "  int3\n"
        ".globl after_int3\n"
        "after_int3:\n"
        "  add $100, %eax\n"
        "  ret\n"
        ".size do_int3, .-do_int3\n"
        ".globl do_int3_long\n.type do_int3_long,@function\n"
        "do_int3_long:\n"
        "  lea 2(%rdi), %eax\n"
        "  .byte 0xcd, 0x03\n"
        ".globl after_int3_long\n"
        "after_int3_long:\n"
        "  add $200, %eax\n"
        "  ret\n"
        ".size do_int3_long, .-do_int3_long\n");

static volatile int count, code, rip_ok, signo;
static const char *volatile expect_rip;

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    signo = si->si_signo == sig ? sig : -1;
    code = si->si_code;
    rip_ok += (const char *)uc->uc_mcontext.gregs[REG_RIP] == expect_rip;
    count++;
}

static const char *code_name(int c)
{
    return c == SI_KERNEL ? "SI_KERNEL" : c == TRAP_BRKPT ? "TRAP_BRKPT" : c == TRAP_TRACE ? "TRAP_TRACE" : "other";
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &sa, NULL);

    expect_rip = after_int3;
    long sum = 0;
    for (int i = 0; i < 100; i++)
        sum += do_int3(i);
    printf("int3 x100: handler ran %d times, signo %d, si_code %s (%d), RIP after the int3: %d, results sum %ld\n",
           count, signo, code_name(code), code, rip_ok, sum);
    count = rip_ok = 0;
    expect_rip = after_int3_long;
    sum = 0;
    for (int i = 0; i < 100; i++)
        sum += do_int3_long(i);
    printf("int $3 x100: handler ran %d times, si_code %s (%d), RIP after the instruction: %d, results sum %ld\n",
           count, code_name(code), code, rip_ok, sum);
    return 0;
}
