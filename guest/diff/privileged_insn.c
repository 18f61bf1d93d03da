/* hlt at CPL 3 raises #GP, which Linux delivers as SIGSEGV (status 139). */
#include <stdio.h>

int main(void)
{
    printf("about to execute hlt in user mode\n");
    fflush(stdout);
    __asm__ volatile("hlt");
    printf("still alive after hlt\n");
    return 1;
}
