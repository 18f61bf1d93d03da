// Pipes, kept inside faultline (not host pipes) so that a task blocking on one can yield
// to the others. One PipeBuffer, a read end and a write end (Linux's pipe_inode_info).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>

#include "os/fs/file.h"

namespace os::fs {

class PipeBuffer {
public:
    static constexpr std::uint64_t kDefaultCapacity = 16 * 4096;  // Linux's default pipe size
    static constexpr std::uint64_t kMaxCapacity = 1 << 20;           // /proc/sys/fs/pipe-max-size
    static constexpr std::uint64_t kAtomicWrite = 4096;    // PIPE_BUF

    explicit PipeBuffer(std::uint64_t inode) : m_inode(inode) {}
    std::uint64_t inode() const { return m_inode; }
    std::uint64_t available() const { return m_data.size(); }

    std::uint64_t m_capacity = kDefaultCapacity;
    std::deque<std::byte> m_data;
    int m_readers = 0;
    int m_writers = 0;

private:
    std::uint64_t m_inode;
};

// Both ends. read/write return EAGAIN when they would block; the syscall layer turns that
// into blocking unless the end is O_NONBLOCK. A write with no reader left is EPIPE (the
// caller also sends SIGPIPE).
class PipeEnd final : public File {
public:
    enum class Side : std::uint8_t { Read, Write };
    PipeEnd(std::shared_ptr<PipeBuffer> pipe, Side side, int status_flags);
    ~PipeEnd() override;

    KResult<std::uint64_t> read(std::span<std::byte> buf) override;
    KResult<std::uint64_t> write(std::span<const std::byte> buf) override;
    KResult<linux_abi::Stat> stat() override;
    std::uint32_t poll_events() override;

    PipeBuffer& buffer() { return *m_pipe; }

private:
    std::shared_ptr<PipeBuffer> m_pipe;
    Side m_side;
};

}  // namespace os::fs
