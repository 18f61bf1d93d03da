/* Thousands of CPU exceptions of mixed kinds, each handled and resumed through
 * rt_sigreturn (the handler moves REG_RIP past the faulting instruction; no longjmp):
 * divide error (SIGFPE), ud2 (SIGILL), a NULL read (SIGSEGV), hlt (#GP: SIGSEGV), int3
 * (SIGTRAP), and a write to a read-only page (SIGSEGV SEGV_ACCERR). Every delivery must
 * carry the right signal and si_code, in whatever order they come. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define KINDS 6
static const int want_sig[KINDS] = {SIGFPE, SIGILL, SIGSEGV, SIGSEGV, SIGTRAP, SIGSEGV};
static const int want_code[KINDS] = {FPE_INTDIV, ILL_ILLOPN, SEGV_MAPERR, 0x80, 0x80, SEGV_ACCERR};
static const char *const kind_name[KINDS] = {"idiv by zero", "ud2", "NULL read", "hlt", "int3", "read-only write"};

static volatile int got_sig, got_code, deliveries;
static int counts[KINDS], wrong[KINDS];
static char *ro_page;

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    got_sig = sig;
    got_code = si->si_code;
    ++deliveries;
    if (sig == SIGTRAP)
        return; /* int3 leaves RIP after it */
    const unsigned char *ip = (const unsigned char *)g[REG_RIP];
    g[REG_RIP] += ip[0] == 0xf4 ? 1 : 2; /* hlt is 1 byte; idiv ecx, ud2, mov eax,[rax], mov [rax],al are 2 */
}

__attribute__((noinline, noclone)) static void fault(int kind)
{
    switch (kind) {
    case 0:
        __asm__ volatile("xor %%ecx, %%ecx\n mov $7, %%eax\n xor %%edx, %%edx\n .byte 0xf7, 0xf9\n" ::: "rax", "rcx",
                         "rdx", "cc");
        break;
    case 1: __asm__ volatile("ud2" ::: "memory"); break;
    case 2: __asm__ volatile("xor %%eax, %%eax\n .byte 0x8b, 0x00\n" ::: "rax", "memory"); break;
    case 3: __asm__ volatile("hlt" ::: "memory"); break;
    case 4: __asm__ volatile("int3" ::: "memory"); break;
    case 5: __asm__ volatile(".byte 0x88, 0x00\n" : : "a"(ro_page) : "memory"); break; /* mov [rax], al */
    }
}

int main(void)
{
    ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    for (int s = 1; s < 32; ++s)
        if (s == SIGFPE || s == SIGILL || s == SIGSEGV || s == SIGTRAP)
            sigaction(s, &sa, NULL);

    unsigned x = 12345;
    for (int i = 0; i < 6000; ++i) {
        x = x * 1103515245u + 12345u;
        const int kind = (i < KINDS) ? i : (int)((x >> 16) % KINDS);
        got_sig = got_code = 0;
        fault(kind);
        ++counts[kind];
        if (got_sig != want_sig[kind] || got_code != want_code[kind]) {
            if (wrong[kind]++ < 3)
                printf("iteration %d, %s: signal %d si_code %#x\n", i, kind_name[kind], got_sig, got_code);
        }
    }
    printf("deliveries: %d\n", deliveries);
    for (int k = 0; k < KINDS; ++k)
        printf("%-16s %4d times, wrong %d\n", kind_name[k], counts[k], wrong[k]);
    return 0;
}
