// Fills memory with a known pattern and checks every word after the system had to swap:
// private anonymous memory (also across fork, copy-on-write under pressure) and shared
// anonymous memory written by a child. Prints the number of mismatches and exits 0 when
// there are none. Usage: swap_integrity [MiB of private memory, default 48]
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t pattern(uint64_t i, uint64_t salt) { return (i + 1) * 0x9e3779b97f4a7c15ull ^ salt; }

static uint64_t check(const uint64_t* p, size_t words, uint64_t salt) {
    uint64_t bad = 0;
    for (size_t i = 0; i < words; i++)
        bad += p[i] != pattern(i, salt);
    return bad;
}

int main(int argc, char** argv) {
    const size_t bytes = (size_t)(argc > 1 ? atol(argv[1]) : 48) << 20;
    const size_t words = bytes / 8, shared_words = (8u << 20) / 8;
    uint64_t* priv = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t* shared = mmap(NULL, shared_words * 8, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (priv == MAP_FAILED || shared == MAP_FAILED)
        return 2;
    for (size_t i = 0; i < words; i++)
        priv[i] = pattern(i, 1);
    pid_t c = fork();
    if (c == 0) {
        uint64_t bad = check(priv, words, 1);
        for (size_t i = 0; i < words / 2; i++)  // copy-on-write of half, under pressure
            priv[i] = pattern(i, 2);
        bad += check(priv, words / 2, 2);
        for (size_t i = 0; i < shared_words; i++)
            shared[i] = pattern(i, 3);
        _exit(bad ? 1 : 0);
    }
    int status = 0;
    waitpid(c, &status, 0);
    uint64_t bad = check(priv, words, 1) + check(shared, shared_words, 3);
    printf("child %s, mismatches %llu\n", WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "FAILED",
           (unsigned long long)bad);
    return bad || !WIFEXITED(status) || WEXITSTATUS(status) ? 1 : 0;
}
