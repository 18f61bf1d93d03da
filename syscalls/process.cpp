// Process life-cycle syscalls: fork, vfork, clone, clone3, execve, execveat, wait4, waitid,
// getrusage, process groups and sessions.
#include <cstring>
#include <string>
#include <vector>

#include "syscalls/syscall.h"
#include "syscalls/user_args.h"

namespace syscalls {

namespace {

constexpr int kSigChld = 17;
constexpr std::uint64_t kCloneVm = 0x100, kCloneVfork = 0x4000;
constexpr std::uint64_t kCsignal = 0xff;

SysResult do_clone(Context& c, const os::CloneRequest& req) { return TRY(c.kernel.clone(req)); }

SysResult sys_fork(Context& c, const Args&) {
    os::CloneRequest req;
    req.exit_signal = kSigChld;
    return do_clone(c, req);
}

SysResult sys_vfork(Context& c, const Args&) {
    os::CloneRequest req;
    req.flags = kCloneVm | kCloneVfork;
    req.exit_signal = kSigChld;
    return do_clone(c, req);
}

// clone(flags, stack, parent_tid, child_tid, tls) on x86-64.
SysResult sys_clone(Context& c, const Args& a) {
    os::CloneRequest req;
    req.flags = a[0] & ~kCsignal;
    req.exit_signal = static_cast<int>(a[0] & kCsignal);
    if (req.exit_signal > linux_abi::kNumSignals)
        return err(Errno::einval);
    req.stack = a[1];
    req.parent_tid = a[2];
    req.child_tid = a[3];
    req.tls = a[4];
    return do_clone(c, req);
}

SysResult sys_clone3(Context& c, const Args& a) { return do_clone(c, TRY(read_clone_args(c.mm, a[0], a[1]))); }

SysResult do_execve(Context& c, const std::string& path, int fd, std::uint64_t argv, std::uint64_t envp) {
    os::ExecveRequest req;
    req.path = path;
    req.fd = fd;
    req.argv = TRY(read_string_array(c.mm, argv));
    req.envp = TRY(read_string_array(c.mm, envp));
    TRY_VOID(c.kernel.execve(req));
    return 0;
}

SysResult sys_execve(Context& c, const Args& a) {
    const KResult<std::string> path = c.mm.copy_string_from_user(a[0], 4096);
    if (!path)
        return err(path.error());
    return do_execve(c, *path, -1, a[1], a[2]);
}

constexpr int kAtFdcwd = -100;
constexpr int kAtEmptyPath = 0x1000;
constexpr int kAtSymlinkNofollow = 0x100;

// execveat(dirfd, path, argv, envp, flags): a relative path against dirfd, or the file
// dirfd itself with AT_EMPTY_PATH (fexecve).
SysResult sys_execveat(Context& c, const Args& a) {
    const int dirfd = a.fd(0);
    const int flags = a.i32(4);
    if (flags & ~(kAtEmptyPath | kAtSymlinkNofollow))
        return err(Errno::einval);
    const KResult<std::string> path_arg = c.mm.copy_string_from_user(a[1], 4096);
    if (!path_arg)
        return err(path_arg.error());
    const std::string& path = *path_arg;
    if (path.starts_with('/') || (dirfd == kAtFdcwd && !path.empty()))
        return do_execve(c, path, -1, a[2], a[3]);
    auto file = TRY(c.proc.files().get(dirfd));
    if (path.empty()) {
        if (!(flags & kAtEmptyPath))
            return err(Errno::enoent);
        if (file->host_fd() < 0)
            return err(Errno::eacces);
        return do_execve(c, "/dev/fd/" + std::to_string(dirfd), file->host_fd(), a[2], a[3]);
    }
    if (file->host_fd() < 0)
        return err(Errno::enotdir);
    return do_execve(c, "/proc/self/fd/" + std::to_string(file->host_fd()) + "/" + path, -1, a[2], a[3]);
}

// struct rusage: only the fault counts are known (the rest is zero).
struct Rusage {
    std::int64_t utime_sec, utime_usec, stime_sec, stime_usec;
    std::int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv, nsignals,
        nvcsw, nivcsw;
};
static_assert(sizeof(Rusage) == 144);

void set_cpu_time(Rusage& ru, std::uint64_t ns) {
    // All of it is user time: faultline does not split the guest's time between modes.
    ru.utime_sec = static_cast<std::int64_t>(ns / 1'000'000'000ull);
    ru.utime_usec = static_cast<std::int64_t>(ns % 1'000'000'000ull / 1000);
}

constexpr int kWnohang = 1, kWuntraced = 2, kWexited = 4, kWcontinued = 8, kWnowait = 0x01000000,
              kWnothread = 0x20000000, kWall = 0x40000000, kWclone = static_cast<int>(0x80000000u);

SysResult sys_wait4(Context& c, const Args& a) {
    const int pid = a.i32(0);
    const int options = a.i32(2);
    if (options & ~(kWnohang | kWuntraced | kWcontinued | kWnothread | kWall | kWclone))
        return err(Errno::einval);
    if (pid == std::numeric_limits<std::int32_t>::min())
        return err(Errno::esrch);
    auto r = TRY(c.kernel.wait_child(pid, options, false));
    if (!r) {
        if (options & kWnohang)
            return 0;
        return err(c.kernel.sleep(os::proc::WaitChannel{os::proc::WaitKind::Child, &c.proc, 0}, std::nullopt));
    }
    if (a[1]) {
        const std::int32_t status = r->state.wait_status();
        TRY_VOID(c.mm.copy_to_user(a[1], &status, sizeof(status)));
    }
    if (a[3]) {
        Rusage ru{};
        ru.minflt = static_cast<std::int64_t>(r->minflt);
        ru.majflt = static_cast<std::int64_t>(r->majflt);
        set_cpu_time(ru, r->cpu_ns);
        TRY_VOID(c.mm.copy_to_user(a[3], &ru, sizeof(ru)));
    }
    return r->pid;
}

constexpr int kPAll = 0, kPPid = 1, kPPgid = 2, kPPidfd = 3;

// waitid(idtype, id, infop, options, rusage).
SysResult sys_waitid(Context& c, const Args& a) {
    const int idtype = a.i32(0);
    const int id = a.i32(1);
    const int options = a.i32(3);
    if (options & ~(kWnohang | kWexited | kWuntraced | kWcontinued | kWnowait | kWnothread | kWall | kWclone))
        return err(Errno::einval);
    if (!(options & (kWexited | kWuntraced | kWcontinued)))
        return err(Errno::einval);
    int pid = -1;
    switch (idtype) {
    case kPAll: pid = -1; break;
    case kPPid:
        if (id <= 0)
            return err(Errno::einval);
        pid = id;
        break;
    case kPPgid:
        if (id < 0)
            return err(Errno::einval);
        pid = id == 0 ? 0 : -id;
        break;
    case kPPidfd: return err(Errno::ebadf);
    default: return err(Errno::einval);
    }
    std::optional<os::Kernel::WaitResult> r;
    if (options & kWexited) {
        r = TRY(c.kernel.wait_child(pid, options, (options & kWnowait) != 0));
    } else {
        // Only stop/continue events asked for: without job control there are none, but the
        // children must exist.
        TRY(c.kernel.wait_child(pid, options | kWnowait, true));
    }
    linux_abi::SigInfo info{};
    if (!r) {
        if (!(options & kWnohang))
            return err(c.kernel.sleep(os::proc::WaitChannel{os::proc::WaitKind::Child, &c.proc, 0}, std::nullopt));
        // WNOHANG with nothing to report: a zeroed siginfo.
        if (a[2])
            TRY_VOID(c.mm.copy_to_user(a[2], &info, sizeof(info)));
        return 0;
    }
    if (a[2]) {
        info.signo = kSigChld;
        info.code = r->state.signal ? (r->state.core_dumped ? 3 : 2) : 1;
        info.fields.chld.pid = r->pid;
        info.fields.chld.uid = r->uid;
        info.fields.chld.status = r->state.signal ? r->state.signal : r->state.status;
        TRY_VOID(c.mm.copy_to_user(a[2], &info, sizeof(info)));
    }
    if (a[4]) {
        Rusage ru{};
        ru.minflt = static_cast<std::int64_t>(r->minflt);
        ru.majflt = static_cast<std::int64_t>(r->majflt);
        set_cpu_time(ru, r->cpu_ns);
        TRY_VOID(c.mm.copy_to_user(a[4], &ru, sizeof(ru)));
    }
    return 0;
}

constexpr int kRusageSelf = 0, kRusageChildren = -1, kRusageThread = 1;

SysResult sys_getrusage(Context& c, const Args& a) {
    Rusage ru{};
    switch (a.i32(0)) {
    case kRusageSelf:
    case kRusageThread:
        ru.minflt = static_cast<std::int64_t>(c.mm.fault_counters().minor + c.proc.earlier_faults.minor);
        ru.majflt = static_cast<std::int64_t>(c.mm.fault_counters().major + c.proc.earlier_faults.major);
        ru.maxrss = static_cast<std::int64_t>(std::max(c.mm.peak_resident_pages(), c.proc.peak_resident_pages) * 4);
        set_cpu_time(ru, a.i32(0) == kRusageThread ? c.task.cpu_ns : c.proc.cpu_ns);
        break;
    case kRusageChildren:
        ru.minflt = static_cast<std::int64_t>(c.proc.children_minflt);
        ru.majflt = static_cast<std::int64_t>(c.proc.children_majflt);
        set_cpu_time(ru, c.proc.children_cpu_ns);
        break;
    default: return err(Errno::einval);
    }
    TRY_VOID(c.mm.copy_to_user(a[1], &ru, sizeof(ru)));
    return 0;
}

SysResult sys_setpgid(Context& c, const Args& a) {
    TRY_VOID(c.kernel.setpgid(a.i32(0), a.i32(1)));
    return 0;
}

KResult<os::proc::Process*> lookup(Context& c, int pid) {
    if (pid == 0)
        return &c.proc;
    os::proc::Process* p = c.kernel.find_process(pid);
    if (!p || pid < 0)
        return err(Errno::esrch);
    return p;
}

SysResult sys_getpgid(Context& c, const Args& a) { return TRY(lookup(c, a.i32(0)))->pgid; }
SysResult sys_getpgrp(Context& c, const Args&) { return c.proc.pgid; }
SysResult sys_getsid(Context& c, const Args& a) { return TRY(lookup(c, a.i32(0)))->sid; }
SysResult sys_setsid(Context& c, const Args&) { return TRY(c.kernel.setsid()); }

constexpr SyscallDef kDefs[] = {
    {57, sys_fork, Support::Full, ""},
    {58, sys_vfork, Support::Full, ""},
    {56, sys_clone, Support::Partial, "no namespaces (EPERM), no pidfds (EINVAL)"},
    {435, sys_clone3, Support::Partial, "no namespaces, pidfds, set_tid or cgroups"},
    {59, sys_execve, Support::Full, ""},
    {322, sys_execveat, Support::Partial, "AT_SYMLINK_NOFOLLOW is accepted, not enforced"},
    {61, sys_wait4, Support::Partial, "no stopped or continued children (no job control); rusage has only fault counts"},
    {247, sys_waitid, Support::Partial, "no stopped or continued children, no pidfds"},
    {98, sys_getrusage, Support::Partial, "faults, maxrss and virtual CPU time (all user time); no I/O or context-switch counts"},
    {109, sys_setpgid, Support::Full, ""},
    {121, sys_getpgid, Support::Full, ""},
    {111, sys_getpgrp, Support::Full, ""},
    {124, sys_getsid, Support::Full, ""},
    {112, sys_setsid, Support::Full, ""},
};

}  // namespace

std::span<const SyscallDef> process_syscalls() { return kDefs; }

}  // namespace syscalls
