/* fork and copy-on-write, three generations (T forks C1, C1 forks C2). Eight regions, each
 * four ints: private anonymous, MAP_SHARED anonymous, MAP_PRIVATE file, MAP_SHARED file,
 * heap, stack, .data and .bss. Slot 3 is written by T before any fork; then, once all three
 * processes exist, C2, C1 and T in turn (passing a token through pipes) write slot
 * <generation> of every region; then each checks what it sees: its own writes everywhere,
 * the others' writes only in the two shared regions, the pre-fork value everywhere. The
 * file behind the shared mapping has all three writes, the one behind the private mapping
 * none. Then a page of a MAP_PRIVATE file mapping that was only read before the fork
 * still shows later pwrite()s, until the child writes it (from then on the child has its
 * own copy). Then 8 MiB of private memory (2048 pages): the child writes one byte in every
 * page and must see the rest of each page intact, the parent must see none of it, and the
 * child none of the parent's later writes. Children report through pipes; only the first
 * process prints. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_common.h"

#define NREG 8
#define PAGE 4096

static const char *const region_name[NREG] = {"private anon", "shared anon", "private file", "shared file",
                                              "heap",         "stack",       "data",         "bss"};
static const int region_shared[NREG] = {0, 1, 0, 1, 0, 0, 0, 0};

static int data_slots[4] = {-1, -1, -1, -1};
static int bss_slots[4];

static volatile int *region[NREG];

static int value(int gen, int r) { return 1000 + 100 * gen + r; }

static void write_generation(int gen)
{
    for (int r = 0; r < NREG; r++)
        region[r][gen] = value(gen, r);
}

/* Checks every region as generation `gen` must see it; reports to fd (stdout's fd for T
 * through check(), a pipe for the children). Returns the number of failures. */
static int check_view(int gen, int fd)
{
    int bad = 0;
    for (int r = 0; r < NREG; r++) {
        int ok = region[r][3] == 7;
        for (int k = 0; k < 3; k++) {
            int expect = (k == gen || region_shared[r]) ? value(k, r) : (r == 6 ? -1 : 0);
            if (region[r][k] != expect)
                ok = 0;
        }
        char what[96];
        snprintf(what, sizeof what, "gen %d sees %s slots as expected", gen, region_name[r]);
        if (fd < 0)
            check(what, ok);
        else
            report_check(fd, what, ok);
        bad += !ok;
    }
    return bad;
}

static int make_file(size_t len)
{
    char path[] = "/tmp/proc_fork_cow.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    unlink(path);
    if (ftruncate(fd, (off_t)len) != 0)
        return -1;
    return fd;
}

static void three_generations(void)
{
    int file_fd = make_file(2 * PAGE);
    volatile int stack_slots[4] = {0, 0, 0, 0};
    region[0] = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    region[1] = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    region[2] = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, file_fd, 0);
    region[3] = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, file_fd, PAGE);
    region[4] = calloc(4, sizeof(int));
    region[5] = stack_slots;
    region[6] = data_slots;
    region[7] = bss_slots;
    int setup_ok = file_fd >= 0;
    for (int r = 0; r < 4; r++)
        setup_ok &= region[r] != MAP_FAILED;
    if (!check("set up eight regions", setup_ok))
        return;
    for (int r = 0; r < NREG; r++)
        region[r][3] = 7;

    int up2[2], up1[2], down1[2], down2[2], res1[2], res2[2];
    if (pipe(up2) || pipe(up1) || pipe(down1) || pipe(down2) || pipe(res1) || pipe(res2)) {
        check("pipes", 0);
        return;
    }
    pid_t t_pid = getpid();
    pid_t c1 = pfork();
    if (c1 == 0) {
        int ppid_ok = getppid() == t_pid;
        pid_t c1_pid = getpid();
        pid_t c2 = fork();
        if (c2 == 0) {
            /* C2: writes first. */
            int ok = getppid() == c1_pid;
            write_generation(2);
            send_token(up2[1], 'w');
            recv_token(down2[0]);
            report_check(res2[1], "gen 2: getppid() is gen 1", ok);
            check_view(2, res2[1]);
            _exit(0);
        }
        if (c2 < 0) {
            report_check(res1[1], "gen 1: fork of gen 2", 0);
            _exit(1);
        }
        recv_token(up2[0]);
        write_generation(1);
        send_token(up1[1], 'w');
        recv_token(down1[0]);
        send_token(down2[1], 'c');
        report_check(res1[1], "gen 1: getppid() is gen 0", ppid_ok);
        report_check(res1[1], "gen 1: fork of gen 2", 1);
        check_view(1, res1[1]);
        int st = wait_for(c2);
        report_check(res1[1], "gen 1: gen 2 exited 0", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
        _exit(0);
    }
    if (!check("fork of gen 1", c1 > 0))
        return;
    /* Only the ends T uses stay open in T, so that a child that dies early is an EOF
     * here rather than a hang. */
    close(up1[1]);
    close(down1[0]);
    close(up2[0]);
    close(up2[1]);
    close(down2[0]);
    close(down2[1]);
    recv_token(up1[0]);
    write_generation(0);
    send_token(down1[1], 'c');
    check_view(0, -1);
    check_exit("gen 1 exited 0", wait_for(c1), 0);
    close(res1[1]);
    close(res2[1]);
    relay(res1[0]);
    relay(res2[0]);

    int file_private[4], file_shared[4];
    pread(file_fd, file_private, sizeof file_private, 0);
    pread(file_fd, file_shared, sizeof file_shared, PAGE);
    check("file behind the private mapping unchanged",
          file_private[0] == 0 && file_private[1] == 0 && file_private[2] == 0 && file_private[3] == 0);
    check("file behind the shared mapping has all writes", file_shared[0] == value(0, 3) &&
                                                               file_shared[1] == value(1, 3) &&
                                                               file_shared[2] == value(2, 3) && file_shared[3] == 7);
    int fds[] = {up1[0], down1[1], res1[0], res2[0], file_fd};
    for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++)
        close(fds[i]);
}

