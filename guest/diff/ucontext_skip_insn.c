/* Changing the saved context in a signal handler and returning: a SIGILL handler skips the
 * 2-byte ud2 (REG_RIP += 2) and sets REG_RAX, so the function continues after the ud2 with
 * the handler's value; a SIGSEGV handler skips a faulting load (REG_RIP = label after it)
 * and puts a substitute value in the destination register; 1000 rounds each. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

long ud2_then_add(long x);
long guarded_load(const long *p);
extern const char ud2_at[], load_at[], after_load[];
__asm__(".text\n"
        ".globl ud2_then_add\n.type ud2_then_add,@function\n"
        "ud2_then_add:\n"
        "  mov %rdi, %rax\n"
        ".globl ud2_at\n"
        "ud2_at:\n"
        "  ud2\n"
        "  add $1000, %rax\n"
        "  ret\n"
        ".size ud2_then_add, .-ud2_then_add\n"
        ".globl guarded_load\n.type guarded_load,@function\n"
        "guarded_load:\n"
        ".globl load_at\n"
        "load_at:\n"
        "  mov (%rdi), %rax\n"
        ".globl after_load\n"
        "after_load:\n"
        "  ret\n"
        ".size guarded_load, .-guarded_load\n");

static volatile int ill_count, segv_count, ill_rip_ok, segv_rip_ok;

static void on_ill(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si;
    ucontext_t *uc = ucv;
    ill_rip_ok += (const char *)uc->uc_mcontext.gregs[REG_RIP] == ud2_at;
    uc->uc_mcontext.gregs[REG_RAX] *= 2; /* visible after return */
    uc->uc_mcontext.gregs[REG_RIP] += 2; /* skip the ud2 */
    ill_count++;
}

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si;
    ucontext_t *uc = ucv;
    segv_rip_ok += (const char *)uc->uc_mcontext.gregs[REG_RIP] == load_at;
    uc->uc_mcontext.gregs[REG_RAX] = -1;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)after_load;
    segv_count++;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_ill;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, NULL);
    sa.sa_sigaction = on_segv;
    sigaction(SIGSEGV, &sa, NULL);

    long sum = 0;
    for (long i = 0; i < 1000; i++)
        sum += ud2_then_add(i); /* (i * 2) + 1000 */
    printf("ud2 skipped 1000 times: handler ran %d, RIP at the ud2 %d, sum %ld (expected %ld)\n", ill_count,
           ill_rip_ok, sum, 999L * 1000 + 1000L * 1000);

    long *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m[0] = 7;
    munmap((char *)m + 4096, 4096);
    sum = 0;
    for (int i = 0; i < 1000; i++)
        sum += guarded_load(i & 1 ? m : (const long *)((char *)m + 4096 + 8 * (i % 512)));
    printf("faulting loads skipped: handler ran %d, RIP at the load %d, sum %ld (expected %d)\n", segv_count,
           segv_rip_ok, sum, 500 * 7 - 500);
    return 0;
}
