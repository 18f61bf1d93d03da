/* Tries every way out of faultline's --root it knows, and prints one line per attempt:
 * "NAME: ERRNO" when it was refused, "NAME: ok" when a call inside the root worked, and
 * "NAME: ESCAPED" when it read the secret outside the root (or ran a program from there).
 *
 *   root_escape escape OUTSIDE     OUTSIDE: the host path of a directory outside the root
 *                                  holding "secret" (and an executable "prog")
 *   root_escape readonly           every kind of write, under --read-only
 *   root_escape after-exec FD OUTSIDE   (internal) the exec'd image's attempt through FD
 *
 * The cli test (tests/cli/cli_tests.sh, root-escape and read-only) prepares the root: /bin/
 * holds this program, /abs is a symlink to OUTSIDE, /up one to ../../../../../../.., /sub/deeper
 * a directory, /etc/hostname a file. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char kSecret[] = "SECRET-OUTSIDE";
static const char* outside;

static const char* errno_name(int e) {
    switch (e) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ELOOP: return "ELOOP";
    case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR";
    case EROFS: return "EROFS";
    case EEXIST: return "EEXIST";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case EBUSY: return "EBUSY";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EISDIR: return "EISDIR";
    default: {
        static char buf[32];
        snprintf(buf, sizeof buf, "errno %d", e);
        return buf;
    }
    }
}

static char* join(const char* a, const char* b) {
    static char buf[8][PATH_MAX];
    static int next;
    char* out = buf[next++ % 8];
    snprintf(out, PATH_MAX, "%s%s", a, b);
    return out;
}

/* An open(2) result: the secret read through it is an escape. */
static void judge_open(const char* name, int fd) {
    if (fd < 0) {
        printf("%s: %s\n", name, errno_name(errno));
        return;
    }
    char buf[64] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n > 0 && strncmp(buf, kSecret, strlen(kSecret)) == 0)
        printf("%s: ESCAPED\n", name);
    else
        printf("%s: opened something inside (%zd bytes)\n", name, n);
}

static void judge(const char* name, int r) {
    if (r < 0)
        printf("%s: %s\n", name, errno_name(errno));
    else
        printf("%s: ok\n", name);
}

/* A call that must fail: success is reported as an escape. */
static void must_fail(const char* name, int r) {
    if (r < 0)
        printf("%s: %s\n", name, errno_name(errno));
    else
        printf("%s: ESCAPED\n", name);
}

static const char* dotdots = "/../../../../../../../../../../../..";

