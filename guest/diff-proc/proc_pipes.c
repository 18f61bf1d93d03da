/* Pipes between processes: a request and a reply between parent and child; a three-stage
 * pipeline of children (like `a | b | c`, each stage with the pipe on its stdin/stdout)
 * passing 1 MiB through; EOF only when every writer (in two processes) has closed;
 * writing with no reader: killed by SIGPIPE by default, EPIPE when SIGPIPE is ignored,
 * EPIPE after the handler when it is caught; a blocking read woken by a writer; a
 * blocking 200 KiB write completed by a reader; the capacity (a non-blocking writer gets
 * EAGAIN after 65536 bytes, F_GETPIPE_SZ, F_SETPIPE_SZ rounding); O_NONBLOCK set by the
 * child seen by the parent (one open file description); and across execve (the program
 * runs itself again through /proc/self/exe): pipe2(O_CLOEXEC) ends are closed (the parent
 * sees EOF once the child has exec'd), plain ends stay open, data written before the exec
 * is still there. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_common.h"

static void request_reply(void)
{
    int down[2], up[2];
    pipe(down);
    pipe(up);
    pid_t c = pfork();
    if (c == 0) {
        close(down[1]);
        close(up[0]);
        char buf[64] = {0};
        ssize_t n = read_full(down[0], buf, 9);
        char reply[64];
        int len = snprintf(reply, sizeof reply, "pong %zd [%s]", n, buf);
        write_full(up[1], reply, (size_t)len);
        _exit(0);
    }
    if (!check("fork", c > 0))
        return;
    close(down[0]);
    close(up[1]);
    write_full(down[1], "ping 1234", 9);
    close(down[1]);
    char buf[64] = {0};
    ssize_t n = read_full(up[0], buf, sizeof buf - 1);
    close(up[0]);
    checkf("parent -> child -> parent", n > 0 && strcmp(buf, "pong 9 [ping 1234]") == 0, "%s", buf);
    check_exit("child exited 0", wait_for(c), 0);
}

/* ---- a | b | c with 1 MiB ---- */
#define PIPE_BYTES (1u << 20)

static unsigned char gen_byte(uint32_t i) { return (unsigned char)((i * 2654435761u) >> 13); }

static void fnv(uint64_t *h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        *h ^= p[i];
        *h *= 1099511628211ull;
    }
}

struct pipeline_result {
    uint64_t count, hash;
};

static void pipeline(void)
{
    int p1[2], p2[2], res[2];
    pipe(p1);
    pipe(p2);
    pipe(res);
    pid_t a = pfork();
    if (a == 0) { /* a: generate, writes of varying sizes */
        dup2(p1[1], 1);
        close(p1[0]), close(p1[1]), close(p2[0]), close(p2[1]), close(res[0]), close(res[1]);
        static unsigned char buf[8192];
        uint32_t i = 0, size = 1;
        while (i < PIPE_BYTES) {
            uint32_t n = size;
            if (n > PIPE_BYTES - i)
                n = PIPE_BYTES - i;
            for (uint32_t k = 0; k < n; k++)
                buf[k] = gen_byte(i + k);
            if (write_full(1, buf, n) != (ssize_t)n)
                _exit(1);
            i += n;
            size = size * 3 % 8191 + 1;
        }
        _exit(0);
    }
    pid_t b = pfork();
    if (b == 0) { /* b: add 1 to every byte */
        dup2(p1[0], 0);
        dup2(p2[1], 1);
        close(p1[0]), close(p1[1]), close(p2[0]), close(p2[1]), close(res[0]), close(res[1]);
        static unsigned char buf[5000];
        ssize_t n;
        while ((n = read(0, buf, sizeof buf)) > 0) {
            for (ssize_t k = 0; k < n; k++)
                buf[k]++;
            if (write_full(1, buf, (size_t)n) != n)
                _exit(1);
        }
        _exit(n == 0 ? 0 : 2);
    }
    pid_t c = pfork();
    if (c == 0) { /* c: count and hash */
        dup2(p2[0], 0);
        close(p1[0]), close(p1[1]), close(p2[0]), close(p2[1]), close(res[0]);
        static unsigned char buf[3000];
        struct pipeline_result r = {0, 1469598103934665603ull};
        ssize_t n;
        while ((n = read(0, buf, sizeof buf)) > 0) {
            fnv(&r.hash, buf, (size_t)n);
            r.count += (uint64_t)n;
        }
        write_full(res[1], &r, sizeof r);
        _exit(n == 0 ? 0 : 2);
    }
    close(p1[0]), close(p1[1]), close(p2[0]), close(p2[1]), close(res[1]);
    if (!check("fork three stages", a > 0 && b > 0 && c > 0))
        return;
    struct pipeline_result got = {0, 0};
    ssize_t n = read_full(res[0], &got, sizeof got);
    close(res[0]);
    check_exit("stage a exited 0", wait_for(a), 0);
    check_exit("stage b exited 0", wait_for(b), 0);
    check_exit("stage c exited 0", wait_for(c), 0);
    uint64_t want = 1469598103934665603ull;
    for (uint32_t i = 0; i < PIPE_BYTES; i++) {
        unsigned char x = (unsigned char)(gen_byte(i) + 1);
        fnv(&want, &x, 1);
    }
    checkf("a | b | c: 1 MiB arrived", n == sizeof got && got.count == PIPE_BYTES, "%llu bytes",
           (unsigned long long)got.count);
    check("a | b | c: contents transformed and in order", got.hash == want);
}

