/* Hostile programs for the cli tests (never run them natively):
 *
 *   hostile fork-bomb MAX every process forks ten times (children go on counting where
 *                         their parent was), failures (EAGAIN beyond --max-procs) included,
 *                         then exits; the first process waits for them all and says whether
 *                         any saw EAGAIN and whether more than MAX were ever alive at once
 *   hostile fork-forever  every process forks forever, ignoring errors (only --timeout ends it)
 *   hostile pipe-full     writes into a pipe whose read end it holds and never reads
 *   hostile fd-hog N      N children each open /dev/null until it fails and hold on; then
 *                         the parent opens a file and a pipe, and everyone exits
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* Counters every process of the bomb shares (MAP_SHARED): forks refused, processes alive
 * now and at most. */
struct Counts {
    long eagain, alive, most;
};

static void note_alive(struct Counts *c, long delta)
{
    long now = __atomic_add_fetch(&c->alive, delta, __ATOMIC_SEQ_CST);
    long most = __atomic_load_n(&c->most, __ATOMIC_SEQ_CST);
    while (now > most && !__atomic_compare_exchange_n(&c->most, &most, now, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
}

static int fork_bomb(long max_procs)
{
    struct Counts *c = mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    const pid_t first = getpid();
    note_alive(c, 1);
    /* Ten forks per process, the count inherited: at most 2^10 processes in all, far more
     * than --max-procs lets live at once. */
    for (int tries = 0; tries < 10; ++tries) {
        pid_t p = fork();
        if (p == 0) {
            note_alive(c, 1);
        } else if (p < 0) {
            if (errno != EAGAIN) {
                printf("fork: %s\n", strerror(errno));
                return 1;
            }
            __atomic_add_fetch(&c->eagain, 1, __ATOMIC_SEQ_CST);
        }
    }
    if (getpid() != first) {
        note_alive(c, -1);
        _exit(0);
    }
    while (wait(NULL) > 0)
        ;
    printf("EAGAIN %s; at most %s processes alive at once\n", c->eagain ? "seen" : "never seen",
           c->most <= max_procs ? "--max-procs or fewer" : "MORE THAN --max-procs");
    return 0;
}

/* The error an open failed with, by name. */
static const char *open_error(int e)
{
    return e == EMFILE ? "EMFILE" : e == ENFILE ? "ENFILE" : strerror(e);
}

static int fd_hog(int children)
{
    int ready[2], release[2];
    pipe(ready);
    pipe(release);
    for (int i = 0; i < children; ++i) {
        if (fork() == 0) {
            close(release[1]);
            int n = 0;
            while (open("/dev/null", O_RDONLY) >= 0)
                ++n;
            printf("child: %s after %s\n", open_error(errno), n >= 1000 ? "1000 or more" : n > 0 ? "some" : "none");
            char c = 1;
            write(ready[1], &c, 1);
            read(release[0], &c, 1); /* until the parent closes it */
            _exit(0);
        }
    }
    for (int i = 0; i < children; ++i) {
        char c;
        read(ready[0], &c, 1);
    }
    int fd = open("/dev/null", O_RDONLY);
    printf("parent: open %s\n", fd >= 0 ? "ok" : open_error(errno));
    int p[2];
    printf("parent: pipe %s\n", pipe(p) == 0 ? "ok" : open_error(errno));
    close(release[1]);
    while (wait(NULL) > 0)
        ;
    fd = open("/dev/null", O_RDONLY);
    printf("parent, after they exited: open %s\n", fd >= 0 ? "ok" : open_error(errno));
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2)
        return 2;
    if (!strcmp(argv[1], "fork-bomb") && argc >= 3)
        return fork_bomb(atol(argv[2]));
    if (!strcmp(argv[1], "fork-forever"))
        for (;;)
            fork();
    if (!strcmp(argv[1], "fd-hog") && argc >= 3)
        return fd_hog(atoi(argv[2]));
    if (!strcmp(argv[1], "pipe-full")) {
        int p[2];
        pipe(p);
        static char buf[4096];
        long total = 0;
        for (;;) {
            ssize_t n = write(p[1], buf, sizeof buf);
            if (n < 0)
                return 1;
            total += n;
            if (total % 65536 == 0)
                printf("wrote %ld\n", total);
        }
    }
    return 2;
}
