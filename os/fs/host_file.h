// HostFile: an open file of the host file system that guest memory can be mapped from
// (the inode side of a file mapping). Shared by every VMA that maps it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "os/result.h"

namespace os::fs {

class HostFile {
public:
    // Opens `path` read-only (O_CLOEXEC) on the host.
    static KResult<std::shared_ptr<HostFile>> open_readonly(const std::string& path);
    // Adopts a host descriptor (takes ownership of it).
    HostFile(int fd, std::string path);
    ~HostFile();
    HostFile(const HostFile&) = delete;
    HostFile& operator=(const HostFile&) = delete;

    int fd() const { return m_fd; }
    const std::string& path() const { return m_path; }
    std::uint64_t size() const;
    std::uint64_t device() const { return m_dev; }
    std::uint64_t inode() const { return m_ino; }

    // Reads up to `n` bytes at `offset`; returns the count (short at end of file).
    KResult<std::uint64_t> read_at(std::uint64_t offset, void* buf, std::uint64_t n) const;

private:
    int m_fd;
    std::string m_path;
    std::uint64_t m_dev = 0;
    std::uint64_t m_ino = 0;
};

}  // namespace os::fs
