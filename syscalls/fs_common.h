// Helpers shared by the file syscall families (fs_io, fs_fd, fs_path).
#pragma once

#include <string>

#include "os/fs/file.h"
#include "syscalls/syscall.h"

namespace syscalls {

inline constexpr std::uint64_t kPathMax = 4096;

KResult<std::shared_ptr<os::fs::File>> file_of(Context& c, int fd);
KResult<std::string> path_arg(Context& c, std::uint64_t addr);
// The host directory descriptor a guest dirfd (or AT_FDCWD) names.
KResult<int> host_dirfd(Context& c, int dirfd);
// The current process's /proc/self/exe target when `path` names it, else nullopt.
std::optional<std::string> proc_exe_link(Context& c, const std::string& path);

}  // namespace syscalls
