// CPU-bound: an integer loop (xorshift, multiply, add, a data-dependent branch) with no
// memory traffic beyond the stack and no system calls.
// usage: cpu_loop [ITERATIONS=300000000]
#include "bench.h"

int main(int argc, char** argv) {
    const long n = arg_or(argc, argv, 1, 300000000);
    uint64_t x = 0x9e3779b97f4a7c15u, acc = 0;
    for (long i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += x * (uint64_t)i;
        if (x & 1)
            acc ^= acc >> 3;
    }
    printf("bench: iterations=%ld checksum=%llu\n", n, (unsigned long long)acc);
    return 0;
}
