// Calls a syscall faultline does not implement, twice: each call must fail with ENOSYS,
// and faultline must say so once, by name, on stderr.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    for (int i = 0; i < 2; i++) {
        long r = syscall(SYS_kexec_load, 0, 0, 0, 0);
        printf("kexec_load: %ld %s\n", r, r < 0 ? strerror(errno) : "ok");
    }
    long r = syscall(1000, 0);  // beyond every syscall Linux defines
    printf("syscall 1000: %ld %s\n", r, r < 0 ? strerror(errno) : "ok");
    return 0;
}