/* ---- EOF only when all writers have closed ---- */
static void eof_all_writers(void)
{
    int p[2], gate[2];
    pipe(p);
    pipe(gate);
    pid_t w1 = pfork();
    if (w1 == 0) {
        close(p[0]), close(gate[0]), close(gate[1]);
        write_full(p[1], "a", 1);
        _exit(0);
    }
    pid_t w2 = pfork();
    if (w2 == 0) {
        close(p[0]), close(gate[1]);
        char g;
        read(gate[0], &g, 1);
        write_full(p[1], "b", 1);
        _exit(0);
    }
    close(p[1]);
    close(gate[0]);
    check_exit("first writer exited", wait_for(w1), 0);
    char buf[4];
    ssize_t n = read(p[0], buf, sizeof buf);
    check("read gets the first writer's byte", n == 1 && buf[0] == 'a');
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    errno = 0;
    n = read(p[0], buf, sizeof buf);
    checkf("one writer still open: no EOF, EAGAIN", n == -1 && errno == EAGAIN, "%zd %s", n, ename(errno));
    fcntl(p[0], F_SETFL, 0);
    close(gate[1]);
    n = read(p[0], buf, sizeof buf);
    check("blocking read gets the second writer's byte", n == 1 && buf[0] == 'b');
    n = read(p[0], buf, sizeof buf);
    check("then EOF (0) once both writers are gone", n == 0);
    check_exit("second writer exited", wait_for(w2), 0);
    close(p[0]);
}

/* ---- no reader ---- */
static volatile sig_atomic_t sigpipe_caught;
static void on_sigpipe(int sig)
{
    (void)sig;
    sigpipe_caught++;
}

static void no_reader(void)
{
    for (int mode = 0; mode < 3; mode++) {
        int p[2];
        pipe(p);
        close(p[0]);
        pid_t c = pfork();
        if (c == 0) {
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, NULL);
            if (mode == 0)
                signal(SIGPIPE, SIG_DFL);
            else if (mode == 1)
                signal(SIGPIPE, SIG_IGN);
            else
                signal(SIGPIPE, on_sigpipe);
            errno = 0;
            ssize_t n = write(p[1], "x", 1);
            if (mode == 0)
                _exit(100); /* not reached */
            _exit(n == -1 && errno == EPIPE ? (mode == 1 || sigpipe_caught == 1 ? 0 : 2) : 1);
        }
        close(p[1]);
        int st = wait_for(c);
        if (mode == 0)
            checkf("no reader, SIGPIPE default: writer killed by SIGPIPE",
                   st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "%s", status_str(st));
        else if (mode == 1)
            check_exit("no reader, SIGPIPE ignored: write fails with EPIPE", st, 0);
        else
            check_exit("no reader, SIGPIPE caught: handler ran once, write fails with EPIPE", st, 0);
    }
}

