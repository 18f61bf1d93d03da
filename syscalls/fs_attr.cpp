// Owners and times: chown, fchown, lchown, fchownat, utime, utimes, futimesat, utimensat.
// A path is looked up through the guest's root (os/fs/root.h) and the change is made on the
// descriptor the lookup returned (AT_EMPTY_PATH), so a symlink swapped in between cannot
// redirect it; --read-only answers EROFS once the file is found.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>

#include "os/fs/host_errno.h"
#include "syscalls/fs_common.h"

namespace syscalls {

namespace {

using os::fs::host_errno;

constexpr std::int64_t kNsecPerSec = 1'000'000'000;
constexpr std::int64_t kUsecPerSec = 1'000'000;
constexpr std::int64_t kUtimeNow = (1l << 30) - 1;
constexpr std::int64_t kUtimeOmit = (1l << 30) - 2;

SysResult host_result(int r) {
    if (r != 0)
        return err(host_errno());
    return 0;
}

// The file a path names, for a change: a descriptor the guest holds (AT_EMPTY_PATH with an
// empty path), or the file looked up (following a final symlink unless `follow` is false).
KResult<os::fs::HostFd> target(Context& c, int dirfd, std::uint64_t path_addr, bool follow, bool empty_path) {
    const KResult<std::string> path = path_arg(c, path_addr);
    if (!path)
        return err(path.error());
    if (path->empty() && empty_path) {
        const int host = TRY(host_dirfd(c, dirfd, *path));
        os::fs::HostFd dup(::fcntl(host, F_DUPFD_CLOEXEC, 3));
        if (!dup.valid())
            return err(host_errno());
        return dup;
    }
    return lookup_path(c, dirfd, *path, follow);
}

// --- Owners ---

SysResult chown_at(Context& c, int dirfd, std::uint64_t path_addr, std::uint32_t uid, std::uint32_t gid, int flags) {
    if (flags & ~(linux_abi::kAtSymlinkNofollow | linux_abi::kAtEmptyPath))
        return err(Errno::einval);
    const os::fs::HostFd file = TRY(target(c, dirfd, path_addr, !(flags & linux_abi::kAtSymlinkNofollow),
                                           flags & linux_abi::kAtEmptyPath));
    TRY_VOID(root_of(c).check_namespace_change());
    return host_result(::fchownat(file.get(), "", uid, gid, AT_EMPTY_PATH));
}

SysResult sys_chown(Context& c, const Args& a) { return chown_at(c, linux_abi::kAtFdcwd, a[0], a.u32(1), a.u32(2), 0); }
SysResult sys_lchown(Context& c, const Args& a) {
    return chown_at(c, linux_abi::kAtFdcwd, a[0], a.u32(1), a.u32(2), linux_abi::kAtSymlinkNofollow);
}
SysResult sys_fchownat(Context& c, const Args& a) { return chown_at(c, a.fd(0), a[1], a.u32(2), a.u32(3), a.i32(4)); }

SysResult sys_fchown(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    if (f->host_fd() < 0)
        return 0;  // a pipe lives in faultline: Linux's pipefs inode takes any owner
    TRY_VOID(root_of(c).check_namespace_change());
    return host_result(::fchown(f->host_fd(), a.u32(1), a.u32(2)));
}

// --- Times ---

using Times = std::array<struct timespec, 2>;

// utimensat(2) once the times are known (null: both now).
SysResult set_times(Context& c, int dirfd, std::uint64_t path_addr, const Times* times, int flags) {
    if (flags & ~(linux_abi::kAtSymlinkNofollow | linux_abi::kAtEmptyPath))
        return err(Errno::einval);
    if (times) {
        for (const auto& t : *times)
            if (t.tv_nsec != kUtimeNow && t.tv_nsec != kUtimeOmit && (t.tv_nsec < 0 || t.tv_nsec >= kNsecPerSec))
                return err(Errno::einval);
        // Both omitted: nothing to do, and Linux does not even look the file up.
        if ((*times)[0].tv_nsec == kUtimeOmit && (*times)[1].tv_nsec == kUtimeOmit)
            return 0;
    }
    os::fs::HostFd file;
    if (path_addr == 0) {
        // utimensat(fd, NULL, ...): futimens(fd), the descriptor the guest holds.
        if (flags & linux_abi::kAtSymlinkNofollow)
            return err(Errno::einval);
        if (dirfd == linux_abi::kAtFdcwd)
            return err(Errno::efault);
        auto f = TRY(file_of(c, dirfd));
        if (f->host_fd() < 0)
            return 0;  // a pipe: its times live in faultline, and nobody reads them back
        file = os::fs::HostFd(::fcntl(f->host_fd(), F_DUPFD_CLOEXEC, 3));
        if (!file.valid())
            return err(host_errno());
    } else {
        file = TRY(target(c, dirfd, path_addr, !(flags & linux_abi::kAtSymlinkNofollow),
                          flags & linux_abi::kAtEmptyPath));
    }
    TRY_VOID(root_of(c).check_namespace_change());
    return host_result(::utimensat(file.get(), "", times ? times->data() : nullptr, AT_EMPTY_PATH));
}

SysResult sys_utimensat(Context& c, const Args& a) {
    Times times{};
    if (a[2])
        TRY_VOID(c.mm.copy_from_user(times.data(), a[2], sizeof times));
    return set_times(c, a.fd(0), a[1], a[2] ? &times : nullptr, a.i32(3));
}

// utimes(2) and futimesat(2): struct timeval pairs, microseconds checked.
SysResult timeval_times(Context& c, int dirfd, std::uint64_t path_addr, std::uint64_t tv_addr) {
    if (!tv_addr)
        return set_times(c, dirfd, path_addr, nullptr, 0);
    struct timeval tv[2];
    TRY_VOID(c.mm.copy_from_user(tv, tv_addr, sizeof tv));
    Times times{};
    for (int i = 0; i < 2; ++i) {
        if (tv[i].tv_usec < 0 || tv[i].tv_usec >= kUsecPerSec)
            return err(Errno::einval);
        times[i] = {tv[i].tv_sec, tv[i].tv_usec * 1000};
    }
    return set_times(c, dirfd, path_addr, &times, 0);
}

SysResult sys_utimes(Context& c, const Args& a) { return timeval_times(c, linux_abi::kAtFdcwd, a[0], a[1]); }
SysResult sys_futimesat(Context& c, const Args& a) { return timeval_times(c, a.fd(0), a[1], a[2]); }

// utime(2): struct utimbuf { actime, modtime } in whole seconds.
SysResult sys_utime(Context& c, const Args& a) {
    if (!a[1])
        return set_times(c, linux_abi::kAtFdcwd, a[0], nullptr, 0);
    std::int64_t buf[2];
    TRY_VOID(c.mm.copy_from_user(buf, a[1], sizeof buf));
    const Times times{{{buf[0], 0}, {buf[1], 0}}};
    return set_times(c, linux_abi::kAtFdcwd, a[0], &times, 0);
}

constexpr SyscallDef kDefs[] = {
    {92, sys_chown, Support::Full, ""},
    {93, sys_fchown, Support::Full, ""},
    {94, sys_lchown, Support::Full, ""},
    {260, sys_fchownat, Support::Full, ""},
    {132, sys_utime, Support::Full, ""},
    {235, sys_utimes, Support::Full, ""},
    {261, sys_futimesat, Support::Full, ""},
    {280, sys_utimensat, Support::Full, ""},
};

}  // namespace

std::span<const SyscallDef> fs_attr_syscalls() { return kDefs; }

}  // namespace syscalls
