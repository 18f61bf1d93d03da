/* A synchronous SIGSEGV while SIGSEGV is blocked cannot be held pending: the kernel
 * (force_sig_info) unblocks it, resets the handler to SIG_DFL and the process dies of
 * SIGSEGV (exit status 139); the installed handler never runs, so its message must not
 * appear. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static void handler(int sig)
{
    (void)sig;
    static const char msg[] = "handler ran (wrong)\n";
    fwrite(msg, 1, sizeof msg - 1, stdout);
    fflush(stdout);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigaction(SIGSEGV, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigprocmask(SIG_BLOCK, &set, NULL);
    volatile unsigned char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("SIGSEGV blocked, handler installed; writing to a read-only page\n");
    fflush(stdout);
    p[0] = 1;
    printf("survived the fault (wrong)\n");
    return 0;
}
