#include "os/proc/open_exec.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "os/fs/host_errno.h"
#include "os/fs/host_fd.h"

namespace os::proc {

using linux_abi::Errno;

namespace {

// do_open_execat()'s checks on the opened file, then the page cache's own descriptor.
KResult<std::shared_ptr<mm::CachedFile>> check_and_cache(mm::PageCache& cache, int fd, const std::string& path) {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return err(fs::host_errno());
    // may_open(): MAY_EXEC on a directory, FIFO, socket or device is EACCES.
    if (!S_ISREG(st.st_mode))
        return err(Errno::eacces);
    if (::faccessat(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) != 0)
        return err(fs::host_errno());
    // The cache reopens the file for reading through this descriptor (/proc/self/fd).
    return cache.get(fd, path);
}

}  // namespace

KResult<std::shared_ptr<mm::CachedFile>> open_exec(mm::PageCache& cache, const fs::Root& root, int dirfd,
                                                    const std::string& path) {
    // O_PATH: the lookup and the checks below must not open a device or block on a FIFO.
    const fs::HostFd fd = TRY(root.lookup(dirfd, path.empty() ? "." : path, true));
    return check_and_cache(cache, fd.get(), path);
}

KResult<std::shared_ptr<mm::CachedFile>> open_exec_fd(mm::PageCache& cache, int fd, const std::string& name) {
    return check_and_cache(cache, fd, name);
}

KResult<std::vector<std::byte>> read_file_head(const mm::CachedFile& file, std::uint64_t max) {
    std::vector<std::byte> bytes(std::min(max, file.size()));
    const std::uint64_t got = TRY(file.read(0, bytes));
    bytes.resize(got);
    return bytes;
}

}  // namespace os::proc
