// File-system statistics: statfs, fstatfs. Host files report the host's file system;
// pipes report pipefs as Linux does; generated /proc files report the host's procfs.
#include <sys/stat.h>
#include <sys/vfs.h>

#include "os/fs/host_errno.h"
#include "syscalls/fs_common.h"

namespace syscalls {

namespace {

using os::fs::host_errno;

constexpr std::int64_t kPipefsMagic = 0x50495045;
constexpr std::int64_t kNameMax = 255;
constexpr std::int64_t kStValid = 0x20;  // ST_VALID: f_flags is meaningful

linux_abi::Statfs to_guest(const struct statfs& s) {
    linux_abi::Statfs g{};
    g.f_type = static_cast<std::int64_t>(s.f_type);
    g.f_bsize = static_cast<std::int64_t>(s.f_bsize);
    g.f_blocks = s.f_blocks;
    g.f_bfree = s.f_bfree;
    g.f_bavail = s.f_bavail;
    g.f_files = s.f_files;
    g.f_ffree = s.f_ffree;
    g.f_fsid[0] = s.f_fsid.__val[0];
    g.f_fsid[1] = s.f_fsid.__val[1];
    g.f_namelen = static_cast<std::int64_t>(s.f_namelen);
    g.f_frsize = static_cast<std::int64_t>(s.f_frsize);
    g.f_flags = static_cast<std::int64_t>(s.f_flags);
    return g;
}

// simple_statfs() of pipefs, which fstatfs on a pipe reports.
linux_abi::Statfs pipefs(const linux_abi::Stat& st) {
    linux_abi::Statfs g{};
    g.f_type = kPipefsMagic;
    g.f_bsize = g.f_frsize = static_cast<std::int64_t>(os::mm::kPageSize);
    g.f_namelen = kNameMax;
    g.f_fsid[0] = static_cast<std::int32_t>(st.st_dev);
    g.f_flags = kStValid;
    return g;
}

// --read-only shows as a read-only mount (ST_RDONLY), as statvfs reports it.
linux_abi::Statfs read_only(Context& c, linux_abi::Statfs s) {
    constexpr std::int64_t kStRdonly = 1;
    if (root_of(c).read_only())
        s.f_flags |= kStRdonly;
    return s;
}

SysResult put_statfs(Context& c, std::uint64_t addr, const linux_abi::Statfs& s) {
    TRY_VOID(c.mm.copy_to_user(addr, &s, sizeof s));
    return 0;
}

SysResult sys_statfs(Context& c, const Args& a) {
    const std::string path = TRY(path_arg(c, a[0]));
    const Looked found = TRY(look_up(c, linux_abi::kAtFdcwd, path, true));
    struct statfs s {};
    if (found.made) {
        if (::statfs("/proc", &s) != 0)  // a file procfs generates
            return err(host_errno());
        return put_statfs(c, a[1], to_guest(s));
    }
    if (::fstatfs(found.fd.get(), &s) != 0)
        return err(host_errno());
    return put_statfs(c, a[1], read_only(c, to_guest(s)));
}

SysResult sys_fstatfs(Context& c, const Args& a) {
    auto file = TRY(file_of(c, a.fd(0)));
    struct statfs s {};
    if (file->host_fd() >= 0) {
        if (::fstatfs(file->host_fd(), &s) != 0)
            return err(host_errno());
        return put_statfs(c, a[1], read_only(c, to_guest(s)));
    }
    const linux_abi::Stat st = TRY(file->stat());
    if (S_ISFIFO(st.st_mode))
        return put_statfs(c, a[1], pipefs(st));
    if (::statfs("/proc", &s) != 0)  // a file procfs generates
        return err(host_errno());
    return put_statfs(c, a[1], to_guest(s));
}

constexpr SyscallDef kDefs[] = {
    {137, sys_statfs, Support::Full, ""},
    {138, sys_fstatfs, Support::Full, ""},
};

}  // namespace

std::span<const SyscallDef> fs_statfs_syscalls() { return kDefs; }

}  // namespace syscalls
