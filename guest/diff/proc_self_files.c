/* The small files and links of /proc/self, and how a /proc file behaves as a file:
 * status (the fields Linux 6.1 and later all have, in their order; the "Name:\t%8lu kB"
 * form of the memory lines; identity, umask and signal masks; VmRSS growing by 10 MiB when
 * 10 MiB are touched), statm (seven fields, lib and dt 0), meminfo (the field names every
 * kernel configuration has, in order, with their units and alignment), cmdline and comm,
 * the links exe, cwd and fd/N (a file, a pipe), reopening a descriptor through fd/N, and
 * fstat, lseek, pread and the errors of /proc files. Nothing machine-specific is printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char text[1 << 16];

static size_t slurp(const char *file)
{
    int fd = open(file, O_RDONLY);
    size_t n = 0;
    ssize_t r;
    while (fd >= 0 && (r = read(fd, text + n, sizeof text - 1 - n)) > 0)
        n += (size_t)r;
    if (fd >= 0)
        close(fd);
    text[n] = 0;
    return n;
}

/* The value after "Key:" in `text` (status), or NULL; the last few stay valid. */
static const char *field(const char *key)
{
    static char values[16][1024];
    static unsigned next;
    char *value = values[next++ % 16];
    size_t k = strlen(key);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > k && strncmp(p, key, k) == 0 && p[k] == ':') {
            size_t v = len - k - 1;
            if (v >= sizeof values[0])
                v = sizeof values[0] - 1;
            memcpy(value, p + k + 1, v);
            value[v] = 0;
            return value;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return NULL;
}

static unsigned long kb_of(const char *key)
{
    const char *v = field(key);
    unsigned long kb = 0;
    return v && sscanf(v, "%lu", &kb) == 1 ? kb : 0;
}

static int in_list(const char *name, size_t len, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == len && strncmp(*list, name, len) == 0)
            return 1;
    return 0;
}

/* Prints the names of `list` in the order the file has them. */
static void names_in_order(const char *what, const char *const *list)
{
    printf("%s:", what);
    for (const char *p = text; *p;) {
        const char *colon = strchr(p, ':');
        const char *nl = strchr(p, '\n');
        if (colon && (!nl || colon < nl) && in_list(p, (size_t)(colon - p), list))
            printf(" %.*s", (int)(colon - p), p);
        if (!nl)
            break;
        p = nl + 1;
    }
    printf("\n");
}

static void on_hup(int sig) { (void)sig; }

static const char *err_name(int e)
{
    switch (e) {
    case 0: return "ok";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case EBADF: return "EBADF";
    case EACCES: return "EACCES";
    default: return "other";
    }
}

static const char *yes(int b) { return b ? "yes" : "no"; }

