/* POSIX threads (futex underneath): 8 threads adding into a mutex-protected counter and
 * returning values through pthread_join; a condition-variable queue with one producer and
 * two consumers; a barrier over three rounds (one serial thread per round); __thread
 * variables initialised in every thread and distinct per thread; gettid() distinct and
 * not getpid() in threads, getpid() the same; pthread_once; error-checking and recursive
 * mutexes; semaphores (trywait EAGAIN, timedwait ETIMEDOUT, a process-shared one across
 * fork); detached threads; a 64 KiB stack that can be used, and its guard page (infinite
 * recursion: SIGSEGV); pthread_kill to one thread runs the handler in that thread;
 * pthread_cancel of a thread blocked in read, with its cleanup handler; exit() from a
 * thread ends the process, pthread_exit() from main lets the others finish (status 0);
 * fork from a thread. Nothing depends on the order in which threads run. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_common.h"

#define NT 8

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

/* ---- counter, join values, tids, TLS ---- */
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread int tls_val = 123;
static __thread char tls_name[16];
static pid_t tids[NT], pids[NT];
static int tls_ok[NT];
static uintptr_t tls_addr[NT];
static pthread_barrier_t start_line;

static void *adder(void *arg)
{
    int id = (int)(intptr_t)arg;
    tids[id] = gettid_();
    pids[id] = getpid();
    int tls_initial = tls_val == 123 && tls_name[0] == 0;
    tls_val = id * 10;
    snprintf(tls_name, sizeof tls_name, "t%d", id);
    tls_addr[id] = (uintptr_t)&tls_val;
    pthread_barrier_wait(&start_line); /* all threads have set their TLS by now */
    for (int i = 0; i < 10000; i++) {
        pthread_mutex_lock(&counter_lock);
        counter += id + 1;
        pthread_mutex_unlock(&counter_lock);
    }
    char want[16];
    snprintf(want, sizeof want, "t%d", id);
    tls_ok[id] = tls_initial && tls_val == id * 10 && strcmp(tls_name, want) == 0;
    return (void *)(intptr_t)(id * id);
}

static void counter_and_tls(void)
{
    pthread_t t[NT];
    pthread_barrier_init(&start_line, NULL, NT);
    tls_val = -1;
    int created = 0;
    for (int i = 0; i < NT; i++)
        created += pthread_create(&t[i], NULL, adder, (void *)(intptr_t)i) == 0;
    if (!check("pthread_create x8", created == NT))
        return;
    long joined = 0;
    for (int i = 0; i < NT; i++) {
        void *rv;
        pthread_join(t[i], &rv);
        joined += (long)(intptr_t)rv;
    }
    pthread_barrier_destroy(&start_line);
    checkf("8 threads x 10000 locked additions: 360000", counter == 360000, "%ld", counter);
    checkf("return values through pthread_join: 0+1+4+...+49 = 140", joined == 140, "%ld", joined);
    int tls = 1, distinct_addr = 1, distinct_tid = 1, same_pid = 1;
    for (int i = 0; i < NT; i++) {
        tls &= tls_ok[i];
        same_pid &= pids[i] == getpid();
        distinct_tid &= tids[i] != getpid() && tids[i] > 0;
        for (int j = 0; j < i; j++) {
            distinct_addr &= tls_addr[i] != tls_addr[j];
            distinct_tid &= tids[i] != tids[j];
        }
    }
    check("__thread: initial value in each thread, own value kept", tls);
    check("__thread: a different address in each thread", distinct_addr);
    check("main thread's __thread value untouched", tls_val == -1);
    check("gettid() in threads: distinct, none is getpid()", distinct_tid);
    check("getpid() in threads is the process's", same_pid);
    check("main thread: gettid() == getpid()", gettid_() == getpid());
}

/* ---- condition variables ---- */
#define QCAP 4
static struct {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    int items[QCAP], head, count;
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0};

static void q_put(int v)
{
    pthread_mutex_lock(&q.lock);
    while (q.count == QCAP)
        pthread_cond_wait(&q.not_full, &q.lock);
    q.items[(q.head + q.count++) % QCAP] = v;
    pthread_cond_signal(&q.not_empty);
    pthread_mutex_unlock(&q.lock);
}

