// Probes faultline's scheduler; faultline's tests compare runs of it with each other, not
// with native runs (a native interleaving is never reproducible).
//
//   sched_probe interleave   3 children print progress lines with busy loops between and
//                            no synchronisation; the order shows the interleaving.
//   sched_probe spin         a thread spins, without any syscall, on a flag another thread
//                            sets after sleeping: only preemption lets it finish.
//   sched_probe deadlock     a child blocks reading a pipe whose write end the parent holds
//                            while the parent waits for the child.
//   sched_probe sleep        sleeps 5 s and prints how long CLOCK_MONOTONIC says it took.
//   sched_probe forever      a child and its parent both loop forever without syscalls.
//   sched_probe forkmax      forks children that wait, until fork fails; prints the count
//                            and the error, then ends them.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;
static volatile int flag;

static void busy(unsigned long n) {
    for (unsigned long i = 0; i < n; i++)
        sink += i;
}

static int interleave(void) {
    for (int c = 0; c < 3; c++) {
        if (fork() == 0) {
            for (int i = 0; i < 20; i++) {
                char line[32];
                int n = snprintf(line, sizeof line, "child %d step %d\n", c, i);
                write(1, line, (size_t)n);
                busy(300000);
            }
            _exit(0);
        }
    }
    while (wait(NULL) > 0) {
    }
    return 0;
}

static void* setter(void* arg) {
    (void)arg;
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    flag = 1;
    return NULL;
}

static int spin(void) {
    pthread_t t;
    pthread_create(&t, NULL, setter, NULL);
    while (!flag) {
    }
    pthread_join(t, NULL);
    puts("flag seen");
    return 0;
}

static int deadlock(void) {
    int fd[2];
    pipe(fd);
    pid_t p = fork();
    if (p == 0) {
        char c;
        read(fd[0], &c, 1);
        _exit(0);
    }
    waitpid(p, NULL, 0);
    return 0;
}

static int sleep_probe(void) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    sleep(5);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("slept %ld s\n", (long)(b.tv_sec - a.tv_sec));
    return 0;
}

static int forkmax(void) {
    int n = 0;
    for (;;) {
        pid_t p = fork();
        if (p < 0) {
            printf("forked %d, then %s\n", n, errno == EAGAIN ? "EAGAIN" : strerror(errno));
            break;
        }
        if (p == 0) {
            pause();
            _exit(0);
        }
        n++;
    }
    fflush(stdout);
    signal(SIGTERM, SIG_IGN);
    kill(0, SIGTERM);
    while (wait(NULL) > 0) {
    }
    return 0;
}

static int forever(void) {
    fork();
    busy(~0ul);
    return 0;
}

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "interleave"))
        return interleave();
    if (!strcmp(mode, "spin"))
        return spin();
    if (!strcmp(mode, "deadlock"))
        return deadlock();
    if (!strcmp(mode, "sleep"))
        return sleep_probe();
    if (!strcmp(mode, "forever"))
        return forever();
    if (!strcmp(mode, "forkmax"))
        return forkmax();
    fprintf(stderr, "usage: sched_probe interleave|spin|deadlock|sleep|forever|forkmax\n");
    return 2;
}
