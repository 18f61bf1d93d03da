/* rt_sigprocmask: a blocked signal raised with kill() stays pending (sigpending shows it,
 * the handler does not run), several raises of a standard signal merge into one delivery,
 * a real-time signal (SIGRTMIN+5 as a raw number, 39) queues every raise; unblocking
 * delivers before sigprocmask returns; SIGKILL and SIGSTOP cannot be blocked; invalid "how"
 * and a wrong sigsetsize are EINVAL; inside a handler the handled signal is blocked (unless
 * SA_NODEFER) along with sa_mask, and the old mask is restored when it returns. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

#define RT 39

static volatile int usr1_count, rt_count, usr2_count;
static volatile int usr2_blocked_in_handler, term_blocked_in_handler, usr1_blocked_in_nodefer;

static uint64_t kmask(void)
{
    uint64_t m = 0;
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
    return m;
}

static int has(uint64_t m, int sig) { return (m >> (sig - 1)) & 1; }

static void on_usr1(int sig)
{
    (void)sig;
    usr1_count++;
    usr1_blocked_in_nodefer = has(kmask(), SIGUSR1);
}
static void on_rt(int sig) { (void)sig; rt_count++; }
static void on_usr2(int sig)
{
    (void)sig;
    usr2_count++;
    uint64_t m = kmask();
    usr2_blocked_in_handler = has(m, SIGUSR2);
    term_blocked_in_handler = has(m, SIGTERM);
}

static void pending(const char *what)
{
    sigset_t p;
    sigpending(&p);
    printf("%s: pending USR1 %d, RT %d\n", what, sigismember(&p, SIGUSR1), sigismember(&p, RT));
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_rt;
    sa.sa_flags = 0;
    sigaction(RT, &sa, NULL);
    sa.sa_handler = on_usr2;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaction(SIGUSR2, &sa, NULL);

    uint64_t block = (1ull << (SIGUSR1 - 1)) | (1ull << (RT - 1));
    uint64_t old = 0;
    long r = syscall(SYS_rt_sigprocmask, SIG_BLOCK, &block, &old, 8);
    printf("block USR1 and RT: %s, old mask empty: %s\n", r == 0 ? "ok" : ename(errno), old == 0 ? "yes" : "no");
    for (int i = 0; i < 3; i++) {
        kill(getpid(), SIGUSR1);
        kill(getpid(), RT);
    }
    printf("after 3 raises of each while blocked: USR1 handler ran %d, RT handler ran %d\n", usr1_count, rt_count);
    pending("while blocked");
    uint64_t unblock = block;
    syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &unblock, NULL, 8);
    printf("after unblocking: USR1 handler ran %d (merged), RT handler ran %d (queued)\n", usr1_count, rt_count);
    pending("after unblocking");
    printf("USR1 blocked inside its SA_NODEFER handler: %d\n", usr1_blocked_in_nodefer);

    kill(getpid(), SIGUSR2);
    printf("USR2 handler ran %d; inside it USR2 blocked %d, TERM (sa_mask) blocked %d\n", usr2_count,
           usr2_blocked_in_handler, term_blocked_in_handler);
    printf("mask after the handler returned is empty: %s\n", kmask() == 0 ? "yes" : "no");

    uint64_t killstop = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)) | (1ull << (SIGTERM - 1));
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &killstop, NULL, 8);
    uint64_t now = kmask();
    printf("SETMASK KILL|STOP|TERM: KILL %d STOP %d TERM %d\n", has(now, SIGKILL), has(now, SIGSTOP), has(now, SIGTERM));
    r = syscall(SYS_rt_sigprocmask, 7, &block, NULL, 8);
    printf("how = 7: %s\n", r == 0 ? "ok" : ename(errno));
    r = syscall(SYS_rt_sigprocmask, SIG_BLOCK, &block, NULL, 4);
    printf("sigsetsize 4: %s\n", r == 0 ? "ok" : ename(errno));
    r = syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 8);
    printf("NULL set and oldset: %s\n", r == 0 ? "ok" : ename(errno));
    sigset_t ss;
    sigemptyset(&ss);
    sigprocmask(SIG_SETMASK, &ss, NULL);
    printf("final mask empty: %s\n", kmask() == 0 ? "yes" : "no");
    return 0;
}
