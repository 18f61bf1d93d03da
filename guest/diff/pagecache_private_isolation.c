/* MAP_PRIVATE stores are private: read() does not see them, another MAP_SHARED mapping of
 * the file does not see them, a second MAP_PRIVATE mapping does not see them. Stores made
 * through the MAP_SHARED mapping, in turn, show up in the private mapping only on pages it
 * has not copied. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ul

int main(void)
{
    char path[] = "/tmp/faultline-private-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static char init[3 * 4096];
    memset(init, '.', sizeof init);
    write(fd, init, sizeof init);

    volatile char *p1 = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    volatile char *p2 = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    volatile char *sh = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p1 == MAP_FAILED || p2 == MAP_FAILED || sh == MAP_FAILED)
        return 1;

    p1[0] = 'P';
    p1[PAGE] = 'Q';
    char b[2] = {0};
    pread(fd, b, 1, 0);
    printf("read() after private store: %c\n", b[0]);
    printf("shared mapping after private store: %c %c\n", sh[0], sh[PAGE]);
    printf("other private mapping after private store: %c\n", p2[0]);

    sh[1] = 'S';          /* page 0: p1 has a copy, p2 does not */
    sh[2 * PAGE] = 'T';   /* page 2: neither has a copy */
    printf("private with copy sees shared store on that page: %s\n", p1[1] == 'S' ? "yes" : "no");
    printf("private without copy sees shared store: %s\n", p2[1] == 'S' ? "yes" : "no");
    printf("private, untouched page 2 sees shared store: %c %c\n", p1[2 * PAGE], p2[2 * PAGE]);

    p2[2 * PAGE] = 'U';
    sh[2 * PAGE + 1] = 'V';
    printf("after p2 copies page 2: p2 sees new shared store: %s, p1 does: %s\n",
           p2[2 * PAGE + 1] == 'V' ? "yes" : "no", p1[2 * PAGE + 1] == 'V' ? "yes" : "no");
    printf("file page 2 starts: ");
    pread(fd, b, 2, 2 * PAGE);
    printf("%c%c\n", b[0], b[1]);
    printf("p1 page 0 unaffected by everything: %c%c\n", p1[0], p1[1]);
    close(fd);
    return 0;
}
