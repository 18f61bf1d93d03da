// fork() when the frames left cannot hold the child's page tables: touches N pages of
// private memory (argv[1]), forks, and says whether fork failed (ENOMEM, exit 3) or the
// child ran (exit 0).
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
    const long n = argc > 1 ? atol(argv[1]) : 1;
    char* p = mmap(NULL, (size_t)n * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 2;
    for (long i = 0; i < n; i++)
        p[i * 4096] = 1;
    pid_t c = fork();
    if (c < 0) {
        perror("fork");
        return 3;
    }
    if (c == 0)
        _exit(0);
    waitpid(c, NULL, 0);
    printf("forked\n");
    return 0;
}
