/* Every general-purpose register through a signal frame and back: an ud2 executed with
 * r8-r15, rax, rbx, rcx, rdx, rsi, rdi and rbp set to distinct values; the SIGILL handler
 * finds each in uc_mcontext.gregs, replaces each with a new value, sets CF in REG_EFL and
 * moves REG_RIP past the ud2; after rt_sigreturn the code sees the new values. Then what
 * the frame says for each kind of CPU exception: signal, si_code, si_addr (the instruction
 * for #DE and #UD, 0 for #GP and int3), REG_TRAPNO, REG_ERR, whether REG_RIP is the
 * instruction or after it (int3), and REG_CR2 (set by page faults only: a later #GP still
 * shows the last page fault's address, as Linux leaves it). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static const greg_t expected[] = {
    [REG_R8] = 0x0808080808080808, [REG_R9] = 0x0909090909090909, [REG_R10] = 0x1010101010101010,
    [REG_R11] = 0x1111111111111111, [REG_R12] = 0x1212121212121212, [REG_R13] = 0x1313131313131313,
    [REG_R14] = 0x1414141414141414, [REG_R15] = 0x1515151515151515, [REG_RDI] = 0x0d0d0d0d0d0d0d0d,
    [REG_RSI] = 0x0e0e0e0e0e0e0e0e, [REG_RBP] = 0x0b0b0b0b0b0b0b0b, [REG_RBX] = 0x0a0a0a0a0a0a0a0a,
    [REG_RDX] = 0x0c0c0c0c0c0c0c0c, [REG_RAX] = 0x0101010101010101, [REG_RCX] = 0x0f0f0f0f0f0f0f0f,
};
static const int checked[] = {REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
                              REG_RDI, REG_RSI, REG_RBP, REG_RBX, REG_RDX, REG_RAX, REG_RCX};
static const char *const names[] = {"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
                                    "rdi", "rsi", "rbp", "rbx", "rdx", "rax", "rcx"};

unsigned long regs_out[16];
unsigned char cf_out;
static int wrong_in_frame = -1;

static void roundtrip_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    wrong_in_frame = 0;
    for (unsigned i = 0; i < sizeof checked / sizeof checked[0]; ++i) {
        if (g[checked[i]] != expected[checked[i]]) {
            printf("  %s in the frame: %#llx\n", names[i], (unsigned long long)g[checked[i]]);
            ++wrong_in_frame;
        }
        g[checked[i]] = ~expected[checked[i]];
    }
    printf("  SIGILL: signo %d si_code %d si_addr is REG_RIP: %s, trapno %lld err %lld\n", sig, si->si_code,
           (greg_t)si->si_addr == g[REG_RIP] ? "yes" : "no", (long long)g[REG_TRAPNO], (long long)g[REG_ERR]);
    g[REG_EFL] |= 1;  /* CF */
    g[REG_RIP] += 2;  /* past the ud2 */
}

static void roundtrip(void)
{
    __asm__ volatile("lea -128(%%rsp), %%rsp\n"
                     "push %%rbx\n"
                     "push %%rbp\n"
                     "push %%r12\n"
                     "push %%r13\n"
                     "push %%r14\n"
                     "push %%r15\n"
                     "movabs $0x0808080808080808, %%r8\n"
                     "movabs $0x0909090909090909, %%r9\n"
                     "movabs $0x1010101010101010, %%r10\n"
                     "movabs $0x1111111111111111, %%r11\n"
                     "movabs $0x1212121212121212, %%r12\n"
                     "movabs $0x1313131313131313, %%r13\n"
                     "movabs $0x1414141414141414, %%r14\n"
                     "movabs $0x1515151515151515, %%r15\n"
                     "movabs $0x0d0d0d0d0d0d0d0d, %%rdi\n"
                     "movabs $0x0e0e0e0e0e0e0e0e, %%rsi\n"
                     "movabs $0x0b0b0b0b0b0b0b0b, %%rbp\n"
                     "movabs $0x0a0a0a0a0a0a0a0a, %%rbx\n"
                     "movabs $0x0c0c0c0c0c0c0c0c, %%rdx\n"
                     "movabs $0x0101010101010101, %%rax\n"
                     "movabs $0x0f0f0f0f0f0f0f0f, %%rcx\n"
                     "clc\n"
                     "ud2\n"
                     "setc cf_out(%%rip)\n"
                     "mov %%r8, regs_out+0(%%rip)\n"
                     "mov %%r9, regs_out+8(%%rip)\n"
                     "mov %%r10, regs_out+16(%%rip)\n"
                     "mov %%r11, regs_out+24(%%rip)\n"
                     "mov %%r12, regs_out+32(%%rip)\n"
                     "mov %%r13, regs_out+40(%%rip)\n"
                     "mov %%r14, regs_out+48(%%rip)\n"
                     "mov %%r15, regs_out+56(%%rip)\n"
                     "mov %%rdi, regs_out+64(%%rip)\n"
                     "mov %%rsi, regs_out+72(%%rip)\n"
                     "mov %%rbp, regs_out+80(%%rip)\n"
                     "mov %%rbx, regs_out+88(%%rip)\n"
                     "mov %%rdx, regs_out+96(%%rip)\n"
                     "mov %%rax, regs_out+104(%%rip)\n"
                     "mov %%rcx, regs_out+112(%%rip)\n"
                     "pop %%r15\n"
                     "pop %%r14\n"
                     "pop %%r13\n"
                     "pop %%r12\n"
                     "pop %%rbp\n"
                     "pop %%rbx\n"
                     "lea 128(%%rsp), %%rsp\n"
                     :
                     :
                     : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
}

/* --- one exception of each kind --- */
static volatile int last_sig, last_code;
static volatile uintptr_t last_addr;
static volatile long long last_trapno, last_err, last_cr2, last_rip;

static void report_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    last_sig = sig;
    last_code = si->si_code;
    last_addr = (uintptr_t)si->si_addr;
    last_trapno = g[REG_TRAPNO];
    last_err = g[REG_ERR];
    last_cr2 = g[REG_CR2];
    last_rip = g[REG_RIP];
    /* Resume after the instruction: the length is known from its first byte. */
    const unsigned char *ip = (const unsigned char *)g[REG_RIP];
    if (sig == SIGTRAP)
        return; /* int3: RIP is already past it */
    g[REG_RIP] += ip[0] == 0xf4 ? 1 : 2;
}

