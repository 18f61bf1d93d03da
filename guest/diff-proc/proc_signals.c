/* Signals between processes: SIGTERM caught by a child (siginfo: SI_USER, the sender's pid)
 * that acknowledges through a pipe; a SA_SIGINFO SIGCHLD handler counting children (one at
 * a time, so that nothing coalesces) with CLD_EXITED/CLD_KILLED, si_status and si_pid;
 * SA_NOCLDWAIT (the handler still runs) and SIGCHLD ignored: children are reaped by the
 * kernel and wait() fails with ECHILD; kill() to a process group (setpgid by parent and
 * child), killpg(), kill(0, ...) inside a new group, a process outside the group not hit;
 * sigqueue() values, SI_QUEUE, si_pid and si_uid seen through sigwaitinfo(), a standard
 * signal queued twice arriving once, a real-time signal queued three times arriving three
 * times in order, lower signal numbers first; fork: dispositions and mask inherited,
 * pending signals not; a blocking read interrupted (EINTR) without SA_RESTART and
 * restarted with it; nanosleep interrupted even with SA_RESTART; kill/sigaction errors.
 * Job control (SIGSTOP/SIGCONT) is not tested. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_common.h"

static void set_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void set_simple(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(how, &s, NULL);
}

/* ---- SIGTERM caught by a child ---- */
static int ack_fd = -1;
static volatile sig_atomic_t term_seen, term_from_parent, term_si_user;

static void on_term(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    term_seen = sig == SIGTERM;
    term_from_parent = si->si_pid == getppid();
    term_si_user = si->si_code == SI_USER;
    write(ack_fd, "T", 1);
}

static void sigterm_handler(void)
{
    int ready[2], ack[2];
    pipe(ready);
    pipe(ack);
    pid_t c = pfork();
    if (c == 0) {
        close(ready[0]);
        close(ack[0]);
        ack_fd = ack[1];
        set_handler(SIGTERM, on_term, 0);
        block(SIGTERM, SIG_UNBLOCK);
        send_token(ready[1], 'r');
        while (!term_seen)
            pause();
        _exit(term_from_parent && term_si_user ? 0 : 1);
    }
    close(ready[1]);
    close(ack[1]);
    if (!check("child ready", recv_token(ready[0]) == 'r'))
        return;
    kill(c, SIGTERM);
    check("child's SIGTERM handler acknowledged through the pipe", recv_token(ack[0]) == 'T');
    check_exit("child exited 0 (si_code SI_USER, si_pid its parent)", wait_for(c), 0);
    close(ready[0]);
    close(ack[0]);
}

/* ---- SIGCHLD ---- */
static volatile sig_atomic_t chld_count, chld_code, chld_status, chld_pid;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    chld_count++;
    chld_code = si->si_code;
    chld_status = si->si_status;
    chld_pid = si->si_pid;
}

static void sigchld_counting(void)
{
    set_handler(SIGCHLD, on_chld, SA_RESTART);
    block(SIGCHLD, SIG_BLOCK);
    sigset_t wait_mask;
    sigprocmask(SIG_BLOCK, NULL, &wait_mask);
    sigdelset(&wait_mask, SIGCHLD);
    chld_count = 0;
    int all = 1;
    for (int i = 0; i < 3; i++) {
        pid_t c = pfork();
        if (c == 0)
            _exit(40 + i);
        while (chld_count < i + 1)
            sigsuspend(&wait_mask);
        all &= chld_code == CLD_EXITED && chld_status == 40 + i && chld_pid == c;
        int st = wait_for(c);
        all &= st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 40 + i;
    }
    check("SIGCHLD handler ran once per child (3)", chld_count == 3);
    check("  each with CLD_EXITED, si_status its exit code, si_pid the child", all);

    pid_t c = pfork();
    if (c == 0) {
        for (;;)
            pause();
    }
    kill(c, SIGKILL);
    while (chld_count < 4)
        sigsuspend(&wait_mask);
    check("SIGCHLD for a child killed by SIGKILL: CLD_KILLED, si_status SIGKILL",
          chld_code == CLD_KILLED && chld_status == SIGKILL && chld_pid == c);
    wait_for(c);
    block(SIGCHLD, SIG_UNBLOCK);
    signal(SIGCHLD, SIG_DFL);
}

