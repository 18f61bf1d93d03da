/* A shared file mapping whose file is truncated under it: pages wholly past the new EOF
 * give SIGBUS (si_code BUS_ADRERR, si_addr = the faulting byte) on read and on write,
 * the page holding the new EOF still works (its tail reads zero), and after ftruncate
 * grows the file again the pages are accessible and read zero. The same holds for a
 * MAP_PRIVATE mapping, even on a page it had copied before the truncation: truncation
 * unmaps private copies too (unmap_mapping_range with even_cows), so that access is SIGBUS
 * as well, and after regrowth the page shows the file again. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ul

static sigjmp_buf env;
static volatile int got_sig, got_code;
static void *volatile got_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = si->si_addr;
    siglongjmp(env, 1);
}

static void access_at(const char *what, volatile unsigned char *a, int write)
{
    got_sig = 0;
    if (sigsetjmp(env, 1) == 0) {
        if (write) {
            *a = 0x77;
            printf("%-44s: ok\n", what);
        } else {
            printf("%-44s: ok, reads %02x\n", what, *a);
        }
    } else {
        printf("%-44s: %s %s si_addr %s\n", what, got_sig == SIGBUS ? "SIGBUS" : got_sig == SIGSEGV ? "SIGSEGV" : "?",
               got_code == BUS_ADRERR ? "BUS_ADRERR" : "other",
               got_addr == (void *)a ? "= faulting byte" : "!= faulting byte");
    }
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);

    char path[] = "/tmp/faultline-sigbus-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static unsigned char data[4 * 4096];
    memset(data, 0xAB, sizeof data);
    write(fd, data, sizeof data);
    volatile unsigned char *s = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    volatile unsigned char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (s == MAP_FAILED || p == MAP_FAILED)
        return 1;
    access_at("shared page 3 before truncation", s + 3 * PAGE + 5, 0);
    p[3 * PAGE] = 0x11; /* a private copy of page 3 */
    access_at("private page 3 (copied) before truncation", p + 3 * PAGE, 0);

    printf("ftruncate to 1.5 pages: %s\n", ftruncate(fd, PAGE + PAGE / 2) == 0 ? "ok" : "failed");
    access_at("shared page 0", s + 10, 0);
    access_at("shared page 1 below EOF", s + PAGE + 100, 0);
    access_at("shared page 1 above EOF (same page)", s + PAGE + PAGE / 2 + 100, 0);
    access_at("shared page 2, read", s + 2 * PAGE + 123, 0);
    access_at("shared page 3, write", s + 3 * PAGE + 7, 1);
    access_at("private page 2, read", p + 2 * PAGE + 9, 0);
    access_at("private page 3 (was copied), read", p + 3 * PAGE, 0);
    access_at("private page 1 above EOF", p + PAGE + PAGE / 2, 0);

    printf("ftruncate to 4 pages: %s\n", ftruncate(fd, 4 * PAGE) == 0 ? "ok" : "failed");
    access_at("shared page 2 after regrowth", s + 2 * PAGE + 123, 0);
    access_at("shared page 3 after regrowth, write", s + 3 * PAGE + 7, 1);
    access_at("private page 3 after regrowth", p + 3 * PAGE + 7, 0);
    access_at("shared page 1 above old EOF", s + PAGE + PAGE / 2 + 100, 0);
    close(fd);
    return 0;
}
