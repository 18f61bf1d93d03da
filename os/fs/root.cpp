#include "os/fs/root.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>

#include "os/fs/host_errno.h"

namespace os::fs {

using linux_abi::Errno;

namespace {

// What open(2) accepts (Linux's VALID_OPEN_FLAGS); open ignores other bits, openat2
// refuses them, so they are dropped first.
constexpr int kValidOpenFlags = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC |
                                O_SYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME |
                                O_CLOEXEC | O_PATH | O_TMPFILE;
// With O_PATH, open(2) ignores everything but these; openat2 refuses the rest.
constexpr int kPathOpenFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
// openat2 answers EAGAIN when a rename raced with a ".." walk; it is safe to try again.
constexpr int kRaceRetries = 64;

std::string host_fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

bool creates(int flags) { return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE; }

}  // namespace

std::expected<Root, std::string> Root::confine(const std::string& dir) {
    char canonical[PATH_MAX];
    if (!::realpath(dir.c_str(), canonical))
        return std::unexpected(std::string(std::strerror(errno)));
    Root root;
    root.m_dir = HostFd(::open(canonical, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root.m_dir.valid())
        return std::unexpected(std::string(std::strerror(errno)));
    root.m_host_path = canonical;
    // The host kernel does the confined walk: it must know openat2 (Linux 5.6).
    if (!root.openat2("/", O_PATH | O_DIRECTORY, 0)) {
        if (errno == ENOSYS)
            return std::unexpected(std::string("the host kernel has no openat2() (Linux 5.6 or newer is needed)"));
        return std::unexpected(std::string(std::strerror(errno)));
    }
    return root;
}

KResult<HostFd> Root::open_root() const {
    if (!confined()) {
        HostFd fd(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!fd.valid())
            return err(host_errno());
        return fd;
    }
    HostFd fd(::fcntl(m_dir.get(), F_DUPFD_CLOEXEC, 3));
    if (!fd.valid())
        return err(host_errno());
    return fd;
}

bool Root::contains(const std::string& host_path) const {
    if (!confined())
        return true;
    if (m_host_path == "/")
        return host_path.starts_with('/');
    return host_path == m_host_path ||
           (host_path.starts_with(m_host_path) && host_path[m_host_path.size()] == '/');
}

std::string Root::guest_path(const std::string& host_path) const {
    if (!confined() || m_host_path == "/" || !contains(host_path))
        return host_path;
    const std::string below = host_path.substr(m_host_path.size());
    return below.empty() ? "/" : below;
}

KResult<std::string> Root::guest_path_of(int fd) const {
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(host_fd_path(fd).c_str(), buf, sizeof(buf));
    if (n < 0)
        return err(host_errno());
    const std::string host(buf, static_cast<std::size_t>(n));
    // A directory outside the root (moved out by the host): nothing below it is the
    // guest's to reach.
    if (!contains(host))
        return err(Errno::enoent);
    return guest_path(host);
}

KResult<std::string> Root::absolute(int at, const std::string& path) const {
    if (path.starts_with('/'))
        return path;
    if (at == AT_FDCWD)
        return "/" + path;
    const KResult<std::string> base = guest_path_of(at);
    if (!base)
        return err(base.error());
    return *base == "/" ? "/" + path : *base + "/" + path;
}

KResult<HostFd> Root::openat2(const std::string& absolute_path, int flags, std::uint32_t mode) const {
    flags = (flags & kValidOpenFlags) | O_CLOEXEC;
    if (flags & O_PATH)
        flags &= kPathOpenFlags;
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags);
    how.mode = creates(flags) ? (mode & 07777) : 0;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    for (int attempt = 0;; ++attempt) {
        const long fd = ::syscall(SYS_openat2, m_dir.get(), absolute_path.c_str(), &how, sizeof how);
        if (fd >= 0)
            return HostFd(static_cast<int>(fd));
        if (errno != EAGAIN || attempt == kRaceRetries)
            return err(host_errno());
    }
}

KResult<HostFd> Root::lookup(int at, const std::string& path, bool follow) const {
    if (path.empty())
        return err(Errno::enoent);
    const int flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
    if (!confined()) {
        HostFd fd(::openat(at, path.c_str(), flags));
        if (!fd.valid())
            return err(host_errno());
        return fd;
    }
    const KResult<std::string> abs = absolute(at, path);
    if (!abs)
        return err(abs.error());
    return openat2(*abs, flags, 0);
}

KResult<HostFd> Root::reopen(const std::string& host_path, int flags, bool writable) const {
    const bool writes = !writable && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC));
    if (m_read_only && writes)
        flags &= ~O_TRUNC;
    HostFd fd(::open(host_path.c_str(), (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC));
    if (!fd.valid())
        return err(host_errno());
    if (writes)
        TRY_VOID(check_write(fd.get()));
    return fd;
}

