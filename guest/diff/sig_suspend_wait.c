/* Waiting for signals that are already pending (nothing else could send one): sigsuspend
 * runs the handler of a pending signal its mask lets through and returns -1/EINTR, the
 * handler runs with the suspend mask plus its own, and the old mask is back afterwards;
 * signals the suspend mask still blocks stay pending. sigpending reports pending blocked
 * signals; sigtimedwait and sigwaitinfo take pending signals without running handlers
 * (with their siginfo; real-time signals in order with their values) and time out with
 * EAGAIN when none is pending. Bad set sizes are EINVAL. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile int handled[65];
static sigset_t mask_in_handler;

static void handler(int sig)
{
    ++handled[sig];
    sigprocmask(SIG_SETMASK, NULL, &mask_in_handler);
}

static void print_set(const char *what, const sigset_t *s)
{
    printf("%s:", what);
    int any = 0;
    for (int sig = 1; sig < 32; ++sig)
        if (sigismember(s, sig)) {
            printf(" %d", sig);
            any = 1;
        }
    printf("%s\n", any ? "" : " (none)");
}

static void print_mask(const char *what)
{
    sigset_t s;
    sigprocmask(SIG_SETMASK, NULL, &s);
    print_set(what, &s);
}

static void print_pending(const char *what)
{
    sigset_t s;
    sigpending(&s);
    print_set(what, &s);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);

    sigset_t block, empty, only_usr1;
    sigemptyset(&empty);
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigaddset(&block, SIGHUP);
    sigemptyset(&only_usr1);
    sigaddset(&only_usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    print_mask("mask");

    raise(SIGUSR1);
    print_pending("pending after raise(SIGUSR1)");
    printf("handler ran: %d\n", handled[SIGUSR1]);

    errno = 0;
    int r = sigsuspend(&empty);
    printf("sigsuspend(empty) = %d, errno %s, handler ran: %d\n", r, errno == EINTR ? "EINTR" : strerror(errno),
           handled[SIGUSR1]);
    print_set("  mask inside the handler", &mask_in_handler);
    print_mask("  mask after sigsuspend");
    print_pending("  pending");

    raise(SIGUSR1);
    raise(SIGUSR2);
    r = sigsuspend(&only_usr1);
    printf("sigsuspend(SIGUSR1 blocked) with SIGUSR1 and SIGUSR2 pending = %d, handlers ran: USR1 %d USR2 %d\n", r,
           handled[SIGUSR1], handled[SIGUSR2]);
    print_set("  mask inside the handler", &mask_in_handler);
    print_pending("  still pending");
    sigset_t usr1set;
    sigemptyset(&usr1set);
    sigaddset(&usr1set, SIGUSR1);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int sig = sigwaitinfo(&usr1set, &si);
    printf("sigwaitinfo(SIGUSR1) = %d, si_signo %d, si_code %s, si_pid is me: %s; handler ran: %d\n", sig,
           si.si_signo, si.si_code == SI_TKILL ? "SI_TKILL" : si.si_code == SI_USER ? "SI_USER" : "?", si.si_pid == getpid() ? "yes" : "no",
           handled[SIGUSR1]);
    print_pending("  pending");

    struct timespec zero = {0, 0};
    errno = 0;
    sig = sigtimedwait(&usr1set, &si, &zero);
    printf("sigtimedwait with nothing pending, zero timeout = %d, errno %s\n", sig,
           errno == EAGAIN ? "EAGAIN" : strerror(errno));
    struct timespec short_wait = {0, 20 * 1000 * 1000};
    errno = 0;
    sig = sigtimedwait(&usr1set, &si, &short_wait);
    printf("sigtimedwait with nothing pending, 20 ms = %d, errno %s\n", sig,
           errno == EAGAIN ? "EAGAIN" : strerror(errno));
    struct timespec bad = {0, 2000000000};
    errno = 0;
    sig = sigtimedwait(&usr1set, &si, &bad);
    printf("sigtimedwait with tv_nsec 2e9 = %d, errno %s\n", sig, errno == EINVAL ? "EINVAL" : strerror(errno));

    /* Real-time signals queue, each with its value, and come out in order. */
    const int rt = SIGRTMIN + 3;
    sigset_t rtset;
    sigemptyset(&rtset);
    sigaddset(&rtset, rt);
    sigprocmask(SIG_BLOCK, &rtset, NULL);
    for (int v = 1; v <= 3; ++v)
        sigqueue(getpid(), rt, (union sigval){.sival_int = v * 100});
    for (int i = 0; i < 3; ++i) {
        sig = sigwaitinfo(&rtset, &si);
        printf("sigwaitinfo(SIGRTMIN+3) = SIGRTMIN+%d, si_code %s, value %d\n", sig - SIGRTMIN,
               si.si_code == SI_QUEUE ? "SI_QUEUE" : "?", si.si_value.sival_int);
    }
    errno = 0;
    sig = sigtimedwait(&rtset, &si, &zero);
    printf("then: %d, errno %s\n", sig, errno == EAGAIN ? "EAGAIN" : strerror(errno));

    /* Bad sizes. */
    unsigned long set8 = 0;
    errno = 0;
    long lr = syscall(SYS_rt_sigpending, &set8, 16);
    printf("rt_sigpending with sigsetsize 16 = %ld, errno %s\n", lr, errno == EINVAL ? "EINVAL" : strerror(errno));
    raise(SIGHUP);
    unsigned int half = 0;
    lr = syscall(SYS_rt_sigpending, &half, 4);
    printf("rt_sigpending with sigsetsize 4 = %ld, set %#x\n", lr, half);
    errno = 0;
    lr = syscall(SYS_rt_sigsuspend, &set8, 4);
    printf("rt_sigsuspend with sigsetsize 4 = %ld, errno %s\n", lr, errno == EINVAL ? "EINVAL" : strerror(errno));
    errno = 0;
    lr = syscall(SYS_rt_sigsuspend, (void *)16, 8);
    printf("rt_sigsuspend with a bad pointer = %ld, errno %s\n", lr, errno == EFAULT ? "EFAULT" : strerror(errno));
    print_mask("final mask");
    return 0;
}
