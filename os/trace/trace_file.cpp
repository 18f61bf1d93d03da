#include "os/trace/trace_file.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace os::trace {

std::expected<TraceFile, int> TraceFile::create(const std::string& path, Open how) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (how == Open::Append ? O_APPEND : O_TRUNC);
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0)
        return std::unexpected(errno);
    return TraceFile(fd, true, path);
}

TraceFile TraceFile::standard_error() { return TraceFile(STDERR_FILENO, false, "stderr"); }

TraceFile TraceFile::discard(std::string name) { return TraceFile(-1, false, std::move(name)); }

TraceFile::TraceFile(TraceFile&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_owned(other.m_owned), m_failed(other.m_failed),
      m_name(std::move(other.m_name)), m_buffer(std::move(other.m_buffer)) {}

TraceFile& TraceFile::operator=(TraceFile&& other) noexcept {
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
        m_owned = other.m_owned;
        m_failed = other.m_failed;
        m_name = std::move(other.m_name);
        m_buffer = std::move(other.m_buffer);
    }
    return *this;
}

TraceFile::~TraceFile() { close(); }

void TraceFile::close() {
    flush();
    if (m_owned && m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

void TraceFile::append(std::string_view text) {
    m_buffer.append(text);
    if (m_buffer.size() >= kFlushBytes)
        flush();
}

void TraceFile::flush() {
    std::size_t done = 0;
    while (m_fd >= 0 && !m_failed && done < m_buffer.size()) {
        const ssize_t n = ::write(m_fd, m_buffer.data() + done, m_buffer.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            spdlog::error("cannot write the syscall trace to {}: {}", m_name, std::strerror(n < 0 ? errno : EIO));
            m_failed = true;
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    m_buffer.clear();
}

}  // namespace os::trace
