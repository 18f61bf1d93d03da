// Helpers shared by the file syscall families (fs_io, fs_fd, fs_path).
#pragma once

#include <string>

#include "os/fs/file.h"
#include "os/fs/procfs.h"
#include "syscalls/syscall.h"

namespace syscalls {

inline constexpr std::uint64_t kPathMax = 4096;

KResult<std::shared_ptr<os::fs::File>> file_of(Context& c, int fd);
KResult<std::string> path_arg(Context& c, std::uint64_t addr);
// The host directory descriptor a guest dirfd (or AT_FDCWD) names.
// An absolute `path` ignores dirfd, as on Linux (it is not even checked).
KResult<int> host_dirfd(Context& c, int dirfd, const std::string& path);
// A host path naming what the guest's `path` names relative to its working directory
// (through /proc/self/fd/<cwd> for a relative path), for the host calls without an *at()
// form (statfs, getxattr). Empty `path` stays empty (ENOENT).
std::string host_path_from_cwd(Context& c, const std::string& path);
// /proc as the current process sees it (os/fs/procfs.h).
os::fs::procfs::View proc_view(Context& c);
// Paths that procfs looks at first (absolute, under /proc).
inline bool is_proc_path(const std::string& path) { return os::fs::procfs::is_proc_path(path); }

}  // namespace syscalls