KResult<HostFd> Root::open_host_proc(const std::string& proc_path, int flags) const {
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT)))
        return err(Errno::eacces);
    // The components after "proc", with "self" and "thread-self" made faultline's own.
    const std::size_t start = proc_path.find("proc");
    std::string below = start == std::string::npos ? std::string() : proc_path.substr(start + 4);
    below.erase(0, below.find_first_not_of('/'));
    const std::string pid = std::to_string(::getpid());
    if (below == "self" || below.starts_with("self/"))
        below = pid + below.substr(4);
    else if (below == "thread-self" || below.starts_with("thread-self/"))
        below = pid + "/task/" + std::to_string(::gettid()) + below.substr(11);
    HostFd proc(::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!proc.valid())
        return err(host_errno());
    flags = (flags & kValidOpenFlags) | O_CLOEXEC;
    if (flags & O_PATH)
        flags &= kPathOpenFlags;
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV;
    const long fd = ::syscall(SYS_openat2, proc.get(), below.empty() ? "." : below.c_str(), &how, sizeof how);
    if (fd < 0)
        return err(errno == EXDEV || errno == ELOOP ? Errno::enoent : host_errno());
    return HostFd(static_cast<int>(fd));
}

KResult<Root::Parent> Root::parent(int at, const std::string& path) const {
    if (path.empty())
        return err(Errno::enoent);
    Parent out;
    if (!confined()) {
        out.dir = at;
        out.name = path;
        return out;
    }
    const KResult<std::string> absolute_path = absolute(at, path);
    if (!absolute_path)
        return err(absolute_path.error());
    const std::string& abs = *absolute_path;
    const std::size_t end = abs.find_last_not_of('/');
    if (end == std::string::npos) {
        // "/" itself: its own parent, as the root is on Linux.
        out.owned = TRY(open_root());
        out.dir = out.owned.get();
        out.name = ".";
        return out;
    }
    const std::size_t slash = abs.rfind('/', end);
    // One component, trailing slashes kept (they mean "a directory" to the host). "." and
    // ".." are passed on too: Linux refuses them as the last component of every call that
    // creates, removes or renames a name, before any lookup.
    out.name = abs.substr(slash + 1);
    out.owned = TRY(openat2(slash == 0 ? "/" : abs.substr(0, slash), O_PATH | O_DIRECTORY, 0));
    out.dir = out.owned.get();
    return out;
}

KResult<HostFd> Root::open(int at, const std::string& path, int flags, std::uint32_t mode) const {
    if (path.empty())
        return err(Errno::enoent);
    const bool writes = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
    if (m_read_only && !(flags & O_PATH) && (writes || creates(flags))) {
        if ((flags & O_TMPFILE) == O_TMPFILE)
            return err(Errno::erofs);
        if (flags & O_CREAT) {
            // What exists is opened as without O_CREAT; a name that would be made is EROFS
            // (unless its directory is missing too).
            const KResult<HostFd> existing = lookup(at, path, !(flags & (O_NOFOLLOW | O_EXCL)));
            if (!existing) {
                if (existing.error() != Errno::enoent)
                    return err(existing.error());
                if (const KResult<Parent> dir = parent(at, path); !dir)
                    return err(dir.error());
                return err(Errno::erofs);
            }
            if (flags & O_EXCL)
                return err(Errno::eexist);
            flags &= ~O_CREAT;
        }
        // Truncation is refused below, by the file's type, before anything is written.
        HostFd fd = TRY(open_unchecked(at, path, flags & ~O_TRUNC, 0));
        if (writes)
            TRY_VOID(check_write(fd.get()));
        return fd;
    }
    return open_unchecked(at, path, flags, mode);
}

KResult<HostFd> Root::open_unchecked(int at, const std::string& path, int flags, std::uint32_t mode) const {
    if (!confined()) {
        HostFd fd(::openat(at, path.c_str(), flags | O_CLOEXEC, mode));
        if (!fd.valid())
            return err(host_errno());
        return fd;
    }
    const KResult<std::string> abs = absolute(at, path);
    if (!abs)
        return err(abs.error());
    return openat2(*abs, flags, mode);
}

KResult<void> Root::check_write(int fd) const {
    if (!m_read_only)
        return {};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return err(host_errno());
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode))
        return err(Errno::erofs);
    return {};
}

KResult<void> Root::check_namespace_change() const {
    if (m_read_only)
        return err(Errno::erofs);
    return {};
}

KResult<void> Root::check_create(const Parent& parent) const {
    if (!m_read_only)
        return {};
    std::string name = parent.name;
    while (name.size() > 1 && name.ends_with('/'))
        name.pop_back();
    struct stat st {};
    if (::fstatat(parent.dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
        return err(Errno::eexist);
    return err(Errno::erofs);
}

}  // namespace os::fs
