#include "syscalls/fs_common.h"

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

std::string host_path_from_cwd(Context& c, const std::string& path) {
    if (path.empty() || path.starts_with('/'))
        return path;
    return "/proc/self/fd/" + std::to_string(c.proc.cwd_fd()) + "/" + path;
}

os::fs::procfs::View proc_view(Context& c) {
    // One process: its address space is every address space there is.
    return os::fs::procfs::View{c.proc, c.kernel.physical_memory(), c.kernel.page_cache(), {&c.mm}, &c.task};
}

}  // namespace syscalls
