/* Integer division by zero raises #DE, which Linux delivers as SIGFPE (status 136). */
#include <stdio.h>

int main(void)
{
    volatile int num = 7, den = 0;
    printf("about to divide by zero\n");
    fflush(stdout);
    int q = num / den;
    printf("still alive after division by zero (got %d)\n", q);
    return 1;
}
