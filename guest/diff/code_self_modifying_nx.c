/* Self-modifying code and code in memory that is not executable: an RWX page rewritten and
 * called 1000 times; W^X (write, mprotect RX, call, and again); an instruction patching the
 * one right after it in the same block; a file mapped twice, written through the writable
 * view and run through the executable one (translated code must not outlive a write through
 * an alias); then calls into memory without PROT_EXEC (anonymous, stack, heap, after
 * mprotect PROT_READ/PROT_NONE: SIGSEGV, SEGV_ACCERR at the code) and after munmap
 * (SEGV_MAPERR). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <fcntl.h>

typedef int (*fn)(void);
static sigjmp_buf jb;
static volatile void* expect_addr;

static void on_segv(int sig, siginfo_t* si, void* uc) {
    (void)uc;
    printf("  signal %d code %s addr %s\n", sig, si->si_code == SEGV_ACCERR ? "SEGV_ACCERR" : si->si_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other",
           si->si_addr == expect_addr ? "= the code" : "elsewhere");
    siglongjmp(jb, 1);
}

/* mov eax, imm32; ret */
static void emit_ret(unsigned char* p, uint32_t v) {
    p[0] = 0xb8; memcpy(p + 1, &v, 4); p[5] = 0xc3;
}

static void try_call(const char* what, void* code) {
    printf("%s\n", what);
    expect_addr = code;
    if (!sigsetjmp(jb, 1)) {
        int r = ((fn)code)();
        printf("  returned %d\n", r);
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa; memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv; sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);

    /* 1. RWX: rewrite and call again, many times. */
    unsigned char* rwx = mmap(NULL, pg, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    long sum = 0;
    for (int i = 0; i < 1000; ++i) { emit_ret(rwx, (uint32_t)i); sum += ((fn)rwx)(); }
    printf("rwx rewritten 1000 times: sum %ld (expected %d)\n", sum, 999 * 1000 / 2);

    /* 2. W^X: write, mprotect RX, call; back to RW, rewrite, RX, call. */
    unsigned char* wx = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    emit_ret(wx, 11); mprotect(wx, pg, PROT_READ | PROT_EXEC);
    try_call("w^x first", wx);
    mprotect(wx, pg, PROT_READ | PROT_WRITE); emit_ret(wx, 22); mprotect(wx, pg, PROT_READ | PROT_EXEC);
    try_call("w^x rewritten", wx);

    /* 3. Code that patches the instruction right after it (same block): mov byte [rip+1]... */
    unsigned char patch[] = {
        0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x07,  /* mov byte [rip+1], 7   (patches the imm8 below) */
        0xb0, 0x03,                                /* mov al, 3              -> becomes mov al, 7 */
        0x0f, 0xb6, 0xc0,                          /* movzx eax, al */
        0xc3 };
    memcpy(rwx, patch, sizeof patch);
    printf("patch the next instruction: %d (x86: 7)\n", ((fn)rwx)());

    /* 4. Two views of one file: write through a writable view, run through an executable one. */
    char path[] = "/tmp/faultline-smc-XXXXXX";
    int fd = mkstemp(path); unlink(path);
    ftruncate(fd, pg);
    unsigned char* w = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    unsigned char* x = mmap(NULL, pg, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    emit_ret(w, 33); try_call("alias first", x);
    emit_ret(w, 44); try_call("alias rewritten", x);

    /* 5. Executing what is not executable. */
    unsigned char* rw = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    emit_ret(rw, 55); try_call("mmap without PROT_EXEC", rw);
    unsigned char stack_code[16]; emit_ret(stack_code, 66); try_call("the stack", stack_code);
    unsigned char* heap = malloc(64); emit_ret(heap, 77); try_call("the heap", heap);
    mprotect(wx, pg, PROT_READ); try_call("after mprotect PROT_READ", wx);
    mprotect(wx, pg, PROT_NONE); try_call("after mprotect PROT_NONE", wx);
    munmap(wx, pg); try_call("after munmap", wx);
    printf("done\n");
    return 0;
}
