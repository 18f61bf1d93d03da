/* readlink/readlinkat on symlinks created in a temporary directory: the target comes back
 * without a terminating NUL and with its exact length, a short buffer truncates (returns
 * the buffer size), a relative target is not resolved, a symlink to a symlink returns the
 * first target; readlink of a regular file is EINVAL, of a missing name ENOENT, with a
 * zero-size buffer EINVAL; readlinkat with AT_FDCWD and with an empty path on an O_PATH
 * descriptor of the link itself. */
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

static void rl(const char *what, long r, const char *buf)
{
    if (r < 0)
        printf("%-38s: %s\n", what, ename(errno));
    else
        printf("%-38s: %ld \"%.*s\"\n", what, r, (int)r, buf);
}

int main(void)
{
    char dir[] = "/tmp/faultline-readlink-XXXXXX";
    mkdtemp(dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    close(openat(dfd, "target", O_CREAT | O_WRONLY, 0600));
    symlinkat("target", dfd, "rel");
    symlinkat("../some/where/else", dfd, "dotdot");
    symlinkat("rel", dfd, "chain");
    symlinkat("/nonexistent/absolute/path", dfd, "abs");

    char buf[64];
    memset(buf, '#', sizeof buf);
    long r = readlinkat(dfd, "rel", buf, sizeof buf);
    rl("readlinkat rel", r, buf);
    printf("byte after the target untouched: %s\n", buf[r] == '#' ? "yes" : "no");
    rl("readlinkat dotdot", readlinkat(dfd, "dotdot", buf, sizeof buf), buf);
    rl("readlinkat chain (not resolved)", readlinkat(dfd, "chain", buf, sizeof buf), buf);
    rl("readlinkat abs (dangling)", readlinkat(dfd, "abs", buf, sizeof buf), buf);
    rl("readlinkat abs, 8-byte buffer", readlinkat(dfd, "abs", buf, 8), buf);
    rl("readlinkat regular file", readlinkat(dfd, "target", buf, sizeof buf), buf);
    rl("readlinkat missing", readlinkat(dfd, "missing", buf, sizeof buf), buf);
    rl("readlinkat directory \".\"", readlinkat(dfd, ".", buf, sizeof buf), buf);
    rl("readlinkat zero-size buffer", syscall(SYS_readlinkat, dfd, "rel", buf, 0), buf);
    char path[128];
    snprintf(path, sizeof path, "%s/dotdot", dir);
    rl("readlink absolute path", readlink(path, buf, sizeof buf), buf);
    rl("readlinkat AT_FDCWD absolute path", readlinkat(AT_FDCWD, path, buf, sizeof buf), buf);
    snprintf(path, sizeof path, "%s/chain/x", dir);
    rl("readlink through a link to a file", readlink(path, buf, sizeof buf), buf);
    int lfd = openat(dfd, "rel", O_PATH | O_NOFOLLOW);
    rl("readlinkat \"\" on O_PATH|O_NOFOLLOW fd", readlinkat(lfd, "", buf, sizeof buf), buf);
    int ffd = openat(dfd, "target", O_RDONLY);
    rl("readlinkat \"\" on a regular file fd", readlinkat(ffd, "", buf, sizeof buf), buf);
    rl("readlinkat relative to a file fd", readlinkat(ffd, "rel", buf, sizeof buf), buf);
    close(lfd);
    close(ffd);

    const char *names[] = {"target", "rel", "dotdot", "chain", "abs"};
    for (int i = 0; i < 5; i++)
        unlinkat(dfd, names[i], 0);
    close(dfd);
    printf("cleanup: %s\n", rmdir(dir) == 0 ? "ok" : ename(errno));
    return 0;
}
