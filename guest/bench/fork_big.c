// fork() of a large resident parent: writes MIB MiB of anonymous memory (every page
// resident), then times the fork() call itself in the parent; the child exits at once.
// usage: fork_big [MIB=64]
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char** argv) {
    const long mib = arg_or(argc, argv, 1, 64);
    const size_t len = (size_t)mib << 20;
    volatile char* m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 2;
    for (size_t off = 0; off < len; off += 4096)
        m[off] = 1;
    const uint64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    const uint64_t t1 = now_ns();
    if (pid < 0)
        return 3;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || status != 0)
        return 4;
    printf("bench: mib=%ld fork_ns=%llu\n", mib, (unsigned long long)(t1 - t0));
    return 0;
}
