// Demand-zero faults: maps PAGES fresh anonymous pages and writes one byte to each,
// PASSES times (each pass a new mapping; the previous one is unmapped first, so from the
// second pass on the memory behind the pages was used before: steady state).
// Prints each pass's time of the write loop alone.
// usage: touch_pages [PAGES=200000] [PASSES=1]
#include <sys/mman.h>

#include "bench.h"

int main(int argc, char** argv) {
    const long pages = arg_or(argc, argv, 1, 200000);
    const long passes = arg_or(argc, argv, 2, 1);
    const size_t len = (size_t)pages << 12;
    printf("bench: pages=%ld passes=%ld", pages, passes);
    for (long p = 0; p < passes; ++p) {
        volatile char* m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return 2;
        const uint64_t t0 = now_ns();
        for (size_t off = 0; off < len; off += 4096)
            m[off] = 1;
        printf(" pass%ld_ns=%llu", p + 1, (unsigned long long)(now_ns() - t0));
        munmap((void*)m, len);
    }
    printf("\n");
    return 0;
}
