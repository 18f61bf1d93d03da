/* execve: fork + execve of this program (through /proc/self/exe) with chosen arguments
 * (with spaces and an empty one) and environment, printed by the new image; an exec chain
 * three deep passing a counter, keeping pid and parent; cwd and umask kept; a #! script
 * whose interpreter is this program (argv becomes interpreter, its argument, the script,
 * the rest); error codes: ENOENT (missing file, missing #! interpreter), ENOTDIR, EACCES
 * (no exec bit, a directory), ENOEXEC (garbage with the exec bit), E2BIG (one 200000-byte
 * argument), ENAMETOOLONG, ELOOP, EFAULT; descriptors: O_CLOEXEC and FD_CLOEXEC ones closed,
 * plain ones and dup()s of O_CLOEXEC ones kept with their offset, F_DUPFD_CLOEXEC closed;
 * signals: a handled signal is reset to SIG_DFL, an ignored one stays ignored, the blocked
 * mask and a pending blocked signal are kept (unblocking it then kills the new image), the
 * alternate signal stack is gone. The exec'd images print while the parent waits. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_common.h"

extern char **environ;

static char tmpdir[64];

static int exec_self(char **argv, char **envp)
{
    execve("/proc/self/exe", argv, envp);
    return -1;
}

/* ---- modes of the exec'd image ---- */

