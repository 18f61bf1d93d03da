// Process creation: COUNT times fork, the child exits at once, the parent waits for it.
// usage: fork_exit [COUNT=2000]
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char** argv) {
    const long n = arg_or(argc, argv, 1, 2000);
    for (long i = 0; i < n; ++i) {
        pid_t pid = fork();
        if (pid < 0)
            return 3;
        if (pid == 0)
            _exit(0);
        int status = 0;
        if (waitpid(pid, &status, 0) != pid || status != 0)
            return 4;
    }
    printf("bench: forks=%ld\n", n);
    return 0;
}
