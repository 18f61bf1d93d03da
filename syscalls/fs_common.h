// Helpers shared by the file syscall families (fs_io, fs_fd, fs_path).
#pragma once

#include <optional>
#include <string>

#include "os/fs/file.h"
#include "os/fs/procfs.h"
#include "os/fs/root.h"
#include "syscalls/syscall.h"

namespace syscalls {

inline constexpr std::uint64_t kPathMax = 4096;

KResult<std::shared_ptr<os::fs::File>> file_of(Context& c, int fd);
KResult<std::string> path_arg(Context& c, std::uint64_t addr);
// The host directory descriptor a guest dirfd (or AT_FDCWD) names.
// An absolute `path` ignores dirfd, as on Linux (it is not even checked).
KResult<int> host_dirfd(Context& c, int dirfd, const std::string& path);
// The guest's "/" and --read-only (os/fs/root.h): every path below goes through it.
const os::fs::Root& root_of(Context& c);
// Opens what the guest's `path` names from `dirfd` (or its working directory), /proc's
// links applied (os/fs/procfs.h): open(2)'s flags, O_PATH for a lookup. Files /proc
// generates or that have no host file are not for this (ENOENT).
KResult<os::fs::HostFd> open_path(Context& c, int dirfd, const std::string& path, int flags, std::uint32_t mode = 0);
// The same for a path procfs::resolve() has already answered with Kind::Host.
KResult<os::fs::HostFd> open_resolved(Context& c, int dirfd, const os::fs::procfs::Resolved& r, int flags,
                                      std::uint32_t mode = 0);
// An O_PATH descriptor of what `path` names; `follow`: a final symlink too.
KResult<os::fs::HostFd> lookup_path(Context& c, int dirfd, const std::string& path, bool follow);
// The directory and last component for calls that make, remove or rename a name.
KResult<os::fs::Root::Parent> parent_of(Context& c, int dirfd, const std::string& path);
// What a stat-like call looks at: a stat made here (a file /proc generates, a descriptor
// without a host file) or a host O_PATH descriptor of the file `path` names.
struct Looked {
    std::optional<linux_abi::Stat> made;
    os::fs::HostFd fd;
};
KResult<Looked> look_up(Context& c, int dirfd, const std::string& path, bool follow);
// A host path that reaches what the descriptor names (/proc/self/fd/N), for host calls that
// take only a path (chmod, getxattr, link with AT_SYMLINK_FOLLOW).
std::string host_fd_path(int host_fd);
// /proc as the current process sees it (os/fs/procfs.h).
os::fs::procfs::View proc_view(Context& c);
// Paths that procfs looks at first (absolute, under /proc).
inline bool is_proc_path(const std::string& path) { return os::fs::procfs::is_proc_path(path); }

}  // namespace syscalls