static void escape(char* self) {
    const char* secret = strdup(join(outside, "/secret"));
    judge_open("absolute path", open(secret, O_RDONLY));
    judge_open("dot-dot from /", open(join(dotdots, secret), O_RDONLY));
    judge_open("dot-dot without leading slash", open(join("../../../../../../../../..", secret), O_RDONLY));
    judge_open("absolute symlink (made outside)", open("/abs/secret", O_RDONLY));
    judge_open("relative symlink (made outside)", open(join("/up", secret), O_RDONLY));
    judge("symlink to dot-dots", symlink(join(dotdots, outside), "/mylink"));
    judge_open("through it", open("/mylink/secret", O_RDONLY));
    judge("symlink loop a", symlink("loop_b", "/loop_a"));
    judge("symlink loop b", symlink("loop_a", "/loop_b"));
    judge_open("symlink loop", open("/loop_a", O_RDONLY));
    judge_open("/proc/self/root", open(join("/proc/self/root/../../..", secret), O_RDONLY));
    judge_open("/proc/self/cwd", open(join("/proc/self/cwd/../../..", secret), O_RDONLY));
    int root_fd = open("/", O_RDONLY | O_DIRECTORY);
    char via_fd[PATH_MAX];
    snprintf(via_fd, sizeof via_fd, "/proc/self/fd/%d/../../../..%s", root_fd, secret);
    judge_open("/proc/self/fd/N/..", open(via_fd, O_RDONLY));
    judge_open("/proc/1/root", open(join("/proc/1/root", secret), O_RDONLY));
    judge_open("/proc/self/mem", open("/proc/self/mem", O_RDWR));
    judge_open("/proc/self/environ", open("/proc/self/environ", O_RDONLY));

    /* A directory descriptor opened before chdir() keeps pointing inside. */
    int sub_fd = open("/sub", O_RDONLY | O_DIRECTORY);
    judge("chdir /sub/deeper", chdir("/sub/deeper"));
    judge_open("openat(dirfd from before chdir)", openat(sub_fd, join("../../../../../../../..", secret), O_RDONLY));
    judge_open("relative dot-dots from /sub/deeper", open(join("../../../../../../../../..", secret), O_RDONLY));
    char cwd[PATH_MAX];
    printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : errno_name(errno));

    /* The chroot(2) escape: chroot into a subdirectory, fchdir back out, climb. */
    mkdir("/jail", 0755);
    int keep = open("/", O_RDONLY | O_DIRECTORY);
    judge("chroot /jail", chroot("/jail"));
    judge("fchdir to the old root", fchdir(keep));
    for (int i = 0; i < 40; ++i)
        chdir("..");
    judge_open("climb after fchdir", open(join(".", secret), O_RDONLY));
    printf("getcwd after climbing: %s\n", getcwd(cwd, sizeof cwd) ? cwd : errno_name(errno));
    chdir("/");

    /* Names: rename and link across the root. */
    int fd = open("/victim", O_CREAT | O_WRONLY, 0644);
    judge("create /victim", fd);
    close(fd);
    must_fail("rename into OUTSIDE", rename("/victim", join(outside, "/stolen")));
    judge("rename to dot-dots (lands inside)", rename("/victim", join(dotdots, "/victim2")));
    must_fail("link from OUTSIDE", link(secret, "/hardlink"));
    must_fail("linkat AT_SYMLINK_FOLLOW via /abs", linkat(AT_FDCWD, "/abs/secret", AT_FDCWD, "/hardlink2", AT_SYMLINK_FOLLOW));
    must_fail("link into OUTSIDE", link("/victim2", join(outside, "/hardlink")));
    must_fail("symlink into OUTSIDE", symlink("/victim2", join(outside, "/sym")));
    must_fail("mkdir in OUTSIDE", mkdir(join(outside, "/newdir"), 0755));
    must_fail("unlink OUTSIDE/secret", unlink(secret));
    must_fail("unlink via /abs", unlink("/abs/secret"));
    must_fail("mknod a block device", mknod("/disk", S_IFBLK | 0600, makedev(8, 0)));

    /* Lookups of every kind. */
    struct stat st;
    must_fail("stat OUTSIDE/secret", stat(secret, &st));
    must_fail("lstat via /up", lstat(join("/up", secret), &st));
    must_fail("access OUTSIDE/secret", access(secret, R_OK));
    must_fail("chdir OUTSIDE", chdir(outside));
    must_fail("chmod OUTSIDE/secret", chmod(secret, 0777));
    must_fail("truncate OUTSIDE/secret", truncate(secret, 0));
    must_fail("utimensat OUTSIDE/secret", utimensat(AT_FDCWD, secret, NULL, 0));
    must_fail("chown OUTSIDE/secret", chown(secret, 0, 0));
    struct statvfs sv;
    must_fail("statvfs OUTSIDE", statvfs(outside, &sv));
    char value[64];
    must_fail("getxattr OUTSIDE/secret", (int)getxattr(secret, "user.x", value, sizeof value));
    char link_target[PATH_MAX];
    must_fail("readlink OUTSIDE/secret", (int)readlink(join("/up", secret), link_target, sizeof link_target));
    ssize_t n = readlink("/proc/self/exe", link_target, sizeof link_target - 1);
    printf("/proc/self/exe: %.*s\n", (int)(n > 0 ? n : 0), link_target);
    n = readlink("/abs", link_target, sizeof link_target - 1);
    printf("readlink /abs is OUTSIDE: %s\n", n == (ssize_t)strlen(outside) && !memcmp(link_target, outside, n) ? "yes" : "no");

    /* Programs: one outside cannot be run; a descriptor survives exec and still cannot. */
    pid_t child = fork();
    if (child == 0) {
        char* args[] = {"prog", NULL};
        execv(join(outside, "/prog"), args);
        _exit(errno);
    }
    int status = 0;
    waitpid(child, &status, 0);
    printf("exec OUTSIDE/prog: %s\n", WIFEXITED(status) && WEXITSTATUS(status) ? errno_name(WEXITSTATUS(status)) : "ESCAPED");
    child = fork();
    if (child == 0) {
        int inherited = open("/sub/deeper", O_RDONLY | O_DIRECTORY);
        char fd_text[16];
        snprintf(fd_text, sizeof fd_text, "%d", inherited);
        char* args[] = {self, "after-exec", fd_text, (char*)outside, NULL};
        execv("/bin/root_escape", args);
        _exit(120);
    }
    waitpid(child, &status, 0);
    printf("after exec: exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void after_exec(int fd) {
    const char* secret = strdup(join(outside, "/secret"));
    judge_open("openat(fd inherited across exec)", openat(fd, join("../../../../../../../..", secret), O_RDONLY));
    judge("fchdir(inherited fd)", fchdir(fd));
    judge_open("dot-dots from it", open(join("../../../../../../../../..", secret), O_RDONLY));
}

