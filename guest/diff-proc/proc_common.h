/* Helpers for the process tests in guest/diff-proc (header-only, like ../diff/common.h).
 *
 * Rules the programs follow so that their output does not depend on scheduling:
 *  - only the first process prints to stdout, or a child prints while its parent is
 *    blocked in waitpid for it; children otherwise report through pipes and the parent
 *    prints what they sent after reaping them;
 *  - stdout is flushed before every fork (pfork), so no buffered text is duplicated, and
 *    children end with _exit;
 *  - no pids, addresses or times are printed, only relations ("getppid()==parent: yes").
 * Every check prints "<what>: ok" or "<what>: FAIL (<detail>)"; main returns
 * finish(), which is 1 when any check failed. */
#ifndef FAULTLINE_GUEST_PROC_COMMON_H
#define FAULTLINE_GUEST_PROC_COMMON_H

#include "../diff/common.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

static int proc_failures;

/* One check, printed by this process. */
static inline int check(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        proc_failures++;
    return ok;
}

/* One check with a detail that is printed only when it fails (the detail may be
 * anything, e.g. a number that differs between hosts: a passing run never shows it). */
__attribute__((format(printf, 3, 4))) static inline int checkf(const char *what, int ok, const char *fmt, ...)
{
    if (ok) {
        printf("%s: ok\n", what);
        return 1;
    }
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    printf("%s: FAIL (%s)\n", what, detail);
    proc_failures++;
    return 0;
}

static inline int finish(void)
{
    printf("%s\n", proc_failures ? "SOME CHECKS FAILED" : "all checks passed");
    fflush(stdout);
    return proc_failures ? 1 : 0;
}

static inline const char *yesno(int b) { return b ? "yes" : "no"; }

/* fork() with stdio flushed first. */
static inline pid_t pfork(void)
{
    fflush(stdout);
    fflush(stderr);
    return fork();
}

/* waitpid() that retries on EINTR; returns the status, or -1 - errno on failure. */
static inline int wait_for(pid_t pid)
{
    int status;
    pid_t r;
    do
        r = waitpid(pid, &status, 0);
    while (r < 0 && errno == EINTR);
    return r == pid ? status : -1 - errno;
}

/* A wait status in words: "exit 3", "signal SIGKILL", "signal SIGSEGV (core)". */
static inline const char *sig_name(int s)
{
    switch (s) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    case SIGCHLD: return "SIGCHLD";
    case SIGCONT: return "SIGCONT";
    case SIGSTOP: return "SIGSTOP";
    case SIGTSTP: return "SIGTSTP";
    default: {
        static char buf[32];
        snprintf(buf, sizeof buf, "signal %d", s);
        return buf;
    }
    }
}

static inline const char *status_str(int status)
{
    static char buf[64];
    if (status < 0)
        snprintf(buf, sizeof buf, "waitpid failed: %s", ename(-1 - status));
    else if (WIFEXITED(status))
        snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, sizeof buf, "signal %s%s", sig_name(WTERMSIG(status)), WCOREDUMP(status) ? " (core)" : "");
    else
        snprintf(buf, sizeof buf, "status 0x%x", status);
    return buf;
}

/* Checks that a child ended with exit code `code`. */
static inline int check_exit(const char *what, int status, int code)
{
    return checkf(what, status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == code, "%s, expected exit %d",
                  status_str(status), code);
}

/* Whole-buffer read and write that retry short transfers and EINTR. */
static inline ssize_t read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, (char *)buf + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return got ? (ssize_t)got : -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static inline ssize_t write_full(int fd, const void *buf, size_t len)
{
    size_t put = 0;
    while (put < len) {
        ssize_t r = write(fd, (const char *)buf + put, len - put);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return put ? (ssize_t)put : -1;
        put += (size_t)r;
    }
    return (ssize_t)put;
}

/* One byte through a pipe: a simple way for two processes to take turns. */
static inline void send_token(int fd, char c) { write_full(fd, &c, 1); }
static inline int recv_token(int fd)
{
    char c;
    return read_full(fd, &c, 1) == 1 ? (unsigned char)c : -1;
}

/* Child-side reporting: a child formats its check lines into a pipe (fd), the parent
 * copies them to stdout with relay() after reaping the child. */
__attribute__((format(printf, 2, 3))) static inline void report(int fd, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 1)
        n = sizeof line - 1;
    write_full(fd, line, (size_t)n);
}

static inline void report_check(int fd, const char *what, int ok)
{
    report(fd, "%s: %s\n", what, ok ? "ok" : "FAIL");
}

/* Copies everything readable from fd (until EOF) to stdout; counts "FAIL" lines as
 * failed checks. */
static inline void relay(int fd)
{
    static char buf[1 << 16];
    ssize_t n = read_full(fd, buf, sizeof buf - 1);
    if (n <= 0)
        return;
    buf[n] = 0;
    for (char *p = buf; (p = strstr(p, ": FAIL")); p++)
        proc_failures++;
    fwrite(buf, 1, (size_t)n, stdout);
}

/* Sleeps for ms milliseconds (retrying after signals). */
static inline void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Polls cond() every millisecond for at most ms milliseconds; returns whether it held. */
#define WAIT_UNTIL(cond, ms)                                                                                           \
    ({                                                                                                                 \
        int ok_ = 0;                                                                                                   \
        for (long i_ = 0; i_ < (ms); i_++) {                                                                           \
            if (cond) {                                                                                                \
                ok_ = 1;                                                                                               \
                break;                                                                                                 \
            }                                                                                                          \
            sleep_ms(1);                                                                                               \
        }                                                                                                              \
        ok_ || (cond);                                                                                                 \
    })

#endif
