// File: an open file description (Linux's struct file with its file_operations). Guest
// descriptors point at Files; dup() shares one. Operations work on host buffers; the
// syscall layer copies to and from guest memory. The defaults give the errors Linux gives
// for a file that lacks the operation.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "os/abi/stat.h"
#include "os/result.h"

namespace os::mm {
class CachedFile;
}

namespace os::fs {

// Guest open flags (x86-64 Linux values).
inline constexpr int kOpenAccessMode = 03;
inline constexpr int kOpenReadOnly = 00;
inline constexpr int kOpenWriteOnly = 01;
inline constexpr int kOpenReadWrite = 02;
inline constexpr int kOpenNonBlock = 04000;
inline constexpr int kOpenAppend = 02000;

class File {
public:
    File(std::string path, int status_flags) : m_path(std::move(path)), m_status_flags(status_flags) {}
    virtual ~File() = default;
    File(const File&) = delete;
    File& operator=(const File&) = delete;

    virtual KResult<std::uint64_t> read(std::span<std::byte> buf);
    virtual KResult<std::uint64_t> write(std::span<const std::byte> buf);
    virtual KResult<std::uint64_t> pread(std::span<std::byte> buf, std::uint64_t offset);
    virtual KResult<std::uint64_t> pwrite(std::span<const std::byte> buf, std::uint64_t offset);
    virtual KResult<std::int64_t> seek(std::int64_t offset, int whence);
    virtual KResult<linux_abi::Stat> stat() = 0;
    virtual KResult<std::uint64_t> getdents64(std::span<std::byte> buf);
    virtual KResult<void> truncate(std::uint64_t length);
    virtual KResult<void> sync();
    // The page-cache object mmap() maps, for files that can be mapped (ENODEV otherwise).
    // `writable_shared`: the mapping is MAP_SHARED with PROT_WRITE.
    virtual KResult<std::shared_ptr<mm::CachedFile>> mapping(bool writable_shared);
    // poll(): the events ready now (POLLIN, POLLOUT, POLLHUP, POLLERR... as Linux's
    // f_op->poll returns them). The default is a file that is always ready, as regular
    // files are; a file backed by a host descriptor asks the host.
    virtual std::uint32_t poll_events();
    // The host descriptor behind this file, for *at() lookups relative to a directory and
    // terminal ioctls; -1 when there is none.
    virtual int host_fd() const { return -1; }

    // F_GETFL / F_SETFL (only O_APPEND and O_NONBLOCK change, as on Linux).
    virtual int status_flags() const { return m_status_flags; }
    virtual KResult<void> set_status_flags(int flags);

    bool readable() const { return (m_status_flags & kOpenAccessMode) != kOpenWriteOnly; }
    bool writable() const { return (m_status_flags & kOpenAccessMode) != kOpenReadOnly; }
    bool nonblocking() const { return (m_status_flags & kOpenNonBlock) != 0; }
    const std::string& path() const { return m_path; }

protected:
    std::string m_path;
    int m_status_flags;
};

}  // namespace os::fs
