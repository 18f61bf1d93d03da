// The OOM killer's choice: a parent holding 11 MiB waits while its child, holding little,
// asks for 8 MiB more in 16 MiB of RAM without swap. Linux kills the process whose death
// frees most (the parent); the child's faulting write then succeeds.
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    const size_t big = 11u << 20, more = 8u << 20;
    char* p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 1, big);
    pid_t c = fork();
    if (c == 0) {
        munmap(p, big);
        char* q = mmap(NULL, more, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memset(q, 2, more);
        printf("child survived\n");
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(c, &status, 0);
    printf("parent survived\n");
    return 0;
}
