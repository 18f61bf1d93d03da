/* ud2 raises #UD, which Linux delivers as SIGILL (status 132). */
#include <stdio.h>

int main(void)
{
    printf("about to execute ud2\n");
    fflush(stdout);
    __asm__ volatile("ud2");
    printf("still alive after ud2\n");
    return 1;
}