static void auto_reap(void)
{
    /* SA_NOCLDWAIT with a handler: the kernel reaps, the handler still runs. */
    set_handler(SIGCHLD, on_chld, SA_NOCLDWAIT);
    block(SIGCHLD, SIG_BLOCK);
    chld_count = 0;
    pid_t c = pfork();
    if (c == 0)
        _exit(3);
    errno = 0;
    pid_t r = wait(NULL); /* blocks until the child is gone, then has nothing to report */
    int e = errno;
    checkf("SA_NOCLDWAIT: wait() returns ECHILD once the child has exited", r == -1 && e == ECHILD, "%d %s", (int)r,
           ename(e));
    errno = 0;
    r = waitpid(c, NULL, WNOHANG);
    checkf("  waitpid(child): ECHILD", r == -1 && errno == ECHILD, "%d %s", (int)r, ename(errno));
    block(SIGCHLD, SIG_UNBLOCK);
    check("  the SIGCHLD handler still ran once", chld_count == 1);

    signal(SIGCHLD, SIG_IGN);
    c = pfork();
    if (c == 0)
        _exit(4);
    errno = 0;
    r = wait(NULL);
    e = errno;
    checkf("SIGCHLD ignored: wait() returns ECHILD once the child has exited", r == -1 && e == ECHILD, "%d %s",
           (int)r, ename(e));
    errno = 0;
    checkf("  kill(child, 0): ESRCH, nothing left of it", kill(c, 0) == -1 && errno == ESRCH, "%s", ename(errno));
    signal(SIGCHLD, SIG_DFL);
}

/* ---- process groups ---- */
static volatile sig_atomic_t usr1_count;
static void on_usr1(int sig)
{
    (void)sig;
    usr1_count++;
}

/* A child that reports readiness, waits for `go` (EOF on the gate pipe) and exits with 10
 * plus the number of SIGUSR1 it caught. */
static pid_t waiting_child(int ready_fd, int gate_rd, int gate_wr, pid_t pgid)
{
    pid_t c = pfork();
    if (c == 0) {
        if (pgid >= 0)
            setpgid(0, pgid);
        close(gate_wr);
        usr1_count = 0;
        set_simple(SIGUSR1, on_usr1, SA_RESTART);
        send_token(ready_fd, 'r');
        char b;
        while (read(gate_rd, &b, 1) != 0)
            ;
        _exit(10 + usr1_count);
    }
    if (c > 0 && pgid >= 0)
        setpgid(c, pgid ? pgid : c); /* as a shell does: both sides, whichever runs first */
    return c;
}

static void groups(void)
{
    int ready[2], gate[2];
    pipe(ready);
    pipe(gate);
    pid_t a = waiting_child(ready[1], gate[0], gate[1], 0); /* a new group led by a */
    pid_t b = waiting_child(ready[1], gate[0], gate[1], a); /* joins a's group */
    pid_t o = waiting_child(ready[1], gate[0], gate[1], -1); /* stays in ours */
    int n = 0;
    for (int i = 0; i < 3; i++)
        n += recv_token(ready[0]) == 'r';
    check("three children ready", n == 3);
    /* b's own setpgid may not have run yet when it reports ready; ours has. */
    check("getpgid: a leads a group, b is in it, the third is in ours",
          getpgid(a) == a && getpgid(b) == a && getpgid(o) == getpgrp());
    checkf("kill(-pgid, SIGUSR1)", kill(-a, SIGUSR1) == 0, "%s", ename(errno));
    checkf("killpg(pgid, SIGUSR1)", killpg(a, SIGUSR1) == 0, "%s", ename(errno));
    close(gate[1]);
    /* Each kill makes SIGUSR1 pending in both group members before it returns; if both
     * arrive before the handler runs they count once, so 1 or 2 per member. */
    int sa = wait_for(a), sb = wait_for(b), so = wait_for(o);
    check("group leader caught SIGUSR1",
          sa >= 0 && WIFEXITED(sa) && (WEXITSTATUS(sa) == 11 || WEXITSTATUS(sa) == 12));
    check("group member caught SIGUSR1",
          sb >= 0 && WIFEXITED(sb) && (WEXITSTATUS(sb) == 11 || WEXITSTATUS(sb) == 12));
    check_exit("the process outside the group caught nothing", so, 10);
    close(gate[0]);
    close(ready[0]);
    close(ready[1]);

    /* kill(0, sig) from a process in a fresh group reaches itself and its child. */
    pid_t l = pfork();
    if (l == 0) {
        setpgid(0, 0);
        int r2[2], g2[2];
        pipe(r2);
        pipe(g2);
        pid_t k = waiting_child(r2[1], g2[0], g2[1], -1);
        recv_token(r2[0]);
        usr1_count = 0;
        set_simple(SIGUSR1, on_usr1, SA_RESTART);
        block(SIGUSR1, SIG_BLOCK);
        kill(0, SIGUSR1);
        block(SIGUSR1, SIG_UNBLOCK); /* delivered here, before sigprocmask returns */
        close(g2[1]);
        int st = wait_for(k);
        _exit(usr1_count == 1 && st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 11 ? 0 : 1);
    }
    check_exit("kill(0, SIGUSR1) in a new group reached the sender and its child", wait_for(l), 0);
}

