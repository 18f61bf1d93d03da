#include "os/fs/pipe.h"

#include <poll.h>

#include <algorithm>

namespace os::fs {

using linux_abi::Errno;

namespace {
constexpr std::uint32_t kFifoMode = 0010000 | 0600;  // S_IFIFO, rw-------
constexpr std::uint64_t kPipeFsDevice = 0xd;          // what Linux reports for pipefs here
}  // namespace

PipeEnd::PipeEnd(std::shared_ptr<PipeBuffer> pipe, Side side, int status_flags)
    : File("pipe:[" + std::to_string(pipe->inode()) + "]", status_flags), m_pipe(std::move(pipe)), m_side(side) {
    (m_side == Side::Read ? m_pipe->m_readers : m_pipe->m_writers)++;
}

PipeEnd::~PipeEnd() { (m_side == Side::Read ? m_pipe->m_readers : m_pipe->m_writers)--; }

KResult<std::uint64_t> PipeEnd::read(std::span<std::byte> buf) {
    if (m_side != Side::Read)
        return err(Errno::ebadf);
    if (buf.empty())
        return 0;
    if (m_pipe->m_data.empty())
        return m_pipe->m_writers == 0 ? KResult<std::uint64_t>(0) : err(Errno::eagain);
    const std::uint64_t n = std::min<std::uint64_t>(buf.size(), m_pipe->m_data.size());
    std::copy_n(m_pipe->m_data.begin(), n, buf.begin());
    m_pipe->m_data.erase(m_pipe->m_data.begin(), m_pipe->m_data.begin() + static_cast<std::ptrdiff_t>(n));
    return n;
}

KResult<std::uint64_t> PipeEnd::write(std::span<const std::byte> buf) {
    if (m_side != Side::Write)
        return err(Errno::ebadf);
    if (m_pipe->m_readers == 0)
        return err(Errno::epipe);
    if (buf.empty())
        return 0;
    const std::uint64_t space = m_pipe->m_capacity - m_pipe->m_data.size();
    // Writes of at most PIPE_BUF bytes are atomic: all or nothing.
    if (space == 0 || (buf.size() <= PipeBuffer::kAtomicWrite && space < buf.size()))
        return err(Errno::eagain);
    const std::uint64_t n = std::min<std::uint64_t>(buf.size(), space);
    m_pipe->m_data.insert(m_pipe->m_data.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    return n;
}

std::uint32_t PipeEnd::poll_events() {
    // Linux's pipe_poll.
    std::uint32_t mask = 0;
    if (m_side == Side::Read) {
        if (!m_pipe->m_data.empty())
            mask |= POLLIN | POLLRDNORM;
        if (m_pipe->m_writers == 0)
            mask |= POLLHUP;
    } else {
        if (m_pipe->m_data.size() < m_pipe->m_capacity)
            mask |= POLLOUT | POLLWRNORM;
        if (m_pipe->m_readers == 0)
            mask |= POLLERR;
    }
    return mask;
}

KResult<linux_abi::Stat> PipeEnd::stat() {
    linux_abi::Stat st{};
    st.st_dev = kPipeFsDevice;
    st.st_ino = m_pipe->inode();
    st.st_nlink = 1;
    st.st_mode = kFifoMode;
    st.st_blksize = 4096;
    return st;
}

}  // namespace os::fs
