/* What a handler sees when it starts, checked from an assembly entry point before any C
 * code runs: (RSP + 8) % 16 == 0, the return address at RSP is the libc's rt_sigreturn
 * stub (sa_restorer), rdi = the signal, rsi = &siginfo, rdx = &ucontext (right above the
 * return address), rax = 0, DF clear even though the interrupted code had set it, and a
 * freshly initialised FPU (control word 0x37f, MXCSR 0x1f80, empty x87 stack, XMM0 zero).
 * The interrupted state in the ucontext (registers set just before a kill syscall: RIP
 * after the syscall, RSP, RCX = RIP, DF in R11 and EFL, the mask; the FPU image: MXCSR,
 * x87 control word, TOP and tags, ST(0), XMM registers) and its restoration by
 * rt_sigreturn: every XMM register, the x87 stack, MXCSR, the x87 control word and DF come
 * back, except what the handler deliberately changed in the frame (MXCSR rounding, XMM5,
 * RBX, the mask). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

unsigned long entry_rsp, entry_rdi, entry_rsi, entry_rdx, entry_rax, entry_flags, entry_ret;
unsigned int entry_mxcsr;
unsigned short entry_fcw;
unsigned char entry_fenv[28];
unsigned long entry_xmm0[2];

void c_handler(int sig, siginfo_t *si, void *ucv);

__asm__(".text\n"
        ".globl asm_handler\n"
        ".type asm_handler,@function\n"
        "asm_handler:\n"
        "  mov %rsp, entry_rsp(%rip)\n"
        "  mov %rdi, entry_rdi(%rip)\n"
        "  mov %rsi, entry_rsi(%rip)\n"
        "  mov %rdx, entry_rdx(%rip)\n"
        "  mov %rax, entry_rax(%rip)\n"
        "  mov (%rsp), %rax\n"
        "  mov %rax, entry_ret(%rip)\n"
        "  pushfq\n"
        "  popq entry_flags(%rip)\n"
        "  stmxcsr entry_mxcsr(%rip)\n"
        "  fnstcw entry_fcw(%rip)\n"
        "  movq %xmm0, entry_xmm0(%rip)\n"
        "  movhps %xmm0, entry_xmm0+8(%rip)\n"
        "  fnstenv entry_fenv(%rip)\n"
        "  fldcw entry_fcw(%rip)\n" /* fnstenv masks exceptions; put the control word back */
        "  jmp c_handler\n");
void asm_handler(int, siginfo_t *, void *);

static struct {
    int sig;
    siginfo_t *si;
    ucontext_t *uc;
    unsigned long rip, rsp, rcx, r11, efl, rbx, mask;
    unsigned int fp_mxcsr;
    unsigned short fp_cwd, fp_swd, fp_ftw;
    unsigned char st0[10];
    unsigned long xmm3[2], xmm15[2];
    uintptr_t fpregs;
} seen;

/* The FXSAVE image uc_mcontext.fpregs points at (glibc and musl name it differently). */
struct fxsave {
    uint16_t cwd, swd;
    uint8_t ftw, pad;
    uint16_t fop;
    uint64_t rip, rdp;
    uint32_t mxcsr, mxcsr_mask;
    unsigned char st[8][16];
    unsigned char xmm[16][16];
    unsigned char reserved[96];
};

static unsigned long after_syscall_rip; /* the label after the syscall, from the asm */

void c_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    seen.sig = sig;
    seen.si = si;
    seen.uc = uc;
    seen.rip = uc->uc_mcontext.gregs[REG_RIP];
    seen.rsp = uc->uc_mcontext.gregs[REG_RSP];
    seen.rcx = uc->uc_mcontext.gregs[REG_RCX];
    seen.r11 = uc->uc_mcontext.gregs[REG_R11];
    seen.efl = uc->uc_mcontext.gregs[REG_EFL];
    seen.rbx = uc->uc_mcontext.gregs[REG_RBX];
    memcpy(&seen.mask, &uc->uc_sigmask, sizeof seen.mask);
    struct fxsave *fp = (struct fxsave *)uc->uc_mcontext.fpregs;
    seen.fpregs = (uintptr_t)fp;
    seen.fp_mxcsr = fp->mxcsr;
    seen.fp_cwd = fp->cwd;
    seen.fp_swd = fp->swd;
    seen.fp_ftw = fp->ftw;
    memcpy(seen.st0, fp->st[0], 10);
    memcpy(seen.xmm3, fp->xmm[3], 16);
    memcpy(seen.xmm15, fp->xmm[15], 16);

    /* Clobber the live FPU state: none of it may leak back. */
    __asm__ volatile("pcmpeqd %%xmm1, %%xmm1\n"
                     "pcmpeqd %%xmm3, %%xmm3\n"
                     "pcmpeqd %%xmm15, %%xmm15\n"
                     "mov $0x3f80, %%eax\n"
                     "push %%rax\n"
                     "ldmxcsr (%%rsp)\n"
                     "pop %%rax\n"
                     :
                     :
                     : "rax", "xmm1", "xmm3", "xmm15", "memory");
    volatile double x = 1.0;
    for (int i = 0; i < 10; ++i)
        x = x * 3.0 / 7.0;

    /* Change some of the state to return to. */
    fp->mxcsr = (fp->mxcsr & ~0x6000u) | 0x2000u; /* round down instead of toward zero */
    memset(fp->xmm[5], 0x5a, 16);
    uc->uc_mcontext.gregs[REG_RBX] = 0x1234567;
    sigaddset(&uc->uc_sigmask, SIGUSR2);
}