/* ---- sigqueue ---- */
static void queued(void)
{
    int ready[2], go[2], res[2];
    pipe(ready);
    pipe(go);
    pipe(res);
    int rt1 = SIGRTMIN + 1, rt2 = SIGRTMIN + 2;
    pid_t parent = getpid();
    pid_t c = pfork();
    if (c == 0) {
        close(res[0]);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR1);
        sigaddset(&s, rt1);
        sigaddset(&s, rt2);
        sigprocmask(SIG_BLOCK, &s, NULL);
        send_token(ready[1], 'r');
        recv_token(go[0]);
        char order[64] = {0};
        int all_info = 1;
        siginfo_t si;
        struct timespec zero = {0, 0};
        for (int i = 0; i < 8; i++) {
            memset(&si, 0, sizeof si);
            int sig = sigtimedwait(&s, &si, &zero);
            if (sig < 0)
                break;
            char tag[16];
            snprintf(tag, sizeof tag, "%s%d ", sig == SIGUSR1 ? "USR1:" : sig == rt1 ? "RT1:" : sig == rt2 ? "RT2:" : "?:",
                     si.si_value.sival_int);
            strcat(order, tag);
            all_info &= si.si_code == SI_QUEUE && si.si_pid == parent && si.si_uid == getuid() && si.si_signo == sig;
        }
        errno = 0;
        int again = sigtimedwait(&s, &si, &zero);
        report(res[1], "child: received in order: %s\n", order);
        report_check(res[1], "child: every one SI_QUEUE, si_pid its parent, si_uid its uid", all_info);
        report_check(res[1], "child: then nothing pending (EAGAIN)", again == -1 && errno == EAGAIN);
        _exit(0);
    }
    close(res[1]);
    recv_token(ready[0]);
    int ok = 1;
    ok &= sigqueue(c, rt2, (union sigval){.sival_int = 7}) == 0;
    for (int v = 1; v <= 3; v++)
        ok &= sigqueue(c, rt1, (union sigval){.sival_int = v}) == 0;
    ok &= sigqueue(c, SIGUSR1, (union sigval){.sival_int = 42}) == 0;
    ok &= sigqueue(c, SIGUSR1, (union sigval){.sival_int = 43}) == 0; /* already pending: dropped */
    check("six sigqueue() calls succeed", ok);
    send_token(go[1], 'g');
    check_exit("child exited 0", wait_for(c), 0);
    relay(res[0]);
    close(res[0]);
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
}

/* ---- fork: what is inherited ---- */
static void on_usr2(int sig) { (void)sig; }

