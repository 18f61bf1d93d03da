// Paths: access, readlink, getcwd/chdir/fchdir, mkdir, rmdir, unlink, rename, truncate,
// symlink, link, chmod. Relative paths resolve against the process's working directory;
// every path goes through the guest's root (os/fs/root.h): calls that look a file up get
// a descriptor of it and act on that, calls that make, remove or rename a name act on its
// last component in the directory the root resolved.
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
    } else if (path.empty()) {
        // The symlink dirfd itself names (an O_PATH | O_NOFOLLOW descriptor), else ENOENT.
        if (dirfd == linux_abi::kAtFdcwd)
            return err(Errno::enoent);
        const int host_dir = TRY(host_dirfd(c, dirfd, path));
        char tmp[kPathMax];
        ssize_t n = ::readlinkat(host_dir, "", tmp, sizeof(tmp));
        if (n < 0)
            return err(host_errno());
        target.assign(tmp, static_cast<std::size_t>(n));
    } else {
        const Looked found = TRY(look_up(c, dirfd, path, false));
        struct stat st {};
        if (found.made || ::fstatat(found.fd.get(), "", &st, AT_EMPTY_PATH) != 0 || !S_ISLNK(st.st_mode))
            return err(Errno::einval);
        char tmp[kPathMax];
        ssize_t n = ::readlinkat(found.fd.get(), "", tmp, sizeof(tmp));
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
    if (path.empty()) {
        if (!(flags & linux_abi::kAtEmptyPath))
            return err(Errno::enoent);
        const int host_dir = TRY(host_dirfd(c, dirfd, path));
        return host_result(::faccessat(host_dir, "", mode, flags));
    }
    const Looked found = TRY(look_up(c, dirfd, path, !(flags & linux_abi::kAtSymlinkNofollow)));
    if (found.made) {
        // A file /proc generates: its mode bits decide, as generic_permission() would.
        const bool root_user = c.proc.creds.euid == 0;
        if ((mode & W_OK) && !(found.made->st_mode & 0200) && !root_user)
            return err(Errno::eacces);
        if ((mode & X_OK) && !(found.made->st_mode & 0111))
            return err(Errno::eacces);
        return 0;
    }
    if (mode & W_OK)
        TRY_VOID(root_of(c).check_write(found.fd.get()));
    return host_result(::faccessat(found.fd.get(), "", mode, AT_EMPTY_PATH | (flags & kAtEaccess)));
}

SysResult sys_access(Context& c, const Args& a) { return access_common(c, linux_abi::kAtFdcwd, a[0], a.i32(1), 0); }
SysResult sys_faccessat(Context& c, const Args& a) { return access_common(c, a.fd(0), a[1], a.i32(2), 0); }
SysResult sys_faccessat2(Context& c, const Args& a) { return access_common(c, a.fd(0), a[1], a.i32(2), a.i32(3)); }

SysResult sys_getcwd(Context& c, const Args& a) {
    struct stat st {};
    if (::fstat(c.proc.cwd_fd(), &st) == 0 && st.st_nlink == 0)
        return err(Errno::enoent);  // the working directory was removed
    char buf[kPathMax];
    const ssize_t n = ::readlink(host_fd_path(c.proc.cwd_fd()).c_str(), buf, sizeof(buf) - 1);
    if (n < 0)
        return err(host_errno());
    const std::string host(buf, static_cast<std::size_t>(n));
    const os::fs::Root& root = root_of(c);
    // A working directory outside the root (moved there by the host) is "(unreachable)",
    // as Linux's getcwd says.
    const std::string cwd = root.contains(host) ? root.guest_path(host) : "(unreachable)" + host;
    const std::uint64_t len = cwd.size() + 1;
    if (a[1] < len)
        return err(Errno::erange);
    TRY_VOID(c.mm.copy_to_user(a[0], cwd.c_str(), len));
    return static_cast<std::int64_t>(len);
}