static unsigned char xin[16 * 16], xout[16 * 16];
static unsigned char st_out[2][10];
static unsigned int mxcsr_out;
static unsigned short fcw_out;
static unsigned long rbx_out, flags_out, rsp_before;

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = asm_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGHUP);
    sigprocmask(SIG_SETMASK, &m, NULL);

    for (int i = 0; i < 256; ++i)
        xin[i] = (unsigned char)(i * 7 + 1);
    const unsigned int mxcsr_in = 0x7f80; /* round toward zero, all exceptions masked */
    const unsigned short fcw_in = 0x07f;   /* single precision, exceptions masked */
    long rax = SYS_kill;
    long pid = getpid();
    __asm__ volatile("ldmxcsr %[mx]\n"
                     "fldcw %[cw]\n"
                     "movdqu 0(%[in]), %%xmm0\n"
                     "movdqu 16(%[in]), %%xmm1\n"
                     "movdqu 32(%[in]), %%xmm2\n"
                     "movdqu 48(%[in]), %%xmm3\n"
                     "movdqu 64(%[in]), %%xmm4\n"
                     "movdqu 80(%[in]), %%xmm5\n"
                     "movdqu 96(%[in]), %%xmm6\n"
                     "movdqu 112(%[in]), %%xmm7\n"
                     "movdqu 128(%[in]), %%xmm8\n"
                     "movdqu 144(%[in]), %%xmm9\n"
                     "movdqu 160(%[in]), %%xmm10\n"
                     "movdqu 176(%[in]), %%xmm11\n"
                     "movdqu 192(%[in]), %%xmm12\n"
                     "movdqu 208(%[in]), %%xmm13\n"
                     "movdqu 224(%[in]), %%xmm14\n"
                     "movdqu 240(%[in]), %%xmm15\n"
                     "fldpi\n"
                     "fld1\n"
                     "push %%rbx\n"
                     "mov $0x77, %%ebx\n"
                     "mov %%rsp, %[rsp_before]\n"
                     "std\n"
                     "syscall\n"
                     "1:\n"
                     "pushfq\n"
                     "popq %[flags]\n"
                     "cld\n"
                     "mov %%rbx, %[rbx_out]\n"
                     "pop %%rbx\n"
                     "lea 1b(%%rip), %%rcx\n"
                     "mov %%rcx, %[after]\n"
                     "movdqu %%xmm0, 0(%[out])\n"
                     "movdqu %%xmm1, 16(%[out])\n"
                     "movdqu %%xmm2, 32(%[out])\n"
                     "movdqu %%xmm3, 48(%[out])\n"
                     "movdqu %%xmm4, 64(%[out])\n"
                     "movdqu %%xmm5, 80(%[out])\n"
                     "movdqu %%xmm6, 96(%[out])\n"
                     "movdqu %%xmm7, 112(%[out])\n"
                     "movdqu %%xmm8, 128(%[out])\n"
                     "movdqu %%xmm9, 144(%[out])\n"
                     "movdqu %%xmm10, 160(%[out])\n"
                     "movdqu %%xmm11, 176(%[out])\n"
                     "movdqu %%xmm12, 192(%[out])\n"
                     "movdqu %%xmm13, 208(%[out])\n"
                     "movdqu %%xmm14, 224(%[out])\n"
                     "movdqu %%xmm15, 240(%[out])\n"
                     "fstpt %[st0]\n"
                     "fstpt %[st1]\n"
                     "stmxcsr %[mxo]\n"
                     "fnstcw %[cwo]\n"
                     : "+a"(rax), [rsp_before] "=m"(rsp_before), [flags] "=m"(flags_out), [rbx_out] "=m"(rbx_out),
                       [after] "=m"(after_syscall_rip), [st0] "=m"(st_out[0]), [st1] "=m"(st_out[1]),
                       [mxo] "=m"(mxcsr_out), [cwo] "=m"(fcw_out)
                     : "D"(pid), "S"((long)SIGUSR1), [in] "r"(xin), [out] "r"(xout), [mx] "m"(mxcsr_in),
                       [cw] "m"(fcw_in)
                     : "rcx", "r11", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                       "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    const unsigned int default_mxcsr = 0x1f80;
    const unsigned short default_fcw = 0x37f;
    __asm__ volatile("ldmxcsr %0\n fldcw %1" : : "m"(default_mxcsr), "m"(default_fcw));

    printf("kill returned %ld\n", rax);
    printf("handler ran for signal %d\n", seen.sig);
    printf("at entry:\n");
    printf("  (rsp + 8) %% 16 == 0: %s\n", (entry_rsp + 8) % 16 == 0 ? "yes" : "no");
    static const unsigned char restore_rt[] = {0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05};
    printf("  return address is the libc's rt_sigreturn stub: %s\n",
           memcmp((const void *)entry_ret, restore_rt, sizeof restore_rt) == 0 ? "yes" : "no");
    printf("  rdi = signal: %s\n", entry_rdi == SIGUSR1 ? "yes" : "no");
    printf("  rsi = &siginfo: %s, rdx = &ucontext: %s, rax = 0: %s\n",
           entry_rsi == (unsigned long)seen.si ? "yes" : "no", entry_rdx == (unsigned long)seen.uc ? "yes" : "no",
           entry_rax == 0 ? "yes" : "no");
    printf("  ucontext right above the return address: %s\n", entry_rdx == entry_rsp + 8 ? "yes" : "no");
    printf("  siginfo above the ucontext: %s\n", entry_rsi > entry_rdx ? "yes" : "no");
    printf("  DF clear: %s\n", (entry_flags & 0x400) ? "no" : "yes");
    printf("  MXCSR %#x, x87 control word %#x\n", entry_mxcsr & 0xffc0, entry_fcw);
    unsigned short tags;
    memcpy(&tags, entry_fenv + 8, 2);
    printf("  x87 tag word %#x (all empty), XMM0 zero: %s\n", tags,
           entry_xmm0[0] == 0 && entry_xmm0[1] == 0 ? "yes" : "no");
    printf("in the ucontext:\n");
    printf("  RIP is after the syscall: %s, RCX = RIP: %s\n", seen.rip == after_syscall_rip ? "yes" : "no",
           seen.rcx == seen.rip ? "yes" : "no");
    printf("  RSP is the interrupted one: %s\n", seen.rsp == rsp_before ? "yes" : "no");
    printf("  RBX %#lx, DF in EFL: %s, in R11: %s\n", seen.rbx, (seen.efl & 0x400) ? "yes" : "no",
           (seen.r11 & 0x400) ? "yes" : "no");
    printf("  mask has SIGHUP only: %s\n", seen.mask == (1ul << (SIGHUP - 1)) ? "yes" : "no");
    printf("  fpregs 64-byte aligned: %s, above the siginfo: %s, below the red zone: %s\n",
           seen.fpregs % 64 == 0 ? "yes" : "no", seen.fpregs > (uintptr_t)seen.si ? "yes" : "no",
           seen.fpregs + 512 <= seen.rsp - 128 ? "yes" : "no");
    printf("  MXCSR %#x, x87 control word %#x, TOP %d, abridged tags %#x\n", seen.fp_mxcsr & 0xffc0, seen.fp_cwd,
           (seen.fp_swd >> 11) & 7, seen.fp_ftw);
    unsigned long mant;
    unsigned short expo;
    memcpy(&mant, seen.st0, 8);
    memcpy(&expo, seen.st0 + 8, 2);
    printf("  ST(0) mantissa %#lx exponent %#x\n", mant, expo);
    printf("  XMM3 and XMM15 as set: %s %s\n", memcmp(seen.xmm3, xin + 48, 16) == 0 ? "yes" : "no",
           memcmp(seen.xmm15, xin + 240, 16) == 0 ? "yes" : "no");
    printf("after rt_sigreturn:\n");
    int same = 0;
    for (int i = 0; i < 16; ++i)
        if (i != 5 && memcmp(xin + 16 * i, xout + 16 * i, 16) == 0)
            ++same;
    unsigned char five[16];
    memset(five, 0x5a, 16);
    printf("  XMM registers kept: %d of 15, XMM5 as the handler set it: %s\n", same,
           memcmp(xout + 80, five, 16) == 0 ? "yes" : "no");
    memcpy(&mant, st_out[0], 8);
    memcpy(&expo, st_out[0] + 8, 2);
    printf("  ST(0) mantissa %#lx exponent %#x", mant, expo);
    memcpy(&mant, st_out[1], 8);
    memcpy(&expo, st_out[1] + 8, 2);
    printf(", ST(1) mantissa %#lx exponent %#x\n", mant, expo);
    printf("  MXCSR %#x (rounding changed by the handler), x87 control word %#x\n", mxcsr_out & 0xffc0, fcw_out);
    printf("  RBX %#lx, DF set again: %s\n", rbx_out, (flags_out & 0x400) ? "yes" : "no");
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("  mask: SIGHUP %d SIGUSR2 %d SIGUSR1 %d\n", sigismember(&now, SIGHUP), sigismember(&now, SIGUSR2),
           sigismember(&now, SIGUSR1));
    return 0;
}
