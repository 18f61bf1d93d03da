#include "os/fs/file_table.h"

#include <fcntl.h>
#include <unistd.h>

#include "os/fs/host_errno.h"
#include "os/fs/host_file_description.h"

namespace os::fs {

using linux_abi::Errno;

FileTable FileTable::with_host_stdio(mm::PageCache& cache) {
    FileTable t;
    static constexpr const char* kNames[] = {"<stdin>", "<stdout>", "<stderr>"};
    for (int fd = 0; fd < 3; ++fd) {
        int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy >= 0)
            (void)t.install(std::make_shared<HostFileDescription>(copy, kNames[fd], cache), fd, false);
    }
    return t;
}

KResult<std::shared_ptr<File>> FileTable::get(int fd) const {
    if (fd < 0 || static_cast<std::size_t>(fd) >= m_slots.size() || !m_slots[fd].file)
        return err(Errno::ebadf);
    return m_slots[fd].file;
}

KResult<int> FileTable::install(std::shared_ptr<File> file, int min_fd, bool cloexec) {
    if (min_fd < 0 || min_fd >= kMaxFds)
        return err(Errno::einval);
    for (int fd = min_fd; fd < kMaxFds; ++fd) {
        if (static_cast<std::size_t>(fd) >= m_slots.size())
            m_slots.resize(fd + 1);
        if (!m_slots[fd].file) {
            m_slots[fd] = Slot{std::move(file), cloexec};
            return fd;
        }
    }
    return err(Errno::emfile);
}

KResult<void> FileTable::close(int fd) {
    TRY(get(fd));
    m_slots[fd] = Slot{};
    return {};
}

KResult<int> FileTable::dup_to(int oldfd, int newfd, bool cloexec) {
    auto file = TRY(get(oldfd));
    if (newfd < 0 || newfd >= kMaxFds)
        return err(Errno::ebadf);
    if (static_cast<std::size_t>(newfd) >= m_slots.size())
        m_slots.resize(newfd + 1);
    m_slots[newfd] = Slot{std::move(file), cloexec};
    return newfd;
}

KResult<bool> FileTable::cloexec(int fd) const {
    TRY(get(fd));
    return m_slots[fd].cloexec;
}

KResult<void> FileTable::set_cloexec(int fd, bool on) {
    TRY(get(fd));
    m_slots[fd].cloexec = on;
    return {};
}

void FileTable::close_on_exec() {
    for (Slot& s : m_slots)
        if (s.cloexec)
            s = Slot{};
}

}  // namespace os::fs
