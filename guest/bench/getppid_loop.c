// Cheap system calls: getppid, COUNT times (the raw syscall, no libc caching).
// usage: getppid_loop [COUNT=2000000]
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char** argv) {
    const long n = arg_or(argc, argv, 1, 2000000);
    long sum = 0;
    for (long i = 0; i < n; ++i)
        sum += syscall(SYS_getppid);
    printf("bench: syscalls=%ld checksum=%ld\n", n, sum);
    return 0;
}