static int q_get(void)
{
    pthread_mutex_lock(&q.lock);
    while (q.count == 0)
        pthread_cond_wait(&q.not_empty, &q.lock);
    int v = q.items[q.head];
    q.head = (q.head + 1) % QCAP;
    q.count--;
    pthread_cond_signal(&q.not_full);
    pthread_mutex_unlock(&q.lock);
    return v;
}

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 1; i <= 1000; i++)
        q_put(i);
    q_put(-1);
    q_put(-1);
    return NULL;
}

struct consumed {
    long sum, n;
};

static void *consumer(void *arg)
{
    struct consumed *c = arg;
    for (int v; (v = q_get()) != -1;) {
        c->sum += v;
        c->n++;
    }
    return NULL;
}

static void condvars(void)
{
    pthread_t p, c1, c2;
    struct consumed a = {0, 0}, b = {0, 0};
    pthread_create(&c1, NULL, consumer, &a);
    pthread_create(&c2, NULL, consumer, &b);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c1, NULL);
    pthread_join(c2, NULL);
    checkf("queue of 4, 1 producer, 2 consumers: 1000 items summing to 500500",
           a.n + b.n == 1000 && a.sum + b.sum == 500500, "%ld items, sum %ld", a.n + b.n, a.sum + b.sum);

    /* pthread_cond_timedwait with nobody signalling. */
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 5 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&m);
    int r = pthread_cond_timedwait(&cv, &m, &ts);
    pthread_mutex_unlock(&m);
    checkf("pthread_cond_timedwait with no signal: ETIMEDOUT", r == ETIMEDOUT, "%s", ename(r));
}

/* ---- barrier ---- */
static pthread_barrier_t bar;
static int arrivals[3];
static int serial[3];
static int barrier_ok = 1;
static pthread_mutex_t bar_lock = PTHREAD_MUTEX_INITIALIZER;

static void *bar_thread(void *arg)
{
    (void)arg;
    for (int round = 0; round < 3; round++) {
        pthread_mutex_lock(&bar_lock);
        arrivals[round]++;
        pthread_mutex_unlock(&bar_lock);
        int r = pthread_barrier_wait(&bar);
        pthread_mutex_lock(&bar_lock);
        if (arrivals[round] != 4)
            barrier_ok = 0;
        if (r == PTHREAD_BARRIER_SERIAL_THREAD)
            serial[round]++;
        else if (r != 0)
            barrier_ok = 0;
        pthread_mutex_unlock(&bar_lock);
    }
    return NULL;
}

static void barrier(void)
{
    pthread_barrier_init(&bar, NULL, 4);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, bar_thread, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&bar);
    check("barrier of 4, 3 rounds: nobody passes before all arrive", barrier_ok);
    check("one PTHREAD_BARRIER_SERIAL_THREAD per round", serial[0] == 1 && serial[1] == 1 && serial[2] == 1);
}

/* ---- once, mutex kinds ---- */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static void once_init(void) { once_runs++; }
static void *once_thread(void *arg)
{
    (void)arg;
    pthread_once(&once, once_init);
    return NULL;
}

static void once_and_mutexes(void)
{
    pthread_t t[NT];
    for (int i = 0; i < NT; i++)
        pthread_create(&t[i], NULL, once_thread, NULL);
    for (int i = 0; i < NT; i++)
        pthread_join(t[i], NULL);
    check("pthread_once from 8 threads: the routine ran once", once_runs == 1);

    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_t m;
    pthread_mutex_init(&m, &a);
    pthread_mutex_lock(&m);
    int r = pthread_mutex_lock(&m);
    checkf("error-checking mutex locked twice: EDEADLK", r == EDEADLK, "%s", ename(r));
    r = pthread_mutex_trylock(&m);
    checkf("trylock of a locked mutex: EBUSY", r == EBUSY, "%s", ename(r));
    pthread_mutex_unlock(&m);
    r = pthread_mutex_unlock(&m);
    checkf("error-checking mutex unlocked when not owned: EPERM", r == EPERM, "%s", ename(r));
    pthread_mutex_destroy(&m);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&m, &a);
    int ok = pthread_mutex_lock(&m) == 0 && pthread_mutex_lock(&m) == 0 && pthread_mutex_unlock(&m) == 0 &&
             pthread_mutex_unlock(&m) == 0;
    check("recursive mutex: lock, lock, unlock, unlock", ok);
    r = pthread_mutex_unlock(&m);
    checkf("recursive mutex: one unlock too many: EPERM", r == EPERM, "%s", ename(r));
    pthread_mutex_destroy(&m);
    pthread_mutexattr_destroy(&a);
}