int main(int argc, char **argv)
{
    umask(022);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGUSR2, SIG_IGN);
    signal(SIGHUP, on_hup);

    /* status */
    slurp("/proc/self/status");
    static const char *const status_fields[] = {
        "Name", "Umask", "State", "Tgid", "Ngid", "Pid", "PPid", "TracerPid", "Uid", "Gid", "FDSize", "Groups",
        "NStgid", "NSpid", "NSpgid", "NSsid", "VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS", "RssAnon",
        "RssFile", "RssShmem", "VmData", "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap", "HugetlbPages",
        "CoreDumping", "THP_enabled", "Threads", "SigQ", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt",
        "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "Cpus_allowed",
        "Cpus_allowed_list", "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches", NULL};
    names_in_order("status fields", status_fields);
    printf("Name: [%s] State: [%s] Umask: [%s] Threads: [%s] TracerPid: [%s]\n", field("Name") ? field("Name") : "?",
           field("State") ? field("State") : "?", field("Umask") ? field("Umask") : "?",
           field("Threads") ? field("Threads") : "?", field("TracerPid") ? field("TracerPid") : "?");
    const char *v = field("Pid");
    printf("Pid is getpid(): %s, ", yes(v && strtol(v, NULL, 10) == getpid()));
    v = field("PPid");
    printf("PPid is getppid(): %s, ", yes(v && strtol(v, NULL, 10) == getppid()));
    v = field("Tgid");
    printf("Tgid is getpid(): %s\n", yes(v && strtol(v, NULL, 10) == getpid()));
    unsigned long ids[4] = {0};
    v = field("Uid");
    int n = v ? sscanf(v, "%lu %lu %lu %lu", &ids[0], &ids[1], &ids[2], &ids[3]) : 0;
    printf("Uid: %d ids, real and effective match: %s; ", n, yes(ids[0] == getuid() && ids[1] == geteuid()));
    v = field("Gid");
    n = v ? sscanf(v, "%lu %lu %lu %lu", &ids[0], &ids[1], &ids[2], &ids[3]) : 0;
    printf("Gid: %d ids, real and effective match: %s\n", n, yes(ids[0] == getgid() && ids[1] == getegid()));
    unsigned long long blk = 0, ign = 0, cgt = 0;
    if (field("SigBlk"))
        sscanf(field("SigBlk"), "%llx", &blk);
    if (field("SigIgn"))
        sscanf(field("SigIgn"), "%llx", &ign);
    if (field("SigCgt"))
        sscanf(field("SigCgt"), "%llx", &cgt);
    printf("SIGUSR1 blocked: %s, SIGUSR2 ignored: %s, SIGHUP caught: %s, SIGHUP ignored: %s, 16 hex digits: %s\n",
           yes(blk >> (SIGUSR1 - 1) & 1), yes(ign >> (SIGUSR2 - 1) & 1), yes(cgt >> (SIGHUP - 1) & 1),
           yes(ign >> (SIGHUP - 1) & 1), yes(field("SigCgt") && strlen(field("SigCgt")) == 17));
    /* "VmRSS:\t%8lu kB": a tab, eight columns, " kB". */
    static const char *const mem_fields[] = {"VmPeak", "VmSize", "VmLck", "VmHWM", "VmRSS", "RssAnon", "RssFile",
                                             "RssShmem", "VmData", "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap"};
    int formatted = 0;
    for (size_t i = 0; i < sizeof mem_fields / sizeof *mem_fields; i++) {
        const char *f = field(mem_fields[i]);
        unsigned long kb;
        formatted += f && f[0] == '\t' && strlen(f) == 12 && strcmp(f + 9, " kB") == 0 && sscanf(f, "%lu", &kb) == 1;
    }
    printf("memory lines as \"Name:\\t%%8lu kB\": %d of %zu\n", formatted, sizeof mem_fields / sizeof *mem_fields);
    printf("VmPeak >= VmSize: %s, VmHWM >= VmRSS: %s, VmRSS = RssAnon + RssFile + RssShmem: %s\n",
           yes(kb_of("VmPeak") >= kb_of("VmSize")), yes(kb_of("VmHWM") >= kb_of("VmRSS")),
           yes(kb_of("VmRSS") == kb_of("RssAnon") + kb_of("RssFile") + kb_of("RssShmem")));

    /* 10 MiB touched: VmRSS grows by 10 MiB (Linux's counters may lag by a few pages). */
    const unsigned long before = kb_of("VmRSS");
    const size_t len = 10ul << 20;
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (size_t i = 0; i < len; i += 4096)
        m[i] = 1;
    slurp("/proc/self/status");
    const unsigned long after = kb_of("VmRSS");
    printf("VmRSS growth after touching 10 MiB within [10240 - 256, 10240 + 1024] kB: %s\n",
           yes(after >= before + 10240 - 256 && after <= before + 10240 + 1024));
    munmap(m, len);
    slurp("/proc/self/status");
    printf("after munmap VmHWM still >= the grown VmRSS: %s\n", yes(kb_of("VmHWM") + 256 >= after));

    /* statm */
    slurp("/proc/self/statm");
    unsigned long s[8];
    n = sscanf(text, "%lu %lu %lu %lu %lu %lu %lu %lu", &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6], &s[7]);
    printf("statm: %d fields, lib %lu, dt %lu, ends with a newline: %s\n", n, n >= 5 ? s[4] : 99,
           n >= 7 ? s[6] : 99, yes(text[0] && text[strlen(text) - 1] == '\n'));

    /* meminfo */
    slurp("/proc/meminfo");
    static const char *const mem_names[] = {
        "MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active", "Inactive",
        "Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable", "Mlocked",
        "SwapTotal", "SwapFree", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem", "KReclaimable", "Slab",
        "SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "NFS_Unstable", "Bounce", "WritebackTmp",
        "CommitLimit", "Committed_AS", "VmallocTotal", "VmallocUsed", "VmallocChunk", "Percpu",
        "HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp", "Hugepagesize", "Hugetlb",
        NULL};
    names_in_order("meminfo fields", mem_names);
    int lines = 0, kb_lines = 0, plain = 0, aligned = 0;
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        char name[64];
        unsigned long long value;
        int end = 0;
        if (sscanf(p, "%63[^:]: %llu%n", name, &value, &end) == 2) {
            lines++;
            const char *rest = p + end;
            if (strcmp(rest, " kB") == 0)
                kb_lines++;
            else if (*rest == 0)
                plain += strncmp(name, "HugePages_", 10) == 0;
            /* The number ends in column 24 ("%-16s%8lu" or HugePages' "%-19s%5lu"). */
            aligned += end == 24 || value >= 10000000ull;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    int total = 0;
    for (char *p = text; *p; p++)
        total += *p == 0 || *p == '\n';
    printf("meminfo: every line parses: %s, \"kB\" or a HugePages_ count: %s, numbers end in column 24: %s\n",
           yes(lines > 30), yes(kb_lines + plain == lines), yes(aligned == lines));

    /* cmdline and comm */
    size_t clen = slurp("/proc/self/cmdline");
    size_t want = 0;
    int same = 1;
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(argv[i]) + 1;
        same &= want + l <= clen && memcmp(text + want, argv[i], l) == 0;
        want += l;
    }
    printf("cmdline is argv with NULs: %s (%d argument(s))\n", yes(same && want == clen), argc);
    slurp("/proc/self/comm");
    printf("comm: %s", text);

    /* Links */
    char link[PATH_MAX], real[PATH_MAX], cwd[PATH_MAX];
    ssize_t ln = readlink("/proc/self/exe", link, sizeof link - 1);
    link[ln > 0 ? ln : 0] = 0;
    printf("exe is the program: %s\n", yes(realpath(argv[0], real) && strcmp(link, real) == 0));
    ln = readlink("/proc/self/cwd", link, sizeof link - 1);
    link[ln > 0 ? ln : 0] = 0;
    printf("cwd is getcwd(): %s\n", yes(getcwd(cwd, sizeof cwd) && strcmp(link, cwd) == 0));
    char tmp[] = "/tmp/faultline-selffiles-XXXXXX";
    int fd = mkstemp(tmp);
    write(fd, "0123456789", 10);
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    ln = readlink(fdpath, link, sizeof link - 1);
    link[ln > 0 ? ln : 0] = 0;
    printf("fd link of a file is its path: %s\n", yes(realpath(tmp, real) && strcmp(link, real) == 0));
    lseek(fd, 3, SEEK_SET);
    int again = open(fdpath, O_RDONLY);
    char b[4] = "";
    printf("reopened through fd/N: %s, reads from 0: %s, ", yes(again >= 0),
           yes(again >= 0 && read(again, b, 3) == 3 && memcmp(b, "012", 3) == 0));
    printf("first descriptor still at 3: %s\n", yes(lseek(fd, 0, SEEK_CUR) == 3));
    close(again);
    int pfd[2];
    pipe(pfd);
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", pfd[0]);
    ln = readlink(fdpath, link, sizeof link - 1);
    link[ln > 0 ? ln : 0] = 0;
    struct stat pst;
    fstat(pfd[0], &pst);
    char expect[64];
    snprintf(expect, sizeof expect, "pipe:[%lu]", (unsigned long)pst.st_ino);
    printf("fd link of a pipe is pipe:[inode]: %s\n", yes(strcmp(link, expect) == 0));
    errno = 0;
    ln = readlink("/proc/self/fd/987", link, sizeof link);
    printf("link of a closed descriptor: %s\n", err_name(ln < 0 ? errno : 0));

    /* A /proc file as a file */
    int sfd = open("/proc/self/status", O_RDONLY);
    struct stat st;
    fstat(sfd, &st);
    printf("status: regular: %s, mode %o, size %ld\n", yes(S_ISREG(st.st_mode)), (unsigned)(st.st_mode & 07777),
           (long)st.st_size);
    char head[8] = "";
    printf("pread 5 at 0: [%.5s]\n", pread(sfd, head, 5, 0) == 5 ? head : "?");
    errno = 0;
    off_t o = lseek(sfd, 0, SEEK_END);
    printf("lseek SEEK_END: %s, ", err_name(o < 0 ? errno : 0));
    errno = 0;
    o = lseek(sfd, -1, SEEK_SET);
    printf("negative: %s, ", err_name(o < 0 ? errno : 0));
    o = lseek(sfd, 6, SEEK_SET);
    o = lseek(sfd, -1, SEEK_CUR);
    memset(head, 0, sizeof head);
    printf("SEEK_SET 6 then SEEK_CUR -1: %ld, reads [%.4s]\n", (long)o, read(sfd, head, 4) == 4 ? head : "?");
    errno = 0;
    printf("write to a read-only /proc file: %s\n", err_name(write(sfd, "x", 1) < 0 ? errno : 0));
    close(sfd);
    errno = 0;
    int r = open("/proc/self/maps", O_RDONLY | O_DIRECTORY);
    printf("O_DIRECTORY: %s, ", err_name(r < 0 ? errno : 0));
    errno = 0;
    r = open("/proc/self/maps/x", O_RDONLY);
    printf("a path below maps: %s, ", err_name(r < 0 ? errno : 0));
    errno = 0;
    ln = readlink("/proc/self/maps", link, sizeof link);
    printf("readlink of maps: %s\n", err_name(ln < 0 ? errno : 0));
    snprintf(fdpath, sizeof fdpath, "/proc/%d/comm", (int)getpid());
    slurp(fdpath);
    printf("/proc/<getpid()>/comm: %s", text);

    close(fd);
    unlink(tmp);
    return 0;
}
