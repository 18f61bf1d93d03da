// Descriptors: open/openat, close, dup, fcntl, ioctl, stat, lseek, getdents64, ftruncate,
// fsync.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "os/fs/host_errno.h"
#include "os/fs/host_file_description.h"
#include "os/fs/host_stat.h"
#include "os/fs/pipe.h"
#include "syscalls/fs_common.h"

namespace syscalls {

namespace {

using os::fs::host_errno;

constexpr int kAtNoAutomount = 0x800;

SysResult open_common(Context& c, int dirfd, std::uint64_t path_addr, int flags, std::uint32_t mode) {
    std::string path = TRY(path_arg(c, path_addr));
    if (path.empty())
        return err(Errno::enoent);
    const std::uint32_t create_mode = mode & ~c.proc.umask() & 07777;
    os::fs::HostFd opened;
    if (is_proc_path(path)) {
        const auto view = proc_view(c);
        auto resolved = TRY(os::fs::procfs::resolve(view, path, !(flags & O_NOFOLLOW)));
        if (auto proc_file = os::fs::procfs::open(view, resolved, flags)) {
            // Not TRY: GCC 12 with -fsanitize=address warns falsely (-Wmaybe-uninitialized)
            // about the moved-from shared_ptr in TRY's temporary.
            if (!*proc_file)
                return err(proc_file->error());
            return TRY(c.proc.files().install(std::move(**proc_file), 0, (flags & O_CLOEXEC) != 0));
        }
        opened = TRY(open_resolved(c, dirfd, resolved, flags, create_mode));
    } else {
        opened = TRY(open_path(c, dirfd, path, flags, create_mode));
    }
    // The description owns the host descriptor from here on.
    const int fd = opened.release();
    if (flags & O_TRUNC) {
        // The host truncated the file: its cached pages follow (do_truncate() in Linux's
        // open path), or a later mapping would show bytes from before.
        struct stat st {};
        if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
            if (auto cached = c.kernel.page_cache().find({static_cast<std::uint64_t>(st.st_dev),
                                                          static_cast<std::uint64_t>(st.st_ino)}))
                cached->truncate(0);
        }
    }
    auto file = std::make_shared<os::fs::HostFileDescription>(fd, path, c.kernel.page_cache());
    return TRY(c.proc.files().install(std::move(file), 0, (flags & O_CLOEXEC) != 0));
}

SysResult sys_open(Context& c, const Args& a) {
    return open_common(c, linux_abi::kAtFdcwd, a[0], a.i32(1), a.u32(2));
}
SysResult sys_openat(Context& c, const Args& a) { return open_common(c, a.fd(0), a[1], a.i32(2), a.u32(3)); }
SysResult sys_creat(Context& c, const Args& a) {
    return open_common(c, linux_abi::kAtFdcwd, a[0], O_CREAT | O_WRONLY | O_TRUNC, a.u32(1));
}

SysResult sys_close(Context& c, const Args& a) {
    TRY_VOID(c.proc.files().close(a.fd(0)));
    // The last descriptor of a pipe end going away changes what its other end sees.
    c.kernel.wake_all(os::proc::WaitKind::Pipe);
    return 0;
}

SysResult put_stat(Context& c, std::uint64_t addr, const linux_abi::Stat& st) {
    TRY_VOID(c.mm.copy_to_user(addr, &st, sizeof(st)));
    return 0;
}

SysResult sys_fstat(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    return put_stat(c, a[1], TRY(f->stat()));
}


SysResult stat_at(Context& c, int dirfd, std::uint64_t path_addr, std::uint64_t buf, int flags) {
    if (flags & ~(linux_abi::kAtSymlinkNofollow | linux_abi::kAtEmptyPath | kAtNoAutomount))
        return err(Errno::einval);
    std::string path = TRY(path_arg(c, path_addr));
    if (path.empty()) {
        if (!(flags & linux_abi::kAtEmptyPath))
            return err(Errno::enoent);
        if (dirfd != linux_abi::kAtFdcwd) {
            auto f = TRY(file_of(c, dirfd));
            return put_stat(c, buf, TRY(f->stat()));
        }
    }
    const Looked found = TRY(look_up(c, dirfd, path.empty() ? "." : path, !(flags & linux_abi::kAtSymlinkNofollow)));
    if (found.made)
        return put_stat(c, buf, *found.made);
    struct stat st {};
    if (::fstatat(found.fd.get(), "", &st, AT_EMPTY_PATH) != 0)
        return err(host_errno());
    return put_stat(c, buf, os::fs::to_guest_stat(st));
}

SysResult sys_newfstatat(Context& c, const Args& a) { return stat_at(c, a.fd(0), a[1], a[2], a.i32(3)); }
SysResult sys_stat(Context& c, const Args& a) { return stat_at(c, linux_abi::kAtFdcwd, a[0], a[1], 0); }
SysResult sys_lstat(Context& c, const Args& a) {
    return stat_at(c, linux_abi::kAtFdcwd, a[0], a[1], linux_abi::kAtSymlinkNofollow);
}

// struct statx: the host's, for host files (same ABI); built from stat() for the rest.
SysResult sys_statx(Context& c, const Args& a) {
    const int dirfd = a.fd(0);
    const int flags = a.i32(2);
    constexpr int kAtStatxSyncType = 0x6000;
    constexpr std::uint32_t kStatxReserved = 0x80000000u;
    if ((flags & ~(linux_abi::kAtSymlinkNofollow | linux_abi::kAtEmptyPath | kAtNoAutomount | kAtStatxSyncType)) ||
        (flags & kAtStatxSyncType) == kAtStatxSyncType || (a.u32(3) & kStatxReserved))
        return err(Errno::einval);
    std::string path = TRY(path_arg(c, a[1]));
    std::byte buf[256] = {};
    std::optional<linux_abi::Stat> made;  // a file without a host descriptor behind it
    int host_fd = -1;                     // AT_EMPTY_PATH on a host file
    os::fs::HostFd found;                 // the file a path names
    if (path.empty() && (flags & linux_abi::kAtEmptyPath) && dirfd != linux_abi::kAtFdcwd) {
        auto f = TRY(file_of(c, dirfd));
        host_fd = f->host_fd();
        if (host_fd < 0)
            made = TRY(f->stat());
    } else {
        if (path.empty() && !(flags & linux_abi::kAtEmptyPath))
            return err(Errno::enoent);
        Looked looked = TRY(look_up(c, dirfd, path.empty() ? "." : path, !(flags & linux_abi::kAtSymlinkNofollow)));
        made = looked.made;
        found = std::move(looked.fd);
        host_fd = found.get();
    }
    if (made) {
        const linux_abi::Stat& st = *made;
        struct GuestStatx {
            std::uint32_t mask, blksize;
            std::uint64_t attributes;
            std::uint32_t nlink, uid, gid;
            std::uint16_t mode, pad;
            std::uint64_t ino, size, blocks, attributes_mask;
        } sx{};
        sx.mask = 0x7ff;  // STATX_BASIC_STATS
        sx.blksize = static_cast<std::uint32_t>(st.st_blksize);
        sx.nlink = static_cast<std::uint32_t>(st.st_nlink);
        sx.uid = st.st_uid;
        sx.gid = st.st_gid;
        sx.mode = static_cast<std::uint16_t>(st.st_mode);
        sx.ino = st.st_ino;
        sx.size = static_cast<std::uint64_t>(st.st_size);
        sx.blocks = static_cast<std::uint64_t>(st.st_blocks);
        std::memcpy(buf, &sx, sizeof(sx));
        TRY_VOID(c.mm.copy_to_user(a[4], buf, sizeof(buf)));
        return 0;
    }
    long r = ::syscall(SYS_statx, host_fd, "", AT_EMPTY_PATH | (flags & kAtStatxSyncType), a.u32(3), buf);
    if (r < 0)
        return err(host_errno());
    TRY_VOID(c.mm.copy_to_user(a[4], buf, sizeof(buf)));
    return 0;
}

SysResult sys_lseek(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    const int whence = a.i32(2);
    if (whence < 0 || whence > 4)
        return err(Errno::einval);
    return TRY(f->seek(static_cast<std::int64_t>(a[1]), whence));
}

// Terminal and descriptor queries; the answers are the host descriptor's.
SysResult sys_ioctl(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    constexpr std::uint32_t kTcgets = 0x5401, kTiocgwinsz = 0x5413, kFionread = 0x541b, kFionclex = 0x5450,
                            kFioclex = 0x5451, kFionbio = 0x5421;
    const std::uint32_t cmd = a.u32(1);
    switch (cmd) {
    case kFioclex:
    case kFionclex:
        TRY_VOID(c.proc.files().set_cloexec(a.fd(0), cmd == kFioclex));
        return 0;
    case kFionbio: {
        std::int32_t on = 0;
        TRY_VOID(c.mm.copy_from_user(&on, a[2], sizeof(on)));
        TRY_VOID(f->set_status_flags(on ? f->status_flags() | os::fs::kOpenNonBlock
                                        : f->status_flags() & ~os::fs::kOpenNonBlock));
        return 0;
    }
    case kFionread:
        if (auto* pipe = dynamic_cast<os::fs::PipeEnd*>(f.get())) {
            const std::int32_t n = static_cast<std::int32_t>(pipe->buffer().available());
            TRY_VOID(c.mm.copy_to_user(a[2], &n, sizeof(n)));
            return 0;
        }
        break;
    default:
        break;
    }
    std::size_t size = 0;
    switch (cmd) {
    case kTcgets: size = 36; break;  // struct termios as the kernel defines it
    case kTiocgwinsz: size = 8; break;
    case kFionread: size = 4; break;
    default: return err(Errno::enotty);
    }
    if (f->host_fd() < 0)
        return err(Errno::enotty);
    std::byte buf[64] = {};
    long r = ::syscall(SYS_ioctl, f->host_fd(), static_cast<unsigned long>(cmd), buf);
    if (r < 0)
        return err(host_errno());
    TRY_VOID(c.mm.copy_to_user(a[2], buf, size));
    return r;
}

SysResult sys_fcntl(Context& c, const Args& a) {
    const int fd = a.fd(0);
    auto f = TRY(file_of(c, fd));
    constexpr int kDupfd = 0, kGetfd = 1, kSetfd = 2, kGetfl = 3, kSetfl = 4, kDupfdCloexec = 1030,
                  kSetPipeSize = 1031, kGetPipeSize = 1032;
    auto* pipe = dynamic_cast<os::fs::PipeEnd*>(f.get());
    switch (a.i32(1)) {
    case kGetPipeSize:
        if (!pipe)
            return err(Errno::ebadf);
        return static_cast<std::int64_t>(pipe->buffer().m_capacity);
    case kSetPipeSize: {
        if (!pipe)
            return err(Errno::ebadf);
        // Linux rounds up to a power-of-two number of pages, at least one page.
        std::uint64_t size = 4096;
        while (size < a.u32(2))
            size <<= 1;
        if (a.u32(2) > os::fs::PipeBuffer::kMaxCapacity)
            return err(Errno::eperm);
        if (size < pipe->buffer().available())
            return err(Errno::ebusy);
        pipe->buffer().m_capacity = size;
        return static_cast<std::int64_t>(size);
    }
    case kDupfd:
    case kDupfdCloexec:
        return TRY(c.proc.files().install(f, a.i32(2), a.i32(1) == kDupfdCloexec));
    case kGetfd:
        return TRY(c.proc.files().cloexec(fd)) ? 1 : 0;
    case kSetfd:
        TRY_VOID(c.proc.files().set_cloexec(fd, (a[2] & 1) != 0));
        return 0;
    case kGetfl:
        return f->status_flags();
    case kSetfl:
        TRY_VOID(f->set_status_flags(a.i32(2)));
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
    const int fd = TRY(c.proc.files().dup_to(a.fd(0), a.fd(1), false));
    c.kernel.wake_all(os::proc::WaitKind::Pipe);  // a pipe end it replaced may be gone
    return fd;
}

SysResult sys_dup3(Context& c, const Args& a) {
    if (a.fd(0) == a.fd(1))
        return err(Errno::einval);
    if (a.i32(2) & ~O_CLOEXEC)
        return err(Errno::einval);
    const int fd = TRY(c.proc.files().dup_to(a.fd(0), a.fd(1), (a.i32(2) & O_CLOEXEC) != 0));
    c.kernel.wake_all(os::proc::WaitKind::Pipe);
    return fd;
}

SysResult sys_getdents64(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    std::vector<std::byte> buf(std::min<std::uint64_t>(a.u32(2), 64 * 1024));
    const std::uint64_t n = TRY(f->getdents64(buf));
    TRY_VOID(c.mm.copy_to_user(a[1], buf.data(), n));
    return static_cast<std::int64_t>(n);
}

SysResult sys_ftruncate(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    if (static_cast<std::int64_t>(a[1]) < 0)
        return err(Errno::einval);
    TRY_VOID(f->truncate(a[1]));
    return 0;
}

SysResult sys_fsync(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    TRY_VOID(f->sync());
    return 0;
}

constexpr SyscallDef kDefs[] = {
    {2, sys_open, Support::Full, ""},
    {257, sys_openat, Support::Full, ""},
    {85, sys_creat, Support::Full, ""},
    {3, sys_close, Support::Full, ""},
    {4, sys_stat, Support::Full, ""},
    {5, sys_fstat, Support::Full, ""},
    {6, sys_lstat, Support::Full, ""},
    {262, sys_newfstatat, Support::Full, ""},
    {332, sys_statx, Support::Full, ""},
    {8, sys_lseek, Support::Full, ""},
    {16, sys_ioctl, Support::Partial, "TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX; others ENOTTY"},
    {72, sys_fcntl, Support::Partial, "F_DUPFD(_CLOEXEC), F_GETFD/SETFD, F_GETFL/SETFL; no locks"},
    {32, sys_dup, Support::Full, ""},
    {33, sys_dup2, Support::Full, ""},
    {292, sys_dup3, Support::Full, ""},
    {217, sys_getdents64, Support::Full, ""},
    {77, sys_ftruncate, Support::Full, ""},
    {74, sys_fsync, Support::Full, ""},
    {75, sys_fsync, Support::Full, "fdatasync"},
};

}  // namespace

std::span<const SyscallDef> fs_fd_syscalls() { return kDefs; }

}  // namespace syscalls
