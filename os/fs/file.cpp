#include "os/fs/file.h"

#include <poll.h>

namespace os::fs {

using linux_abi::Errno;

KResult<std::uint64_t> File::read(std::span<std::byte>) { return err(Errno::einval); }
KResult<std::uint64_t> File::write(std::span<const std::byte>) { return err(Errno::einval); }
KResult<std::uint64_t> File::pread(std::span<std::byte>, std::uint64_t) { return err(Errno::espipe); }
KResult<std::uint64_t> File::pwrite(std::span<const std::byte>, std::uint64_t) { return err(Errno::espipe); }
KResult<std::int64_t> File::seek(std::int64_t, int) { return err(Errno::espipe); }
KResult<std::uint64_t> File::getdents64(std::span<std::byte>) { return err(Errno::enotdir); }
KResult<void> File::truncate(std::uint64_t) { return err(Errno::einval); }
KResult<void> File::sync() { return err(Errno::einval); }
KResult<std::shared_ptr<mm::CachedFile>> File::mapping(bool) { return err(Errno::enodev); }

KResult<void> File::set_status_flags(int flags) {
    constexpr int kChangeable = kOpenAppend | kOpenNonBlock;
    m_status_flags = (m_status_flags & ~kChangeable) | (flags & kChangeable);
    return {};
}

std::uint32_t File::poll_events() {
    if (host_fd() >= 0) {
        pollfd p{host_fd(), POLLIN | POLLOUT | POLLPRI | POLLRDNORM | POLLWRNORM, 0};
        if (::poll(&p, 1, 0) >= 0)
            return static_cast<std::uint32_t>(p.revents);
    }
    return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

}  // namespace os::fs
