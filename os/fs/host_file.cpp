#include "os/fs/host_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/fs/host_errno.h"

namespace os::fs {

KResult<std::shared_ptr<HostFile>> HostFile::open_readonly(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err(host_errno());
    return std::make_shared<HostFile>(fd, path);
}

HostFile::HostFile(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {
    struct stat st {};
    if (::fstat(m_fd, &st) == 0) {
        m_dev = st.st_dev;
        m_ino = st.st_ino;
    }
}

HostFile::~HostFile() { ::close(m_fd); }

std::uint64_t HostFile::size() const {
    struct stat st {};
    if (::fstat(m_fd, &st) != 0)
        return 0;
    return static_cast<std::uint64_t>(st.st_size);
}

KResult<std::uint64_t> HostFile::read_at(std::uint64_t offset, void* buf, std::uint64_t n) const {
    std::uint64_t done = 0;
    while (done < n) {
        ssize_t r = ::pread(m_fd, static_cast<char*>(buf) + done, n - done, static_cast<off_t>(offset + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return err(host_errno());
        }
        if (r == 0)
            break;
        done += static_cast<std::uint64_t>(r);
    }
    return done;
}

}  // namespace os::fs
