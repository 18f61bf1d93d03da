/* The ucontext handed to an SA_SIGINFO SIGSEGV handler: uc_mcontext.gregs[REG_RIP] is the
 * address of the faulting instruction (compared with an assembly label), REG_TRAPNO is 14
 * (page fault), REG_ERR is the page-fault error code (printed: user|write|present bits),
 * REG_CR2 equals si_addr, and REG_RDI holds the pointer the instruction used; for a write
 * to a read-only page (never touched: error code "not present"; after a read has mapped the
 * zero page: "present"), a read and a write of an unmapped page. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define PAGE 4096ul

void store_byte(volatile unsigned char *p);
unsigned char load_byte(volatile unsigned char *p);
extern const char store_insn[], load_insn[];
__asm__(".text\n"
        ".globl store_byte\n.type store_byte,@function\n"
        "store_byte:\n"
        ".globl store_insn\n"
        "store_insn:\n"
        "  movb $1, (%rdi)\n"
        "  ret\n"
        ".size store_byte, .-store_byte\n"
        ".globl load_byte\n.type load_byte,@function\n"
        "load_byte:\n"
        ".globl load_insn\n"
        "load_insn:\n"
        "  movzbl (%rdi), %eax\n"
        "  ret\n"
        ".size load_byte, .-load_byte\n");

static sigjmp_buf env;
static volatile greg_t rip, trapno, err, cr2, rdi;
static void *volatile addr;

static void handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    rip = uc->uc_mcontext.gregs[REG_RIP];
    trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    err = uc->uc_mcontext.gregs[REG_ERR];
    cr2 = uc->uc_mcontext.gregs[REG_CR2];
    rdi = uc->uc_mcontext.gregs[REG_RDI];
    addr = si->si_addr;
    siglongjmp(env, 1);
}

static void report(const char *what, const char *insn, const void *target)
{
    printf("%-28s: RIP at the instruction: %s, trapno %ld, err %#lx (%s%s%s), CR2 == si_addr: %s, "
           "si_addr == target: %s, RDI == target: %s\n",
           what, (const char *)rip == insn ? "yes" : "no", (long)trapno, (long)err, err & 4 ? "user" : "kernel",
           err & 2 ? "|write" : "|read", err & 1 ? "|present" : "|not-present",
           (void *)cr2 == addr ? "yes" : "no", addr == target ? "yes" : "no",
           (const void *)rdi == target ? "yes" : "no");
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    unsigned char *m = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m + PAGE, PAGE);
    if (sigsetjmp(env, 1) == 0)
        store_byte(m + 100);
    else
        report("write to a read-only page", store_insn, m + 100);
    (void)load_byte(m + 200); /* maps the zero page: now the PTE is present */
    if (sigsetjmp(env, 1) == 0)
        store_byte(m + 300);
    else
        report("write to a read, ro page", store_insn, m + 300);
    if (sigsetjmp(env, 1) == 0)
        (void)load_byte(m + PAGE + 8);
    else
        report("read of an unmapped page", load_insn, m + PAGE + 8);
    if (sigsetjmp(env, 1) == 0)
        store_byte(m + PAGE + 9);
    else
        report("write to an unmapped page", store_insn, m + PAGE + 9);
    printf("reads of the read-only page still work: %d\n", load_byte(m + 100));
    return 0;
}
