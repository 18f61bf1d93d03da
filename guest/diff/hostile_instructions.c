/* Control transfers and instructions a user program may not make: jumps and returns to
 * non-canonical addresses (SIGSEGV, SI_KERNEL, si_addr 0: a #GP) and to kernel-half or
 * unmapped canonical ones (SEGV_MAPERR at the address), a read of a non-canonical address,
 * ud2 (SIGILL), hlt, cli, in, out, mov from %cr3 and int $0x81 (SIGSEGV, SI_KERNEL), int3
 * (SIGTRAP). Each is caught by a handler and the program goes on. (The vsyscall page is left
 * out: what a jump there does depends on the host's vsyscall= setting.) */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <stdint.h>
static sigjmp_buf jb;
int main(void);
static void h(int sig, siginfo_t* si, void* uc) {
  (void)uc;
  /* An address in the program is shown relative to main (a PIE is loaded at random natively). */
  intptr_t off = (intptr_t)si->si_addr - (intptr_t)&main;
  if (off > -(1 << 20) && off < (1 << 20))
    printf("  sig %d code %d addr main%+ld\n", sig, si->si_code, (long)off);
  else
    printf("  sig %d code %d addr %p\n", sig, si->si_code, si->si_addr);
  siglongjmp(jb, 1);
}
int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, 0); sigaction(SIGBUS, &sa, 0); sigaction(SIGILL, &sa, 0); sigaction(SIGTRAP, &sa, 0);
  uint64_t targets[] = {0x0000800000000000ull, 0xfffffffffffff000ull, 0x8000000000000000ull, 0xffff800000000000ull, 0x00007ffffffff000ull, 0x1000, 0};
  for (int i = 0; targets[i] || i == 6; ++i) {
    printf("jmp %#llx\n", (unsigned long long)targets[i]);
    if (!sigsetjmp(jb, 1)) ((void (*)(void))targets[i])();
    if (i == 6) break;
  }
  for (int i = 0; i < 4; ++i) {
    printf("ret to %#llx\n", (unsigned long long)targets[i]);
    if (!sigsetjmp(jb, 1)) __asm__ volatile("push %0; ret" :: "r"(targets[i]));
  }
  printf("read %#llx\n", 0x0000800000000000ull);
  if (!sigsetjmp(jb, 1)) { volatile char* p = (char*)0x0000800000000000ull; (void)*p; }
  printf("ud2\n"); if (!sigsetjmp(jb, 1)) __asm__ volatile("ud2");
  printf("hlt\n"); if (!sigsetjmp(jb, 1)) __asm__ volatile("hlt");
  printf("int3\n"); if (!sigsetjmp(jb, 1)) __asm__ volatile("int3");
  printf("cli\n"); if (!sigsetjmp(jb, 1)) __asm__ volatile("cli");
  printf("in\n"); if (!sigsetjmp(jb, 1)) __asm__ volatile("inb $0x80, %al");
  printf("out\n"); if (!sigsetjmp(jb, 1)) __asm__ volatile("outb %al, $0x80");
  printf("mov cr3\n"); if (!sigsetjmp(jb, 1)) __asm__ volatile("mov %%cr3, %%rax" ::: "rax");
  printf("int $0x81\n"); if (!sigsetjmp(jb, 1)) __asm__ volatile("int $0x81");
  printf("done\n");
  return 0;
}