static void readonly(void) {
    judge("open O_WRONLY", open("/etc/hostname", O_WRONLY));
    judge("open O_RDWR|O_TRUNC", open("/etc/hostname", O_RDWR | O_TRUNC));
    judge("open O_RDONLY|O_TRUNC", open("/etc/hostname", O_RDONLY | O_TRUNC));
    judge("open O_CREAT new", open("/new", O_CREAT | O_WRONLY, 0644));
    judge("open O_CREAT existing, read-only", open("/etc/hostname", O_CREAT | O_RDONLY, 0644) >= 0 ? 0 : -1);
    judge("open O_CREAT|O_EXCL existing", open("/etc/hostname", O_CREAT | O_EXCL | O_WRONLY, 0644));
    judge("open O_CREAT in a missing directory", open("/nodir/new", O_CREAT | O_WRONLY, 0644));
    judge("open O_TMPFILE", open("/tmp", O_TMPFILE | O_RDWR, 0600));
    judge("open O_RDONLY", open("/etc/hostname", O_RDONLY) >= 0 ? 0 : -1);
    judge("mkdir new", mkdir("/d", 0755));
    judge("mkdir existing", mkdir("/etc", 0755));
    judge("rmdir", rmdir("/sub/deeper"));
    judge("unlink", unlink("/etc/hostname"));
    judge("unlink missing", unlink("/missing"));
    judge("rename", rename("/etc/hostname", "/h2"));
    judge("link", link("/etc/hostname", "/h3"));
    judge("symlink", symlink("/etc/hostname", "/h4"));
    judge("symlink onto existing", symlink("/x", "/etc"));
    judge("mknod fifo", mknod("/fifo", S_IFIFO | 0600, 0));
    judge("chmod", chmod("/etc/hostname", 0777));
    int fd = open("/etc/hostname", O_RDONLY);
    judge("fchmod", fchmod(fd, 0777));
    judge("truncate", truncate("/etc/hostname", 0));
    judge("utimensat", utimensat(AT_FDCWD, "/etc/hostname", NULL, 0));
    judge("futimens", futimens(fd, NULL));
    judge("chown", chown("/etc/hostname", getuid(), getgid()));
    judge("fchown", fchown(fd, getuid(), getgid()));
    judge("ftruncate (read-only descriptor)", ftruncate(fd, 0));
    judge("access W_OK", access("/etc/hostname", W_OK));
    judge("access R_OK", access("/etc/hostname", R_OK));
    struct statvfs sv;
    statvfs("/", &sv);
    printf("statvfs ST_RDONLY: %s\n", (sv.f_flag & ST_RDONLY) ? "yes" : "no");
    judge("write to stdout", (int)write(1, "", 0));
    judge("reopen stdout by /proc/self/fd/1", open("/proc/self/fd/1", O_WRONLY | O_APPEND) >= 0 ? 0 : -1);
}

int main(int argc, char** argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc >= 3 && !strcmp(argv[1], "escape")) {
        outside = argv[2];
        escape(argv[0]);
        return 0;
    }
    if (argc >= 4 && !strcmp(argv[1], "after-exec")) {
        outside = argv[3];
        after_exec(atoi(argv[2]));
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "readonly")) {
        readonly();
        return 0;
    }
    fprintf(stderr, "usage: root_escape escape OUTSIDE | readonly\n");
    return 2;
}
