// Swap throughput: writes one byte to every page of MIB MiB of anonymous memory, PASSES
// times over (under faultline --ram 32M --swap 256M most pages must go to swap and come
// back). Prints each pass's time.
// usage: swap_touch [MIB=256] [PASSES=2]
#include <sys/mman.h>

#include "bench.h"

int main(int argc, char** argv) {
    const long mib = arg_or(argc, argv, 1, 256);
    const long passes = arg_or(argc, argv, 2, 2);
    const size_t len = (size_t)mib << 20;
    volatile char* m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 2;
    printf("bench: pages=%ld passes=%ld", (long)(len >> 12), passes);
    for (long p = 0; p < passes; ++p) {
        const uint64_t t0 = now_ns();
        for (size_t off = 0; off < len; off += 4096)
            m[off] = (char)(p + 1);
        printf(" pass%ld_ns=%llu", p + 1, (unsigned long long)(now_ns() - t0));
    }
    printf("\n");
    return 0;
}