static int mode_show_args(int argc, char **argv)
{
    printf("  new image: argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("  argv[%d] = [%s]\n", i, argv[i]);
    printf("  argv[argc] is NULL: %s\n", yesno(argv[argc] == NULL));
    int n = 0;
    for (char **e = environ; *e; e++, n++)
        printf("  env [%s]\n", *e);
    printf("  %d environment entries\n", n);
    char cwd[256];
    printf("  cwd [%s]\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
    mode_t m = umask(0);
    printf("  umask %03o\n", (unsigned)m);
    return 0;
}

/* chain <depth> <pid> <ppid>: every image must have the pid and parent of the first. */
static int mode_chain(int argc, char **argv)
{
    if (argc != 5)
        return 90;
    int depth = atoi(argv[2]);
    int same = getpid() == (pid_t)atol(argv[3]) && getppid() == (pid_t)atol(argv[4]);
    printf("  chain depth %d: same pid and parent as before the first exec: %s\n", depth, yesno(same));
    if (!same)
        return 91;
    if (depth == 3)
        return 33;
    fflush(stdout);
    char next[16];
    snprintf(next, sizeof next, "%d", depth + 1);
    char *args[] = {argv[0], "chain", next, argv[3], argv[4], NULL};
    exec_self(args, environ);
    return 92;
}

/* interp <script> [args]: run as the #! interpreter of a script. */
static int mode_interp(int argc, char **argv)
{
    printf("  interpreter: argc %d\n", argc);
    char self[PATH_MAX] = {0};
    readlink("/proc/self/exe", self, sizeof self - 1);
    printf("  argv[0] is the interpreter path from the #! line: %s\n", yesno(strcmp(argv[0], self) == 0));
    for (int i = 1; i < argc; i++) {
        const char *rest;
        if (strncmp(argv[i], "/tmp/proc_exec.", 15) == 0 && (rest = strchr(argv[i] + 15, '/')))
            printf("  argv[%d] = [<tmpdir>%s]\n", i, rest); /* the directory's name is random */
        else
            printf("  argv[%d] = [%s]\n", i, argv[i]);
    }
    return 0;
}

/* fdcheck <cloexec> <plain> <setfd> <dup-of-cloexec> <dupfd-cloexec> */
static int mode_fdcheck(int argc, char **argv)
{
    if (argc != 7)
        return 90;
    static const char *const names[] = {"O_CLOEXEC", "plain", "F_SETFD FD_CLOEXEC", "dup() of the O_CLOEXEC one",
                                        "F_DUPFD_CLOEXEC"};
    for (int i = 0; i < 5; i++) {
        int fd = atoi(argv[2 + i]);
        errno = 0;
        int f = fcntl(fd, F_GETFD);
        if (f < 0)
            printf("  new image: %s descriptor: closed (%s)\n", names[i], ename(errno));
        else
            printf("  new image: %s descriptor: open, F_GETFD %d, offset %ld\n", names[i], f,
                   (long)lseek(fd, 0, SEEK_CUR));
    }
    return 0;
}

static int mode_sigcheck(void)
{
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    printf("  new image: SIGUSR1 (was handled): %s\n",
           sa.sa_handler == SIG_DFL ? "SIG_DFL" : sa.sa_handler == SIG_IGN ? "SIG_IGN" : "a handler");
    sigaction(SIGUSR2, NULL, &sa);
    printf("  new image: SIGUSR2 (was ignored): %s\n",
           sa.sa_handler == SIG_DFL ? "SIG_DFL" : sa.sa_handler == SIG_IGN ? "SIG_IGN" : "a handler");
    sigaction(SIGCHLD, NULL, &sa);
    printf("  new image: SIGCHLD (was handled): %s\n",
           sa.sa_handler == SIG_DFL ? "SIG_DFL" : sa.sa_handler == SIG_IGN ? "SIG_IGN" : "a handler");
    sigset_t mask, pend;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    sigpending(&pend);
    printf("  new image: SIGINT blocked: %s, SIGTERM blocked: %s\n", yesno(sigismember(&mask, SIGINT)),
           yesno(sigismember(&mask, SIGTERM)));
    printf("  new image: SIGINT pending: %s, SIGUSR1 pending: %s\n", yesno(sigismember(&pend, SIGINT)),
           yesno(sigismember(&pend, SIGUSR1)));
    stack_t ss;
    sigaltstack(NULL, &ss);
    printf("  new image: alternate signal stack disabled: %s\n", yesno((ss.ss_flags & SS_DISABLE) != 0));
    printf("  new image: unblocking SIGINT\n");
    fflush(stdout);
    sigset_t intr;
    sigemptyset(&intr);
    sigaddset(&intr, SIGINT);
    sigprocmask(SIG_UNBLOCK, &intr, NULL);
    printf("  new image: still alive after unblocking SIGINT\n");
    return 0;
}

/* ---- the parent's side ---- */

static int run_child(char **argv, char **envp)
{
    pid_t c = pfork();
    if (c == 0) {
        exec_self(argv, envp);
        _exit(127);
    }
    return c > 0 ? wait_for(c) : -1;
}

static void args_and_env(void)
{
    char *argv[] = {"prog-name-x", "show-args", "a b", "", "--c=d", NULL};
    char *envp[] = {"K=V", "EMPTY=", "WITH SPACE=1 2", "LAST=z", NULL};
    int st = run_child(argv, envp);
    check_exit("exec'd image exited 0", st, 0);

    /* cwd and umask are kept; an empty environment. */
    pid_t c = pfork();
    if (c == 0) {
        chdir("/tmp");
        umask(027);
        char *a2[] = {"second", "show-args", NULL};
        char *e2[] = {NULL};
        exec_self(a2, e2);
        _exit(127);
    }
    check_exit("exec'd image (cwd /tmp, umask 027, no environment) exited 0", wait_for(c), 0);
}

static void chain(void)
{
    pid_t c = pfork();
    if (c == 0) {
        char pid[24], ppid[24];
        snprintf(pid, sizeof pid, "%ld", (long)getpid());
        snprintf(ppid, sizeof ppid, "%ld", (long)getppid());
        char *argv[] = {"chain", "chain", "1", pid, ppid, NULL};
        exec_self(argv, environ);
        _exit(127);
    }
    check_exit("exec chain reached depth 3 (exit 33)", wait_for(c), 33);
}

static void make_file(const char *path, const char *content, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    write_full(fd, content, strlen(content));
    fchmod(fd, mode);
    close(fd); /* before any execve of it: a file open for writing would be ETXTBSY */
}

static void script(void)
{
    char self[PATH_MAX] = {0};
    if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0) {
        check("readlink /proc/self/exe", 0);
        return;
    }
    char path[128], text[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/script", tmpdir);
    snprintf(text, sizeof text, "#!%s interp\nthis line is not read\n", self);
    make_file(path, text, 0700);
    char *argv[] = {"ignored-argv0", "x", "y z", NULL};
    char *envp[] = {NULL};
    pid_t c = pfork();
    if (c == 0) {
        execve(path, argv, envp);
        _exit(127);
    }
    check_exit("#! script ran its interpreter (exit 0)", wait_for(c), 0);
}

static void exec_error(const char *what, const char *path, char **argv, int want)
{
    char *envp[] = {NULL};
    char *def[] = {"x", NULL};
    errno = 0;
    int r = execve(path, argv ? argv : def, envp);
    char line[128];
    snprintf(line, sizeof line, "execve %s: %s", what, ename(want));
    checkf(line, r == -1 && errno == want, "%d %s", r, ename(errno));
}

static void errors(void)
{
    char path[128];
    exec_error("a missing file", "/nonexistent-dir/prog", NULL, ENOENT);

    snprintf(path, sizeof path, "%s/noexec", tmpdir);
    make_file(path, "#!/bin/sh\nexit 0\n", 0600);
    exec_error("a file without exec permission", path, NULL, EACCES);
    char sub[160];
    snprintf(sub, sizeof sub, "%s/x", path);
    exec_error("a path through a regular file", sub, NULL, ENOTDIR);
    exec_error("a directory", tmpdir, NULL, EACCES);

    snprintf(path, sizeof path, "%s/garbage", tmpdir);
    make_file(path, "\x01\x02\x03 this is no executable format at all \x7f\x7f\x7f\n", 0700);
    exec_error("garbage with the exec bit", path, NULL, ENOEXEC);

    snprintf(path, sizeof path, "%s/badinterp", tmpdir);
    make_file(path, "#!/nonexistent-dir/interpreter\n", 0700);
    exec_error("a #! script with a missing interpreter", path, NULL, ENOENT);

    static char huge[200001];
    memset(huge, 'a', sizeof huge - 1);
    char *big_argv[] = {"x", huge, NULL};
    exec_error("one 200000-byte argument", "/proc/self/exe", big_argv, E2BIG);

    static char longpath[5000];
    memset(longpath, 'p', sizeof longpath - 1);
    longpath[0] = '/';
    exec_error("a 4999-character path", longpath, NULL, ENAMETOOLONG);

    char l1[128], l2[128];
    snprintf(l1, sizeof l1, "%s/loop1", tmpdir);
    snprintf(l2, sizeof l2, "%s/loop2", tmpdir);
    symlink(l2, l1);
    symlink(l1, l2);
    exec_error("a symlink loop", l1, NULL, ELOOP);

    char *argv[] = {"x", NULL};
    char *envp[] = {NULL};
    errno = 0;
    long r = syscall(SYS_execve, NULL, argv, envp);
    checkf("execve NULL path: EFAULT", r == -1 && errno == EFAULT, "%ld %s", r, ename(errno));
    errno = 0;
    r = syscall(SYS_execve, "/proc/self/exe", (char **)8, envp);
    checkf("execve bad argv pointer: EFAULT", r == -1 && errno == EFAULT, "%ld %s", r, ename(errno));
    check("still this program after the failed execs", 1);
}

static void descriptors(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/data", tmpdir);
    make_file(path, "0123456789", 0600);
    int a = open(path, O_RDONLY | O_CLOEXEC);
    int b = open(path, O_RDONLY);
    int c = open(path, O_RDONLY);
    fcntl(c, F_SETFD, FD_CLOEXEC);
    int d = dup(a);
    int e = fcntl(b, F_DUPFD_CLOEXEC, 0);
    lseek(b, 3, SEEK_SET);
    lseek(d, 5, SEEK_SET);
    check("dup() of an O_CLOEXEC descriptor has FD_CLOEXEC clear", fcntl(d, F_GETFD) == 0);
    check("F_DUPFD_CLOEXEC sets FD_CLOEXEC", fcntl(e, F_GETFD) == FD_CLOEXEC);
    char s[5][16];
    int fds[5] = {a, b, c, d, e};
    for (int i = 0; i < 5; i++)
        snprintf(s[i], sizeof s[i], "%d", fds[i]);
    char *argv[] = {"fdcheck", "fdcheck", s[0], s[1], s[2], s[3], s[4], NULL};
    check_exit("fd-checking image exited 0", run_child(argv, environ), 0);
    for (int i = 0; i < 5; i++)
        close(fds[i]);
}

static void on_sig(int sig) { (void)sig; }

static void signals(void)
{
    pid_t c = pfork();
    if (c == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_sig;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGUSR1, &sa, NULL);
        sigaction(SIGCHLD, &sa, NULL);
        signal(SIGUSR2, SIG_IGN);
        signal(SIGINT, SIG_DFL);
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGINT);
        sigprocmask(SIG_SETMASK, &m, NULL);
        raise(SIGINT); /* stays pending across the exec */
        static char alt[1 << 16];
        stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
        sigaltstack(&ss, NULL);
        char *argv[] = {"sigcheck", "sigcheck", NULL};
        exec_self(argv, environ);
        _exit(127);
    }
    int st = wait_for(c);
    checkf("the new image died of the pending SIGINT once it unblocked it",
           st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "%s", status_str(st));
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        if (strcmp(argv[1], "show-args") == 0)
            return mode_show_args(argc, argv);
        if (strcmp(argv[1], "chain") == 0)
            return mode_chain(argc, argv);
        if (strcmp(argv[1], "interp") == 0)
            return mode_interp(argc, argv);
        if (strcmp(argv[1], "fdcheck") == 0)
            return mode_fdcheck(argc, argv);
        if (strcmp(argv[1], "sigcheck") == 0)
            return mode_sigcheck();
    }
    umask(022);
    chdir("/"); /* the first image prints its cwd */
    snprintf(tmpdir, sizeof tmpdir, "/tmp/proc_exec.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        check("mkdtemp", 0);
        return finish();
    }
    printf("== arguments and environment\n");
    args_and_env();
    printf("== exec chain\n");
    chain();
    printf("== #! script\n");
    script();
    printf("== errors\n");
    errors();
    printf("== descriptors\n");
    descriptors();
    printf("== signals\n");
    signals();

    static const char *const names[] = {"script", "noexec", "garbage", "badinterp", "loop1", "loop2", "data"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    rmdir(tmpdir);
    return finish();
}
