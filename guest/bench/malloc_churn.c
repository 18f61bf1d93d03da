// malloc/free churn: OPS operations on 4096 slots chosen by a fixed pseudo-random
// sequence; an empty slot gets malloc() of a mostly small size (16 B..1 KiB; one in 16
// up to 16 KiB; one in 512 up to 256 KiB, which musl serves with mmap), a full one is
// freed. Every block is written at both ends.
// usage: malloc_churn [OPS=3000000]
#include <string.h>

#include "bench.h"

enum { kSlots = 4096 };
static char* slot[kSlots];

static uint64_t rng = 88172645463325252u;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(int argc, char** argv) {
    const long ops = arg_or(argc, argv, 1, 3000000);
    unsigned long sum = 0;
    for (long i = 0; i < ops; ++i) {
        const uint64_t r = next();
        const unsigned s = (unsigned)(r % kSlots);
        if (slot[s]) {
            sum += (unsigned char)slot[s][0];
            free(slot[s]);
            slot[s] = 0;
            continue;
        }
        size_t size = 16 + (r >> 12) % 1008;
        if ((r >> 40) % 16 == 0)
            size = 16 + (r >> 20) % (16 << 10);
        if ((r >> 48) % 512 == 0)
            size = 16 + (r >> 20) % (256 << 10);
        char* p = malloc(size);
        if (!p)
            return 2;
        p[0] = (char)i;
        p[size - 1] = (char)i;
        slot[s] = p;
    }
    printf("bench: ops=%ld checksum=%lu\n", ops, sum);
    return 0;
}
