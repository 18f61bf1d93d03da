/* wait4/waitpid/waitid and the status word: exit codes 0, 1, 255 and 256 (which is 0);
 * deaths by SIGKILL, SIGTERM, SIGSEGV (NULL store) and SIGABRT (abort()) with WCOREDUMP
 * clear (the children make themselves undumpable first, so the host's core settings do
 * not matter); the raw status words; WNOHANG before the child exits; waitpid(-1) matching
 * three children to their codes; waiting for one particular child while another is
 * already a zombie; ECHILD with no children, for a non-child and for a reaped child;
 * EINVAL for unknown options; waitid with P_PID, P_ALL and P_PGID and its siginfo fields,
 * WNOHANG zeroing si_signo/si_pid, WNOWAIT leaving the child waitable; wait4 filling
 * rusage; a zombie exists for kill(pid, 0) until it is reaped and ignores SIGKILL; an
 * orphan's getppid() changes when its parent dies, and with PR_SET_CHILD_SUBREAPER it
 * becomes the subreaper, which can reap it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_common.h"

/* No core dump whatever the host's core_pattern and limits say. */
static void no_core(void)
{
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static int child_exit(int code)
{
    pid_t c = pfork();
    if (c == 0)
        _exit(code);
    return wait_for(c);
}

static void exit_codes(void)
{
    static const int codes[] = {0, 1, 255};
    static const int words[] = {0x0000, 0x0100, 0xff00};
    for (int i = 0; i < 3; i++) {
        int st = child_exit(codes[i]);
        char what[80];
        snprintf(what, sizeof what, "_exit(%d): WIFEXITED, WEXITSTATUS %d, not WIFSIGNALED", codes[i], codes[i]);
        checkf(what, st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == codes[i] && !WIFSIGNALED(st), "%s",
               status_str(st));
        snprintf(what, sizeof what, "_exit(%d): status word 0x%04x", codes[i], words[i]);
        checkf(what, st == words[i], "0x%x", st);
    }
    int st = child_exit(256);
    checkf("_exit(256): exit status 0", st == 0, "%s", status_str(st));
    pid_t c = pfork();
    if (c == 0)
        exit(7 + 512); /* exit() too keeps only the low 8 bits */
    st = wait_for(c);
    checkf("exit(519): exit status 7", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7, "%s", status_str(st));
}

static void signal_deaths(void)
{
    struct {
        int sig;
        const char *how;
    } cases[] = {{SIGKILL, "kill"}, {SIGTERM, "kill"}, {SIGSEGV, "NULL store"}, {SIGABRT, "abort()"}};
    for (int i = 0; i < 4; i++) {
        int ready[2];
        pipe(ready);
        pid_t c = pfork();
        if (c == 0) {
            close(ready[0]);
            no_core();
            signal(cases[i].sig, SIG_DFL);
            sigset_t all;
            sigemptyset(&all);
            sigprocmask(SIG_SETMASK, &all, NULL);
            if (cases[i].sig == SIGSEGV)
                *(volatile int *)0 = 1;
            if (cases[i].sig == SIGABRT)
                abort();
            send_token(ready[1], 'r');
            for (;;)
                pause();
        }
        close(ready[1]);
        if (cases[i].sig == SIGKILL || cases[i].sig == SIGTERM) {
            recv_token(ready[0]);
            kill(c, cases[i].sig);
        }
        close(ready[0]);
        int st = wait_for(c);
        char what[96];
        snprintf(what, sizeof what, "%s by %s: WIFSIGNALED, WTERMSIG, no WCOREDUMP, not WIFEXITED",
                 sig_name(cases[i].sig), cases[i].how);
        checkf(what,
               st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == cases[i].sig && !WCOREDUMP(st) && !WIFEXITED(st),
               "%s", status_str(st));
        snprintf(what, sizeof what, "%s: status word is the signal number", sig_name(cases[i].sig));
        checkf(what, st == cases[i].sig, "0x%x", st);
    }
}

static void wnohang_and_specific(void)
{
    int gate[2];
    pipe(gate);
    pid_t c = pfork();
    if (c == 0) {
        close(gate[1]);
        char b;
        read(gate[0], &b, 1);
        _exit(9);
    }
    close(gate[0]);
    int st = 12345;
    pid_t r = waitpid(c, &st, WNOHANG);
    checkf("waitpid WNOHANG on a running child returns 0", r == 0, "%d %s", (int)r, ename(errno));
    r = waitpid(-1, &st, WNOHANG);
    checkf("waitpid(-1) WNOHANG on a running child returns 0", r == 0, "%d %s", (int)r, ename(errno));
    close(gate[1]); /* EOF: the child exits */
    check_exit("then it exits 9", wait_for(c), 9);

    /* Three children, any order: waitpid(-1) hands each one over exactly once. */
    pid_t kids[3];
    for (int i = 0; i < 3; i++) {
        kids[i] = pfork();
        if (kids[i] == 0)
            _exit(10 + i);
    }
    int seen[3] = {0, 0, 0}, matched = 1;
    for (int n = 0; n < 3; n++) {
        r = waitpid(-1, &st, 0);
        int k = -1;
        for (int i = 0; i < 3; i++)
            if (kids[i] == r)
                k = i;
        if (k < 0 || seen[k] || !WIFEXITED(st) || WEXITSTATUS(st) != 10 + k)
            matched = 0;
        else
            seen[k] = 1;
    }
    check("waitpid(-1) x3: each child once, with its own exit code", matched && seen[0] && seen[1] && seen[2]);
    errno = 0;
    r = waitpid(-1, &st, 0);
    checkf("waitpid(-1) with no children left: ECHILD", r == -1 && errno == ECHILD, "%d %s", (int)r, ename(errno));
    r = waitpid(-1, &st, WNOHANG);
    checkf("waitpid(-1, WNOHANG) with no children: ECHILD", r == -1 && errno == ECHILD, "%d %s", (int)r,
           ename(errno));

    /* B becomes a zombie first; waitpid(A) still returns A. */
    int ga[2], gb[2];
    pipe(ga);
    pipe(gb);
    pid_t a = pfork();
    if (a == 0) {
        close(ga[1]);
        close(gb[0]);
        close(gb[1]);
        char b;
        read(ga[0], &b, 1);
        _exit(21);
    }
    pid_t b = pfork();
    if (b == 0) {
        close(gb[1]);
        close(ga[1]); /* else A could never see EOF */
        char x;
        read(gb[0], &x, 1);
        _exit(22);
    }
    close(ga[0]);
    close(gb[0]);
    close(gb[1]);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int w = waitid(P_PID, (id_t)b, &si, WEXITED | WNOWAIT);
    check("waitid WNOWAIT: B has exited", w == 0 && si.si_pid == b && si.si_code == CLD_EXITED && si.si_status == 22);
    close(ga[1]);
    r = waitpid(a, &st, 0);
    check("waitpid(A) while B is a zombie returns A, exit 21", r == a && WIFEXITED(st) && WEXITSTATUS(st) == 21);
    r = waitpid(b, &st, 0);
    check("B is still waitable after WNOWAIT: exit 22", r == b && WIFEXITED(st) && WEXITSTATUS(st) == 22);
    errno = 0;
    r = waitpid(b, &st, 0);
    checkf("waitpid(B) again: ECHILD", r == -1 && errno == ECHILD, "%s", ename(errno));
}

static void errors(void)
{
    int st;
    errno = 0;
    pid_t r = wait(&st);
    checkf("wait() with no children: ECHILD", r == -1 && errno == ECHILD, "%d %s", (int)r, ename(errno));
    errno = 0;
    r = waitpid(getppid(), &st, WNOHANG);
    checkf("waitpid(getppid()): ECHILD", r == -1 && errno == ECHILD, "%d %s", (int)r, ename(errno));
    errno = 0;
    r = waitpid(-1, &st, 0x1000);
    checkf("waitpid with an unknown option bit: EINVAL", r == -1 && errno == EINVAL, "%d %s", (int)r, ename(errno));
    siginfo_t si;
    errno = 0;
    int w = waitid(P_ALL, 0, &si, WNOHANG);
    checkf("waitid without WEXITED/WSTOPPED/WCONTINUED: EINVAL", w == -1 && errno == EINVAL, "%d %s", w,
           ename(errno));
    errno = 0;
    w = waitid(P_ALL, 0, &si, WEXITED);
    checkf("waitid(P_ALL) with no children: ECHILD", w == -1 && errno == ECHILD, "%d %s", w, ename(errno));
    errno = 0;
    w = waitid((idtype_t)42, 0, &si, WEXITED);
    checkf("waitid with an unknown idtype: EINVAL", w == -1 && errno == EINVAL, "%d %s", w, ename(errno));
}

static void waitid_fields(void)
{
    pid_t c = pfork();
    if (c == 0)
        _exit(42);
    siginfo_t si;
    memset(&si, 0x55, sizeof si);
    int w = waitid(P_PID, (id_t)c, &si, WEXITED);
    check("waitid(P_PID) returns 0", w == 0);
    check("  si_signo SIGCHLD", si.si_signo == SIGCHLD);
    check("  si_code CLD_EXITED", si.si_code == CLD_EXITED);
    check("  si_status 42", si.si_status == 42);
    check("  si_pid is the child", si.si_pid == c);
    check("  si_uid is getuid()", si.si_uid == getuid());
    check("  si_errno 0", si.si_errno == 0);

    int gate[2];
    pipe(gate);
    c = pfork();
    if (c == 0) {
        close(gate[1]);
        char b;
        read(gate[0], &b, 1);
        _exit(0);
    }
    close(gate[0]);
    memset(&si, 0x55, sizeof si);
    w = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
    check("waitid WNOHANG, child running: returns 0, si_signo and si_pid zeroed",
          w == 0 && si.si_signo == 0 && si.si_pid == 0);
    kill(c, SIGTERM);
    memset(&si, 0, sizeof si);
    w = waitid(P_ALL, 0, &si, WEXITED);
    check("waitid(P_ALL) on a child killed by SIGTERM: CLD_KILLED, si_status SIGTERM, si_pid",
          w == 0 && si.si_code == CLD_KILLED && si.si_status == SIGTERM && si.si_pid == c);
    close(gate[1]);

    /* P_PGID / waitpid(-pgid): the child in a process group of its own. */
    c = pfork();
    if (c == 0) {
        setpgid(0, 0);
        _exit(5);
    }
    setpgid(c, c); /* also here, so it holds whichever of the two runs first */
    memset(&si, 0, sizeof si);
    w = waitid(P_PGID, (id_t)c, &si, WEXITED | WNOWAIT);
    check("waitid(P_PGID, its group, WNOWAIT) finds it", w == 0 && si.si_pid == c && si.si_status == 5);
    int st;
    pid_t r = waitpid(-c, &st, 0);
    check("waitpid(-pgid) reaps it, exit 5", r == c && WIFEXITED(st) && WEXITSTATUS(st) == 5);

    c = pfork();
    if (c == 0) {
        volatile unsigned long x = 0;
        for (int i = 0; i < 1000000; i++)
            x += (unsigned long)i;
        _exit(3);
    }
    struct rusage ru;
    memset(&ru, 0xff, sizeof ru);
    r = wait4(c, &st, 0, &ru);
    check("wait4 with a rusage pointer returns the child, exit 3", r == c && WIFEXITED(st) && WEXITSTATUS(st) == 3);
    /* Not ru_maxrss > 0: a small child's RSS counters can still read 0 (musl, here). */
    checkf("  rusage filled in (times in range, other fields not negative)",
           ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000 &&
               ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000 && ru.ru_maxrss >= 0 &&
               ru.ru_minflt >= 0 && ru.ru_nvcsw >= 0,
           "utime %ld.%06ld stime %ld.%06ld maxrss %ld", (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
           (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec, ru.ru_maxrss);
}

static void zombie(void)
{
    pid_t c = pfork();
    if (c == 0)
        _exit(4);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT);
    check("exited child is a zombie: waitid WNOWAIT saw the exit", si.si_pid == c && si.si_code == CLD_EXITED);
    checkf("kill(zombie, 0) succeeds", kill(c, 0) == 0, "%s", ename(errno));
    checkf("kill(zombie, SIGKILL) succeeds", kill(c, SIGKILL) == 0, "%s", ename(errno));
    int st = wait_for(c);
    checkf("the zombie still reports exit 4, not SIGKILL", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 4, "%s",
           status_str(st));
    errno = 0;
    int k = kill(c, 0);
    checkf("kill(reaped pid, 0): ESRCH", k == -1 && errno == ESRCH, "%d %s", k, ename(errno));
}

/* An orphan: M forks G and exits; G sees getppid() change. With `subreaper`, this process
 * is a child subreaper and G must become its child. */
static void orphan(int subreaper)
{
    if (subreaper && !check("prctl(PR_SET_CHILD_SUBREAPER, 1)", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0))
        return;
    pid_t self = getpid();
    int res[2], gate[2], seen[2];
    pipe(res);
    pipe(gate);
    pipe(seen);
    pid_t m = pfork();
    if (m == 0) {
        pid_t m_pid = getpid();
        pid_t g = fork();
        if (g == 0) {
            close(res[0]);
            close(gate[1]);
            int before = getppid() == m_pid;
            send_token(seen[1], 's'); /* only now may M exit */
            char b;
            read(gate[0], &b, 1); /* M has exited and been reaped */
            int changed = WAIT_UNTIL(getppid() != m_pid, 5000);
            report_check(res[1], "orphan: getppid() was its parent", before);
            report(res[1], "orphan: reparented: %s\n", yesno(changed));
            if (subreaper)
                report_check(res[1], "orphan: new parent is the subreaper", getppid() == self);
            _exit(6);
        }
        if (g > 0)
            recv_token(seen[0]);
        _exit(g > 0 ? 0 : 1);
    }
    close(seen[0]);
    close(seen[1]);
    close(res[1]);
    close(gate[0]);
    check_exit("middle process exited", wait_for(m), 0);
    close(gate[1]); /* lets G look at getppid() */
    relay(res[0]);
    close(res[0]);
    if (subreaper) {
        int st;
        pid_t r = waitpid(-1, &st, 0);
        check("subreaper reaps the orphan (exit 6)", r > 0 && r != m && WIFEXITED(st) && WEXITSTATUS(st) == 6);
        prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
        int on = -1;
        prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0);
        check("PR_GET_CHILD_SUBREAPER after clearing: 0", on == 0);
    }
}

int main(void)
{
    printf("== exit codes\n");
    exit_codes();
    printf("== deaths by signal\n");
    signal_deaths();
    printf("== WNOHANG, waitpid(-1), a particular child\n");
    wnohang_and_specific();
    printf("== errors\n");
    errors();
    printf("== waitid and wait4\n");
    waitid_fields();
    printf("== zombie\n");
    zombie();
    printf("== orphan\n");
    orphan(0);
    printf("== orphan with a subreaper\n");
    orphan(1);
    return finish();
}
