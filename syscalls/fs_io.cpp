// Reading and writing: read/write, their positioned and vector forms, pipes, and the
// read-ahead advice of fadvise.
#include <fcntl.h>

#include <climits>
#include <vector>

#include "os/abi/signal.h"
#include "os/fs/pipe.h"
#include "syscalls/fs_common.h"
#include "syscalls/user_args.h"

namespace syscalls {

namespace {

using os::fs::File;

constexpr std::uint64_t kChunk = 64 * 1024;
constexpr std::uint64_t kMaxRwCount = 0x7ffff000;  // Linux MAX_RW_COUNT

// A File said EAGAIN: for an O_NONBLOCK file that is the answer; otherwise the task sleeps
// until a pipe changes and the syscall runs again.
SysResult would_block(Context& c, File& f) {
    if (f.nonblocking())
        return err(Errno::eagain);
    return err(c.kernel.sleep(os::proc::WaitChannel{os::proc::WaitKind::Pipe, nullptr, 0}, std::nullopt));
}

bool is_pipe(const File& f) { return dynamic_cast<const os::fs::PipeEnd*>(&f) != nullptr; }

SysResult broken_pipe(Context& c) {
    c.kernel.send_signal_to_current(static_cast<int>(linux_abi::Signal::sigpipe));
    return err(Errno::epipe);
}

// write(2) from guest memory, in chunks; a fault after some bytes were written returns the
// count so far, as Linux does. A blocking write to a pipe sleeps until all of it is written
// (the part done survives the sleep), or returns what was written when a signal comes.
SysResult write_from_user(Context& c, File& f, std::uint64_t buf, std::uint64_t count, const std::uint64_t* offset) {
    count = std::min(count, kMaxRwCount);
    const bool pipe = is_pipe(f);
    std::vector<std::byte> chunk(std::min(count, kChunk));
    std::uint64_t done = pipe ? c.task.syscall_progress : 0;
    while (done < count || count == 0) {
        const std::uint64_t n = std::min(count - done, kChunk);
        if (auto r = c.mm.copy_from_user(chunk.data(), buf + done, n); !r)
            return done ? SysResult(static_cast<std::int64_t>(done)) : err(r.error());
        auto w = offset ? f.pwrite(std::span(chunk.data(), n), *offset + done) : f.write(std::span(chunk.data(), n));
        if (!w) {
            if (w.error() == Errno::eagain && pipe && !f.nonblocking()) {
                if (done && c.kernel.signal_pending())
                    break;
                c.task.syscall_progress = done;
                return would_block(c, f);
            }
            if (done)
                break;
            if (w.error() == Errno::eagain)
                return would_block(c, f);
            if (w.error() == Errno::epipe)
                return broken_pipe(c);
            return err(w.error());
        }
        done += *w;
        if (pipe)
            c.kernel.wake_all(os::proc::WaitKind::Pipe);
        if (count == 0 || (*w < n && !(pipe && !f.nonblocking())))
            break;
    }
    return static_cast<std::int64_t>(done);
}

// read(2) into guest memory. Keeps reading only while whole chunks come back, so a pipe or
// terminal read returns what one underlying read gave.
SysResult read_to_user(Context& c, File& f, std::uint64_t buf, std::uint64_t count, const std::uint64_t* offset) {
    count = std::min(count, kMaxRwCount);
    std::vector<std::byte> chunk(std::min(count, kChunk));
    std::uint64_t done = 0;
    while (done < count || count == 0) {
        const std::uint64_t n = std::min(count - done, kChunk);
        auto r = offset ? f.pread(std::span(chunk.data(), n), *offset + done) : f.read(std::span(chunk.data(), n));
        if (!r) {
            if (done)
                break;
            if (r.error() == Errno::eagain)
                return would_block(c, f);
            return err(r.error());
        }
        if (*r == 0)
            break;
        if (is_pipe(f))
            c.kernel.wake_all(os::proc::WaitKind::Pipe);
        if (auto w = c.mm.copy_to_user(buf + done, chunk.data(), *r); !w)
            return err(w.error());
        done += *r;
        if (*r < n)
            break;
    }
    return static_cast<std::int64_t>(done);
}

SysResult sys_read(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    return read_to_user(c, *f, a[1], a[2], nullptr);
}

SysResult sys_write(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    return write_from_user(c, *f, a[1], a[2], nullptr);
}

SysResult sys_pread64(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    if (static_cast<std::int64_t>(a[3]) < 0)
        return err(Errno::einval);
    const std::uint64_t off = a[3];
    return read_to_user(c, *f, a[1], a[2], &off);
}

SysResult sys_pwrite64(Context& c, const Args& a) {
    auto f = TRY(file_of(c, a.fd(0)));
    if (static_cast<std::int64_t>(a[3]) < 0)
        return err(Errno::einval);
    const std::uint64_t off = a[3];
    return write_from_user(c, *f, a[1], a[2], &off);
}

// writev gathers into one write so that the output stays atomic, as on Linux.
SysResult writev_common(Context& c, int fd, std::uint64_t iov_addr, int count, const std::uint64_t* offset) {
    auto f = TRY(file_of(c, fd));
    auto iov = TRY(read_iovecs(c.mm, iov_addr, count));
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
    if (!is_pipe(*f) || f->nonblocking()) {
        auto w = offset ? f->pwrite(data, *offset) : f->write(data);
        if (!w) {
            if (w.error() == Errno::eagain)
                return would_block(c, *f);
            if (w.error() == Errno::epipe)
                return broken_pipe(c);
            return err(w.error());
        }
        return static_cast<std::int64_t>(*w);
    }
    // A blocking pipe: everything, sleeping for room as write() does.
    std::uint64_t done = std::min<std::uint64_t>(c.task.syscall_progress, data.size());
    while (done < data.size() || data.empty()) {
        auto w = f->write(std::span(data).subspan(done));
        if (!w) {
            if (w.error() == Errno::eagain) {
                if (done && c.kernel.signal_pending())
                    break;
                c.task.syscall_progress = done;
                return would_block(c, *f);
            }
            if (done)
                break;
            if (w.error() == Errno::epipe)
                return broken_pipe(c);
            return err(w.error());
        }
        done += *w;
        c.kernel.wake_all(os::proc::WaitKind::Pipe);
        if (data.empty())
            break;
    }
    return static_cast<std::int64_t>(done);
}

SysResult readv_common(Context& c, int fd, std::uint64_t iov_addr, int count, const std::uint64_t* offset) {
    auto f = TRY(file_of(c, fd));
    auto iov = TRY(read_iovecs(c.mm, iov_addr, count));
    std::int64_t total = 0;
    for (const auto& v : iov) {
        if (v.len == 0)
            continue;
        std::uint64_t pos = offset ? *offset + static_cast<std::uint64_t>(total) : 0;
        auto r = read_to_user(c, *f, v.base, v.len, offset ? &pos : nullptr);
        if (!r)
            return total ? SysResult(total) : r;
        total += *r;
        if (static_cast<std::uint64_t>(*r) < v.len)
            break;
    }
    return total;
}

SysResult sys_writev(Context& c, const Args& a) { return writev_common(c, a.fd(0), a[1], a.i32(2), nullptr); }
SysResult sys_readv(Context& c, const Args& a) { return readv_common(c, a.fd(0), a[1], a.i32(2), nullptr); }

SysResult sys_pwritev(Context& c, const Args& a) {
    if (static_cast<std::int64_t>(a[3]) < 0)
        return err(Errno::einval);
    const std::uint64_t off = a[3];
    return writev_common(c, a.fd(0), a[1], a.i32(2), &off);
}

SysResult sys_preadv(Context& c, const Args& a) {
    if (static_cast<std::int64_t>(a[3]) < 0)
        return err(Errno::einval);
    const std::uint64_t off = a[3];
    return readv_common(c, a.fd(0), a[1], a.i32(2), &off);
}

SysResult sys_pipe2(Context& c, const Args& a) {
    const int flags = a.i32(1);
    if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
        return err(Errno::einval);
    auto buffer = std::make_shared<os::fs::PipeBuffer>(c.kernel.allocate_inode_number());
    const int status = flags & O_NONBLOCK;
    auto reader = std::make_shared<os::fs::PipeEnd>(buffer, os::fs::PipeEnd::Side::Read, status | os::fs::kOpenReadOnly);
    auto writer = std::make_shared<os::fs::PipeEnd>(buffer, os::fs::PipeEnd::Side::Write, status | os::fs::kOpenWriteOnly);
    const bool cloexec = (flags & O_CLOEXEC) != 0;
    const int rfd = TRY(c.proc.files().install(reader, 0, cloexec));
    auto wfd = c.proc.files().install(writer, 0, cloexec);
    if (!wfd) {
        (void)c.proc.files().close(rfd);
        return err(wfd.error());
    }
    const std::int32_t fds[2] = {rfd, *wfd};
    if (auto r = c.mm.copy_to_user(a[0], fds, sizeof(fds)); !r) {
        (void)c.proc.files().close(rfd);
        (void)c.proc.files().close(*wfd);
        return err(r.error());
    }
    return 0;
}

SysResult sys_pipe(Context& c, const Args& a) {
    Args b{{a[0], 0, 0, 0, 0, 0}};
    return sys_pipe2(c, b);
}

// generic_fadvise(): ESPIPE for a pipe, EINVAL for a negative length or unknown advice.
// POSIX_FADV_WILLNEED reads the range into the page cache (len 0: to end of file); the
// other advice changes nothing faultline models.
SysResult sys_fadvise64(Context& c, const Args& a) {
    constexpr int kFadvWillneed = 3, kFadvNoreuse = 5;
    auto file = TRY(file_of(c, a.fd(0)));
    const auto offset = static_cast<std::uint64_t>(a[1]);
    const auto len = static_cast<std::int64_t>(a[2]);
    const int advice = a.i32(3);
    const linux_abi::Stat st = TRY(file->stat());
    if ((st.st_mode & S_IFMT) == S_IFIFO)
        return err(Errno::espipe);
    if (len < 0 || advice < 0 || advice > kFadvNoreuse)
        return err(Errno::einval);
    if (advice != kFadvWillneed || (st.st_mode & S_IFMT) != S_IFREG)
        return 0;
    auto cached = file->mapping(false);
    if (!cached)
        return 0;
    const std::uint64_t end = len == 0 || offset + static_cast<std::uint64_t>(len) < offset
                                  ? ~std::uint64_t{0}
                                  : offset + static_cast<std::uint64_t>(len) - 1;
    const std::uint64_t first = offset >> os::mm::kPageShift;
    (*cached)->read_ahead(first, (end >> os::mm::kPageShift) - first + 1);
    return 0;
}

// sendfile(out, in, offset*, count): through a kernel buffer, from the input's position
// (or *offset, which is then updated and the position left alone). A blocking pipe on
// either side behaves as read and write do.
SysResult sys_sendfile(Context& c, const Args& a) {
    auto out = TRY(file_of(c, a.fd(0)));
    auto in = TRY(file_of(c, a.fd(1)));
    if (!in->readable() || !out->writable())
        return err(Errno::ebadf);
    if (out->status_flags() & os::fs::kOpenAppend)
        return err(Errno::einval);
    std::int64_t offset = 0;
    if (a[2]) {
        TRY_VOID(c.mm.copy_from_user(&offset, a[2], sizeof(offset)));
        if (offset < 0)
            return err(Errno::einval);
    }
    const std::uint64_t count = std::min<std::uint64_t>(a[3], kMaxRwCount);
    std::vector<std::byte> buf(std::min<std::uint64_t>(count, kChunk));
    std::uint64_t done = 0;
    while (done < count) {
        const std::uint64_t want = std::min<std::uint64_t>(count - done, buf.size());
        auto r = a[2] ? in->pread(std::span(buf.data(), want), static_cast<std::uint64_t>(offset) + done)
                      : in->read(std::span(buf.data(), want));
        if (!r) {
            if (done)
                break;
            if (r.error() == Errno::eagain)
                return would_block(c, *in);
            return err(r.error());
        }
        if (*r == 0)
            break;
        auto w = out->write(std::span(buf.data(), *r));
        if (!w || *w < *r) {
            // What was read but not written is lost from a pipe; Linux's splice has the same
            // window only for a non-blocking output. Report what was written.
            if (w)
                done += *w;
            if (!done) {
                if (!w && w.error() == Errno::epipe)
                    return broken_pipe(c);
                return w ? SysResult(0) : err(w.error());
            }
            break;
        }
        done += *w;
        if (*r < want)
            break;
    }
    if (a[2]) {
        const std::int64_t updated = offset + static_cast<std::int64_t>(done);
        TRY_VOID(c.mm.copy_to_user(a[2], &updated, sizeof(updated)));
    }
    c.kernel.wake_all(os::proc::WaitKind::Pipe);
    return static_cast<std::int64_t>(done);
}

constexpr SyscallDef kDefs[] = {
    {40, sys_sendfile, Support::Partial, "a short write to a pipe drops the unwritten rest of the chunk"},
    {221, sys_fadvise64, Support::Full, ""},
    {0, sys_read, Support::Full, ""},
    {1, sys_write, Support::Full, ""},
    {17, sys_pread64, Support::Full, ""},
    {18, sys_pwrite64, Support::Full, ""},
    {19, sys_readv, Support::Full, ""},
    {20, sys_writev, Support::Full, ""},
    {295, sys_preadv, Support::Full, ""},
    {296, sys_pwritev, Support::Full, ""},
    {22, sys_pipe, Support::Full, ""},
    {293, sys_pipe2, Support::Partial, "as pipe; O_DIRECT (packet mode) is accepted and ignored"},
};

}  // namespace

std::span<const SyscallDef> fs_io_syscalls() { return kDefs; }

}  // namespace syscalls
