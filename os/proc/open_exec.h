// open_exec(): opens a file for execution as Linux's do_open_execat() does, and hands it
// over through the page cache, where its pages will be mapped from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "os/fs/root.h"
#include "os/mm/page_cache.h"
#include "os/result.h"

namespace os::proc {

// Resolves `path` in `root` against the host directory descriptor `dirfd` (or AT_FDCWD),
// following symlinks; checks the opened file itself (fstat and faccessat on its descriptor, so
// nothing can be swapped in between): a directory or any other non-regular file is
// EACCES, as is a file without execute permission for the caller (faccessat(X_OK) with
// the effective ids, which also refuses a file on a noexec mount). Lookup errors are the
// host's: ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP, EACCES. An empty path opens `dirfd`
// itself, as the kernel-internal open_exec("") does (so it fails with EACCES); execve's
// own empty path is refused earlier, with ENOENT.
KResult<std::shared_ptr<mm::CachedFile>> open_exec(mm::PageCache& cache, const fs::Root& root, int dirfd,
                                                    const std::string& path);

// The same checks for a file the caller already opened (execveat with AT_EMPTY_PATH,
// fexecve, or a /proc link the caller resolved): `fd` is any host descriptor of it.
KResult<std::shared_ptr<mm::CachedFile>> open_exec_fd(mm::PageCache& cache, int fd, const std::string& name);

// Up to `max` bytes from the start of `file` (fewer for a shorter file).
KResult<std::vector<std::byte>> read_file_head(const mm::CachedFile& file, std::uint64_t max);

}  // namespace os::proc