// The new working directory: like Linux, chdir needs search (execute) permission on it.
SysResult change_dir(Context& c, os::fs::HostFd dir) {
    if (::faccessat(dir.get(), "", X_OK, AT_EMPTY_PATH) != 0)
        return err(host_errno());
    c.proc.set_cwd(std::move(dir));
    return 0;
}

SysResult sys_chdir(Context& c, const Args& a) {
    std::string path = TRY(path_arg(c, a[0]));
    return change_dir(c, TRY(open_path(c, linux_abi::kAtFdcwd, path, O_PATH | O_DIRECTORY)));
}

SysResult sys_fchdir(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    if (f->host_fd() < 0)
        return err(Errno::enotdir);
    // The guest's own descriptor: no lookup, nothing to confine.
    os::fs::HostFd dir(::openat(f->host_fd(), ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid())
        return err(host_errno());
    return change_dir(c, std::move(dir));
}

SysResult mkdir_common(Context& c, int dirfd, std::uint64_t path_addr, std::uint32_t mode) {
    std::string path = TRY(path_arg(c, path_addr));
    const auto parent = TRY(parent_of(c, dirfd, path));
    TRY_VOID(root_of(c).check_create(parent));
    return host_result(::mkdirat(parent.dir, parent.name.c_str(), mode & ~c.proc.umask() & 07777));
}

SysResult sys_mkdir(Context& c, const Args& a) { return mkdir_common(c, linux_abi::kAtFdcwd, a[0], a.u32(1)); }
SysResult sys_mkdirat(Context& c, const Args& a) { return mkdir_common(c, a.fd(0), a[1], a.u32(2)); }

SysResult unlink_common(Context& c, int dirfd, std::uint64_t path_addr, int flags) {
    if (flags & ~kAtRemoveDir)
        return err(Errno::einval);
    std::string path = TRY(path_arg(c, path_addr));
    const auto parent = TRY(parent_of(c, dirfd, path));
    TRY_VOID(root_of(c).check_namespace_change());
    return host_result(::unlinkat(parent.dir, parent.name.c_str(), flags));
}

SysResult sys_unlink(Context& c, const Args& a) { return unlink_common(c, linux_abi::kAtFdcwd, a[0], 0); }
SysResult sys_rmdir(Context& c, const Args& a) { return unlink_common(c, linux_abi::kAtFdcwd, a[0], kAtRemoveDir); }
SysResult sys_unlinkat(Context& c, const Args& a) { return unlink_common(c, a.fd(0), a[1], a.i32(2)); }

SysResult rename_common(Context& c, int olddir, std::uint64_t oldpath, int newdir, std::uint64_t newpath,
                        unsigned flags) {
    std::string from = TRY(path_arg(c, oldpath));
    std::string to = TRY(path_arg(c, newpath));
    const auto old_parent = TRY(parent_of(c, olddir, from));
    const auto new_parent = TRY(parent_of(c, newdir, to));
    TRY_VOID(root_of(c).check_namespace_change());
    long r = ::syscall(SYS_renameat2, old_parent.dir, old_parent.name.c_str(), new_parent.dir, new_parent.name.c_str(),
                       flags);
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
    const os::fs::HostFd owned = TRY(open_path(c, linux_abi::kAtFdcwd, path, O_WRONLY));
    const int fd = owned.get();
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
    const auto parent = TRY(parent_of(c, dirfd, path));
    TRY_VOID(root_of(c).check_create(parent));
    return host_result(::symlinkat(target.c_str(), parent.dir, parent.name.c_str()));
}

SysResult sys_symlink(Context& c, const Args& a) { return symlink_common(c, a[0], linux_abi::kAtFdcwd, a[1]); }
SysResult sys_symlinkat(Context& c, const Args& a) { return symlink_common(c, a[0], a.fd(1), a[2]); }

SysResult link_common(Context& c, int olddir, std::uint64_t oldpath, int newdir, std::uint64_t newpath, int flags) {
    if (flags & ~(kAtSymlinkFollow | linux_abi::kAtEmptyPath))
        return err(Errno::einval);
    std::string from = TRY(path_arg(c, oldpath));
    std::string to = TRY(path_arg(c, newpath));
    // The existing file: a descriptor the guest holds (AT_EMPTY_PATH), the file a followed
    // path leads to (linked through its descriptor), or a name in its directory.
    os::fs::HostFd old_file;
    KResult<os::fs::Root::Parent> old_parent = os::fs::Root::Parent{};
    if (from.empty() && (flags & linux_abi::kAtEmptyPath)) {
        old_parent->dir = TRY(host_dirfd(c, olddir, from));
    } else if (flags & kAtSymlinkFollow) {
        old_file = TRY(lookup_path(c, olddir, from, true));
    } else {
        old_parent = parent_of(c, olddir, from);
        if (!old_parent)
            return err(old_parent.error());
    }
    const auto new_parent = TRY(parent_of(c, newdir, to));
    TRY_VOID(root_of(c).check_create(new_parent));
    if (old_file.valid())
        return host_result(::linkat(AT_FDCWD, host_fd_path(old_file.get()).c_str(), new_parent.dir,
                                    new_parent.name.c_str(), AT_SYMLINK_FOLLOW));
    return host_result(::linkat(old_parent->dir, old_parent->name.c_str(), new_parent.dir, new_parent.name.c_str(),
                                flags & linux_abi::kAtEmptyPath));
}

SysResult sys_link(Context& c, const Args& a) {
    return link_common(c, linux_abi::kAtFdcwd, a[0], linux_abi::kAtFdcwd, a[1], 0);
}
SysResult sys_linkat(Context& c, const Args& a) { return link_common(c, a.fd(0), a[1], a.fd(2), a[3], a.i32(4)); }

SysResult chmod_common(Context& c, int dirfd, std::uint64_t path_addr, std::uint32_t mode) {
    std::string path = TRY(path_arg(c, path_addr));
    const os::fs::HostFd file = TRY(lookup_path(c, dirfd, path, true));
    TRY_VOID(root_of(c).check_namespace_change());
    return host_result(::fchmodat(AT_FDCWD, host_fd_path(file.get()).c_str(), mode & 07777, 0));
}

SysResult sys_chmod(Context& c, const Args& a) { return chmod_common(c, linux_abi::kAtFdcwd, a[0], a.u32(1)); }
SysResult sys_fchmodat(Context& c, const Args& a) { return chmod_common(c, a.fd(0), a[1], a.u32(2)); }

SysResult sys_fchmod(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    if (f->host_fd() < 0)
        return err(Errno::ebadf);
    TRY_VOID(root_of(c).check_namespace_change());
    return host_result(::fchmod(f->host_fd(), a.u32(1) & 07777));
}

// mknod: FIFOs, regular files and (where the host user may) device nodes.
SysResult mknod_common(Context& c, int dirfd, std::uint64_t path_addr, std::uint32_t mode, std::uint64_t dev) {
    std::string path = TRY(path_arg(c, path_addr));
    const std::uint32_t type = mode & S_IFMT;
    if (type != 0 && type != S_IFREG && type != S_IFIFO && type != S_IFCHR && type != S_IFBLK && type != S_IFSOCK)
        return err(Errno::einval);
    const auto parent = TRY(parent_of(c, dirfd, path));
    TRY_VOID(root_of(c).check_create(parent));
    // A confined guest makes no device nodes, as in a container without CAP_MKNOD: one for
    // the host's disk would reach everything outside the root.
    if (root_of(c).confined() && (type == S_IFCHR || type == S_IFBLK))
        return err(Errno::eperm);
    const std::uint32_t perms = mode & 07777 & ~static_cast<std::uint32_t>(c.proc.umask());
    return host_result(
        ::mknodat(parent.dir, parent.name.c_str(), (type ? type : S_IFREG) | perms, static_cast<dev_t>(dev)));
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