/* A MAP_PRIVATE file page that was only read is still the page cache's page: pwrite()s by
 * anyone show through, in the parent and in the child, until the child writes to it. */
static void private_file_unwritten_page(void)
{
    int fd = make_file(PAGE);
    pwrite(fd, "A", 1, 0);
    volatile char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (!check("map a file MAP_PRIVATE", fd >= 0 && m != MAP_FAILED))
        return;
    check("read before fork sees the file", m[0] == 'A');
    int go[2], back[2], res[2];
    pipe(go);
    pipe(back);
    pipe(res);
    pid_t c = pfork();
    if (c == 0) {
        recv_token(go[0]); /* the parent has written 'B' to the file */
        report_check(res[1], "child: unwritten private page shows a pwrite after fork", m[0] == 'B');
        m[0] = 'c';
        send_token(back[1], 'x');
        recv_token(go[0]); /* the parent has written 'D' */
        report_check(res[1], "child: after writing, its own copy stays", m[0] == 'c');
        _exit(0);
    }
    if (!check("fork", c > 0))
        return;
    pwrite(fd, "B", 1, 0);
    send_token(go[1], 'x');
    recv_token(back[0]);
    check("parent: child's write to its private page not seen", m[0] == 'B');
    pwrite(fd, "D", 1, 0);
    check("parent: unwritten private page shows the second pwrite", m[0] == 'D');
    send_token(go[1], 'x');
    check_exit("child exited 0", wait_for(c), 0);
    close(res[1]);
    relay(res[0]);
    char b;
    pread(fd, &b, 1, 0);
    check("file has the last pwrite, not the child's private write", b == 'D');
    close(go[0]);
    close(go[1]);
    close(back[0]);
    close(back[1]);
    close(res[0]);
    close(fd);
    munmap((void *)m, PAGE);
}

/* 8 MiB of private anonymous memory, 2048 pages, each filled with its own pattern. */
#define BIG (8u << 20)
#define NPAGES (BIG / PAGE)

static unsigned char pattern(size_t page) { return (unsigned char)(page * 7 + 1); }

/* Whether every byte of every page is the pattern, except byte `at` which must be
 * mark(page) (at < 0: no exception). */
static int big_is(const unsigned char *b, int at, unsigned char (*mark)(size_t))
{
    for (size_t pg = 0; pg < NPAGES; pg++) {
        const unsigned char *p = b + pg * PAGE;
        unsigned char want = pattern(pg);
        for (int i = 0; i < PAGE; i++) {
            if (i == at) {
                if (p[i] != mark(pg))
                    return 0;
            } else if (p[i] != want) {
                return 0;
            }
        }
    }
    return 1;
}

static unsigned char child_mark(size_t page) { return (unsigned char)~pattern(page); }
static unsigned char parent_mark(size_t page) { return (unsigned char)(pattern(page) ^ 0x55); }

static void big_cow(void)
{
    unsigned char *b = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!check("map 8 MiB private", b != MAP_FAILED))
        return;
    for (size_t pg = 0; pg < NPAGES; pg++)
        memset(b + pg * PAGE, pattern(pg), PAGE);
    int go[2], back[2], res[2];
    pipe(go);
    pipe(back);
    pipe(res);
    pid_t c = pfork();
    if (c == 0) {
        report_check(res[1], "child: inherited all 2048 pages", big_is(b, -1, NULL));
        for (size_t pg = 0; pg < NPAGES; pg++)
            b[pg * PAGE + 100] = child_mark(pg);
        report_check(res[1], "child: its write in every page, rest of each page intact", big_is(b, 100, child_mark));
        send_token(back[1], 'x');
        recv_token(go[0]);
        report_check(res[1], "child: parent's later writes not seen", big_is(b, 100, child_mark));
        _exit(0);
    }
    if (!check("fork", c > 0))
        return;
    recv_token(back[0]);
    check("parent: child's writes to 2048 pages not seen", big_is(b, -1, NULL));
    for (size_t pg = 0; pg < NPAGES; pg++)
        b[pg * PAGE + 200] = parent_mark(pg);
    send_token(go[1], 'x');
    check("parent: own writes after the child's", big_is(b, 200, parent_mark));
    check_exit("child exited 0", wait_for(c), 0);
    close(res[1]);
    relay(res[0]);
    close(go[0]);
    close(go[1]);
    close(back[0]);
    close(back[1]);
    close(res[0]);
    munmap(b, BIG);
}

int main(void)
{
    printf("== three generations, eight regions\n");
    three_generations();
    printf("== MAP_PRIVATE file page not yet written\n");
    private_file_unwritten_page();
    printf("== 8 MiB copy-on-write\n");
    big_cow();
    return finish();
}
