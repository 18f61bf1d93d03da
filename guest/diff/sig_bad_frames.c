/* Signal frames that cannot be written or read back. A handler whose frame does not fit
 * (RSP pointing at unmapped memory) or that has no SA_RESTORER (set with the raw syscall)
 * is not run: SIGSEGV comes instead (si_code SI_KERNEL), here caught by an SA_ONSTACK
 * handler on a sigaltstack. rt_sigreturn on an unreadable frame, or on a frame whose FPU
 * image has reserved MXCSR bits set, is SIGSEGV too. A frame built by hand is a way to set
 * every register at once: rt_sigreturn lands at its RIP with its RAX and mask, and with
 * fpstate NULL the FPU is reset. Finally, with SIGSEGV at its default action, a signal
 * whose frame cannot be written kills the process with SIGSEGV (exit status 139). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static char altstack[64 * 1024];
static volatile int segv_code = -1, segv_on_altstack, usr_ran;
static volatile uintptr_t segv_addr;

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    char local;
    segv_code = si->si_code;
    segv_addr = (uintptr_t)si->si_addr;
    segv_on_altstack = &local >= altstack && &local < altstack + sizeof altstack;
    siglongjmp(env, 1);
}

static void usr_handler(int sig)
{
    (void)sig;
    usr_ran = 1;
}

static void report(const char *what)
{
    printf("%-44s SIGSEGV si_code %#x si_addr %#lx on the alternate stack: %s; SIGUSR handler ran: %s\n", what,
           segv_code, (unsigned long)segv_addr, segv_on_altstack ? "yes" : "no", usr_ran ? "yes" : "no");
    segv_code = -1;
    usr_ran = 0;
}

/* kill(getpid(), sig) with RSP pointing at unmapped memory. */
static void kill_with_bad_stack(int sig)
{
    long pid = getpid();
    __asm__ volatile("mov %%rsp, %%r12\n"
                     "mov $0x1000, %%rsp\n"
                     "mov $62, %%eax\n"
                     "syscall\n"
                     "mov %%r12, %%rsp\n"
                     :
                     : "D"(pid), "S"((long)sig)
                     : "rax", "rcx", "r11", "r12", "memory");
}

static void sigreturn_at(void *frame_top)
{
    __asm__ volatile("mov %0, %%rsp\n"
                     "mov $15, %%eax\n"
                     "syscall\n"
                     "ud2\n"
                     :
                     : "r"(frame_top)
                     : "rax", "memory");
}

static unsigned char frame_buf[2048] __attribute__((aligned(64)));
static unsigned char fx_buf[512] __attribute__((aligned(64)));

/* A ucontext at frame_buf + 8 (rt_sigreturn reads the frame at RSP - 8) that resumes at
 * `landing` with every register as it is now, except RAX = 42. */
