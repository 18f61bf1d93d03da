/* Unbounded recursion without a handler: the stack runs into RLIMIT_STACK (8 MiB) and the
 * program is killed by SIGSEGV (exit status 139), after printing how deep it got in steps
 * of 10000 calls. faultline's own stack is not involved: the guest's is guest memory. */
#include <stdio.h>

static volatile unsigned long sink;

static unsigned long down(unsigned long depth)
{
    if (depth == 0)  /* never: keeps the compiler from calling the recursion infinite */
        return 0;
    volatile char frame[256];
    frame[0] = (char)depth;
    if (depth % 10000 == 0) {
        printf("depth %lu\n", depth);
        fflush(stdout);
    }
    sink += frame[0];
    return down(depth + 1) + frame[0];
}

int main(void)
{
    return (int)down(1);
}
