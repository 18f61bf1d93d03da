#include "os/trace/buffered_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace os::trace {

BufferedFile::BufferedFile(std::string path) : m_path(std::move(path)) {
    m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m_fd < 0)
        m_error = std::strerror(errno);
    m_buffer.reserve(kBufferBytes);
}

BufferedFile::~BufferedFile() {
    flush();
    if (m_fd >= 0)
        ::close(m_fd);
}

void BufferedFile::append(std::string_view text) {
    m_buffer.append(text);
    if (m_buffer.size() >= kBufferBytes)
        flush();
}

void BufferedFile::flush() {
    std::size_t done = 0;
    while (m_fd >= 0 && m_error.empty() && done < m_buffer.size()) {
        const ssize_t n = ::write(m_fd, m_buffer.data() + done, m_buffer.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            m_error = std::strerror(errno);
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    m_buffer.clear();
}

}  // namespace os::trace
