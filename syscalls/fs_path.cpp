// Paths: access, readlink, getcwd/chdir/fchdir, mkdir, rmdir, unlink, rename, truncate,
// symlink, link, chmod. Relative paths resolve against the process's working directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "os/fs/host_errno.h"
#include "os/mm/page_cache.h"
#include "syscalls/fs_common.h"

namespace syscalls {

namespace {

using os::fs::host_errno;

constexpr int kAtRemoveDir = 0x200;
constexpr int kAtSymlinkFollow = 0x400;
constexpr int kAtEaccess = 0x200;

SysResult host_result(int r) {
    if (r != 0)
        return err(host_errno());
    return 0;
}

SysResult readlink_common(Context& c, int dirfd, std::uint64_t path_addr, std::uint64_t buf, std::int64_t size) {
    if (size <= 0)
        return err(Errno::einval);
    std::string path = TRY(path_arg(c, path_addr));
    std::string target;
    std::optional<KResult<std::string>> proc_link;
    if (is_proc_path(path))
        proc_link = os::fs::procfs::readlink(proc_view(c), path);
    if (proc_link) {
        target = TRY(std::move(*proc_link));
    } else {
        const int host_dir = TRY(host_dirfd(c, dirfd, path));
        char tmp[kPathMax];
        ssize_t n = ::readlinkat(host_dir, path.c_str(), tmp, sizeof(tmp));
        if (n < 0)
            return err(host_errno());
        target.assign(tmp, static_cast<std::size_t>(n));
    }
    const std::uint64_t n = std::min<std::uint64_t>(target.size(), static_cast<std::uint64_t>(size));
    TRY_VOID(c.mm.copy_to_user(buf, target.data(), n));
    return static_cast<std::int64_t>(n);
}

SysResult sys_readlink(Context& c, const Args& a) {
    return readlink_common(c, linux_abi::kAtFdcwd, a[0], a[1], static_cast<std::int64_t>(a[2]));
}
SysResult sys_readlinkat(Context& c, const Args& a) {
    return readlink_common(c, a.fd(0), a[1], a[2], static_cast<std::int64_t>(a[3]));
}

SysResult access_common(Context& c, int dirfd, std::uint64_t path_addr, int mode, int flags) {
    if (mode & ~07)
        return err(Errno::einval);
    if (flags & ~(kAtEaccess | linux_abi::kAtSymlinkNofollow | linux_abi::kAtEmptyPath))
        return err(Errno::einval);
    std::string path = TRY(path_arg(c, path_addr));
    const int host_dir = TRY(host_dirfd(c, dirfd, path));
    return host_result(::faccessat(host_dir, path.c_str(), mode, flags));
}

SysResult sys_access(Context& c, const Args& a) { return access_common(c, linux_abi::kAtFdcwd, a[0], a.i32(1), 0); }
SysResult sys_faccessat(Context& c, const Args& a) { return access_common(c, a.fd(0), a[1], a.i32(2), 0); }
SysResult sys_faccessat2(Context& c, const Args& a) { return access_common(c, a.fd(0), a[1], a.i32(2), a.i32(3)); }

SysResult sys_getcwd(Context& c, const Args& a) {
    struct stat st {};
    if (::fstat(c.proc.cwd_fd(), &st) == 0 && st.st_nlink == 0)
        return err(Errno::enoent);  // the working directory was removed
    char buf[kPathMax];
    const ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(c.proc.cwd_fd())).c_str(), buf, sizeof(buf) - 1);
    if (n < 0)
        return err(host_errno());
    const std::uint64_t len = static_cast<std::uint64_t>(n) + 1;
    buf[n] = '\0';
    if (a[1] < len)
        return err(Errno::erange);
    TRY_VOID(c.mm.copy_to_user(a[0], buf, len));
    return static_cast<std::int64_t>(len);
}