/* ---- semaphores, detached threads ---- */
static sem_t sem;

static void *poster(void *arg)
{
    int n = (int)(intptr_t)arg;
    for (int i = 0; i < n; i++)
        sem_post(&sem);
    return NULL;
}

static void semaphores(void)
{
    sem_init(&sem, 0, 0);
    pthread_t t;
    pthread_create(&t, NULL, poster, (void *)5);
    int waited = 0;
    for (int i = 0; i < 5; i++)
        waited += sem_wait(&sem) == 0;
    pthread_join(t, NULL);
    check("sem_wait x5 for 5 posts from a thread", waited == 5);
    int v = -1;
    sem_getvalue(&sem, &v);
    check("sem_getvalue then: 0", v == 0);
    errno = 0;
    checkf("sem_trywait at 0: EAGAIN", sem_trywait(&sem) == -1 && errno == EAGAIN, "%s", ename(errno));
    struct timespec past = {1, 0};
    errno = 0;
    checkf("sem_timedwait with a past deadline: ETIMEDOUT", sem_timedwait(&sem, &past) == -1 && errno == ETIMEDOUT,
           "%s", ename(errno));

    /* Detached threads, one made detached by attribute, one by pthread_detach. */
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    int ds = -1;
    pthread_attr_getdetachstate(&at, &ds);
    int c1 = pthread_create(&t, &at, poster, (void *)1);
    pthread_attr_destroy(&at);
    pthread_t t2;
    int c2 = pthread_create(&t2, NULL, poster, (void *)1);
    int d = pthread_detach(t2);
    int got = (sem_wait(&sem) == 0) + (sem_wait(&sem) == 0);
    check("two detached threads (attribute, pthread_detach) ran", ds == PTHREAD_CREATE_DETACHED && c1 == 0 &&
                                                                       c2 == 0 && d == 0 && got == 2);
    sem_destroy(&sem);

    /* A process-shared semaphore in MAP_SHARED memory, posted by a child process. */
    sem_t *ps = mmap(NULL, sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    sem_init(ps, 1, 0);
    pid_t c = pfork();
    if (c == 0) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
        sem_post(ps);
        sem_post(ps);
        _exit(0);
    }
    got = (sem_wait(ps) == 0) + (sem_wait(ps) == 0);
    check("process-shared semaphore posted twice by a child", got == 2);
    check_exit("child exited 0", wait_for(c), 0);
    sem_destroy(ps);
    munmap(ps, sizeof(sem_t));
}

/* ---- stacks ---- */
static void *use_stack(void *arg)
{
    (void)arg;
    volatile char buf[32 * 1024];
    for (size_t i = 0; i < sizeof buf; i += 512)
        buf[i] = (char)i;
    size_t sz = 0;
    pthread_attr_t a;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        pthread_attr_getstacksize(&a, &sz);
        pthread_attr_destroy(&a);
    }
    return (void *)sz;
}

#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int recurse(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    return recurse(n + 1) + pad[0];
}

static void *overflow(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)recurse(0);
}

static void stacks(void)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    size_t guard = 0;
    pthread_attr_getguardsize(&a, &guard);
    check("default guard size > 0", guard > 0);
    int r = pthread_attr_setstacksize(&a, 64 * 1024);
    check("pthread_attr_setstacksize 64 KiB", r == 0);
    pthread_t t;
    void *rv = NULL;
    r = pthread_create(&t, &a, use_stack, NULL);
    if (r == 0)
        pthread_join(t, &rv);
    checkf("thread with a 64 KiB stack uses 32 KiB of it; its stack is >= 64 KiB", r == 0 && (size_t)rv >= 64 * 1024,
           "%s %zu", ename(r), (size_t)rv);
    r = pthread_attr_setstacksize(&a, 1);
    checkf("pthread_attr_setstacksize below PTHREAD_STACK_MIN: EINVAL", r == EINVAL, "%s", ename(r));

    pid_t c = pfork();
    if (c == 0) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        pthread_attr_t b;
        pthread_attr_init(&b);
        pthread_attr_setstacksize(&b, 64 * 1024);
        pthread_t o;
        pthread_create(&o, &b, overflow, NULL);
        pthread_join(o, NULL);
        _exit(0);
    }
    int st = wait_for(c);
    checkf("endless recursion on a 64 KiB thread stack hits the guard: SIGSEGV",
           st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "%s", status_str(st));
    pthread_attr_destroy(&a);
}

