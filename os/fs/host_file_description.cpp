#include "os/fs/host_file_description.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "os/fs/host_errno.h"
#include "os/fs/host_stat.h"

namespace os::fs {

using linux_abi::Errno;

namespace {

int host_status_flags(int fd) {
    int fl = ::fcntl(fd, F_GETFL);
    return fl < 0 ? 0 : fl;
}

}  // namespace

HostFileDescription::HostFileDescription(int host_fd, std::string path, mm::PageCache& cache)
    : File(std::move(path), host_status_flags(host_fd)), m_fd(host_fd), m_cache(cache) {
    struct stat st {};
    if (::fstat(m_fd, &st) == 0) {
        m_identity = {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
        m_regular = S_ISREG(st.st_mode);
    }
}

HostFileDescription::~HostFileDescription() { ::close(m_fd); }

std::shared_ptr<mm::CachedFile> HostFileDescription::cached() const {
    if (!m_regular)
        return nullptr;
    auto file = m_cache.find(m_identity);
    return file && file->cached_pages() ? file : nullptr;
}

void HostFileDescription::after_write(std::uint64_t offset, std::span<const std::byte> data) {
    if (!m_regular)
        return;
    if (auto file = m_cache.find(m_identity))
        file->update_after_write(offset, data);
}

KResult<std::uint64_t> HostFileDescription::read(std::span<std::byte> buf) {
    if (!readable())
        return err(Errno::ebadf);
    if (auto file = cached()) {
        const off_t pos = ::lseek(m_fd, 0, SEEK_CUR);
        if (pos < 0)
            return err(host_errno());
        const std::uint64_t n = TRY(file->read(static_cast<std::uint64_t>(pos), buf));
        ::lseek(m_fd, pos + static_cast<off_t>(n), SEEK_SET);
        return n;
    }
    ssize_t r = ::read(m_fd, buf.data(), buf.size());
    if (r < 0)
        return err(host_errno());
    return static_cast<std::uint64_t>(r);
}

KResult<std::uint64_t> HostFileDescription::write(std::span<const std::byte> buf) {
    if (!writable())
        return err(Errno::ebadf);
    ssize_t w = ::write(m_fd, buf.data(), buf.size());
    if (w < 0)
        return err(host_errno());
    if (m_regular && w > 0) {
        // O_APPEND decides the offset only at the write: ask where it ended.
        const off_t end = ::lseek(m_fd, 0, SEEK_CUR);
        if (end >= w)
            after_write(static_cast<std::uint64_t>(end - w), buf.first(static_cast<std::size_t>(w)));
    }
    return static_cast<std::uint64_t>(w);
}

KResult<std::uint64_t> HostFileDescription::pread(std::span<std::byte> buf, std::uint64_t offset) {
    if (!readable())
        return err(Errno::ebadf);
    if (auto file = cached())
        return file->read(offset, buf);
    ssize_t r = ::pread(m_fd, buf.data(), buf.size(), static_cast<off_t>(offset));
    if (r < 0)
        return err(host_errno());
    return static_cast<std::uint64_t>(r);
}

KResult<std::uint64_t> HostFileDescription::pwrite(std::span<const std::byte> buf, std::uint64_t offset) {
    if (!writable())
        return err(Errno::ebadf);
    ssize_t w = ::pwrite(m_fd, buf.data(), buf.size(), static_cast<off_t>(offset));
    if (w < 0)
        return err(host_errno());
    // Linux ignores the offset of pwrite on an O_APPEND file and appends.
    const std::uint64_t at = (status_flags() & kOpenAppend) ? static_cast<std::uint64_t>(::lseek(m_fd, 0, SEEK_END)) - w
                                                             : offset;
    after_write(at, buf.first(static_cast<std::size_t>(w)));
    return static_cast<std::uint64_t>(w);
}

KResult<std::int64_t> HostFileDescription::seek(std::int64_t offset, int whence) {
    off_t r = ::lseek(m_fd, static_cast<off_t>(offset), whence);
    if (r < 0)
        return err(host_errno());
    return r;
}

KResult<linux_abi::Stat> HostFileDescription::stat() {
    struct stat st {};
    if (::fstat(m_fd, &st) != 0)
        return err(host_errno());
    return to_guest_stat(st);
}

KResult<std::uint64_t> HostFileDescription::getdents64(std::span<std::byte> buf) {
    // struct linux_dirent64 is the same for host and guest (both x86-64 Linux).
    long n = ::syscall(SYS_getdents64, m_fd, buf.data(), buf.size());
    if (n < 0)
        return err(host_errno());
    return static_cast<std::uint64_t>(n);
}

KResult<void> HostFileDescription::truncate(std::uint64_t length) {
    if (!writable())
        return err(Errno::einval);  // ftruncate on a descriptor not open for writing
    if (::ftruncate(m_fd, static_cast<off_t>(length)) != 0)
        return err(host_errno());
    if (auto file = m_cache.find(m_identity))
        file->truncate(length);
    return {};
}

KResult<void> HostFileDescription::sync() {
    if (::fsync(m_fd) != 0)
        return err(host_errno());
    return {};
}

KResult<std::shared_ptr<mm::CachedFile>> HostFileDescription::mapping(bool writable_shared) {
    if (!m_regular)
        return err(Errno::enodev);
    auto file = TRY(m_cache.get(m_fd, m_path));
    if (writable_shared && !file->can_write_back()) {
        int copy = ::fcntl(m_fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
            return err(host_errno());
        file->adopt_write_fd(copy);
    }
    return file;
}

int HostFileDescription::status_flags() const { return host_status_flags(m_fd) & ~O_CLOEXEC; }

KResult<void> HostFileDescription::set_status_flags(int flags) {
    constexpr int kChangeable = kOpenAppend | kOpenNonBlock;
    const int now = host_status_flags(m_fd);
    if (::fcntl(m_fd, F_SETFL, (now & ~kChangeable) | (flags & kChangeable)) != 0)
        return err(host_errno());
    return {};
}

}  // namespace os::fs
