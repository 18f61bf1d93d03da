// The descriptor table of a process: guest descriptor numbers to open file descriptions.
// An open file description wraps a host descriptor that faultline owns.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "os/result.h"

namespace os::fs {

// Linux's struct file: shared by descriptors that dup() each other.
class OpenFile {
public:
    OpenFile(int host_fd, std::string path);
    ~OpenFile();
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    int host_fd() const { return m_host_fd; }
    const std::string& path() const { return m_path; }

private:
    int m_host_fd;
    std::string m_path;
};

class FileTable {
public:
    static constexpr int kMaxFds = 1024;  // RLIMIT_NOFILE

    // A table whose descriptors 0, 1 and 2 are duplicates of faultline's own.
    static FileTable with_host_stdio();

    KResult<std::shared_ptr<OpenFile>> get(int fd) const;
    // The lowest free descriptor >= min_fd.
    KResult<int> install(std::shared_ptr<OpenFile> file, int min_fd, bool cloexec);
    KResult<void> close(int fd);
    KResult<int> dup_to(int oldfd, int newfd, bool cloexec);  // dup2/dup3 semantics (no EINVAL check)
    KResult<bool> cloexec(int fd) const;
    KResult<void> set_cloexec(int fd, bool on);

private:
    struct Slot {
        std::shared_ptr<OpenFile> file;
        bool cloexec = false;
    };
    std::vector<Slot> m_slots;
};

}  // namespace os::fs
