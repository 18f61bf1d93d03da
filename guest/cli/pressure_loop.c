// Keeps memory busy for a while so that --pressure can squeeze it and let go: fills N MiB
// of private anonymous memory with a pattern, forks a child that does the same with its
// own copy-on-write half and with 4 MiB of shared memory, and then each process, round
// after round, checks every word and rewrites it with the next round's pattern, sleeping
// 1 ms between rounds (virtual time: no host time). Prints the mismatches; exits 0 when
// there are none. Usage: pressure_loop [MiB, default 24] [rounds, default 8]
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t pattern(uint64_t i, uint64_t salt) { return (i + 1) * 0x9e3779b97f4a7c15ull ^ (salt * 0x5851f42d4c957f2dull); }

// Checks words [0, n) against round `salt` and rewrites them for round `salt + 1`.
static uint64_t check_and_advance(uint64_t* p, size_t n, uint64_t salt) {
    uint64_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        bad += p[i] != pattern(i, salt);
        p[i] = pattern(i, salt + 1);
    }
    return bad;
}

static uint64_t rounds_over(uint64_t* p, size_t n, uint64_t first_salt, int rounds) {
    const struct timespec ms = {0, 1000000};
    uint64_t bad = 0;
    for (int r = 0; r < rounds; r++) {
        bad += check_and_advance(p, n, first_salt + (uint64_t)r);
        nanosleep(&ms, NULL);
    }
    return bad;
}

int main(int argc, char** argv) {
    const size_t words = ((size_t)(argc > 1 ? atol(argv[1]) : 24) << 20) / 8;
    const int rounds = argc > 2 ? atoi(argv[2]) : 8;
    const size_t shared_words = (4u << 20) / 8;
    uint64_t* priv = mmap(NULL, words * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t* shared = mmap(NULL, shared_words * 8, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (priv == MAP_FAILED || shared == MAP_FAILED)
        return 2;
    for (size_t i = 0; i < words; i++)
        priv[i] = pattern(i, 1);
    for (size_t i = 0; i < shared_words; i++)
        shared[i] = pattern(i, 100);
    pid_t c = fork();
    if (c == 0) {
        // The second half stays shared copy-on-write with the parent (and must keep salt 1).
        uint64_t bad = rounds_over(priv, words / 2, 1, rounds) + rounds_over(shared, shared_words, 100, rounds);
        for (size_t i = words / 2; i < words; i++)
            bad += priv[i] != pattern(i, 1);
        _exit(bad ? 1 : 0);
    }
    uint64_t bad = rounds_over(priv, words, 1, rounds);
    int status = 0;
    waitpid(c, &status, 0);
    for (size_t i = 0; i < shared_words; i++)
        bad += shared[i] != pattern(i, 100 + (uint64_t)rounds);
    printf("child %s, mismatches %llu\n", WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "FAILED",
           (unsigned long long)bad);
    return bad || !WIFEXITED(status) || WEXITSTATUS(status) ? 1 : 0;
}
