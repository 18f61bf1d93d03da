/* Many processes: 200 fork/_exit/waitpid in a row, each with its own exit code; 50 children
 * alive at once (held at a gate until all exist), each writing its slot of a MAP_SHARED
 * array and adding to an atomic counter in it, reaped with waitpid(-1) and matched to
 * their pids and exit codes; a chain of 30 generations passing a count up through exit
 * codes; a binary tree of 63 processes counting itself the same way. (A fork beyond
 * RLIMIT_NPROC is not tried: the limit and the processes already there are the host's.) */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_common.h"

static void sequential(void)
{
    int ok = 1, done = 0;
    for (int i = 0; i < 200; i++) {
        pid_t c = pfork();
        if (c == 0)
            _exit(i & 0xff);
        if (c < 0)
            break;
        int st = wait_for(c);
        ok &= st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == (i & 0xff);
        done++;
    }
    checkf("200 x fork, _exit(i), waitpid: each exit code right", ok && done == 200, "%d done", done);
}

#define N 50

struct shared {
    int slot[N];
    int counter;
};

static void concurrent(void)
{
    struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!check("MAP_SHARED array", sh != MAP_FAILED))
        return;
    int gate[2];
    pipe(gate);
    pid_t pids[N];
    int made = 0;
    for (int i = 0; i < N; i++) {
        pids[i] = pfork();
        if (pids[i] == 0) {
            close(gate[1]);
            char b;
            while (read(gate[0], &b, 1) > 0) /* EOF when the parent has made all 50 */
                ;
            sh->slot[i] = i * 3 + 1;
            __atomic_fetch_add(&sh->counter, 1, __ATOMIC_SEQ_CST);
            _exit(100 + i);
        }
        if (pids[i] < 0)
            break;
        made++;
    }
    close(gate[0]);
    close(gate[1]);
    checkf("50 children forked", made == N, "%d", made);
    int distinct = 1;
    for (int i = 0; i < made; i++)
        for (int j = 0; j < i; j++)
            distinct &= pids[i] != pids[j];
    check("50 distinct pids", distinct);
    int seen[N] = {0}, matched = 1, reaped = 0;
    for (;;) {
        int st;
        pid_t r = waitpid(-1, &st, 0);
        if (r < 0)
            break;
        reaped++;
        int k = -1;
        for (int i = 0; i < made; i++)
            if (pids[i] == r)
                k = i;
        if (k < 0 || seen[k] || !WIFEXITED(st) || WEXITSTATUS(st) != 100 + k)
            matched = 0;
        else
            seen[k] = 1;
    }
    check("waitpid(-1) reaped 50, each once, with its exit code, then ECHILD",
          reaped == made && matched && errno == ECHILD);
    int slots = 1;
    for (int i = 0; i < N; i++)
        slots &= sh->slot[i] == i * 3 + 1;
    check("every child's slot in the shared array written", slots);
    checkf("the shared atomic counter is 50", sh->counter == N, "%d", sh->counter);
    munmap(sh, sizeof *sh);
}

/* Generation g forks generation g+1 (up to `depth`) and exits with its exit code + 1. */
static int chain(int g, int depth)
{
    if (g == depth)
        return 0;
    pid_t c = fork();
    if (c == 0)
        _exit(chain(g + 1, depth));
    if (c < 0)
        return 200;
    int st = wait_for(c);
    return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) + 1 : 201;
}

/* A node at `level` forks two subtrees and exits with the size of its subtree. */
static int tree(int level)
{
    if (level == 0)
        return 1;
    pid_t a = fork();
    if (a == 0)
        _exit(tree(level - 1));
    pid_t b = fork();
    if (b == 0)
        _exit(tree(level - 1));
    if (a < 0 || b < 0)
        return 250;
    int sa = wait_for(a), sb = wait_for(b);
    if (sa < 0 || sb < 0 || !WIFEXITED(sa) || !WIFEXITED(sb))
        return 251;
    return 1 + WEXITSTATUS(sa) + WEXITSTATUS(sb);
}

int main(void)
{
    printf("== sequential\n");
    sequential();
    printf("== 50 at once\n");
    concurrent();
    printf("== chain and tree\n");
    fflush(stdout);
    int n = chain(0, 30);
    checkf("chain of 30 generations: count 30", n == 30, "%d", n);
    n = tree(5);
    checkf("binary tree of depth 5: 63 processes", n == 63, "%d", n);
    return finish();
}
