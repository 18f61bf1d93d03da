// Swap with locality: MIB MiB of anonymous memory, of which the first HOT MiB are written
// again every round (in a shuffled order) while the rest is swept a slice per round, twice
// over in all (a hot working set next to a cold scan). Under faultline --ram 32M --swap,
// a replacement policy that keeps recently used pages (lru, clock) should fault less than
// one that ignores use (fifo, random). Prints the time of all rounds as pass1_ns.
// usage: swap_locality [MIB=128] [HOT=16] [ROUNDS=40]
#include <sys/mman.h>

#include "bench.h"

int main(int argc, char** argv) {
    const long mib = arg_or(argc, argv, 1, 128);
    const long hot_mib = arg_or(argc, argv, 2, 16);
    const long rounds = arg_or(argc, argv, 3, 40);
    if (hot_mib >= mib || rounds < 1)
        return 2;
    const size_t pages = (size_t)mib << 8, hot = (size_t)hot_mib << 8, cold = pages - hot;
    volatile char* m = mmap(0, pages << 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 3;
    const size_t slice = (2 * cold + (size_t)rounds - 1) / (size_t)rounds;
    size_t next_cold = 0;
    uint64_t x = 88172645463325252ull;  // xorshift64: the same order in every run
    printf("bench: pages=%zu hot_pages=%zu rounds=%ld", pages, hot, rounds);
    const uint64_t t0 = now_ns();
    for (long r = 0; r < rounds; ++r) {
        for (size_t i = 0; i < hot; ++i) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            m[(x % hot) << 12] = (char)r;
        }
        for (size_t i = 0; i < slice; ++i) {
            m[(hot + next_cold) << 12] = (char)r;
            next_cold = (next_cold + 1) % cold;
        }
    }
    printf(" pass1_ns=%llu\n", (unsigned long long)(now_ns() - t0));
    return 0;
}
