/* The raw futex system call. Alone: FUTEX_WAIT with the wrong value is EAGAIN, FUTEX_WAKE
 * with nobody waiting is 0, relative and absolute (MONOTONIC, REALTIME) timeouts are
 * ETIMEDOUT after the time has passed, errors (EINVAL for a zero bitset, an unaligned
 * address or a bad timeout; EFAULT; ENOSYS for an unknown op or CLOCK_REALTIME with
 * FUTEX_WAKE). With pthreads as waiters (how many wait is read with FUTEX_CMP_REQUEUE of a
 * futex onto itself, which moves nobody and returns the number of waiters): FUTEX_WAKE
 * returns how many it woke (2 of 3, then the last); FUTEX_REQUEUE and FUTEX_CMP_REQUEUE
 * (wake 1, move the rest; move only 1; EAGAIN on a changed value); WAIT_BITSET/WAKE_BITSET
 * wake only matching waiters; a FUTEX_WAIT_PRIVATE waiter is not woken by a shared
 * FUTEX_WAKE. Across fork: a shared futex in MAP_SHARED memory woken by the other
 * process, a private one not. With a thread made by a raw clone() (CLONE_THREAD,
 * CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID) that uses only raw system calls: it waits on
 * a futex, is woken, and the kernel clears and wakes the child-tid word when it exits. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_common.h"

/* From <linux/futex.h>, which musl-gcc does not see. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_REQUEUE_PRIVATE (FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_BITSET_PRIVATE (FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

static long futex(volatile int *uaddr, int op, int val, const void *timeout_or_val2, volatile int *uaddr2, int val3)
{
    return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}

/* How many wait on f (private or shared futex space as `private_`): a FUTEX_CMP_REQUEUE of
 * f onto itself, waking none, "moves" every waiter in place and returns their number. */
static long waiters(volatile int *f, int private_)
{
    return futex(f, FUTEX_CMP_REQUEUE | (private_ ? FUTEX_PRIVATE_FLAG : 0), 0, (void *)(uintptr_t)INT_MAX, f, *f);
}

