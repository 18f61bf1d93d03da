/* Mapping a file whose size is not a page multiple (5000 bytes): the rest of the last
 * page reads as zero (and is writable in a shared mapping without changing the file or
 * its size), the next page is SIGBUS with si_code BUS_ADRERR, an empty file maps but any
 * access is SIGBUS (also for an older mapping once the file is truncated to 0), a mapping at
 * an offset past EOF is SIGBUS at once. */
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
#include <sys/stat.h>
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

static void rd(const char *what, volatile unsigned char *a)
{
    got_sig = 0;
    if (sigsetjmp(env, 1) == 0)
        printf("%-46s: reads %02x\n", what, *a);
    else
        printf("%-46s: %s %s\n", what, got_sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
               got_code == BUS_ADRERR ? "BUS_ADRERR" : got_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other");
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);

    char path[] = "/tmp/faultline-eof-XXXXXX";
    int fd = mkstemp(path);
    static unsigned char data[5000];
    memset(data, 0xC3, sizeof data);
    write(fd, data, sizeof data);
    int efd = open(path, O_RDWR);
    unlink(path); /* the name is not needed any more */

    volatile unsigned char *p = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    volatile unsigned char *s = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED || s == MAP_FAILED)
        return 1;
    rd("private byte 4999 (last in file)", p + 4999);
    rd("private byte 5000 (first past EOF)", p + 5000);
    rd("private byte 8191 (end of page 1)", p + 8191);
    rd("private byte 8192 (page 2)", p + 8192);
    rd("private byte 12287 (end of mapping)", p + 12287);
    s[6000] = 0x5A;
    rd("shared byte 6000 after a store", s + 6000);
    struct stat st;
    fstat(fd, &st);
    printf("file size after store past EOF: %lld\n", (long long)st.st_size);
    unsigned char b[8];
    printf("read() at 6000: %zd\n", pread(fd, b, 1, 6000));
    rd("shared byte 8192 (page 2)", s + 8192);

    ftruncate(efd, 0);
    volatile unsigned char *e = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, efd, 0);
    printf("mmap of an empty file: %s\n", e == MAP_FAILED ? "failed" : "ok");
    if (e != MAP_FAILED)
        rd("empty file byte 0", e);
    rd("older mapping byte 0 after truncation", p);

    write(efd, data, 100);
    volatile unsigned char *o = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, efd, 4 * PAGE);
    printf("mmap at offset 4 pages of a 100-byte file: %s\n", o == MAP_FAILED ? "failed" : "ok");
    if (o != MAP_FAILED)
        rd("its byte 0", o);
    close(fd);
    close(efd);
    return 0;
}