SysResult change_dir(Context& c, int host_dir, const char* path) {
    const int fd = ::openat(host_dir, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err(host_errno());
    os::fs::HostFd dir(fd);
    // Like Linux, chdir needs search (execute) permission on the directory.
    if (::faccessat(fd, ".", X_OK, 0) != 0)
        return err(host_errno());
    c.proc.set_cwd(std::move(dir));
    return 0;
}

SysResult sys_chdir(Context& c, const Args& a) {
    std::string path = TRY(path_arg(c, a[0]));
    if (path.empty())
        return err(Errno::enoent);
    return change_dir(c, c.proc.cwd_fd(), path.c_str());
}

SysResult sys_fchdir(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    if (f->host_fd() < 0)
        return err(Errno::enotdir);
    return change_dir(c, f->host_fd(), ".");
}

SysResult mkdir_common(Context& c, int dirfd, std::uint64_t path_addr, std::uint32_t mode) {
    std::string path = TRY(path_arg(c, path_addr));
    const int host_dir = TRY(host_dirfd(c, dirfd, path));
    return host_result(::mkdirat(host_dir, path.c_str(), mode & ~c.proc.umask() & 07777));
}

SysResult sys_mkdir(Context& c, const Args& a) { return mkdir_common(c, linux_abi::kAtFdcwd, a[0], a.u32(1)); }
SysResult sys_mkdirat(Context& c, const Args& a) { return mkdir_common(c, a.fd(0), a[1], a.u32(2)); }

SysResult unlink_common(Context& c, int dirfd, std::uint64_t path_addr, int flags) {
    if (flags & ~kAtRemoveDir)
        return err(Errno::einval);
    std::string path = TRY(path_arg(c, path_addr));
    const int host_dir = TRY(host_dirfd(c, dirfd, path));
    return host_result(::unlinkat(host_dir, path.c_str(), flags));
}

SysResult sys_unlink(Context& c, const Args& a) { return unlink_common(c, linux_abi::kAtFdcwd, a[0], 0); }
SysResult sys_rmdir(Context& c, const Args& a) { return unlink_common(c, linux_abi::kAtFdcwd, a[0], kAtRemoveDir); }
SysResult sys_unlinkat(Context& c, const Args& a) { return unlink_common(c, a.fd(0), a[1], a.i32(2)); }

SysResult rename_common(Context& c, int olddir, std::uint64_t oldpath, int newdir, std::uint64_t newpath,
                        unsigned flags) {
    std::string from = TRY(path_arg(c, oldpath));
    std::string to = TRY(path_arg(c, newpath));
    const int host_old = TRY(host_dirfd(c, olddir, from));
    const int host_new = TRY(host_dirfd(c, newdir, to));
    long r = ::syscall(SYS_renameat2, host_old, from.c_str(), host_new, to.c_str(), flags);
    return r < 0 ? SysResult(err(host_errno())) : SysResult(0);
}

SysResult sys_rename(Context& c, const Args& a) {
    return rename_common(c, linux_abi::kAtFdcwd, a[0], linux_abi::kAtFdcwd, a[1], 0);
}
SysResult sys_renameat(Context& c, const Args& a) { return rename_common(c, a.fd(0), a[1], a.fd(2), a[3], 0); }
SysResult sys_renameat2(Context& c, const Args& a) {
    return rename_common(c, a.fd(0), a[1], a.fd(2), a[3], a.u32(4));
}

// truncate(2) by path: cached pages of the file follow, as with ftruncate.
SysResult sys_truncate(Context& c, const Args& a) {
    std::string path = TRY(path_arg(c, a[0]));
    if (static_cast<std::int64_t>(a[1]) < 0)
        return err(Errno::einval);
    const int fd = ::openat(c.proc.cwd_fd(), path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return err(host_errno());
    os::fs::HostFd owned(fd);
    if (::ftruncate(fd, static_cast<off_t>(a[1])) != 0)
        return err(host_errno());
    struct stat st {};
    if (::fstat(fd, &st) == 0) {
        if (auto file = c.kernel.page_cache().find({static_cast<std::uint64_t>(st.st_dev),
                                                    static_cast<std::uint64_t>(st.st_ino)}))
            file->truncate(a[1]);
    }
    return 0;
}

SysResult symlink_common(Context& c, std::uint64_t target_addr, int dirfd, std::uint64_t path_addr) {
    std::string target = TRY(path_arg(c, target_addr));
    std::string path = TRY(path_arg(c, path_addr));
    const int host_dir = TRY(host_dirfd(c, dirfd, path));
    return host_result(::symlinkat(target.c_str(), host_dir, path.c_str()));
}

SysResult sys_symlink(Context& c, const Args& a) { return symlink_common(c, a[0], linux_abi::kAtFdcwd, a[1]); }
SysResult sys_symlinkat(Context& c, const Args& a) { return symlink_common(c, a[0], a.fd(1), a[2]); }

SysResult link_common(Context& c, int olddir, std::uint64_t oldpath, int newdir, std::uint64_t newpath, int flags) {
    if (flags & ~(kAtSymlinkFollow | linux_abi::kAtEmptyPath))
        return err(Errno::einval);
    std::string from = TRY(path_arg(c, oldpath));
    std::string to = TRY(path_arg(c, newpath));
    const int host_old = TRY(host_dirfd(c, olddir, from));
    const int host_new = TRY(host_dirfd(c, newdir, to));
    return host_result(::linkat(host_old, from.c_str(), host_new, to.c_str(), flags));
}

SysResult sys_link(Context& c, const Args& a) {
    return link_common(c, linux_abi::kAtFdcwd, a[0], linux_abi::kAtFdcwd, a[1], 0);
}
SysResult sys_linkat(Context& c, const Args& a) { return link_common(c, a.fd(0), a[1], a.fd(2), a[3], a.i32(4)); }

SysResult sys_chmod(Context& c, const Args& a) {
    std::string path = TRY(path_arg(c, a[0]));
    return host_result(::fchmodat(c.proc.cwd_fd(), path.c_str(), a.u32(1) & 07777, 0));
}

SysResult sys_fchmodat(Context& c, const Args& a) {
    std::string path = TRY(path_arg(c, a[1]));
    const int host_dir = TRY(host_dirfd(c, a.fd(0), path));
    return host_result(::fchmodat(host_dir, path.c_str(), a.u32(2) & 07777, 0));
}

SysResult sys_fchmod(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    if (f->host_fd() < 0)
        return err(Errno::ebadf);
    return host_result(::fchmod(f->host_fd(), a.u32(1) & 07777));
}

// mknod: FIFOs, regular files and (where the host user may) device nodes.
SysResult mknod_common(Context& c, int dirfd, std::uint64_t path_addr, std::uint32_t mode, std::uint64_t dev) {
    std::string path = TRY(path_arg(c, path_addr));
    const int host_dir = TRY(host_dirfd(c, dirfd, path));
    const std::uint32_t type = mode & S_IFMT;
    if (type != 0 && type != S_IFREG && type != S_IFIFO && type != S_IFCHR && type != S_IFBLK && type != S_IFSOCK)
        return err(Errno::einval);
    const std::uint32_t perms = mode & 07777 & ~static_cast<std::uint32_t>(c.proc.umask());
    return host_result(::mknodat(host_dir, path.c_str(), (type ? type : S_IFREG) | perms, static_cast<dev_t>(dev)));
}

SysResult sys_mknod(Context& c, const Args& a) { return mknod_common(c, linux_abi::kAtFdcwd, a[0], a.u32(1), a.u32(2)); }
SysResult sys_mknodat(Context& c, const Args& a) { return mknod_common(c, a.fd(0), a[1], a.u32(2), a.u32(3)); }

SysResult sys_syncfs(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    if (f->host_fd() < 0)
        return 0;  // pipes live in faultline: nothing to write out
    return host_result(::syncfs(f->host_fd()));
}

SysResult sys_sync(Context&, const Args&) {
    ::sync();
    return 0;
}

constexpr SyscallDef kDefs[] = {
    {133, sys_mknod, Support::Full, ""},
    {259, sys_mknodat, Support::Full, ""},
    {306, sys_syncfs, Support::Full, ""},
    {162, sys_sync, Support::Full, ""},
    {89, sys_readlink, Support::Full, ""},
    {267, sys_readlinkat, Support::Full, ""},
    {21, sys_access, Support::Full, ""},
    {269, sys_faccessat, Support::Full, ""},
    {439, sys_faccessat2, Support::Full, ""},
    {79, sys_getcwd, Support::Full, ""},
    {80, sys_chdir, Support::Full, ""},
    {81, sys_fchdir, Support::Full, ""},
    {83, sys_mkdir, Support::Full, ""},
    {258, sys_mkdirat, Support::Full, ""},
    {84, sys_rmdir, Support::Full, ""},
    {87, sys_unlink, Support::Full, ""},
    {263, sys_unlinkat, Support::Full, ""},
    {82, sys_rename, Support::Full, ""},
    {264, sys_renameat, Support::Full, ""},
    {316, sys_renameat2, Support::Full, ""},
    {76, sys_truncate, Support::Full, ""},
    {88, sys_symlink, Support::Full, ""},
    {266, sys_symlinkat, Support::Full, ""},
    {86, sys_link, Support::Full, ""},
    {265, sys_linkat, Support::Full, ""},
    {90, sys_chmod, Support::Full, ""},
    {91, sys_fchmod, Support::Full, ""},
    {268, sys_fchmodat, Support::Full, ""},
};

}  // namespace

std::span<const SyscallDef> fs_path_syscalls() { return kDefs; }

}  // namespace syscalls
