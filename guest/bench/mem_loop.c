// memcpy/memset-heavy: fills a 256 KiB buffer with memset and copies it with memcpy,
// ITERATIONS times (musl's x86-64 memcpy/memset: rep movsq / rep stosq).
// usage: mem_loop [ITERATIONS=20000]
#include <string.h>

#include "bench.h"

enum { kBytes = 256 << 10 };
static unsigned char a[kBytes], b[kBytes];

int main(int argc, char** argv) {
    const long n = arg_or(argc, argv, 1, 20000);
    unsigned long sum = 0;
    for (long i = 0; i < n; ++i) {
        memset(a, (int)i, kBytes - (i & 63));
        memcpy(b + (i & 7), a, kBytes - 8);
        sum += b[(i * 4099) % kBytes];
    }
    printf("bench: iterations=%ld bytes=%ld checksum=%lu\n", n, (long)kBytes, sum);
    return 0;
}
