#include "syscalls/fs_common.h"

#include <fcntl.h>

namespace syscalls {

KResult<std::shared_ptr<os::fs::File>> file_of(Context& c, int fd) { return c.proc.files().get(fd); }

KResult<std::string> path_arg(Context& c, std::uint64_t addr) {
    const KResult<std::string> copied = c.mm.copy_string_from_user(addr, kPathMax);
    if (!copied)
        return err(copied.error());
    const std::string& path = *copied;
    // /dev/fd is a link to /proc/self/fd and /dev/std{in,out,err} to its 0, 1, 2 (udev's
    // links on Linux): the guest's descriptors, not faultline's.
    if (path.starts_with("/dev/fd/") || path == "/dev/fd")
        return "/proc/self/fd" + path.substr(7);
    if (path == "/dev/stdin")
        return std::string("/proc/self/fd/0");
    if (path == "/dev/stdout")
        return std::string("/proc/self/fd/1");
    if (path == "/dev/stderr")
        return std::string("/proc/self/fd/2");
    return path;
}

KResult<int> host_dirfd(Context& c, int dirfd, const std::string& path) {
    if (dirfd == linux_abi::kAtFdcwd || path.starts_with('/'))
        return c.proc.cwd_fd();
    auto f = TRY(file_of(c, dirfd));
    if (f->host_fd() < 0)
        return err(Errno::enotdir);
    return f->host_fd();
}

const os::fs::Root& root_of(Context& c) { return c.kernel.root(); }

KResult<os::fs::HostFd> open_resolved(Context& c, int dirfd, const os::fs::procfs::Resolved& r, int flags,
                                      std::uint32_t mode) {
    using Reach = os::fs::procfs::Resolved::Reach;
    const os::fs::Root& root = root_of(c);
    if (r.kind != os::fs::procfs::Resolved::Kind::Host)
        return err(Errno::enoent);
    switch (r.reach) {
    case Reach::Guest: {
        const int at = r.at >= 0 ? r.at : TRY(host_dirfd(c, dirfd, r.host_path));
        return root.open(at, r.host_path, flags, mode);
    }
    case Reach::Reopen:
        return root.reopen(r.host_path, flags, r.file && (r.file->status_flags() & O_ACCMODE) != O_RDONLY);
    case Reach::HostProc:
        if (!root.confined())
            return root.open(AT_FDCWD, r.host_path, flags, mode);
        // faultline's own /proc/self entries describe faultline: a confined guest sees only
        // the links themselves (lstat, readlink), never what is behind them.
        if (r.self_entry && !((flags & O_PATH) && (flags & O_NOFOLLOW)))
            return err(Errno::enoent);
        return root.open_host_proc(r.host_path, flags);
    }
    return err(Errno::enoent);
}

KResult<os::fs::HostFd> open_path(Context& c, int dirfd, const std::string& path, int flags, std::uint32_t mode) {
    if (path.empty())
        return err(Errno::enoent);
    if (!is_proc_path(path)) {
        const int at = TRY(host_dirfd(c, dirfd, path));
        return root_of(c).open(at, path, flags, mode);
    }
    const auto resolved = TRY(os::fs::procfs::resolve(proc_view(c), path, !(flags & O_NOFOLLOW)));
    return open_resolved(c, dirfd, resolved, flags, mode);
}

KResult<os::fs::HostFd> lookup_path(Context& c, int dirfd, const std::string& path, bool follow) {
    return open_path(c, dirfd, path, O_PATH | (follow ? 0 : O_NOFOLLOW));
}

KResult<Looked> look_up(Context& c, int dirfd, const std::string& path, bool follow) {
    using Kind = os::fs::procfs::Resolved::Kind;
    Looked out;
    if (!is_proc_path(path)) {
        out.fd = TRY(lookup_path(c, dirfd, path, follow));
        return out;
    }
    const auto view = proc_view(c);
    const auto resolved = TRY(os::fs::procfs::resolve(view, path, follow));
    switch (resolved.kind) {
    case Kind::Generated:
        out.made = os::fs::procfs::entry_stat(view, resolved.entry);
        return out;
    case Kind::Descriptor:
        out.made = TRY(resolved.file->stat());
        return out;
    case Kind::Host:
        break;
    }
    out.fd = TRY(open_resolved(c, dirfd, resolved, O_PATH | (follow ? 0 : O_NOFOLLOW)));
    return out;
}

KResult<os::fs::Root::Parent> parent_of(Context& c, int dirfd, const std::string& path) {
    if (path.empty())
        return err(Errno::enoent);
    const int at = TRY(host_dirfd(c, dirfd, path));
    return root_of(c).parent(at, path);
}

std::string host_fd_path(int host_fd) { return "/proc/self/fd/" + std::to_string(host_fd); }

os::fs::procfs::View proc_view(Context& c) {
    // One process: its address space is every address space there is.
    return os::fs::procfs::View{c.proc, c.kernel.physical_memory(), c.kernel.page_cache(), {&c.mm}, &c.task,
                                &c.kernel.root()};
}

}  // namespace syscalls
