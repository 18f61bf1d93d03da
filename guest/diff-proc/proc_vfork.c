/* vfork: the child borrows the parent's memory and the parent is suspended until the child
 * calls _exit or execve. vfork + _exit (the child's writes to a global are seen by the
 * parent, which resumes only after the child slept and exited); vfork + execve (the parent
 * resumes while the exec'd image is still running, blocked on a pipe, so waitpid WNOHANG
 * is 0; the close-on-exec pipe reads EOF); vfork + a failing execve (the errno reaches the
 * parent through the shared global, exit 127); 100 vforks in a row; posix_spawn (which
 * both C libraries build on CLONE_VFORK) with file actions (dup2, close) and
 * POSIX_SPAWN_SETPGROUP, and a failing posix_spawn returning ENOENT and leaving no child. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_common.h"

extern char **environ;

static volatile int shared_flag;
static volatile pid_t child_saw_pid, child_saw_ppid;
static volatile int child_errno;

static void vfork_exit(void)
{
    shared_flag = 0;
    pid_t self = getpid();
    fflush(stdout);
    pid_t c = vfork();
    if (c == 0) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        child_saw_pid = getpid();
        child_saw_ppid = getppid();
        shared_flag = 1;
        _exit(7);
    }
    int flag = shared_flag; /* read at once: the child has _exited */
    if (!check("vfork", c > 0))
        return;
    check("parent resumed only after the child's _exit (sees its write)", flag == 1);
    check("child's getpid() is vfork's return value", child_saw_pid == c);
    check("child's getppid() is the parent", child_saw_ppid == self);
    check("child is not the parent", c != self);
    check_exit("child's exit status 7", wait_for(c), 7);
}

static void vfork_exec(void)
{
    int gate[2], execd[2];
    pipe(gate);
    pipe2(execd, O_CLOEXEC);
    char fd[16];
    snprintf(fd, sizeof fd, "%d", gate[0]);
    char *argv[] = {"vfork-child", "wait-gate", fd, NULL};
    char *envp[] = {NULL};
    shared_flag = 0;
    fflush(stdout);
    pid_t c = vfork();
    if (c == 0) {
        shared_flag = 2;
        close(gate[1]); /* the child's own descriptor table: fine under vfork */
        execve("/proc/self/exe", argv, envp);
        child_errno = errno;
        _exit(127);
    }
    int flag = shared_flag;
    if (!check("vfork", c > 0))
        return;
    close(gate[0]);
    close(execd[1]);
    check("the child's write before execve is seen", flag == 2);
    int st;
    pid_t r = waitpid(c, &st, WNOHANG);
    check("parent resumed while the exec'd image still runs (WNOHANG: 0)", r == 0);
    char b;
    check("the O_CLOEXEC pipe reads EOF", read(execd[0], &b, 1) == 0);
    close(execd[0]);
    fflush(stdout);
    close(gate[1]); /* lets it finish; it prints one line */
    check_exit("exec'd image exited 5", wait_for(c), 5);
}

static void vfork_exec_fails(void)
{
    char *argv[] = {"x", NULL};
    char *envp[] = {NULL};
    child_errno = 0;
    fflush(stdout);
    pid_t c = vfork();
    if (c == 0) {
        execve("/nonexistent-dir/prog", argv, envp);
        child_errno = errno;
        _exit(127);
    }
    if (!check("vfork", c > 0))
        return;
    checkf("the failed execve's errno reaches the parent: ENOENT", child_errno == ENOENT, "%s", ename(child_errno));
    check_exit("child exited 127", wait_for(c), 127);
}

static void many(void)
{
    int ok = 1;
    fflush(stdout);
    for (int i = 0; i < 100; i++) {
        pid_t c = vfork();
        if (c == 0)
            _exit(i);
        if (c < 0) {
            ok = 0;
            break;
        }
        int st = wait_for(c);
        ok &= st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == i;
    }
    check("100 vfork/_exit/waitpid in a row, each with its exit code", ok);
}

static void spawn(void)
{
    int p[2];
    pipe(p);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&at, 0);
    char *argv[] = {"spawned", "spawned-mode", "arg one", NULL};
    char *envp[] = {"SPAWNED=1", NULL};
    pid_t c = -1;
    fflush(stdout);
    int r = posix_spawn(&c, "/proc/self/exe", &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(p[1]);
    if (!checkf("posix_spawn returns 0", r == 0 && c > 0, "%s", ename(r))) {
        close(p[0]);
        return;
    }
    char buf[256] = {0};
    read_full(p[0], buf, sizeof buf - 1);
    close(p[0]);
    printf("spawned image wrote to the pipe on its stdout: %s", buf);
    check_exit("spawned image exited 0", wait_for(c), 0);

    char *argv2[] = {"x", NULL};
    c = -1;
    r = posix_spawn(&c, "/nonexistent-dir/prog", NULL, NULL, argv2, envp);
    checkf("posix_spawn of a missing file: ENOENT", r == ENOENT, "%s", ename(r));
    errno = 0;
    pid_t w = waitpid(-1, NULL, WNOHANG);
    checkf("and no child is left to wait for (ECHILD)", w == -1 && errno == ECHILD, "%d %s", (int)w, ename(errno));
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "wait-gate") == 0) {
        char b;
        int fd = atoi(argv[2]);
        while (read(fd, &b, 1) > 0)
            ;
        printf("  exec'd image ran to the end\n");
        return 5;
    }
    if (argc == 3 && strcmp(argv[1], "spawned-mode") == 0) {
        printf("argc %d, argv[0] [%s], argv[2] [%s], env [%s], own process group: %s\n", argc, argv[0], argv[2],
               environ[0] ? environ[0] : "", yesno(getpgrp() == getpid()));
        return 0;
    }
    printf("== vfork + _exit\n");
    vfork_exit();
    printf("== vfork + execve\n");
    vfork_exec();
    printf("== vfork + failing execve\n");
    vfork_exec_fails();
    printf("== many\n");
    many();
    printf("== posix_spawn\n");
    spawn();
    return finish();
}