/* ---- signals and cancellation ---- */
static volatile pid_t handler_tid;
static volatile sig_atomic_t handled;
static void on_usr1(int sig)
{
    (void)sig;
    handler_tid = gettid_();
    handled = 1;
}

static volatile pid_t target_tid;
static void *wait_for_signal(void *arg)
{
    (void)arg;
    target_tid = gettid_();
    while (!handled) {
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static int cleanup_ran;
static void cleanup(void *arg) { *(int *)arg = 1; }

static void *blocked_reader(void *arg)
{
    int fd = *(int *)arg;
    pthread_cleanup_push(cleanup, &cleanup_ran);
    char b;
    read(fd, &b, 1); /* a cancellation point; nobody writes */
    pthread_cleanup_pop(0);
    return NULL;
}

static void signals_and_cancel(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, wait_for_signal, NULL);
    while (!target_tid)
        sched_yield();
    int r = pthread_kill(t, SIGUSR1);
    pthread_join(t, NULL);
    check("pthread_kill(thread, SIGUSR1): the handler ran in that thread", r == 0 && handler_tid == target_tid);
    signal(SIGUSR1, SIG_DFL);

    int p[2];
    pipe(p);
    pthread_create(&t, NULL, blocked_reader, &p[0]);
    sleep_ms(5); /* most likely blocked in read by now; cancellation works either way */
    r = pthread_cancel(t);
    void *rv = NULL;
    pthread_join(t, &rv);
    check("pthread_cancel of a thread in read(): joined with PTHREAD_CANCELED", r == 0 && rv == PTHREAD_CANCELED);
    check("  its cleanup handler ran", cleanup_ran == 1);
    close(p[0]);
    close(p[1]);
}

/* ---- how processes with threads end ---- */
static void *exit_42(void *arg)
{
    (void)arg;
    exit(42);
}

static int done_fd;
static void *late_worker(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    write(done_fd, "w", 1);
    return NULL;
}

static void *forker(void *arg)
{
    (void)arg;
    pid_t c = fork();
    if (c == 0)
        _exit(3);
    int st = wait_for(c);
    return (void *)(intptr_t)(st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void endings(void)
{
    pid_t c = pfork();
    if (c == 0) {
        pthread_t t;
        pthread_create(&t, NULL, exit_42, NULL);
        for (;;)
            pause();
    }
    check_exit("exit(42) in a thread ends the process, main blocked in pause()", wait_for(c), 42);

    /* In a freshly exec'd image: musl 1.2.3's fork() leaves the child's main thread
     * without a clear-child-tid address, so a forked child whose main thread calls
     * pthread_exit() deadlocks natively (its other threads wait for ever on the thread
     * list lock the main thread took). */
    int p[2];
    pipe(p);
    c = pfork();
    if (c == 0) {
        close(p[0]);
        char fd[16];
        snprintf(fd, sizeof fd, "%d", p[1]);
        char *argv[] = {"proc_threads", "main-pthread-exit", fd, NULL};
        char *envp[] = {NULL};
        execve("/proc/self/exe", argv, envp);
        _exit(127);
    }
    close(p[1]);
    char b = 0;
    ssize_t n = read(p[0], &b, 1);
    close(p[0]);
    check("main thread's pthread_exit: the other thread still finishes its work", n == 1 && b == 'w');
    check_exit("  then the process exits 0", wait_for(c), 0);

    pthread_t t;
    void *rv = NULL;
    pthread_create(&t, NULL, forker, NULL);
    pthread_join(t, &rv);
    check("fork from a thread: the child runs and exits 3", (intptr_t)rv == 3);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "main-pthread-exit") == 0) {
        done_fd = atoi(argv[2]);
        pthread_t t;
        pthread_create(&t, NULL, late_worker, NULL);
        pthread_exit(NULL);
    }
    printf("== counter, join values, TLS, tids\n");
    counter_and_tls();
    printf("== condition variables\n");
    condvars();
    printf("== barrier\n");
    barrier();
    printf("== once, mutex kinds\n");
    once_and_mutexes();
    printf("== semaphores, detached threads\n");
    semaphores();
    printf("== stacks\n");
    stacks();
    printf("== signals, cancellation\n");
    signals_and_cancel();
    printf("== endings\n");
    endings();
    return finish();
}