static int wait_waiters(volatile int *f, int private_, long n)
{
    return WAIT_UNTIL(waiters(f, private_) == n, 5000);
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void alone(void)
{
    static volatile int f = 5;
    errno = 0;
    long r = futex(&f, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0);
    checkf("FUTEX_WAIT_PRIVATE, value differs: EAGAIN", r == -1 && errno == EAGAIN, "%ld %s", r, ename(errno));
    errno = 0;
    r = futex(&f, FUTEX_WAIT, 4, NULL, NULL, 0);
    checkf("FUTEX_WAIT (shared), value differs: EAGAIN", r == -1 && errno == EAGAIN, "%ld %s", r, ename(errno));
    r = futex(&f, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    checkf("FUTEX_WAKE with nobody waiting: 0", r == 0, "%ld %s", r, ename(errno));
    r = waiters(&f, 1);
    checkf("FUTEX_CMP_REQUEUE onto itself with nobody waiting: 0", r == 0, "%ld %s", r, ename(errno));

    struct timespec rel = {0, 10 * 1000 * 1000};
    int64_t t0 = mono_ns();
    errno = 0;
    r = futex(&f, FUTEX_WAIT_PRIVATE, 5, &rel, NULL, 0);
    int64_t t1 = mono_ns();
    checkf("FUTEX_WAIT, relative 10 ms timeout: ETIMEDOUT", r == -1 && errno == ETIMEDOUT, "%ld %s", r, ename(errno));
    check("  after at least 10 ms", t1 - t0 >= 10 * 1000 * 1000);

    struct timespec abs_;
    clock_gettime(CLOCK_MONOTONIC, &abs_);
    abs_.tv_nsec += 10 * 1000 * 1000;
    if (abs_.tv_nsec >= 1000000000) {
        abs_.tv_sec++;
        abs_.tv_nsec -= 1000000000;
    }
    errno = 0;
    r = futex(&f, FUTEX_WAIT_BITSET_PRIVATE, 5, &abs_, NULL, FUTEX_BITSET_MATCH_ANY);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    checkf("FUTEX_WAIT_BITSET, absolute CLOCK_MONOTONIC deadline: ETIMEDOUT", r == -1 && errno == ETIMEDOUT,
           "%ld %s", r, ename(errno));
    check("  the deadline has passed",
          now.tv_sec > abs_.tv_sec || (now.tv_sec == abs_.tv_sec && now.tv_nsec >= abs_.tv_nsec));

    clock_gettime(CLOCK_REALTIME, &abs_);
    abs_.tv_nsec += 5 * 1000 * 1000;
    if (abs_.tv_nsec >= 1000000000) {
        abs_.tv_sec++;
        abs_.tv_nsec -= 1000000000;
    }
    errno = 0;
    r = futex(&f, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &abs_, NULL, FUTEX_BITSET_MATCH_ANY);
    checkf("FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, absolute deadline: ETIMEDOUT", r == -1 && errno == ETIMEDOUT,
           "%ld %s", r, ename(errno));

    struct timespec past = {0, 0};
    errno = 0;
    r = futex(&f, FUTEX_WAIT_BITSET_PRIVATE, 5, &past, NULL, FUTEX_BITSET_MATCH_ANY);
    checkf("FUTEX_WAIT_BITSET, deadline long past: ETIMEDOUT", r == -1 && errno == ETIMEDOUT, "%ld %s", r,
           ename(errno));

    errno = 0;
    r = futex(&f, FUTEX_WAIT_BITSET_PRIVATE, 5, NULL, NULL, 0);
    checkf("FUTEX_WAIT_BITSET with bitset 0: EINVAL", r == -1 && errno == EINVAL, "%ld %s", r, ename(errno));
    errno = 0;
    r = futex(&f, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0);
    checkf("FUTEX_WAKE_BITSET with bitset 0: EINVAL", r == -1 && errno == EINVAL, "%ld %s", r, ename(errno));
    errno = 0;
    r = futex((volatile int *)((char *)&f + 1), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    checkf("FUTEX_WAKE on an unaligned address: EINVAL", r == -1 && errno == EINVAL, "%ld %s", r, ename(errno));
    struct timespec badt = {0, 1000000000};
    errno = 0;
    r = futex(&f, FUTEX_WAIT_PRIVATE, 5, &badt, NULL, 0);
    checkf("FUTEX_WAIT with tv_nsec 1e9: EINVAL", r == -1 && errno == EINVAL, "%ld %s", r, ename(errno));
    errno = 0;
    r = futex(NULL, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    checkf("FUTEX_WAIT on NULL: EFAULT", r == -1 && errno == EFAULT, "%ld %s", r, ename(errno));
    errno = 0;
    r = futex(&f, 99, 0, NULL, NULL, 0);
    checkf("unknown futex op: ENOSYS", r == -1 && errno == ENOSYS, "%ld %s", r, ename(errno));
    errno = 0;
    r = futex(&f, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0);
    checkf("FUTEX_WAKE | FUTEX_CLOCK_REALTIME: ENOSYS", r == -1 && errno == ENOSYS, "%ld %s", r, ename(errno));
    errno = 0;
    r = futex(&f, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)(uintptr_t)1, &f, 6);
    checkf("FUTEX_CMP_REQUEUE, value differs from val3: EAGAIN", r == -1 && errno == EAGAIN, "%ld %s", r,
           ename(errno));
}

/* ---- pthread waiters ---- */
struct waiter {
    volatile int *f;
    int op;
    int val;
    unsigned bitset;
    long result;
    int err;
    volatile int done;
};

static void *wait_thread(void *arg)
{
    struct waiter *w = arg;
    errno = 0;
    w->result = futex(w->f, w->op, w->val, NULL, NULL, (int)w->bitset);
    w->err = errno;
    __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static int count_done(struct waiter *w, int n)
{
    int d = 0;
    for (int i = 0; i < n; i++)
        d += __atomic_load_n(&w[i].done, __ATOMIC_SEQ_CST);
    return d;
}

static void start(pthread_t *t, struct waiter *w, int n, volatile int *f, int op, int val)
{
    for (int i = 0; i < n; i++) {
        w[i] = (struct waiter){f, op, val, FUTEX_BITSET_MATCH_ANY, -2, 0, 0};
        pthread_create(&t[i], NULL, wait_thread, &w[i]);
    }
}

static void with_threads(void)
{
    static volatile int f = 0, f2 = 0;
    pthread_t t[3];
    struct waiter w[3];

    start(t, w, 3, &f, FUTEX_WAIT_PRIVATE, 0);
    check("three threads waiting (counted by CMP_REQUEUE onto itself)", wait_waiters(&f, 1, 3));
    long r = futex(&f, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0);
    checkf("FUTEX_WAKE 2 of 3: returns 2", r == 2, "%ld", r);
    check("  two threads return from FUTEX_WAIT", WAIT_UNTIL(count_done(w, 3) == 2, 5000));
    checkf("  one still waits", waiters(&f, 1) == 1, "%ld", waiters(&f, 1));
    r = futex(&f, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    checkf("FUTEX_WAKE all: returns 1", r == 1, "%ld", r);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    check("  every FUTEX_WAIT returned 0", w[0].result == 0 && w[1].result == 0 && w[2].result == 0);

    /* FUTEX_REQUEUE: wake 1, move up to INT_MAX to f2. */
    start(t, w, 3, &f, FUTEX_WAIT_PRIVATE, 0);
    wait_waiters(&f, 1, 3);
    r = futex(&f, FUTEX_REQUEUE_PRIVATE, 1, (void *)(uintptr_t)INT_MAX, &f2, 0);
    checkf("FUTEX_REQUEUE wake 1, requeue the rest: returns 3 (woken + requeued)", r == 3, "%ld", r);
    check("  one thread woken", WAIT_UNTIL(count_done(w, 3) == 1, 5000));
    checkf("  nobody left on the first futex, two on the second", waiters(&f, 1) == 0 && waiters(&f2, 1) == 2,
           "%ld %ld", waiters(&f, 1), waiters(&f2, 1));
    r = futex(&f, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    checkf("  FUTEX_WAKE on the first futex: 0", r == 0, "%ld", r);
    r = futex(&f2, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    checkf("  FUTEX_WAKE on the second: 2", r == 2, "%ld", r);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);

    /* FUTEX_CMP_REQUEUE: wake none, move only 1. */
    start(t, w, 3, &f, FUTEX_WAIT_PRIVATE, 0);
    wait_waiters(&f, 1, 3);
    r = futex(&f, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)(uintptr_t)1, &f2, 0);
    checkf("FUTEX_CMP_REQUEUE wake 0, requeue 1: returns 1", r == 1, "%ld", r);
    checkf("  two left on the first futex, one on the second", waiters(&f, 1) == 2 && waiters(&f2, 1) == 1,
           "%ld %ld", waiters(&f, 1), waiters(&f2, 1));
    r = futex(&f, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0) + futex(&f2, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    checkf("  waking both futexes wakes 3", r == 3, "%ld", r);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);

    /* Bitsets. */
    for (int i = 0; i < 2; i++) {
        w[i] = (struct waiter){&f, FUTEX_WAIT_BITSET_PRIVATE, 0, i == 0 ? 1u : 2u, -2, 0, 0};
        pthread_create(&t[i], NULL, wait_thread, &w[i]);
    }
    check("two bitset waiters (bitsets 1 and 2)", wait_waiters(&f, 1, 2));
    r = futex(&f, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 4);
    checkf("FUTEX_WAKE_BITSET 4: wakes 0", r == 0, "%ld", r);
    r = futex(&f, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 1);
    checkf("FUTEX_WAKE_BITSET 1: wakes 1", r == 1, "%ld", r);
    check("  the bitset-1 waiter returned, the other still waits",
          WAIT_UNTIL(w[0].done, 5000) && !w[1].done && waiters(&f, 1) == 1);
    r = futex(&f, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    checkf("plain FUTEX_WAKE (all bits) wakes the bitset-2 waiter", r == 1, "%ld", r);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);

    /* Private and shared are different name spaces. */
    start(t, w, 1, &f, FUTEX_WAIT_PRIVATE, 0);
    wait_waiters(&f, 1, 1);
    r = futex(&f, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    checkf("FUTEX_WAIT_PRIVATE waiter, shared FUTEX_WAKE: wakes 0", r == 0, "%ld", r);
    checkf("  shared CMP_REQUEUE count sees 0, private sees 1", waiters(&f, 0) == 0 && waiters(&f, 1) == 1, "%ld %ld",
           waiters(&f, 0), waiters(&f, 1));
    r = futex(&f, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    checkf("  FUTEX_WAKE_PRIVATE: wakes 1", r == 1, "%ld", r);
    pthread_join(t[0], NULL);
    start(t, w, 1, &f, FUTEX_WAIT, 0);
    wait_waiters(&f, 0, 1);
    r = futex(&f, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    checkf("shared FUTEX_WAIT waiter on private memory, shared FUTEX_WAKE: wakes 1", r == 1, "%ld", r);
    pthread_join(t[0], NULL);
}

static void across_fork(void)
{
    volatile int *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!check("MAP_SHARED word", word != MAP_FAILED))
        return;
    *word = 0;
    pid_t c = pfork();
    if (c == 0) {
        long r = futex(word, FUTEX_WAIT, 0, NULL, NULL, 0);
        _exit(r == 0 ? 0 : 1);
    }
    check("the child waits on the shared word (counted from the parent)", wait_waiters(word, 0, 1));
    long r = futex(word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    checkf("parent's FUTEX_WAKE wakes the child: 1", r == 1, "%ld", r);
    check_exit("child's FUTEX_WAIT returned 0", wait_for(c), 0);

    c = pfork();
    if (c == 0) {
        struct timespec t = {0, 50 * 1000 * 1000};
        errno = 0;
        long rr = futex(word, FUTEX_WAIT_PRIVATE, 0, &t, NULL, 0);
        _exit(rr == -1 && errno == ETIMEDOUT ? 0 : 1);
    }
    r = futex(word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    checkf("the child waits PRIVATE on the shared word: parent's FUTEX_WAKE_PRIVATE wakes 0", r == 0, "%ld", r);
    check_exit("  the child's wait times out (ETIMEDOUT)", wait_for(c), 0);
    munmap((void *)word, 4096);
}

/* ---- a raw clone() thread ---- */
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* clone(flags, stack) running fn(arg) on the new stack, then SYS_exit with its result. */
static long raw_clone(unsigned long flags, void *stack_top, int *ptid, int *ctid, int (*fn)(void *), void *arg)
{
    void **sp = (void **)stack_top;
    *--sp = arg;
    *--sp = (void *)fn;
    register long r10 __asm__("r10") = (long)ctid;
    register long r8 __asm__("r8") = 0;
    long ret;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "pop %%rax\n\t"
                     "pop %%rdi\n\t"
                     "and $-16, %%rsp\n\t"
                     "call *%%rax\n\t"
                     "mov %%eax, %%edi\n\t"
                     "mov %[exit_nr], %%eax\n\t"
                     "syscall\n\t"
                     "hlt\n\t"
                     "1:\n\t"
                     : "=a"(ret)
                     : "a"((long)SYS_clone), "D"(flags), "S"(sp), "d"(ptid), "r"(r10), "r"(r8),
                       [exit_nr] "i"(SYS_exit)
                     : "rcx", "r11", "memory");
    return ret;
}

static volatile int go_word;
static volatile int raw_tid, raw_result, raw_wait_ret = -99;

/* Only raw system calls in here: the thread has the main thread's TLS. */
__attribute__((noinline)) static int raw_thread(void *arg)
{
    raw_tid = (int)sys6(SYS_gettid, 0, 0, 0, 0, 0, 0);
    while (go_word == 0) {
        long r = sys6(SYS_futex, (long)&go_word, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0);
        if (raw_wait_ret == -99)
            raw_wait_ret = (int)r;
    }
    raw_result = (int)(intptr_t)arg + 1;
    return 0;
}

static void raw_clone_thread(void)
{
    size_t size = 64 * 1024;
    char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static int ptid = 0, ctid = 0;
    ctid = -1;
    unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
                          CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    long tid = raw_clone(flags, stack + size, &ptid, &ctid, raw_thread, (void *)41);
    if (!checkf("raw clone(CLONE_THREAD | ...) returns a tid", tid > 0, "%ld", tid))
        return;
    check("CLONE_PARENT_SETTID stored the tid", ptid == tid);
    check("the thread waits on the futex", wait_waiters(&go_word, 1, 1));
    check("  its gettid() is clone's return value, not getpid()", raw_tid == tid && raw_tid != getpid());
    go_word = 1;
    long r = futex(&go_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    checkf("FUTEX_WAKE wakes it: 1", r == 1, "%ld", r);
    /* CLONE_CHILD_CLEARTID: at exit the kernel writes 0 there and wakes the futex. */
    int spins = 0;
    for (int v; (v = __atomic_load_n(&ctid, __ATOMIC_SEQ_CST)) != 0 && spins < 1000; spins++)
        futex(&ctid, FUTEX_WAIT, v, &(struct timespec){0, 5 * 1000 * 1000}, NULL, 0);
    check("CLONE_CHILD_CLEARTID: the tid word is 0 after the thread exited", ctid == 0);
    check("  its FUTEX_WAIT returned 0 and it finished its work", raw_wait_ret == 0 && raw_result == 42);
    /* The tid word is cleared before the thread is quite gone; it goes soon after. */
    check("  and then it is gone (tgkill: ESRCH)",
          WAIT_UNTIL(syscall(SYS_tgkill, getpid(), (int)tid, 0) == -1 && errno == ESRCH, 5000));
    munmap(stack, size);
}

int main(void)
{
    printf("== alone\n");
    alone();
    printf("== with threads\n");
    with_threads();
    printf("== across fork\n");
    across_fork();
    printf("== a raw clone() thread\n");
    raw_clone_thread();
    return finish();
}
