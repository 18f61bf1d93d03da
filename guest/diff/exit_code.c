/* exit(42) runs the atexit handlers (which print) and flushes stdio before _exit. */
#include <stdio.h>
#include <stdlib.h>

static void second_registered(void) { printf("atexit: handler registered second runs first\n"); }
static void first_registered(void) { printf("atexit: handler registered first runs last\n"); }

int main(void)
{
    if (atexit(first_registered) != 0 || atexit(second_registered) != 0) {
        printf("atexit registration failed\n");
        return 1;
    }
    /* Left in the stdio buffer on purpose: exit() must flush it. */
    printf("main: calling exit(42)\n");
    exit(42);
}
