/* abort() raises SIGABRT (status 134); the atexit handler must not run and the
 * unflushed stdio buffer is lost, so only the explicitly flushed line appears. */
#include <stdio.h>
#include <stdlib.h>

static void handler(void) { printf("atexit handler ran (it must not)\n"); }

int main(void)
{
    atexit(handler);
    printf("about to call abort\n");
    fflush(stdout);
    printf("this line stays in the stdio buffer and is lost\n");
    abort();
}