static void fork_inheritance(void)
{
    set_simple(SIGUSR2, on_usr2, 0);
    signal(SIGHUP, SIG_IGN);
    block(SIGUSR2, SIG_BLOCK);
    raise(SIGUSR2);
    pid_t c = pfork();
    if (c == 0) {
        sigset_t m, p;
        sigprocmask(SIG_BLOCK, NULL, &m);
        sigpending(&p);
        struct sigaction sa, sh;
        sigaction(SIGUSR2, NULL, &sa);
        sigaction(SIGHUP, NULL, &sh);
        int code = 0;
        if (!sigismember(&m, SIGUSR2))
            code |= 1;
        if (sigismember(&p, SIGUSR2))
            code |= 2;
        if (sa.sa_handler != on_usr2)
            code |= 4;
        if (sh.sa_handler != SIG_IGN)
            code |= 8;
        _exit(code);
    }
    int st = wait_for(c);
    checkf("fork child: mask and handlers inherited, the parent's pending signal not",
           st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", status_str(st));
    sigset_t p;
    sigpending(&p);
    check("the parent's SIGUSR2 is still pending", sigismember(&p, SIGUSR2));
    signal(SIGUSR2, SIG_IGN); /* discards it */
    sigpending(&p);
    check("setting SIG_IGN discards the pending signal", !sigismember(&p, SIGUSR2));
    block(SIGUSR2, SIG_UNBLOCK);
    signal(SIGUSR2, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
}

/* ---- EINTR and SA_RESTART ---- */
/* A child that sends SIGUSR1 to its parent every 2 ms until the stop pipe has EOF; if
 * `data_after` > 0 it writes "d" to data_fd after that many signals. */
static pid_t nagger(int stop_rd, int stop_wr, int data_fd, int data_after)
{
    pid_t parent = getpid();
    pid_t c = pfork();
    if (c == 0) {
        close(stop_wr);
        fcntl(stop_rd, F_SETFL, O_NONBLOCK);
        for (int i = 1; i <= 2500; i++) {
            kill(parent, SIGUSR1);
            if (i == data_after)
                write(data_fd, "d", 1);
            sleep_ms(2);
            char b;
            if (read(stop_rd, &b, 1) == 0)
                break;
        }
        _exit(0);
    }
    return c;
}

static void interrupted(void)
{
    int p[2], stop[2];
    pipe(p);
    pipe(stop);
    set_simple(SIGUSR1, on_usr1, 0);
    usr1_count = 0;
    pid_t c = nagger(stop[0], stop[1], -1, 0);
    close(stop[0]);
    char b;
    errno = 0;
    ssize_t n = read(p[0], &b, 1); /* nothing will ever be written */
    int e = errno;
    close(stop[1]);
    wait_for(c);
    checkf("blocking read, handler without SA_RESTART: EINTR", n == -1 && e == EINTR, "%zd %s", n, ename(e));
    check("  the handler ran", usr1_count > 0);

    pipe(stop);
    set_simple(SIGUSR1, on_usr1, SA_RESTART);
    usr1_count = 0;
    c = nagger(stop[0], stop[1], p[1], 5);
    close(stop[0]);
    errno = 0;
    n = read(p[0], &b, 1);
    e = errno;
    close(stop[1]);
    wait_for(c);
    checkf("blocking read, handler with SA_RESTART: restarted, returns the data written later",
           n == 1 && b == 'd', "%zd %s", n, ename(e));
    check("  the handler ran", usr1_count > 0);

    pipe(stop);
    c = nagger(stop[0], stop[1], -1, 0);
    close(stop[0]);
    struct timespec ts = {5, 0}, rem = {0, 0};
    errno = 0;
    int r = nanosleep(&ts, &rem);
    e = errno;
    close(stop[1]);
    wait_for(c);
    checkf("nanosleep is interrupted even with SA_RESTART: EINTR, time remaining", r == -1 && e == EINTR &&
           rem.tv_sec <= 5 && (rem.tv_sec > 0 || rem.tv_nsec > 0), "%d %s", r, ename(e));
    signal(SIGUSR1, SIG_DFL);
    close(p[0]);
    close(p[1]);
}

static void errors(void)
{
    errno = 0;
    checkf("kill(pid beyond pid_max, 0): ESRCH", kill(INT_MAX, 0) == -1 && errno == ESRCH, "%s", ename(errno));
    errno = 0;
    checkf("kill(self, 65): EINVAL", kill(getpid(), 65) == -1 && errno == EINVAL, "%s", ename(errno));
    errno = 0;
    checkf("kill(self, 0): 0", kill(getpid(), 0) == 0, "%s", ename(errno));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    errno = 0;
    checkf("sigaction(SIGKILL): EINVAL", sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL, "%s", ename(errno));
    errno = 0;
    checkf("sigaction(SIGSTOP): EINVAL", sigaction(SIGSTOP, &sa, NULL) == -1 && errno == EINVAL, "%s", ename(errno));
    errno = 0;
    checkf("sigqueue(pid beyond pid_max): ESRCH",
           sigqueue(INT_MAX, SIGUSR1, (union sigval){.sival_int = 0}) == -1 && errno == ESRCH, "%s", ename(errno));
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    printf("== SIGTERM caught by a child\n");
    sigterm_handler();
    printf("== SIGCHLD\n");
    sigchld_counting();
    printf("== automatic reaping\n");
    auto_reap();
    printf("== process groups\n");
    groups();
    printf("== sigqueue\n");
    queued();
    printf("== fork inheritance\n");
    fork_inheritance();
    printf("== EINTR and SA_RESTART\n");
    interrupted();
    printf("== errors\n");
    errors();
    return finish();
}
