// Copy-on-write faults: the parent writes PAGES anonymous pages, then ROUNDS times forks a
// child that writes one byte to every page (each write copies a page) and exits, and
// waits for it. From the second round on, the memory the copies get was used before
// (steady state). Each child prints the time of its write loop alone.
// usage: fork_write [PAGES=100000] [ROUNDS=1]
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char** argv) {
    const long pages = arg_or(argc, argv, 1, 100000);
    const long rounds = arg_or(argc, argv, 2, 1);
    const size_t len = (size_t)pages << 12;
    volatile char* m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 2;
    for (size_t off = 0; off < len; off += 4096)
        m[off] = 1;
    printf("bench: pages=%ld rounds=%ld", pages, rounds);
    fflush(stdout);
    for (long r = 0; r < rounds; ++r) {
        pid_t pid = fork();
        if (pid < 0)
            return 3;
        if (pid == 0) {
            const uint64_t t0 = now_ns();
            for (size_t off = 0; off < len; off += 4096)
                m[off] = 2;
            printf(" round%ld_ns=%llu", r + 1, (unsigned long long)(now_ns() - t0));
            fflush(stdout);
            _exit(0);
        }
        int status = 0;
        if (waitpid(pid, &status, 0) != pid || status != 0)
            return 4;
    }
    printf("\n");
    return 0;
}
