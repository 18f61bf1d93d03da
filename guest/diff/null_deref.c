/* Reads through a NULL pointer: the process must die of SIGSEGV (status 139). */
#include <stdio.h>

int main(void)
{
    int *volatile p = NULL; /* volatile pointer: the compiler cannot prove it is NULL */
    printf("about to dereference NULL\n");
    fflush(stdout);
    int v = *p;
    printf("still alive after NULL dereference (read %d)\n", v);
    return 1;
}
