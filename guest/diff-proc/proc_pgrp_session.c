/* Process groups and sessions, all observed in children (the test's own process is left
 * where the runner put it): a child starts in its parent's group and session;
 * getpgid/getsid of a missing pid are ESRCH; setpgid: EINVAL for a negative pgid, ESRCH
 * for a pid that is neither the caller nor its child, EPERM for a group that does not exist
 * in the session, success making itself a leader, then setsid() is EPERM; a parent may move
 * its child until the child has exec'd (then EACCES); setsid() in a non-leader makes a new
 * session and group (getsid/getpgrp are its pid), a second setsid() and setpgid() of a
 * session leader are EPERM, the parent cannot move a child into or out of another session
 * (EPERM); the new session's child inherits it and can start its own; tcgetpgrp and
 * tcsetpgrp on a non-terminal are ENOTTY. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "proc_common.h"

static pid_t parent_pgrp, parent_sid;

#define R(fd, what, cond) report_check(fd, what, cond)

static int fails_with(long r, int e) { return r == -1 && errno == e; }

/* A child that is an ordinary member of its parent's group. */
static void ordinary_child(int out)
{
    R(out, "child: getpgrp() is the parent's group", getpgrp() == parent_pgrp);
    R(out, "child: getpgid(0) is getpgrp()", getpgid(0) == getpgrp());
    R(out, "child: getpgid(getppid()) is its group too", getpgid(getppid()) == getpgrp());
    R(out, "child: getsid(0) is the parent's session", getsid(0) == parent_sid);
    R(out, "child: not a group leader", getpgrp() != getpid());
    errno = 0;
    R(out, "child: getpgid(missing pid): ESRCH", fails_with(getpgid(INT_MAX), ESRCH));
    errno = 0;
    R(out, "child: getsid(missing pid): ESRCH", fails_with(getsid(INT_MAX), ESRCH));
    errno = 0;
    R(out, "child: setpgid(0, -1): EINVAL", fails_with(setpgid(0, -1), EINVAL));
    errno = 0;
    R(out, "child: setpgid(missing pid, 0): ESRCH", fails_with(setpgid(INT_MAX, 0), ESRCH));
    errno = 0;
    R(out, "child: setpgid(its parent, 0): ESRCH", fails_with(setpgid(getppid(), 0), ESRCH));
    errno = 0;
    R(out, "child: setpgid(0, group not in the session): EPERM", fails_with(setpgid(0, INT_MAX), EPERM));
    R(out, "child: setpgid(0, 0) succeeds", setpgid(0, 0) == 0);
    R(out, "child: now getpgrp() is its pid", getpgrp() == getpid());
    R(out, "child: still in the parent's session", getsid(0) == parent_sid);
    errno = 0;
    R(out, "child: setsid() as a group leader: EPERM", fails_with(setsid(), EPERM));
    R(out, "child: setpgid(0, parent's group) moves it back", setpgid(0, parent_pgrp) == 0 && getpgrp() == parent_pgrp);

    /* Its own child: movable until it execs. */
    int execd[2], gate[2], go[2];
    pipe2(execd, O_CLOEXEC);
    pipe(gate);
    pipe(go);
    pid_t g = fork();
    if (g == 0) {
        close(gate[1]);
        close(go[1]);
        recv_token(go[0]); /* exec only after the parent's first setpgid */
        close(go[0]);
        char fd[16];
        snprintf(fd, sizeof fd, "%d", gate[0]);
        char *argv[] = {"idle", "idle", fd, NULL};
        char *envp[] = {NULL};
        execve("/proc/self/exe", argv, envp);
        _exit(127);
    }
    close(execd[1]);
    close(gate[0]);
    close(go[0]);
    R(out, "child: setpgid(its child, its child) before the exec", setpgid(g, g) == 0 && getpgid(g) == g);
    send_token(go[1], 'x');
    close(go[1]);
    char b;
    R(out, "child: its child has exec'd (the O_CLOEXEC pipe saw EOF)", read(execd[0], &b, 1) == 0);
    errno = 0;
    R(out, "child: setpgid(its exec'd child, ...): EACCES", fails_with(setpgid(g, getpgrp()), EACCES));
    close(gate[1]);
    int st = wait_for(g);
    R(out, "child: its child exited 0", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* A child that starts a session. */
static void session_child(int out, int gate_rd, pid_t s)
{
    R(out, "session child: setsid() returns its pid", s == getpid());
    R(out, "session child: getsid(0) is its pid", getsid(0) == getpid());
    R(out, "session child: getpgrp() is its pid", getpgrp() == getpid());
    R(out, "session child: a session other than the parent's", getsid(0) != parent_sid);
    R(out, "session child: getsid(its parent) is still the parent's session", getsid(getppid()) == parent_sid);
    errno = 0;
    R(out, "session child: setsid() again: EPERM", fails_with(setsid(), EPERM));
    errno = 0;
    R(out, "session child: setpgid(0, 0) as a session leader: EPERM", fails_with(setpgid(0, 0), EPERM));
    errno = 0;
    R(out, "session child: setpgid(0, parent's group) across sessions: EPERM",
      fails_with(setpgid(0, parent_pgrp), EPERM));
    int fd = open("/dev/null", O_RDWR);
    errno = 0;
    R(out, "session child: tcgetpgrp(/dev/null): ENOTTY", fails_with(tcgetpgrp(fd), ENOTTY));
    errno = 0;
    R(out, "session child: tcsetpgrp(/dev/null, its group): ENOTTY", fails_with(tcsetpgrp(fd, getpgrp()), ENOTTY));
    close(fd);

    int sub[2];
    pipe(sub);
    pid_t leader = getpid();
    pid_t c = fork();
    if (c == 0) {
        close(sub[0]);
        int code = 0;
        if (getsid(0) != leader || getpgrp() != leader)
            code |= 1;
        if (setpgid(0, 0) != 0 || getpgrp() != getpid() || getsid(0) != leader)
            code |= 2;
        if (setpgid(0, leader) != 0 || getpgrp() != leader)
            code |= 4;
        if (setsid() != getpid() || getsid(0) != getpid())
            code |= 8;
        _exit(code);
    }
    close(sub[1]);
    int st = wait_for(c);
    report(out, "session child: its child inherits the session, makes and leaves a group, starts a session: %s\n",
           st == 0 ? "ok" : "FAIL");
    close(sub[0]);
    char b;
    while (read(gate_rd, &b, 1) > 0) /* the parent looks at it meanwhile */
        ;
}

static int idle(int argc, char **argv)
{
    if (argc != 3)
        return 90;
    char b;
    int fd = atoi(argv[2]);
    while (read(fd, &b, 1) > 0)
        ;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "idle") == 0)
        return idle(argc, argv);
    parent_pgrp = getpgrp();
    parent_sid = getsid(0);
    check("getpgid(0) is getpgrp()", getpgid(0) == parent_pgrp);
    int fd = open("/dev/null", O_RDWR);
    errno = 0;
    checkf("tcgetpgrp(/dev/null): ENOTTY", fails_with(tcgetpgrp(fd), ENOTTY), "%s", ename(errno));
    close(fd);

    printf("== an ordinary child\n");
    int res[2];
    pipe(res);
    pid_t c = pfork();
    if (c == 0) {
        close(res[0]);
        ordinary_child(res[1]);
        _exit(0);
    }
    close(res[1]);
    check_exit("child exited 0", wait_for(c), 0);
    relay(res[0]);
    close(res[0]);

    printf("== a child that starts a session\n");
    int gate[2];
    pipe(res);
    pipe(gate);
    int started[2];
    pipe(started);
    c = pfork();
    if (c == 0) {
        close(res[0]);
        close(gate[1]);
        close(started[0]);
        pid_t s = setsid();
        send_token(started[1], s == getpid() ? 's' : 'f');
        session_child(res[1], gate[0], s);
        _exit(0);
    }
    close(res[1]);
    close(gate[0]);
    close(started[1]);
    check("session child ran setsid()", recv_token(started[0]) == 's');
    check("getsid(child) is the child", getsid(c) == c);
    check("getpgid(child) is the child", getpgid(c) == c);
    errno = 0;
    checkf("setpgid(session leader child, its own pid): EPERM", fails_with(setpgid(c, c), EPERM), "%s", ename(errno));
    errno = 0;
    checkf("setpgid(session leader child, our group): EPERM", fails_with(setpgid(c, parent_pgrp), EPERM), "%s",
           ename(errno));

    /* An ordinary child cannot join a group of another session. */
    int g2[2];
    pipe(g2);
    pid_t d = pfork();
    if (d == 0) {
        close(g2[1]);
        char b;
        while (read(g2[0], &b, 1) > 0)
            ;
        _exit(0);
    }
    close(g2[0]);
    errno = 0;
    checkf("setpgid(child, group in another session): EPERM", fails_with(setpgid(d, c), EPERM), "%s", ename(errno));
    checkf("setpgid(child, child) works", setpgid(d, d) == 0 && getpgid(d) == d, "%s", ename(errno));
    checkf("setpgid(child, our group) moves it back", setpgid(d, parent_pgrp) == 0 && getpgid(d) == parent_pgrp, "%s",
           ename(errno));
    close(g2[1]);
    check_exit("that child exited 0", wait_for(d), 0);

    close(gate[1]);
    check_exit("session child exited 0", wait_for(c), 0);
    relay(res[0]);
    close(res[0]);
    close(started[0]);
    return finish();
}
