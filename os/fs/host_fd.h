// An owned host file descriptor (closed on destruction).
#pragma once

#include <unistd.h>

#include <utility>

namespace os::fs {

class HostFd {
public:
    HostFd() = default;
    explicit HostFd(int fd) : m_fd(fd) {}
    ~HostFd() {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    HostFd(HostFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    HostFd& operator=(HostFd&& other) noexcept {
        if (this != &other) {
            if (m_fd >= 0)
                ::close(m_fd);
            m_fd = std::exchange(other.m_fd, -1);
        }
        return *this;
    }
    HostFd(const HostFd&) = delete;
    HostFd& operator=(const HostFd&) = delete;

    int get() const { return m_fd; }
    // Gives the descriptor up to a new owner.
    int release() { return std::exchange(m_fd, -1); }
    bool valid() const { return m_fd >= 0; }

private:
    int m_fd = -1;
};

}  // namespace os::fs