extern const char insn_div[], insn_ud2[], insn_read[], insn_hlt[], insn_int3[], insn_int3_after[];

/* noinline, noclone: the global labels in the asm must exist exactly once. */
__attribute__((noinline, noclone)) static void run(const char *what, int kind, const char *insn)
{
    last_sig = 0;
    switch (kind) {
    case 0:
        __asm__ volatile("xor %%ecx, %%ecx\n mov $1, %%eax\n xor %%edx, %%edx\n"
                         ".globl insn_div\ninsn_div: .byte 0xf7, 0xf9\n" ::: "rax", "rcx", "rdx", "cc");
        break;
    case 1:
        __asm__ volatile(".globl insn_ud2\ninsn_ud2: ud2\n" ::: "memory");
        break;
    case 2:
        __asm__ volatile("mov $0x10, %%eax\n.globl insn_read\ninsn_read: .byte 0x8b, 0x00\n" ::: "rax", "memory");
        break;
    case 3:
        __asm__ volatile(".globl insn_hlt\ninsn_hlt: hlt\n" ::: "memory");
        break;
    case 4:
        __asm__ volatile(".globl insn_int3\ninsn_int3: int3\n.globl insn_int3_after\ninsn_int3_after:\n" ::: "memory");
        break;
    }
    printf("%-22s signal %2d si_code %#4x si_addr %-10s trapno %2lld err %lld, RIP %s, CR2 %s\n", what, last_sig,
           last_code,
           last_addr == 0 ? "0" : last_addr == (uintptr_t)insn ? "the insn" : last_addr == 0x10 ? "0x10" : "other",
           last_trapno, last_err,
           last_rip == (long long)(uintptr_t)insn ? "at the insn" : kind == 4 && last_rip == (long long)(uintptr_t)insn_int3_after ? "after it" : "elsewhere",
           last_cr2 == 0x10 ? "0x10" : last_cr2 == 0 ? "0" : "other");
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = roundtrip_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGILL, &sa, NULL);
    printf("register round trip:\n");
    roundtrip();
    printf("  registers wrong in the frame: %d\n", wrong_in_frame);
    int changed = 0;
    for (int i = 0; i < 15; ++i)
        if (regs_out[i] == (unsigned long)~expected[checked[i]])
            ++changed;
        else
            printf("  %s after: %#lx\n", names[i], regs_out[i]);
    printf("  registers the handler's values after rt_sigreturn: %d of 15, CF set: %d\n", changed, cf_out);

    sa.sa_sigaction = report_handler;
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    /* The page fault first: before it, REG_CR2 is whatever the thread inherited. */
    run("#PF (read of 0x10)", 2, insn_read);
    run("#DE (idiv by zero)", 0, insn_div);
    run("#UD (ud2)", 1, insn_ud2);
    run("#GP (hlt)", 3, insn_hlt);
    run("#BP (int3)", 4, insn_int3);
    run("#UD again", 1, insn_ud2);
    return 0;
}
