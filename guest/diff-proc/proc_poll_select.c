/* poll, ppoll, select and pselect on pipes shared with children, on a regular file and on
 * /dev/null: revents of an empty pipe (timeout 0: nothing), its write end (POLLOUT); after a
 * child wrote (POLLIN), after the last writer closed (POLLIN|POLLHUP, then POLLHUP once
 * drained), with the reader gone (POLLOUT|POLLERR); POLLNVAL for a closed descriptor, a
 * negative one ignored; regular files always ready; a blocking poll/select/ppoll/pselect
 * woken by a child that writes after sleeping 10 ms, and a poll woken by the last writer
 * exiting (POLLHUP); ten pipes of which children wrote to two; select's EBADF/EINVAL;
 * ppoll/pselect with a signal mask that lets a pending signal in: EINTR. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_common.h"

static const char *rev(short r)
{
    static char buf[128];
    static const struct {
        short bit;
        const char *name;
    } bits[] = {{POLLIN, "POLLIN"},     {POLLPRI, "POLLPRI"},       {POLLOUT, "POLLOUT"},
                {POLLERR, "POLLERR"},   {POLLHUP, "POLLHUP"},       {POLLNVAL, "POLLNVAL"},
                {POLLRDNORM, "RDNORM"}, {POLLRDBAND, "RDBAND"},     {POLLWRNORM, "WRNORM"},
                {POLLWRBAND, "WRBAND"}, {POLLRDHUP, "POLLRDHUP"}};
    buf[0] = 0;
    for (unsigned i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (r & bits[i].bit) {
            if (buf[0])
                strcat(buf, "|");
            strcat(buf, bits[i].name);
        }
    return buf[0] ? buf : "0";
}

/* Checks a result written as text against what Linux gives: "<what>: <want>: ok". */
static void expect(const char *what, const char *got, const char *want)
{
    char line[256];
    snprintf(line, sizeof line, "%s: %s", what, want);
    checkf(line, strcmp(got, want) == 0, "got %s", got);
}

/* poll() of one descriptor, as "<n> <revents>", e.g. "1 POLLIN|POLLHUP". */
static const char *poll_text(int fd, short events, int timeout)
{
    static char buf[160];
    struct pollfd p = {fd, events, (short)0x5a5a};
    int n = poll(&p, 1, timeout);
    if (n < 0)
        snprintf(buf, sizeof buf, "fails %s", ename(errno));
    else
        snprintf(buf, sizeof buf, "%d %s", n, rev(p.revents));
    return buf;
}

static void poll1(const char *what, int fd, short events, int timeout, const char *want)
{
    expect(what, poll_text(fd, events, timeout), want);
}

static const char *sel(int fd, int timeout_ms)
{
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(fd, &r);
    FD_SET(fd, &w);
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int n = select(fd + 1, &r, &w, NULL, &tv);
    static char buf[64];
    if (n < 0)
        snprintf(buf, sizeof buf, "fails: %s", ename(errno));
    else
        snprintf(buf, sizeof buf, "%d%s%s", n, FD_ISSET(fd, &r) ? " readable" : "", FD_ISSET(fd, &w) ? " writable" : "");
    return buf;
}

static void pipe_states(void)
{
    int p[2];
    pipe(p);
    poll1("empty pipe, read end, timeout 0", p[0], POLLIN, 0, "0 0");
    poll1("empty pipe, write end", p[1], POLLOUT, 0, "1 POLLOUT");
    poll1("empty pipe, write end asked for POLLIN|POLLOUT", p[1], POLLIN | POLLOUT, 0, "1 POLLOUT");
    expect("select, read and write sets, the empty pipe's read end, timeout 0", sel(p[0], 0), "0");
    expect("select, both sets, its write end", sel(p[1], 0), "1 writable");

    pid_t c = pfork();
    if (c == 0) {
        write(p[1], "xy", 2);
        _exit(0);
    }
    check_exit("child wrote 2 bytes and exited", wait_for(c), 0);
    poll1("after the child's write, read end", p[0], POLLIN, 0, "1 POLLIN");
    expect("select, both sets, the read end now", sel(p[0], 0), "1 readable");
    close(p[1]);
    poll1("and with the last writer closed", p[0], POLLIN, 0, "1 POLLIN|POLLHUP");
    poll1("the same with POLLRDHUP asked for (pipes have none)", p[0], POLLIN | POLLRDHUP, 0, "1 POLLIN|POLLHUP");
    char b[4];
    read(p[0], b, sizeof b);
    poll1("drained, no writer", p[0], POLLIN, 0, "1 POLLHUP");
    expect("select, both sets, on it (EOF is readable)", sel(p[0], 0), "1 readable");
    close(p[0]);

    pipe(p);
    close(p[0]);
    poll1("write end with the reader gone", p[1], POLLOUT, 0, "1 POLLOUT|POLLERR");
    close(p[1]);

    /* A full pipe's write end is not writable. */
    pipe2(p, O_NONBLOCK);
    static char chunk[4096];
    while (write(p[1], chunk, sizeof chunk) > 0)
        ;
    poll1("full pipe, write end", p[1], POLLOUT, 0, "0 0");
    poll1("full pipe, read end", p[0], POLLIN, 0, "1 POLLIN");
    close(p[0]);
    close(p[1]);
}

