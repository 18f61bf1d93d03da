/* lseek: SEEK_SET/SEEK_CUR/SEEK_END, seeking past EOF (allowed; a write there extends the
 * file with a hole), negative results and unknown whence (EINVAL), SEEK_DATA/SEEK_HOLE on a
 * sparse file (data at 0 and at 1 MiB, a hole between and an implicit hole at EOF), past
 * EOF (ENXIO), lseek on a pipe (ESPIPE) and a bad fd (EBADF). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"

static void sk(const char *what, int fd, off_t off, int whence)
{
    errno = 0;
    off_t r = lseek(fd, off, whence);
    if (r < 0)
        printf("%-36s: %s\n", what, ename(errno));
    else
        printf("%-36s: %lld\n", what, (long long)r);
}

int main(void)
{
    char path[] = "/tmp/faultline-lseek-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static char block[65536];
    memset(block, 'D', sizeof block);
    write(fd, block, sizeof block);      /* data: [0, 64 KiB) */
    pwrite(fd, block, sizeof block, 1 << 20); /* data: [1 MiB, 1 MiB + 64 KiB) */

    sk("SEEK_SET 100", fd, 100, SEEK_SET);
    sk("SEEK_CUR +50", fd, 50, SEEK_CUR);
    sk("SEEK_CUR -150", fd, -150, SEEK_CUR);
    sk("SEEK_CUR -1 (negative)", fd, -1, SEEK_CUR);
    sk("SEEK_CUR 0 after the failure", fd, 0, SEEK_CUR);
    sk("SEEK_END 0", fd, 0, SEEK_END);
    sk("SEEK_END -10", fd, -10, SEEK_END);
    sk("SEEK_END +4096 (past EOF)", fd, 4096, SEEK_END);
    sk("SEEK_SET -1", fd, -1, SEEK_SET);
    sk("whence 7", fd, 0, 7);
    sk("whence -1", fd, 0, -1);

    sk("SEEK_DATA 0", fd, 0, SEEK_DATA);
    sk("SEEK_HOLE 0", fd, 0, SEEK_HOLE);
    sk("SEEK_DATA 100000 (in the hole)", fd, 100000, SEEK_DATA);
    sk("SEEK_HOLE 100000 (in the hole)", fd, 100000, SEEK_HOLE);
    sk("SEEK_HOLE 1 MiB", fd, 1 << 20, SEEK_HOLE);
    sk("SEEK_DATA at EOF", fd, (1 << 20) + 65536, SEEK_DATA);
    sk("SEEK_HOLE at EOF", fd, (1 << 20) + 65536, SEEK_HOLE);
    sk("SEEK_DATA past EOF", fd, 10 << 20, SEEK_DATA);
    sk("SEEK_HOLE past EOF", fd, 10 << 20, SEEK_HOLE);
    sk("SEEK_DATA -1", fd, -1, SEEK_DATA);

    /* Writing after seeking past EOF extends the file; the gap reads as zero. */
    lseek(fd, 0, SEEK_SET);
    ftruncate(fd, 10);
    lseek(fd, 20, SEEK_SET);
    write(fd, "E", 1);
    sk("SEEK_END after the write at 20", fd, 0, SEEK_END);
    char b[21];
    pread(fd, b, 21, 0);
    printf("gap reads zero: %s, byte 20: %c\n", memcmp(b + 10, "\0\0\0\0\0\0\0\0\0\0", 10) == 0 ? "yes" : "no", b[20]);

    int p[2];
    pipe(p);
    sk("pipe", p[0], 0, SEEK_CUR);
    sk("bad fd", 999, 0, SEEK_SET);
    int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
    sk("directory SEEK_SET 0", dfd, 0, SEEK_SET);
    close(fd);
    return 0;
}
