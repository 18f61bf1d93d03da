/* Edge cases of write/writev/read. All output goes through write(2) directly so that
 * nothing depends on stdio buffering. stdin is a fixed file supplied by the harness
 * (or /dev/null); it is read to EOF with varying buffer sizes and summarised. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static void say(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1)
        n = sizeof buf - 1;
    for (int off = 0; off < n;) {
        ssize_t w = write(1, buf + off, n - off);
        if (w <= 0)
            _exit(99);
        off += w;
    }
}

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EFAULT: return "EFAULT";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    default: return strerror(e);
    }
}

int main(void)
{
    say("write_edge start\n");

    /* A pointer into unmapped low memory: the kernel reports EFAULT, nothing is written. */
    const void *volatile bad = (const void *)16;
    errno = 0;
    ssize_t r = write(1, bad, 10);
    int e = errno;
    say("write(bad pointer, 10) = %zd errno=%s (%d)\n", r, errname(e), e);

    errno = 0;
    r = write(1, "unused", 0);
    e = errno;
    say("write(valid, 0) = %zd errno=%s\n", r, errname(e));

    const void *volatile nullp = NULL;
    errno = 0;
    r = write(1, nullp, 0);
    e = errno;
    say("write(NULL, 0) = %zd errno=%s\n", r, errname(e));

    errno = 0;
    r = write(987, "x", 1);
    e = errno;
    say("write(unopened fd 987) = %zd errno=%s\n", r, errname(e));

    errno = 0;
    r = write(-1, "x", 1);
    e = errno;
    say("write(fd -1) = %zd errno=%s\n", r, errname(e));

    char head[] = "writev: [";
    char mid[] = "one";
    char sep[] = "|";
    char mid2[] = "two";
    char tail[] = "]\n";
    struct iovec iov[] = {
        {head, strlen(head)}, {mid, strlen(mid)}, {sep, 0}, {sep, 1},
        {NULL, 0},            {mid2, strlen(mid2)}, {tail, strlen(tail)},
    };
    size_t expect = 0;
    for (size_t i = 0; i < sizeof iov / sizeof iov[0]; i++)
        expect += iov[i].iov_len;
    errno = 0;
    r = writev(1, iov, sizeof iov / sizeof iov[0]);
    e = errno;
    say("writev(7 iovecs, 2 empty) = %zd (expected %zu) errno=%s\n", r, expect, errname(e));

    errno = 0;
    r = writev(1, iov, 0);
    e = errno;
    say("writev(0 iovecs) = %zd errno=%s\n", r, errname(e));

    volatile int negative = -1; /* hidden from the compiler's argument checks */
    errno = 0;
    r = writev(1, iov, negative);
    e = errno;
    say("writev(-1 iovecs) = %zd errno=%s\n", r, errname(e));

    /* stdin: read to EOF cycling through buffer sizes, including 1 byte. */
    static const size_t sizes[] = {1, 7, 64, 4096, 3, 65536};
    static char buf[65536];
    unsigned long total = 0, lines = 0, reads = 0;
    uint32_t hash = 2166136261u; /* FNV-1a */
    for (size_t k = 0;; k++) {
        size_t want = sizes[k % (sizeof sizes / sizeof sizes[0])];
        r = read(0, buf, want);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            say("read error errno=%s\n", errname(errno));
            return 1;
        }
        if (r == 0)
            break;
        reads++;
        for (ssize_t i = 0; i < r; i++) {
            hash = (hash ^ (unsigned char)buf[i]) * 16777619u;
            lines += buf[i] == '\n';
        }
        total += r;
    }
    say("stdin: %lu bytes, %lu lines, fnv1a=%08x\n", total, lines, hash);
    r = read(0, buf, sizeof buf);
    say("read after EOF = %zd\n", r);
    say("write_edge done\n");
    return 0;
}
