/* Sleeping and clocks, printed only as relations (never a time): CLOCK_MONOTONIC,
 * MONOTONIC_RAW and BOOTTIME never go backwards; nanosleep(20 ms) advances CLOCK_MONOTONIC by
 * at least 20 ms; clock_nanosleep relative and TIMER_ABSTIME (MONOTONIC and REALTIME), an
 * absolute time in the past returns at once with 0; EINVAL for bad timespecs, a thread
 * CPU-time clock and unknown clocks; clock_getres; CLOCK_PROCESS_CPUTIME_ID advances with
 * work; time(), gettimeofday() and CLOCK_REALTIME agree; a 10 ms ITIMER_REAL interrupts a
 * 2 s nanosleep (EINTR, some time remaining); alarm() returns what is left of the previous
 * alarm; the monotonic clock is one clock for parent and child; a child that sleeps 20 ms
 * is waited for at least 20 ms; a child that burns 20 ms of CPU shows up in
 * RUSAGE_CHILDREN. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_common.h"

static int64_t ns(clockid_t c)
{
    struct timespec ts;
    if (clock_gettime(c, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct timespec ts_of(int64_t n) { return (struct timespec){(time_t)(n / 1000000000), (long)(n % 1000000000)}; }

#define MS 1000000LL

static void monotonic(void)
{
    static const struct {
        clockid_t c;
        const char *name;
    } clocks[] = {{CLOCK_MONOTONIC, "CLOCK_MONOTONIC"},
                  {CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"},
                  {CLOCK_BOOTTIME, "CLOCK_BOOTTIME"},
                  {CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"}};
    for (unsigned k = 0; k < sizeof clocks / sizeof clocks[0]; k++) {
        int64_t prev = ns(clocks[k].c);
        int ok = prev >= 0;
        for (int i = 0; i < 10000 && ok; i++) {
            int64_t t = ns(clocks[k].c);
            ok = t >= prev;
            prev = t;
        }
        char what[96];
        snprintf(what, sizeof what, "%s: 10000 readings never go backwards", clocks[k].name);
        check(what, ok);
    }
    struct timespec res = {-1, -1};
    int r = clock_getres(CLOCK_MONOTONIC, &res);
    check("clock_getres(CLOCK_MONOTONIC): between 1 ns and 1 ms",
          r == 0 && res.tv_sec == 0 && res.tv_nsec >= 1 && res.tv_nsec <= 1000000);
}

static void sleeps(void)
{
    int64_t t0 = ns(CLOCK_MONOTONIC);
    struct timespec d = ts_of(20 * MS);
    int r = nanosleep(&d, NULL);
    int64_t t1 = ns(CLOCK_MONOTONIC);
    check("nanosleep(20 ms) returns 0", r == 0);
    printf("advanced >= 20ms: %s\n", yesno(t1 - t0 >= 20 * MS));
    if (t1 - t0 < 20 * MS)
        proc_failures++;

    t0 = ns(CLOCK_MONOTONIC);
    d = ts_of(10 * MS);
    r = clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL);
    t1 = ns(CLOCK_MONOTONIC);
    check("clock_nanosleep(MONOTONIC, relative 10 ms): 0, advanced >= 10 ms", r == 0 && t1 - t0 >= 10 * MS);

    int64_t target = ns(CLOCK_MONOTONIC) + 15 * MS;
    d = ts_of(target);
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL);
    check("clock_nanosleep(MONOTONIC, TIMER_ABSTIME now + 15 ms): 0, the clock is past the target",
          r == 0 && ns(CLOCK_MONOTONIC) >= target);

    target = ns(CLOCK_REALTIME) + 10 * MS;
    d = ts_of(target);
    r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &d, NULL);
    check("clock_nanosleep(REALTIME, TIMER_ABSTIME now + 10 ms): 0, the clock is past the target",
          r == 0 && ns(CLOCK_REALTIME) >= target);

    d = ts_of(ns(CLOCK_MONOTONIC) - 1000 * MS);
    t0 = ns(CLOCK_MONOTONIC);
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL);
    check("TIMER_ABSTIME one second in the past: 0", r == 0);

    d = ts_of(5 * MS);
    r = clock_nanosleep(CLOCK_BOOTTIME, 0, &d, NULL);
    check("clock_nanosleep(BOOTTIME, relative 5 ms): 0", r == 0);
}

static void errors(void)
{
    struct timespec bad[] = {{0, 1000000000}, {0, -1}, {-1, 0}};
    const char *names[] = {"tv_nsec 1e9", "tv_nsec -1", "tv_sec -1"};
    for (int i = 0; i < 3; i++) {
        errno = 0;
        int r = nanosleep(&bad[i], NULL);
        char what[64];
        snprintf(what, sizeof what, "nanosleep %s: EINVAL", names[i]);
        checkf(what, r == -1 && errno == EINVAL, "%d %s", r, ename(errno));
    }
    struct timespec d = ts_of(MS);
    int r = clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &d, NULL);
    checkf("clock_nanosleep(CLOCK_THREAD_CPUTIME_ID): returns EINVAL", r == EINVAL, "%s", ename(r));
    r = clock_nanosleep((clockid_t)1234, 0, &d, NULL);
    checkf("clock_nanosleep(unknown clock): returns EINVAL", r == EINVAL, "%s", ename(r));
    r = clock_nanosleep(CLOCK_MONOTONIC, 0, &bad[0], NULL);
    checkf("clock_nanosleep(tv_nsec 1e9): returns EINVAL", r == EINVAL, "%s", ename(r));
    struct timespec ts;
    errno = 0;
    r = clock_gettime((clockid_t)1234, &ts);
    checkf("clock_gettime(unknown clock): EINVAL", r == -1 && errno == EINVAL, "%d %s", r, ename(errno));
}

static void cpu_and_wall(void)
{
    int64_t c0 = ns(CLOCK_PROCESS_CPUTIME_ID);
    int64_t w0 = ns(CLOCK_MONOTONIC);
    volatile uint64_t x = 0;
    while (ns(CLOCK_MONOTONIC) - w0 < 5 * MS)
        for (int i = 0; i < 1000; i++)
            x += (uint64_t)i;
    int64_t c1 = ns(CLOCK_PROCESS_CPUTIME_ID);
    check("CLOCK_PROCESS_CPUTIME_ID advanced during 5 ms of work", c0 >= 0 && c1 > c0);
    int64_t t0 = ns(CLOCK_THREAD_CPUTIME_ID);
    check("CLOCK_THREAD_CPUTIME_ID readable", t0 >= 0);

    struct timeval tv;
    gettimeofday(&tv, NULL);
    time_t t = time(NULL);
    int64_t rt = ns(CLOCK_REALTIME);
    int64_t d1 = rt / 1000000000 - t, d2 = rt / 1000 - ((int64_t)tv.tv_sec * 1000000 + tv.tv_usec);
    check("time(), gettimeofday() and CLOCK_REALTIME agree (within 1 s)", d1 >= 0 && d1 <= 1 && d2 >= 0 &&
                                                                              d2 <= 1000000);
    check("CLOCK_REALTIME is after 2020", rt / 1000000000 > 1577836800);
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static void timers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 10000}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec d = {2, 0}, rem = {0, 0};
    errno = 0;
    int r = nanosleep(&d, &rem);
    int e = errno;
    check("ITIMER_REAL 10 ms interrupts nanosleep(2 s): EINTR", r == -1 && e == EINTR);
    check("  the handler ran once", alarms == 1);
    check("  some time remains, less than 2 s", rem.tv_sec < 2 && (rem.tv_sec > 0 || rem.tv_nsec > 0));
    struct itimerval cur;
    getitimer(ITIMER_REAL, &cur);
    check("  the one-shot timer is disarmed", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

    check("alarm(100) with no alarm pending returns 0", alarm(100) == 0);
    unsigned left = alarm(0);
    check("alarm(0) then returns what is left of the 100 s (99 or 100)", left == 99 || left == 100);
    signal(SIGALRM, SIG_DFL);
}

static void across_processes(void)
{
    int p[2];
    pipe(p);
    int64_t before = ns(CLOCK_MONOTONIC);
    pid_t c = pfork();
    if (c == 0) {
        int64_t t = ns(CLOCK_MONOTONIC);
        write_full(p[1], &t, sizeof t);
        _exit(0);
    }
    int64_t child_t = -1;
    read_full(p[0], &child_t, sizeof child_t);
    wait_for(c);
    int64_t after = ns(CLOCK_MONOTONIC);
    check("the child's CLOCK_MONOTONIC lies between the parent's readings before and after",
          child_t >= before && child_t <= after);
    close(p[0]);
    close(p[1]);

    int64_t t0 = ns(CLOCK_MONOTONIC);
    c = pfork();
    if (c == 0) {
        sleep_ms(20);
        _exit(0);
    }
    wait_for(c);
    check("waiting for a child that sleeps 20 ms takes >= 20 ms", ns(CLOCK_MONOTONIC) - t0 >= 20 * MS);

    c = pfork();
    if (c == 0) {
        int64_t s = ns(CLOCK_PROCESS_CPUTIME_ID);
        volatile uint64_t x = 0;
        while (ns(CLOCK_PROCESS_CPUTIME_ID) - s < 20 * MS)
            for (int i = 0; i < 1000; i++)
                x += (uint64_t)i;
        _exit(0);
    }
    wait_for(c);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    int64_t cpu = ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
                  ru.ru_stime.tv_usec;
    checkf("RUSAGE_CHILDREN after a child burnt 20 ms of CPU: >= 20 ms", cpu >= 20000, "%lld us", (long long)cpu);
}

int main(void)
{
    printf("== clocks\n");
    monotonic();
    printf("== sleeping\n");
    sleeps();
    printf("== errors\n");
    errors();
    printf("== CPU time and wall time\n");
    cpu_and_wall();
    printf("== timers\n");
    timers();
    printf("== across processes\n");
    across_processes();
    return finish();
}
