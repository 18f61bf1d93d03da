// File syscalls over host descriptors: read/write and their vector and positioned forms,
// open/close, stat, lseek, ioctl (terminal queries), fcntl, dup, readlink, access, getcwd.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <vector>

#include "os/abi/stat.h"
#include "os/fs/host_errno.h"
#include "syscalls/syscall.h"

namespace syscalls {

namespace {

using os::fs::host_errno;
using os::fs::OpenFile;

constexpr std::uint64_t kChunk = 64 * 1024;
constexpr std::uint64_t kMaxRwCount = 0x7ffff000;  // Linux MAX_RW_COUNT
constexpr int kMaxIov = 1024;                      // UIO_MAXIOV
constexpr std::uint64_t kPathMax = 4096;

KResult<std::shared_ptr<OpenFile>> file_of(Context& c, int fd) { return c.proc.files().get(fd); }

KResult<std::string> path_arg(Context& c, std::uint64_t addr) {
    std::string path = TRY(c.mm.copy_string_from_user(addr, kPathMax));
    return path;
}

// A dirfd as the host understands it.
KResult<int> host_dirfd(Context& c, int dirfd) {
    if (dirfd == linux_abi::kAtFdcwd)
        return AT_FDCWD;
    auto f = TRY(file_of(c, dirfd));
    return f->host_fd();
}

// write(2) from guest memory to a host descriptor, in chunks; a fault after some bytes were
// written returns the count so far, as Linux does.
SysResult write_from_user(Context& c, int host_fd, std::uint64_t buf, std::uint64_t count, const off_t* offset) {
    count = std::min(count, kMaxRwCount);
    std::vector<std::byte> chunk(std::min(count, kChunk));
    std::uint64_t done = 0;
    while (done < count) {
        const std::uint64_t n = std::min(count - done, kChunk);
        if (auto r = c.mm.copy_from_user(chunk.data(), buf + done, n); !r)
            return done ? SysResult(static_cast<std::int64_t>(done)) : err(r.error());
        ssize_t w = offset ? ::pwrite(host_fd, chunk.data(), n, *offset + static_cast<off_t>(done))
                           : ::write(host_fd, chunk.data(), n);
        if (w < 0)
            return done ? SysResult(static_cast<std::int64_t>(done)) : err(host_errno());
        done += static_cast<std::uint64_t>(w);
        if (static_cast<std::uint64_t>(w) < n)
            break;
    }
    return static_cast<std::int64_t>(done);
}

// read(2) into guest memory. Keeps reading only while the host fills whole chunks, so a
// pipe or terminal read returns what one host read gave.
SysResult read_to_user(Context& c, int host_fd, std::uint64_t buf, std::uint64_t count, const off_t* offset) {
    count = std::min(count, kMaxRwCount);
    std::vector<std::byte> chunk(std::min(count, kChunk));
    std::uint64_t done = 0;
    while (done < count) {
        const std::uint64_t n = std::min(count - done, kChunk);
        ssize_t r = offset ? ::pread(host_fd, chunk.data(), n, *offset + static_cast<off_t>(done))
                           : ::read(host_fd, chunk.data(), n);
        if (r < 0)
            return done ? SysResult(static_cast<std::int64_t>(done)) : err(host_errno());
        if (r == 0)
            break;
        if (auto w = c.mm.copy_to_user(buf + done, chunk.data(), static_cast<std::uint64_t>(r)); !w)
            return err(w.error());
        done += static_cast<std::uint64_t>(r);
        if (static_cast<std::uint64_t>(r) < n)
            break;
    }
    return static_cast<std::int64_t>(done);
}

SysResult sys_read(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    return read_to_user(c, f->host_fd(), a[1], a[2], nullptr);
}

SysResult sys_write(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    return write_from_user(c, f->host_fd(), a[1], a[2], nullptr);
}

SysResult sys_pread64(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    const off_t off = static_cast<off_t>(a[3]);
    if (off < 0)
        return err(Errno::einval);
    return read_to_user(c, f->host_fd(), a[1], a[2], &off);
}

SysResult sys_pwrite64(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    const off_t off = static_cast<off_t>(a[3]);
    if (off < 0)
        return err(Errno::einval);
    return write_from_user(c, f->host_fd(), a[1], a[2], &off);
}

struct GuestIovec {
    std::uint64_t base;
    std::uint64_t len;
};

KResult<std::vector<GuestIovec>> iovecs_arg(Context& c, std::uint64_t addr, int count) {
    if (count < 0 || count > kMaxIov)
        return err(Errno::einval);
    std::vector<GuestIovec> iov(static_cast<std::size_t>(count));
    TRY_VOID(c.mm.copy_from_user(iov.data(), addr, iov.size() * sizeof(GuestIovec)));
    std::uint64_t total = 0;
    for (const auto& v : iov) {
        if (v.len > static_cast<std::uint64_t>(SSIZE_MAX) || total + v.len > static_cast<std::uint64_t>(SSIZE_MAX))
            return err(Errno::einval);
        total += v.len;
    }
    return iov;
}

// writev gathers into one host write so that the output stays atomic, as on Linux.
SysResult sys_writev(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    auto iov = TRY(iovecs_arg(c, a[1], a.i32(2)));
    std::vector<std::byte> data;
    for (const auto& v : iov) {
        const std::size_t at = data.size();
        const std::uint64_t n = std::min<std::uint64_t>(v.len, kMaxRwCount - at);
        data.resize(at + n);
        if (auto r = c.mm.copy_from_user(data.data() + at, v.base, n); !r) {
            data.resize(at);
            if (at == 0)
                return err(r.error());
            break;
        }
    }
    ssize_t w = ::write(f->host_fd(), data.data(), data.size());
    if (w < 0)
        return err(host_errno());
    return static_cast<std::int64_t>(w);
}

SysResult sys_readv(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    auto iov = TRY(iovecs_arg(c, a[1], a.i32(2)));
    std::int64_t total = 0;
    for (const auto& v : iov) {
        if (v.len == 0)
            continue;
        auto r = read_to_user(c, f->host_fd(), v.base, v.len, nullptr);
        if (!r)
            return total ? SysResult(total) : r;
        total += *r;
        if (static_cast<std::uint64_t>(*r) < v.len)
            break;
    }
    return total;
}

SysResult open_common(Context& c, int dirfd, std::uint64_t path_addr, int flags, std::uint32_t mode) {
    std::string path = TRY(path_arg(c, path_addr));
    const int host_dir = TRY(host_dirfd(c, dirfd));
    const int fd = ::openat(host_dir, path.c_str(), flags | O_CLOEXEC, mode & ~c.proc.umask & 07777);
    if (fd < 0)
        return err(host_errno());
    auto installed = c.proc.files().install(std::make_shared<OpenFile>(fd, path), 0, (flags & O_CLOEXEC) != 0);
    if (!installed)
        return err(installed.error());
    return *installed;
}

SysResult sys_open(Context& c, const Args& a) {
    return open_common(c, linux_abi::kAtFdcwd, a[0], a.i32(1), a.u32(2));
}

SysResult sys_openat(Context& c, const Args& a) { return open_common(c, a.fd(0), a[1], a.i32(2), a.u32(3)); }

SysResult sys_close(Context& c, const Args& a) {
    TRY_VOID(c.proc.files().close(a.fd(0)));
    return 0;
}

linux_abi::Stat to_guest_stat(const struct stat& st) {
    linux_abi::Stat g{};
    g.st_dev = st.st_dev;
    g.st_ino = st.st_ino;
    g.st_nlink = st.st_nlink;
    g.st_mode = st.st_mode;
    g.st_uid = st.st_uid;
    g.st_gid = st.st_gid;
    g.st_rdev = st.st_rdev;
    g.st_size = st.st_size;
    g.st_blksize = st.st_blksize;
    g.st_blocks = st.st_blocks;
    g.st_atime_sec = static_cast<std::uint64_t>(st.st_atim.tv_sec);
    g.st_atime_nsec = static_cast<std::uint64_t>(st.st_atim.tv_nsec);
    g.st_mtime_sec = static_cast<std::uint64_t>(st.st_mtim.tv_sec);
    g.st_mtime_nsec = static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
    g.st_ctime_sec = static_cast<std::uint64_t>(st.st_ctim.tv_sec);
    g.st_ctime_nsec = static_cast<std::uint64_t>(st.st_ctim.tv_nsec);
    return g;
}

SysResult put_stat(Context& c, std::uint64_t addr, const struct stat& st) {
    const linux_abi::Stat g = to_guest_stat(st);
    TRY_VOID(c.mm.copy_to_user(addr, &g, sizeof(g)));
    return 0;
}

SysResult sys_fstat(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    struct stat st {};
    if (::fstat(f->host_fd(), &st) != 0)
        return err(host_errno());
    return put_stat(c, a[1], st);
}

SysResult stat_at(Context& c, int dirfd, std::uint64_t path_addr, std::uint64_t buf, int flags) {
    if (flags & ~(linux_abi::kAtSymlinkNofollow | linux_abi::kAtEmptyPath | 0x800 /*AT_NO_AUTOMOUNT*/))
        return err(Errno::einval);
    std::string path = TRY(path_arg(c, path_addr));
    struct stat st {};
    if (path.empty()) {
        if (!(flags & linux_abi::kAtEmptyPath))
            return err(Errno::enoent);
        if (dirfd == linux_abi::kAtFdcwd) {
            if (::stat(".", &st) != 0)
                return err(host_errno());
            return put_stat(c, buf, st);
        }
        auto f = TRY(file_of(c, dirfd));
        if (::fstat(f->host_fd(), &st) != 0)
            return err(host_errno());
        return put_stat(c, buf, st);
    }
    const int host_dir = TRY(host_dirfd(c, dirfd));
    if (::fstatat(host_dir, path.c_str(), &st, flags & linux_abi::kAtSymlinkNofollow) != 0)
        return err(host_errno());
    return put_stat(c, buf, st);
}

SysResult sys_newfstatat(Context& c, const Args& a) { return stat_at(c, a.fd(0), a[1], a[2], a.i32(3)); }
SysResult sys_stat(Context& c, const Args& a) { return stat_at(c, linux_abi::kAtFdcwd, a[0], a[1], 0); }
SysResult sys_lstat(Context& c, const Args& a) {
    return stat_at(c, linux_abi::kAtFdcwd, a[0], a[1], linux_abi::kAtSymlinkNofollow);
}

SysResult sys_lseek(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    const int whence = a.i32(2);
    if (whence < 0 || whence > 4)
        return err(Errno::einval);
    off_t r = ::lseek(f->host_fd(), static_cast<off_t>(a[1]), whence);
    if (r < 0)
        return err(host_errno());
    return r;
}

// Terminal and descriptor queries; the answers are the host descriptor's.
SysResult sys_ioctl(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    constexpr std::uint64_t kTcgets = 0x5401, kTiocgwinsz = 0x5413, kFionread = 0x541b, kFionclex = 0x5450,
                            kFioclex = 0x5451;
    std::size_t size = 0;
    switch (a.u32(1)) {
    case kTcgets: size = 36; break;  // struct termios as the kernel defines it
    case kTiocgwinsz: size = 8; break;
    case kFionread: size = 4; break;
    case kFioclex:
    case kFionclex:
        TRY_VOID(c.proc.files().set_cloexec(a.fd(0), a.u32(1) == kFioclex));
        return 0;
    default:
        return err(Errno::enotty);
    }
    std::byte buf[64] = {};
    long r = ::syscall(SYS_ioctl, f->host_fd(), static_cast<unsigned long>(a.u32(1)), buf);
    if (r < 0)
        return err(host_errno());
    TRY_VOID(c.mm.copy_to_user(a[2], buf, size));
    return r;
}

SysResult sys_fcntl(Context& c, const Args& a) {
    const int fd = a.fd(0);
    auto f = TRY(file_of(c, fd));
    constexpr int kDupfd = 0, kGetfd = 1, kSetfd = 2, kGetfl = 3, kSetfl = 4, kDupfdCloexec = 1030;
    switch (a.i32(1)) {
    case kDupfd:
    case kDupfdCloexec:
        return TRY(c.proc.files().install(f, a.i32(2), a.i32(1) == kDupfdCloexec));
    case kGetfd:
        return TRY(c.proc.files().cloexec(fd)) ? 1 : 0;
    case kSetfd:
        TRY_VOID(c.proc.files().set_cloexec(fd, (a[2] & 1) != 0));
        return 0;
    case kGetfl: {
        int fl = ::fcntl(f->host_fd(), F_GETFL);
        if (fl < 0)
            return err(host_errno());
        return fl & ~O_CLOEXEC;
    }
    case kSetfl:
        if (::fcntl(f->host_fd(), F_SETFL, a.i32(2)) < 0)
            return err(host_errno());
        return 0;
    default:
        return err(Errno::einval);
    }
}

SysResult sys_dup(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    return TRY(c.proc.files().install(f, 0, false));
}

SysResult sys_dup2(Context& c, const Args& a) {
    TRY(file_of(c, a.fd(0)));
    if (a.fd(0) == a.fd(1))
        return a.fd(1);
    return TRY(c.proc.files().dup_to(a.fd(0), a.fd(1), false));
}

SysResult sys_dup3(Context& c, const Args& a) {
    if (a.fd(0) == a.fd(1))
        return err(Errno::einval);
    if (a.i32(2) & ~O_CLOEXEC)
        return err(Errno::einval);
    return TRY(c.proc.files().dup_to(a.fd(0), a.fd(1), (a.i32(2) & O_CLOEXEC) != 0));
}

SysResult readlink_common(Context& c, int dirfd, std::uint64_t path_addr, std::uint64_t buf, std::int64_t size) {
    if (size <= 0)
        return err(Errno::einval);
    std::string path = TRY(path_arg(c, path_addr));
    std::string target;
    if (path == "/proc/self/exe" || path == "/proc/" + std::to_string(c.proc.pid()) + "/exe") {
        target = c.proc.exe_path();
    } else {
        const int host_dir = TRY(host_dirfd(c, dirfd));
        char tmp[kPathMax];
        ssize_t n = ::readlinkat(host_dir, path.c_str(), tmp, sizeof(tmp));
        if (n < 0)
            return err(host_errno());
        target.assign(tmp, static_cast<std::size_t>(n));
    }
    const std::uint64_t n = std::min<std::uint64_t>(target.size(), static_cast<std::uint64_t>(size));
    TRY_VOID(c.mm.copy_to_user(buf, target.data(), n));
    return static_cast<std::int64_t>(n);
}

SysResult sys_readlink(Context& c, const Args& a) {
    return readlink_common(c, linux_abi::kAtFdcwd, a[0], a[1], static_cast<std::int64_t>(a[2]));
}
SysResult sys_readlinkat(Context& c, const Args& a) {
    return readlink_common(c, a.fd(0), a[1], a[2], static_cast<std::int64_t>(a[3]));
}

SysResult access_common(Context& c, int dirfd, std::uint64_t path_addr, int mode, int flags) {
    if (mode & ~07)
        return err(Errno::einval);
    std::string path = TRY(path_arg(c, path_addr));
    const int host_dir = TRY(host_dirfd(c, dirfd));
    if (::faccessat(host_dir, path.c_str(), mode, flags) != 0)
        return err(host_errno());
    return 0;
}

SysResult sys_access(Context& c, const Args& a) { return access_common(c, linux_abi::kAtFdcwd, a[0], a.i32(1), 0); }
SysResult sys_faccessat(Context& c, const Args& a) { return access_common(c, a.fd(0), a[1], a.i32(2), 0); }
SysResult sys_faccessat2(Context& c, const Args& a) {
    return access_common(c, a.fd(0), a[1], a.i32(2), a.i32(3));
}

SysResult sys_getcwd(Context& c, const Args& a) {
    char buf[kPathMax];
    if (!::getcwd(buf, sizeof(buf)))
        return err(host_errno());
    const std::uint64_t len = std::strlen(buf) + 1;
    if (a[1] < len)
        return err(Errno::erange);
    TRY_VOID(c.mm.copy_to_user(a[0], buf, len));
    return static_cast<std::int64_t>(len);
}

// getdents64: struct linux_dirent64 is the same on host and guest (both x86-64 Linux).
SysResult sys_getdents64(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    const std::uint64_t count = std::min<std::uint64_t>(a.u32(2), kChunk);
    std::vector<std::byte> buf(count);
    long n = ::syscall(SYS_getdents64, f->host_fd(), buf.data(), count);
    if (n < 0)
        return err(host_errno());
    TRY_VOID(c.mm.copy_to_user(a[1], buf.data(), static_cast<std::uint64_t>(n)));
    return n;
}

constexpr SyscallDef kDefs[] = {
    {217, sys_getdents64, Support::Full, ""},
    {0, sys_read, Support::Full, ""},
    {1, sys_write, Support::Full, ""},
    {2, sys_open, Support::Full, ""},
    {3, sys_close, Support::Full, ""},
    {4, sys_stat, Support::Full, ""},
    {5, sys_fstat, Support::Full, ""},
    {6, sys_lstat, Support::Full, ""},
    {8, sys_lseek, Support::Full, ""},
    {16, sys_ioctl, Support::Partial, "TCGETS, TIOCGWINSZ, FIONREAD, FIOCLEX, FIONCLEX; others ENOTTY"},
    {17, sys_pread64, Support::Full, ""},
    {18, sys_pwrite64, Support::Full, ""},
    {19, sys_readv, Support::Full, ""},
    {20, sys_writev, Support::Full, ""},
    {21, sys_access, Support::Full, ""},
    {32, sys_dup, Support::Full, ""},
    {33, sys_dup2, Support::Full, ""},
    {72, sys_fcntl, Support::Partial, "F_DUPFD(_CLOEXEC), F_GETFD/SETFD, F_GETFL/SETFL"},
    {79, sys_getcwd, Support::Full, ""},
    {89, sys_readlink, Support::Full, ""},
    {257, sys_openat, Support::Full, ""},
    {262, sys_newfstatat, Support::Full, ""},
    {267, sys_readlinkat, Support::Full, ""},
    {269, sys_faccessat, Support::Full, ""},
    {292, sys_dup3, Support::Full, ""},
    {439, sys_faccessat2, Support::Full, ""},
};

}  // namespace

std::span<const SyscallDef> fs_syscalls() { return kDefs; }

}  // namespace syscalls
