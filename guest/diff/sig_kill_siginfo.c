/* Signals a process sends itself, delivered to SA_SIGINFO handlers: kill() gives SI_USER,
 * tgkill() (and raise()) SI_TKILL, sigqueue() SI_QUEUE with its value, each with the
 * sender's pid and uid. Also: handler order when several signals become deliverable at
 * once (Linux sets up the lowest first, so the highest-numbered handler runs first), a
 * signal raised inside its own handler waits for the handler to return unless SA_NODEFER,
 * sa_mask holds other signals off while the handler runs, SA_RESETHAND resets the
 * disposition, and an ignored signal is discarded (even a pending one, when SIG_IGN is set
 * while it is blocked). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int depth, max_depth, reraised, order[16], norder;

static const char *code_name(int code)
{
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_TKILL: return "SI_TKILL";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_KERNEL: return "SI_KERNEL";
    default: return "?";
    }
}

static const char *signame(int sig)
{
    static char buf[2][16];
    static int n;
    char *b = buf[n++ & 1];
    if (sig >= SIGRTMIN)
        snprintf(b, 16, "SIGRTMIN+%d", sig - SIGRTMIN);
    else
        snprintf(b, 16, "%d", sig);
    return b;
}

static void info_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    printf("  sig %s: si_signo %s si_code %s si_pid is me: %s si_uid is mine: %s", signame(sig), signame(si->si_signo),
           code_name(si->si_code), si->si_pid == getpid() ? "yes" : "no", si->si_uid == getuid() ? "yes" : "no");
    if (si->si_code == SI_QUEUE)
        printf(" si_value %d", si->si_value.sival_int);
    printf("\n");
}

static void order_handler(int sig)
{
    order[norder++] = sig;
}

static void nest_handler(int sig)
{
    ++depth;
    if (depth > max_depth)
        max_depth = depth;
    order[norder++] = sig;
    if (!reraised) {
        reraised = 1;
        raise(sig);
    }
    --depth;
}

static void masked_handler(int sig)
{
    order[norder++] = sig;
    if (sig == SIGUSR1) {
        raise(SIGUSR2); /* held off by sa_mask until this handler returns */
        order[norder++] = -1;
    }
}

static void install(int sig, void (*fn)(int), int flags, const sigset_t *mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    if (mask)
        sa.sa_mask = *mask;
    else
        sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void print_order(const char *what)
{
    printf("%s:", what);
    for (int i = 0; i < norder; ++i)
        printf(" %d", order[i]);
    printf("\n");
    norder = 0;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGRTMIN + 2, &sa, NULL);

    printf("kill:\n");
    kill(getpid(), SIGUSR1);
    printf("tgkill:\n");
    syscall(SYS_tgkill, getpid(), getpid(), SIGUSR1);
    printf("tkill:\n");
    syscall(SYS_tkill, getpid(), SIGUSR1);
    printf("raise:\n");
    raise(SIGUSR1);
    printf("sigqueue:\n");
    union sigval v = {.sival_int = 1234};
    sigqueue(getpid(), SIGUSR1, v);
    v.sival_int = 77;
    sigqueue(getpid(), SIGRTMIN + 2, v);
    printf("kill(getpid(), 0) = %d\n", kill(getpid(), 0));

    /* Several at once: block, raise, unblock. */
    install(SIGUSR1, order_handler, 0, NULL);
    install(SIGUSR2, order_handler, 0, NULL);
    install(SIGHUP, order_handler, 0, NULL);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR2);
    raise(SIGHUP);
    raise(SIGUSR1);
    order[norder++] = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    print_order("unblocked together, handlers ran in order");

    /* The same with sa_mask: SIGUSR1's handler blocks SIGUSR2 and SIGHUP. */
    install(SIGUSR1, order_handler, 0, &set);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR2);
    raise(SIGHUP);
    raise(SIGUSR1);
    sigprocmask(SIG_SETMASK, &old, NULL);
    print_order("with SIGUSR1's sa_mask covering the others");

    /* Raised inside its own handler. */
    install(SIGUSR1, nest_handler, 0, NULL);
    max_depth = reraised = 0;
    raise(SIGUSR1);
    print_order("re-raised without SA_NODEFER");
    printf("  deepest nesting: %d\n", max_depth);
    install(SIGUSR1, nest_handler, SA_NODEFER, NULL);
    max_depth = reraised = 0;
    raise(SIGUSR1);
    print_order("re-raised with SA_NODEFER");
    printf("  deepest nesting: %d\n", max_depth);

    /* sa_mask holds another signal until the handler returns. */
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    install(SIGUSR1, masked_handler, 0, &usr2);
    install(SIGUSR2, masked_handler, 0, NULL);
    raise(SIGUSR1);
    print_order("SIGUSR2 raised in SIGUSR1's handler with it in sa_mask");

    /* SA_RESETHAND. */
    install(SIGUSR2, order_handler, SA_RESETHAND, NULL);
    raise(SIGUSR2);
    sigaction(SIGUSR2, NULL, &sa);
    print_order("SA_RESETHAND");
    printf("  disposition afterwards is SIG_DFL: %s, SA_RESETHAND still set: %s\n",
           sa.sa_handler == SIG_DFL ? "yes" : "no", (sa.sa_flags & SA_RESETHAND) ? "yes" : "no");

    /* Ignored signals. */
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    printf("SIGUSR2 ignored: still alive\n");
    install(SIGUSR2, order_handler, 0, NULL);
    sigprocmask(SIG_BLOCK, &usr2, &old);
    raise(SIGUSR2);
    sigset_t pending;
    sigpending(&pending);
    printf("blocked SIGUSR2 pending: %s\n", sigismember(&pending, SIGUSR2) ? "yes" : "no");
    signal(SIGUSR2, SIG_IGN);
    sigpending(&pending);
    printf("after SIG_IGN, still pending: %s\n", sigismember(&pending, SIGUSR2) ? "yes" : "no");
    install(SIGUSR2, order_handler, 0, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    print_order("handler runs on unblock (none expected)");
    /* A blocked, ignored signal stays pending (the disposition may change). */
    signal(SIGUSR2, SIG_IGN);
    sigprocmask(SIG_BLOCK, &usr2, &old);
    raise(SIGUSR2);
    sigpending(&pending);
    printf("ignored but blocked, pending: %s\n", sigismember(&pending, SIGUSR2) ? "yes" : "no");
    install(SIGUSR2, order_handler, 0, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    print_order("handler installed before unblocking");

    /* SIGCHLD and SIGWINCH are ignored by default; SIGCONT continues (nothing to do). */
    signal(SIGCHLD, SIG_DFL);
    raise(SIGCHLD);
    raise(SIGWINCH);
    raise(SIGCONT);
    printf("default-ignored signals: still alive\n");
    return 0;
}