/* ---- blocking on both sides ---- */
static void blocking(void)
{
    int p[2];
    pipe(p);
    pid_t c = pfork();
    if (c == 0) {
        close(p[0]);
        sleep_ms(10);
        write_full(p[1], "late", 4);
        _exit(0);
    }
    close(p[1]);
    char buf[8] = {0};
    ssize_t n = read(p[0], buf, sizeof buf); /* blocks until the child writes */
    check("blocking read woken by the writer", n == 4 && memcmp(buf, "late", 4) == 0);
    check_exit("writer exited", wait_for(c), 0);
    close(p[0]);

    /* One blocking write of 200 KiB (more than the pipe holds) completes as the reader
     * drains; the writer reports the count through its exit code. */
    int res[2];
    pipe(p);
    pipe(res);
    c = pfork();
    if (c == 0) {
        close(p[0]);
        close(res[0]);
        static char big[200 * 1024];
        memset(big, 'z', sizeof big);
        ssize_t w = write(p[1], big, sizeof big);
        write_full(res[1], &w, sizeof w);
        _exit(0);
    }
    close(p[1]);
    close(res[1]);
    sleep_ms(5); /* most likely the writer is blocked by now; the result does not depend on it */
    static char sink[8192];
    long total = 0, zs = 0;
    ssize_t r;
    while ((r = read(p[0], sink, sizeof sink)) > 0) {
        total += r;
        for (ssize_t i = 0; i < r; i++)
            zs += sink[i] == 'z';
    }
    ssize_t w = -1;
    read_full(res[0], &w, sizeof w);
    checkf("a blocking 200 KiB write returns 204800", w == 200 * 1024, "%zd", w);
    checkf("the reader got 204800 bytes, all of them", total == 200 * 1024 && zs == total, "%ld %ld", total, zs);
    check_exit("writer exited", wait_for(c), 0);
    close(p[0]);
    close(res[0]);
}

/* ---- capacity ---- */
static void capacity(void)
{
    int p[2];
    pipe2(p, O_NONBLOCK);
    checkf("F_GETPIPE_SZ of a new pipe: 65536", fcntl(p[1], F_GETPIPE_SZ) == 65536, "%d", fcntl(p[1], F_GETPIPE_SZ));
    static char chunk[4096];
    long total = 0;
    ssize_t r;
    while ((r = write(p[1], chunk, sizeof chunk)) > 0)
        total += r;
    int e = errno;
    checkf("non-blocking writer: EAGAIN after 65536 bytes", r == -1 && e == EAGAIN && total == 65536, "%ld %s",
           total, ename(e));
    errno = 0;
    r = write(p[1], "x", 1);
    checkf("one more byte: EAGAIN", r == -1 && errno == EAGAIN, "%zd %s", r, ename(errno));
    /* A child drains it; the writer can go on. */
    pid_t c = pfork();
    if (c == 0) {
        close(p[1]);
        fcntl(p[0], F_SETFL, 0);
        long got = 0;
        ssize_t n;
        while (got < 65536 && (n = read(p[0], chunk, sizeof chunk)) > 0)
            got += n;
        _exit(got == 65536 ? 0 : 1);
    }
    check_exit("child drained 65536 bytes", wait_for(c), 0);
    r = write(p[1], "x", 1);
    check("after the drain, the writer can write", r == 1);
    close(p[0]);
    close(p[1]);

    pipe2(p, O_NONBLOCK);
    int sz = fcntl(p[1], F_SETPIPE_SZ, 100000);
    checkf("F_SETPIPE_SZ 100000 rounds up to 131072", sz == 131072, "%d %s", sz, ename(errno));
    total = 0;
    while ((r = write(p[1], chunk, sizeof chunk)) > 0)
        total += r;
    checkf("and 131072 bytes fit", total == 131072, "%ld", total);
    errno = 0;
    sz = fcntl(p[1], F_SETPIPE_SZ, 4096);
    checkf("shrinking below the contents: EBUSY", sz == -1 && errno == EBUSY, "%d %s", sz, ename(errno));
    close(p[0]);
    close(p[1]);
}

