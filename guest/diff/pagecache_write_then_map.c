/* write() and the page cache seen through mappings: bytes written with write/pwrite/writev
 * appear in an existing MAP_SHARED mapping immediately; a MAP_PRIVATE mapping also sees
 * them on pages it has only read (they are still the page-cache pages) but not on pages it
 * has stored to (its private copies); a mapping made longer than the file gets SIGBUS past
 * EOF until write() extends the file, after which the same address works. */
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
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096ul

static sigjmp_buf env;
static volatile int got_sig, got_code;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = si->si_code;
    siglongjmp(env, 1);
}

static void probe(const char *what, volatile char *a)
{
    got_sig = 0;
    if (sigsetjmp(env, 1) == 0) {
        char c = *a;
        printf("%s: reads %d\n", what, c);
    } else {
        printf("%s: %s si_code %s\n", what, got_sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
               got_code == BUS_ADRERR ? "BUS_ADRERR" : "other");
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

    char path[] = "/tmp/faultline-pagecache-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static char zero[2 * 4096];
    write(fd, zero, sizeof zero); /* 2 pages */

    volatile char *s = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    volatile char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (s == MAP_FAILED || p == MAP_FAILED)
        return 1;
    char c = p[0] + p[PAGE]; /* both private pages read: mapped from the page cache */
    p[PAGE + 8] = (char)(c + 'x'); /* page 1 gets a private copy */

    lseek(fd, 0, SEEK_SET);
    write(fd, "write", 5);
    pwrite(fd, "pwrite", 6, 100);
    struct iovec iov[2] = {{"wri", 3}, {"tev", 3}};
    lseek(fd, PAGE, SEEK_SET);
    writev(fd, iov, 2);
    printf("shared sees write: %.5s, pwrite: %.6s, writev: %.6s\n", s, s + 100, s + PAGE);
    printf("private, read-only page sees write: %.5s, pwrite: %.6s\n", p, p + 100);
    printf("private, copied page sees writev: %s (byte 8 is its own store: %c)\n",
           memcmp((const char *)p + PAGE, "writev", 6) == 0 ? "yes" : "no", p[PAGE + 8]);

    probe("shared page 2 (past EOF)", s + 2 * PAGE);
    pwrite(fd, "grown", 5, 2 * PAGE + 10);
    probe("shared page 2 after pwrite extended the file", s + 2 * PAGE + 10);
    printf("extension visible: %.5s\n", s + 2 * PAGE + 10);
    probe("shared page 3 (still past EOF)", s + 3 * PAGE);

    close(fd);
    return 0;
}
