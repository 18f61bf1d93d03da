/* umask: returns the previous mask, only the low 9 bits are kept, and it applies to
 * open(O_CREAT), mkdir, mkfifo and mknod creation modes (not to fchmod/chmod afterwards);
 * several masks are tried with the same requested modes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "common.h"

static int dfd;

static unsigned mode_of(const char *name)
{
    struct stat st;
    return fstatat(dfd, name, &st, 0) == 0 ? st.st_mode & 07777 : 0xFFFF;
}

int main(void)
{
    unsigned old = (unsigned)syscall(SYS_umask, 022);
    (void)old; /* whatever the caller had: not printed */
    printf("umask(077) returns previous: %04o\n", (unsigned)syscall(SYS_umask, 077));
    printf("umask(0777777) returns previous: %04o\n", (unsigned)syscall(SYS_umask, 0777777));
    printf("umask(0) returns previous (low 9 bits kept): %04o\n", (unsigned)syscall(SYS_umask, 0));

    char dir[] = "/tmp/faultline-umask-XXXXXX";
    mkdtemp(dir);
    dfd = open(dir, O_RDONLY | O_DIRECTORY);
    const unsigned masks[] = {0, 022, 027, 077, 0777, 0501};
    for (int i = 0; i < 6; i++) {
        syscall(SYS_umask, masks[i]);
        close(openat(dfd, "f666", O_CREAT | O_WRONLY, 0666));
        close(openat(dfd, "f777", O_CREAT | O_WRONLY, 0777));
        close(openat(dfd, "f4755", O_CREAT | O_WRONLY, 04755));
        mkdirat(dfd, "d777", 0777);
        mkdirat(dfd, "d1777", 01777);
        mkfifoat(dfd, "fifo", 0666);
        printf("umask %04o: file 0666->%04o 0777->%04o 04755->%04o dir 0777->%04o 01777->%04o fifo 0666->%04o\n",
               masks[i], mode_of("f666"), mode_of("f777"), mode_of("f4755"), mode_of("d777"), mode_of("d1777"),
               mode_of("fifo"));
        fchmodat(dfd, "f666", 0666, 0);
        printf("  chmod 0666 ignores the umask: %04o\n", mode_of("f666"));
        unlinkat(dfd, "f666", 0);
        unlinkat(dfd, "f777", 0);
        unlinkat(dfd, "f4755", 0);
        unlinkat(dfd, "d777", AT_REMOVEDIR);
        unlinkat(dfd, "d1777", AT_REMOVEDIR);
        unlinkat(dfd, "fifo", 0);
    }
    /* An existing file's mode is not changed by O_CREAT. */
    syscall(SYS_umask, 0);
    close(openat(dfd, "existing", O_CREAT | O_WRONLY, 0600));
    syscall(SYS_umask, 0777);
    close(openat(dfd, "existing", O_CREAT | O_WRONLY, 0666));
    printf("existing file keeps its mode: %04o\n", mode_of("existing"));
    unlinkat(dfd, "existing", 0);
    close(dfd);
    printf("cleanup: %s\n", rmdir(dir) == 0 ? "ok" : ename(errno));
    return 0;
}
