// The descriptor table of a process: guest descriptor numbers to open file descriptions.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "os/fs/file.h"
#include "os/result.h"

namespace os::mm {
class PageCache;
}

namespace os::fs {

class FileTable {
public:
    static constexpr int kMaxFds = 1024;  // RLIMIT_NOFILE

    // A table whose descriptors 0, 1 and 2 are duplicates of faultline's own.
    static FileTable with_host_stdio(mm::PageCache& cache);

    KResult<std::shared_ptr<File>> get(int fd) const;
    // The lowest free descriptor >= min_fd.
    KResult<int> install(std::shared_ptr<File> file, int min_fd, bool cloexec);
    KResult<void> close(int fd);
    KResult<int> dup_to(int oldfd, int newfd, bool cloexec);  // dup2/dup3 semantics (no EINVAL check)
    KResult<bool> cloexec(int fd) const;
    KResult<void> set_cloexec(int fd, bool on);
    // execve: closes every descriptor marked close-on-exec.
    void close_on_exec();
    // Every open descriptor, lowest first.
    template <class F>
    void for_each(F&& f) const {
        for (std::size_t fd = 0; fd < m_slots.size(); ++fd)
            if (m_slots[fd].file)
                f(static_cast<int>(fd), m_slots[fd].file);
    }

private:
    struct Slot {
        std::shared_ptr<File> file;
        bool cloexec = false;
    };
    std::vector<Slot> m_slots;
};

}  // namespace os::fs