static long hand_made_sigreturn(void *fpregs, unsigned long *mxcsr_after)
{
    ucontext_t *uc = (ucontext_t *)(frame_buf + 8);
    memset(frame_buf, 0, sizeof frame_buf);
    greg_t *g = uc->uc_mcontext.gregs;
    g[REG_RAX] = 42;
    g[REG_EFL] = 0x202;
    g[REG_CSGSFS] = 0x33 | (0x2bull << 48);
    uc->uc_mcontext.fpregs = fpregs;
    sigemptyset(&uc->uc_sigmask);
    sigaddset(&uc->uc_sigmask, SIGHUP);
    stack_t ss;
    sigaltstack(NULL, &ss);
    uc->uc_stack = ss;
    long rax;
    unsigned int mx = 0x7f80, mx_after = 0;
    __asm__ volatile("ldmxcsr %[mx]\n"
                     "mov %%rbx, %c[o_rbx](%[uc])\n"
                     "mov %%rcx, %c[o_rcx](%[uc])\n"
                     "mov %%rdx, %c[o_rdx](%[uc])\n"
                     "mov %%rsi, %c[o_rsi](%[uc])\n"
                     "mov %%rdi, %c[o_rdi](%[uc])\n"
                     "mov %%rbp, %c[o_rbp](%[uc])\n"
                     "mov %%r8, %c[o_r8](%[uc])\n"
                     "mov %%r9, %c[o_r9](%[uc])\n"
                     "mov %%r10, %c[o_r10](%[uc])\n"
                     "mov %%r11, %c[o_r11](%[uc])\n"
                     "mov %%r12, %c[o_r12](%[uc])\n"
                     "mov %%r13, %c[o_r13](%[uc])\n"
                     "mov %%r14, %c[o_r14](%[uc])\n"
                     "mov %%r15, %c[o_r15](%[uc])\n"
                     "mov %%rsp, %c[o_rsp](%[uc])\n"
                     "lea 1f(%%rip), %%rax\n"
                     "mov %%rax, %c[o_rip](%[uc])\n"
                     "mov %[uc], %%rsp\n"
                     "mov $15, %%eax\n"
                     "syscall\n"
                     "ud2\n"
                     "1:\n"
                     "stmxcsr %[mx_after]\n"
                     : "=&a"(rax), [mx_after] "=m"(mx_after)
                     : [uc] "r"(uc), [mx] "m"(mx), [o_rbx] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_RBX])),
                       [o_rcx] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_RCX])),
                       [o_rdx] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_RDX])),
                       [o_rsi] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_RSI])),
                       [o_rdi] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_RDI])),
                       [o_rbp] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_RBP])),
                       [o_r8] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_R8])),
                       [o_r9] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_R9])),
                       [o_r10] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_R10])),
                       [o_r11] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_R11])),
                       [o_r12] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_R12])),
                       [o_r13] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_R13])),
                       [o_r14] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_R14])),
                       [o_r15] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_R15])),
                       [o_rsp] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_RSP])),
                       [o_rip] "i"(offsetof(ucontext_t, uc_mcontext.gregs[REG_RIP]))
                     : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                       "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    *mxcsr_after = mx_after;
    return rax;
}

int main(void)
{
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = segv_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    signal(SIGUSR1, usr_handler);

    if (sigsetjmp(env, 1) == 0)
        kill_with_bad_stack(SIGUSR1);
    report("SIGUSR1 with RSP at unmapped memory:");

    /* rt_sigaction without SA_RESTORER (the libc always adds it). */
    struct {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)(void);
        unsigned long mask;
    } raw = {usr_handler, 0, NULL, 0};
    long r = syscall(SYS_rt_sigaction, SIGUSR2, &raw, NULL, 8);
    printf("rt_sigaction without SA_RESTORER = %ld\n", r);
    if (sigsetjmp(env, 1) == 0)
        raise(SIGUSR2);
    report("SIGUSR2 handler without SA_RESTORER:");

    if (sigsetjmp(env, 1) == 0)
        sigreturn_at((void *)0x2008);
    report("rt_sigreturn with an unreadable frame:");

    memset(fx_buf, 0, sizeof fx_buf);
    fx_buf[0] = 0x7f;
    fx_buf[1] = 0x03; /* FCW 0x37f */
    const unsigned int bad_mxcsr = 0xffffffff;
    memcpy(fx_buf + 24, &bad_mxcsr, 4);
    unsigned long mx;
    if (sigsetjmp(env, 1) == 0)
        hand_made_sigreturn(fx_buf, &mx);
    report("rt_sigreturn with reserved MXCSR bits set:");

    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    long rax = hand_made_sigreturn(NULL, &mx);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("hand-made frame: landed with rax %ld, MXCSR %#lx (reset), mask has SIGHUP: %s\n", rax, mx & 0xffc0,
           sigismember(&now, SIGHUP) ? "yes" : "no");
    sigprocmask(SIG_SETMASK, &none, NULL);

    signal(SIGSEGV, SIG_DFL);
    printf("now SIGUSR1 with a bad stack and SIGSEGV at its default action\n");
    fflush(stdout);
    kill_with_bad_stack(SIGUSR1);
    printf("still alive (it must not be)\n");
    return 0;
}