static void odd_descriptors(void)
{
    int p[2];
    pipe(p);
    int closed = p[0];
    close(p[0]);
    close(p[1]);
    poll1("a closed descriptor", closed, POLLIN, 0, "1 POLLNVAL");
    struct pollfd two[2] = {{-1, POLLIN, (short)0x5a5a}, {closed, POLLIN, 0}};
    int n = poll(two, 2, 0);
    check("negative fd ignored (revents 0), the closed one counted: poll = 1", n == 1 && two[0].revents == 0);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(closed, &r);
    struct timeval tv = {0, 0};
    errno = 0;
    n = select(closed + 1, &r, NULL, NULL, &tv);
    checkf("select with a closed descriptor: EBADF", n == -1 && errno == EBADF, "%d %s", n, ename(errno));
    errno = 0;
    n = select(-1, NULL, NULL, NULL, &tv);
    checkf("select with nfds -1: EINVAL", n == -1 && errno == EINVAL, "%d %s", n, ename(errno));
    errno = 0;
    struct timeval bad = {0, -1};
    n = select(0, NULL, NULL, NULL, &bad);
    checkf("select with a negative tv_usec: EINVAL", n == -1 && errno == EINVAL, "%d %s", n, ename(errno));

    char path[] = "/tmp/proc_poll_select.XXXXXX";
    int f = mkstemp(path);
    unlink(path);
    poll1("a regular file (empty)", f, POLLIN | POLLOUT, 0, "1 POLLIN|POLLOUT");
    expect("select, both sets, on it", sel(f, 0), "2 readable writable");
    close(f);
    int z = open("/dev/null", O_RDWR);
    poll1("/dev/null", z, POLLIN | POLLOUT, 0, "1 POLLIN|POLLOUT");
    close(z);
}

/* A child that sleeps 10 ms, then writes one byte to fd (or, if fd < 0, just exits). */
static pid_t late_writer(int fd, int other_end)
{
    pid_t c = pfork();
    if (c == 0) {
        if (other_end >= 0)
            close(other_end);
        sleep_ms(10);
        if (fd >= 0)
            write(fd, "L", 1);
        _exit(0);
    }
    return c;
}

static void blocking(void)
{
    int p[2];
    char b;
    for (int how = 0; how < 4; how++) {
        pipe(p);
        pid_t c = late_writer(p[1], p[0]);
        int ready = 0;
        const char *name = "";
        if (how == 0) {
            name = "poll, no timeout";
            struct pollfd pf = {p[0], POLLIN, 0};
            ready = poll(&pf, 1, -1) == 1 && pf.revents == POLLIN;
        } else if (how == 1) {
            name = "ppoll, 5 s timeout";
            struct pollfd pf = {p[0], POLLIN, 0};
            struct timespec ts = {5, 0};
            ready = ppoll(&pf, 1, &ts, NULL) == 1 && pf.revents == POLLIN;
        } else if (how == 2) {
            name = "select, no timeout";
            fd_set r;
            FD_ZERO(&r);
            FD_SET(p[0], &r);
            ready = select(p[0] + 1, &r, NULL, NULL, NULL) == 1 && FD_ISSET(p[0], &r);
        } else {
            name = "pselect, 5 s timeout";
            fd_set r;
            FD_ZERO(&r);
            FD_SET(p[0], &r);
            struct timespec ts = {5, 0};
            ready = pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL) == 1 && FD_ISSET(p[0], &r);
        }
        char what[96];
        snprintf(what, sizeof what, "%s: became readable when the child wrote", name);
        check(what, ready && read(p[0], &b, 1) == 1 && b == 'L');
        wait_for(c);
        close(p[0]);
        close(p[1]);
    }

    /* Woken by the last writer going away. */
    pipe(p);
    pid_t c = late_writer(-1, p[0]);
    close(p[1]);
    struct pollfd pf = {p[0], POLLIN, 0};
    int n = poll(&pf, 1, -1);
    checkf("poll woken by the writer's exit: POLLHUP", n == 1 && pf.revents == POLLHUP, "%d %s", n, rev(pf.revents));
    wait_for(c);
    close(p[0]);
}

