// Runs programs from one path rewritten in place: for each PROGRAM it copies PROGRAM's
// bytes over PATH (opened without O_TRUNC, so the file's cached pages are overwritten by
// write(2)), then forks and execs PATH and waits. The CPU caches translated code by
// address and frame: each program must run its own code, not the previous one's.
// usage: rewrite_exec PATH PROGRAM...
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int copy_over(const char* from, const char* to) {
    int in = open(from, O_RDONLY);
    int out = open(to, O_WRONLY | O_CREAT, 0755);
    if (in < 0 || out < 0)
        return -1;
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n)
            return -1;
    close(in);
    close(out);
    return n == 0 ? 0 : -1;
}

int main(int argc, char** argv) {
    if (argc < 3)
        return 2;
    for (int i = 2; i < argc; i++) {
        if (copy_over(argv[i], argv[1]) != 0) {
            perror("copy");
            return 3;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            char* args[] = {argv[1], "run", 0};
            execv(argv[1], args);
            _exit(127);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        printf("run %d (%s): status %d\n", i - 1, argv[i], WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    return 0;
}
