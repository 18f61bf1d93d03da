// A file of the host's file system opened by the guest: regular files, directories,
// terminals, devices. Reads and writes go to the host descriptor, kept coherent with the
// page cache: write(2) updates cached pages, and read(2) of a file with cached pages reads
// them (a shared mapping's stores are visible before they are written back).
#pragma once

#include "os/fs/file.h"
#include "os/mm/page_cache.h"

namespace os::fs {

class HostFileDescription final : public File {
public:
    // Takes ownership of `host_fd`.
    HostFileDescription(int host_fd, std::string path, mm::PageCache& cache);
    ~HostFileDescription() override;

    KResult<std::uint64_t> read(std::span<std::byte> buf) override;
    KResult<std::uint64_t> write(std::span<const std::byte> buf) override;
    KResult<std::uint64_t> pread(std::span<std::byte> buf, std::uint64_t offset) override;
    KResult<std::uint64_t> pwrite(std::span<const std::byte> buf, std::uint64_t offset) override;
    KResult<std::int64_t> seek(std::int64_t offset, int whence) override;
    KResult<linux_abi::Stat> stat() override;
    KResult<std::uint64_t> getdents64(std::span<std::byte> buf) override;
    KResult<void> truncate(std::uint64_t length) override;
    KResult<void> sync() override;
    KResult<std::shared_ptr<mm::CachedFile>> mapping(bool writable_shared) override;
    int host_fd() const override { return m_fd; }
    int status_flags() const override;
    KResult<void> set_status_flags(int flags) override;

private:
    // The cached file, when this file has pages in the page cache.
    std::shared_ptr<mm::CachedFile> cached() const;
    void after_write(std::uint64_t offset, std::span<const std::byte> data);

    int m_fd;
    mm::PageCache& m_cache;
    mm::FileIdentity m_identity;
    bool m_regular = false;
};

}  // namespace os::fs
