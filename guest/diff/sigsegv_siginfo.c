/* SIGSEGV with SA_SIGINFO, recovered with siglongjmp: si_signo, si_code and whether si_addr
 * is the faulting address, for a read of NULL and of an unmapped page (SEGV_MAPERR), a write
 * to a PROT_READ page and a read of a PROT_NONE page (SEGV_ACCERR), a jump into a
 * non-executable page (SEGV_ACCERR, si_addr = the target), a write past the end of a
 * mapping (SEGV_MAPERR at the first byte of the next page), a read of a kernel or
 * non-canonical address (si_code SI_KERNEL, si_addr 0: the #GP of a non-canonical address;
 * a canonical kernel address is a page fault: SEGV_MAPERR with si_addr). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ul

static sigjmp_buf env;
static volatile int got_signo, got_code, got_errno;
static void *volatile got_addr;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_signo = si->si_signo == sig ? sig : -1;
    got_code = si->si_code;
    got_errno = si->si_errno;
    got_addr = si->si_addr;
    siglongjmp(env, 1);
}

static const char *code_name(int c)
{
    switch (c) {
    case SEGV_MAPERR: return "SEGV_MAPERR";
    case SEGV_ACCERR: return "SEGV_ACCERR";
    case SI_KERNEL: return "SI_KERNEL";
    default: return "other";
    }
}

static void report(const char *what, const void *expect)
{
    printf("%-40s: signo %d (%s) code %s si_addr %s si_errno %d\n", what, got_signo,
           got_signo == SIGSEGV ? "SIGSEGV" : "?", code_name(got_code),
           got_addr == expect ? "== expected" : got_addr == NULL ? "NULL" : "!= expected", got_errno);
}

#define FAULT(what, expect, stmt)                   \
    do {                                            \
        got_signo = 0;                              \
        if (sigsetjmp(env, 1) == 0) {               \
            stmt;                                   \
            printf("%-40s: no fault\n", what);      \
        } else {                                    \
            report(what, expect);                   \
        }                                           \
    } while (0)

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    unsigned char *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(m + PAGE, PAGE, PROT_READ);
    mprotect(m + 2 * PAGE, PAGE, PROT_NONE);
    munmap(m + 3 * PAGE, PAGE);
    volatile unsigned char *v = m;

    /* Addresses come from a volatile variable so the compiler cannot see them. */
    static volatile uintptr_t zero = 0;
    FAULT("read NULL", (void *)0, (void)*(volatile int *)zero);
    FAULT("read NULL+0x10", (void *)0x10, (void)*(volatile int *)(zero + 0x10));
    FAULT("read unmapped page + 123", m + 3 * PAGE + 123, (void)v[3 * PAGE + 123]);
    FAULT("write PROT_READ page + 5", m + PAGE + 5, v[PAGE + 5] = 1);
    FAULT("read PROT_NONE page + 77", m + 2 * PAGE + 77, (void)v[2 * PAGE + 77]);
    FAULT("write PROT_NONE page", m + 2 * PAGE, v[2 * PAGE] = 1);
    /* 8-byte store straddling rw page 0 and read-only page 1: faults at page 1's start. */
    FAULT("8-byte store straddling into read-only", m + PAGE, *(volatile uint64_t *)(m + PAGE - 4) = 0);
    void (*fn)(void) = (void (*)(void))(m + 16);
    m[16] = 0xC3; /* ret, but the page is not executable */
    FAULT("call into a non-executable page", m + 16, fn());
    FAULT("read kernel address", (void *)0xffff800000001000ul, (void)*(volatile int *)(zero + 0xffff800000001000ul));
    FAULT("read first non-canonical address", (void *)0, (void)*(volatile int *)(zero + 0x0000800000000000ul));
    FAULT("read user-space top page (unmapped)", (void *)0x7ffffffff000ul,
          (void)*(volatile int *)(zero + 0x7ffffffff000ul));
    printf("page 0 unchanged by the straddling store: %s\n", m[PAGE - 4] == 0 ? "yes" : "no");

    /* The same handler works many times in a row. */
    int n = 0;
    for (int i = 0; i < 200; i++) {
        got_signo = 0;
        if (sigsetjmp(env, 1) == 0)
            v[PAGE + i] = 1;
        n += got_signo == SIGSEGV && got_code == SEGV_ACCERR && got_addr == m + PAGE + i;
    }
    printf("200 repeated write faults, all SEGV_ACCERR with the exact address: %d\n", n);
    return 0;
}
