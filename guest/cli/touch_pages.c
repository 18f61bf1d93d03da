// Touches N MiB of anonymous memory (default 64), one byte per page; used to check that
// --ram limits what the guest can have.
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char** argv) {
    long mib = argc > 1 ? atol(argv[1]) : 64;
    size_t len = (size_t)mib << 20;
    volatile char* p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 2;
    for (size_t i = 0; i < len; i += 4096)
        p[i] = 1;
    printf("touched %ld MiB\n", mib);
    return 0;
}
