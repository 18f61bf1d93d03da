/* Identity, time and resource-limit system calls. Prints booleans and host-independent
 * strings only (no release, no pid, no times). Exit 0 when every check holds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "yes" : "no");
    failures += !ok;
}

static long long ns(const struct timespec *t) { return t->tv_sec * 1000000000ll + t->tv_nsec; }

int main(void)
{
    struct utsname u;
    int ur = uname(&u);
    check("uname succeeds", ur == 0);
    printf("sysname = %s\n", ur == 0 ? u.sysname : "?");
    printf("machine = %s\n", ur == 0 ? u.machine : "?");
    check("release non-empty", ur == 0 && u.release[0] != '\0');

    pid_t pid = getpid();
    check("getpid() > 0", pid > 0);
    check("getppid() > 0", getppid() > 0);
    check("gettid() == getpid() in the main thread", syscall(SYS_gettid) == pid);
    check("getuid() == geteuid()", getuid() == geteuid());
    check("getgid() == getegid()", getgid() == getegid());

    struct timespec m1, m2, rt, res;
    check("clock_gettime(CLOCK_MONOTONIC) succeeds", clock_gettime(CLOCK_MONOTONIC, &m1) == 0);
    struct timespec nap = {0, 2 * 1000 * 1000};
    check("nanosleep(2 ms) returns 0", nanosleep(&nap, NULL) == 0);
    clock_gettime(CLOCK_MONOTONIC, &m2);
    check("CLOCK_MONOTONIC does not go backwards", ns(&m2) >= ns(&m1));
    check("CLOCK_MONOTONIC advanced by at least the 2 ms slept", ns(&m2) - ns(&m1) >= 2000000);
    check("tv_nsec in range", m1.tv_nsec >= 0 && m1.tv_nsec < 1000000000 && m2.tv_nsec >= 0 &&
                                  m2.tv_nsec < 1000000000);
    check("clock_getres(CLOCK_MONOTONIC) succeeds and is <= 1 ms",
          clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec <= 1000000);
    check("clock_gettime(CLOCK_REALTIME) after 2020-01-01",
          clock_gettime(CLOCK_REALTIME, &rt) == 0 && rt.tv_sec > 1577836800);
    struct timeval tv;
    check("gettimeofday agrees with CLOCK_REALTIME within 5 s",
          gettimeofday(&tv, NULL) == 0 && llabs((long long)tv.tv_sec - rt.tv_sec) <= 5);
    /* time() may read a coarse clock that lags the fine one: compare both ways. */
    time_t t = time(NULL);
    check("time() agrees with CLOCK_REALTIME within 5 s", llabs((long long)t - rt.tv_sec) <= 5);
    errno = 0;
    check("clock_gettime(bad clock id) fails with EINVAL",
          clock_gettime((clockid_t)1000, &rt) == -1 && errno == EINVAL);

    unsigned char rnd[32];
    memset(rnd, 0, sizeof rnd);
    ssize_t gr = getrandom(rnd, sizeof rnd, 0);
    check("getrandom(32) returns 32", gr == 32);
    int nonzero = 0;
    for (size_t i = 0; i < sizeof rnd; i++)
        nonzero += rnd[i] != 0;
    check("getrandom bytes are not all zero", nonzero > 0);

    struct rlimit gl, pl;
    check("getrlimit(RLIMIT_STACK) succeeds", getrlimit(RLIMIT_STACK, &gl) == 0);
    check("prlimit(0, RLIMIT_STACK) succeeds", prlimit(0, RLIMIT_STACK, NULL, &pl) == 0);
    check("getrlimit and prlimit agree", gl.rlim_cur == pl.rlim_cur && gl.rlim_max == pl.rlim_max);
    check("soft stack limit <= hard limit", gl.rlim_cur <= gl.rlim_max);
    struct rlimit nof;
    check("getrlimit(RLIMIT_NOFILE) succeeds and soft >= 3",
          getrlimit(RLIMIT_NOFILE, &nof) == 0 && nof.rlim_cur >= 3);

    char cwd[4096];
    check("getcwd succeeds", getcwd(cwd, sizeof cwd) != NULL && cwd[0] == '/');
    check("sysconf(_SC_PAGESIZE) == 4096", sysconf(_SC_PAGESIZE) == 4096);

    printf("failures = %d\n", failures);
    return failures == 0 ? 0 : 1;
}