static void many_pipes(void)
{
    int p[10][2];
    struct pollfd pf[10];
    for (int i = 0; i < 10; i++) {
        pipe(p[i]);
        pf[i] = (struct pollfd){p[i][0], POLLIN, 0};
    }
    pid_t a = pfork();
    if (a == 0) {
        write(p[3][1], "a", 1);
        _exit(0);
    }
    pid_t b = pfork();
    if (b == 0) {
        write(p[7][1], "b", 1);
        _exit(0);
    }
    wait_for(a);
    wait_for(b);
    int n = poll(pf, 10, 0);
    int only = n == 2;
    for (int i = 0; i < 10; i++)
        only &= pf[i].revents == ((i == 3 || i == 7) ? POLLIN : 0);
    check("ten pipes, children wrote to #3 and #7: poll = 2, only those POLLIN", only);
    fd_set r;
    FD_ZERO(&r);
    int maxfd = 0;
    for (int i = 0; i < 10; i++) {
        FD_SET(p[i][0], &r);
        if (p[i][0] > maxfd)
            maxfd = p[i][0];
    }
    struct timeval tv = {0, 0};
    n = select(maxfd + 1, &r, NULL, NULL, &tv);
    only = n == 2;
    for (int i = 0; i < 10; i++)
        only &= !FD_ISSET(p[i][0], &r) == !(i == 3 || i == 7);
    check("select on the ten: 2, only those left in the set", only);
    for (int i = 0; i < 10; i++) {
        close(p[i][0]);
        close(p[i][1]);
    }
}

static volatile sig_atomic_t usr1;
static void on_usr1(int sig)
{
    (void)sig;
    usr1++;
}

static void signal_masks(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t block, open_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    sigprocmask(SIG_BLOCK, NULL, &open_mask);
    sigdelset(&open_mask, SIGUSR1);

    int p[2];
    pipe(p);
    struct pollfd pf = {p[0], POLLIN, 0};
    struct timespec zero = {0, 0};
    check("ppoll, empty pipe, timeout 0: 0", ppoll(&pf, 1, &zero, NULL) == 0);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    check("pselect, empty pipe, timeout 0: 0", pselect(p[0] + 1, &r, NULL, NULL, &zero, NULL) == 0);

    kill(getpid(), SIGUSR1); /* pending, blocked */
    usr1 = 0;
    struct timespec five = {5, 0};
    errno = 0;
    int n = ppoll(&pf, 1, &five, &open_mask);
    checkf("ppoll with a mask that unblocks a pending SIGUSR1: EINTR, the handler ran once",
           n == -1 && errno == EINTR && usr1 == 1, "%d %s %d", n, ename(errno), (int)usr1);
    kill(getpid(), SIGUSR1);
    usr1 = 0;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    errno = 0;
    n = pselect(p[0] + 1, &r, NULL, NULL, &five, &open_mask);
    checkf("pselect with that mask: EINTR, the handler ran once", n == -1 && errno == EINTR && usr1 == 1,
           "%d %s %d", n, ename(errno), (int)usr1);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    check("SIGUSR1 blocked again afterwards", sigismember(&now, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    signal(SIGUSR1, SIG_DFL);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    printf("== pipe states\n");
    pipe_states();
    printf("== odd descriptors, files\n");
    odd_descriptors();
    printf("== blocking until a child writes\n");
    blocking();
    printf("== ten pipes\n");
    many_pipes();
    printf("== signal masks\n");
    signal_masks();
    return finish();
}