/* ---- O_NONBLOCK lives in the open file description, shared after fork ---- */
static void shared_status_flags(void)
{
    int p[2];
    pipe(p);
    pid_t c = pfork();
    if (c == 0) {
        fcntl(p[0], F_SETFL, O_NONBLOCK);
        _exit(0);
    }
    check_exit("child set O_NONBLOCK", wait_for(c), 0);
    check("parent's descriptor has O_NONBLOCK too", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    errno = 0;
    char b;
    ssize_t n = read(p[0], &b, 1);
    checkf("so the parent's read of the empty pipe: EAGAIN", n == -1 && errno == EAGAIN, "%zd %s", n,
           ename(errno));
    close(p[0]);
    close(p[1]);
}

/* ---- across execve ---- */
static int cloexec_child(int argc, char **argv)
{
    if (argc != 7)
        return 90;
    int a0 = atoi(argv[2]), a1 = atoi(argv[3]), b0 = atoi(argv[4]), b1 = atoi(argv[5]), r1 = atoi(argv[6]);
    errno = 0;
    int fa0 = fcntl(a0, F_GETFD), ea0 = errno;
    errno = 0;
    int fa1 = fcntl(a1, F_GETFD), ea1 = errno;
    report_check(r1, "exec'd child: O_CLOEXEC read end closed (EBADF)", fa0 == -1 && ea0 == EBADF);
    report_check(r1, "exec'd child: O_CLOEXEC write end closed (EBADF)", fa1 == -1 && ea1 == EBADF);
    report_check(r1, "exec'd child: plain ends open, FD_CLOEXEC clear", fcntl(b0, F_GETFD) == 0 && fcntl(b1, F_GETFD) == 0);
    write_full(b1, " post-exec", 10);
    close(b0);
    close(b1);
    return fa0 == -1 && fa1 == -1 ? 0 : 1;
}

static void across_exec(void)
{
    int a[2], b[2], r[2];
    pipe2(a, O_CLOEXEC);
    pipe(b);
    pipe(r);
    check("pipe2(O_CLOEXEC) sets FD_CLOEXEC on both ends",
          fcntl(a[0], F_GETFD) == FD_CLOEXEC && fcntl(a[1], F_GETFD) == FD_CLOEXEC);
    pid_t c = pfork();
    if (c == 0) {
        write_full(b[1], "pre-exec", 8);
        char s[5][16];
        int fds[5] = {a[0], a[1], b[0], b[1], r[1]};
        for (int i = 0; i < 5; i++)
            snprintf(s[i], sizeof s[i], "%d", fds[i]);
        char *args[] = {"proc_pipes", "cloexec-child", s[0], s[1], s[2], s[3], s[4], NULL};
        char *env[] = {NULL};
        execve("/proc/self/exe", args, env);
        _exit(127);
    }
    close(a[1]);
    close(b[1]);
    close(r[1]);
    char buf[64] = {0};
    ssize_t n = read(a[0], buf, sizeof buf); /* EOF as soon as the exec closed the child's copy */
    check("the parent's read of the O_CLOEXEC pipe ends with EOF once the child exec'd", n == 0);
    n = read_full(b[0], buf, sizeof buf - 1);
    checkf("the plain pipe carries data from before and after the exec", n == 18 && strcmp(buf, "pre-exec post-exec") == 0,
           "%s", buf);
    check_exit("exec'd child exited 0", wait_for(c), 0);
    relay(r[0]);
    close(a[0]);
    close(b[0]);
    close(r[0]);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "cloexec-child") == 0)
        return cloexec_child(argc, argv);
    signal(SIGPIPE, SIG_IGN); /* the parent's own writes never kill it */
    printf("== request and reply\n");
    request_reply();
    printf("== a | b | c\n");
    pipeline();
    printf("== EOF and writers\n");
    eof_all_writers();
    printf("== no reader\n");
    no_reader();
    printf("== blocking\n");
    blocking();
    printf("== capacity\n");
    capacity();
    printf("== shared status flags\n");
    shared_status_flags();
    printf("== across execve\n");
    across_exec();
    return finish();
}
