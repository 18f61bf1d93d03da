// poll, ppoll, select, pselect6: readiness of pipes (in-kernel), host descriptors (asked of
// the host) and everything else (always ready, like regular files). A caller with nothing
// ready sleeps until a pipe changes or its timeout passes; descriptors only the host can
// make ready (a terminal) are waited for on the host.
#include <poll.h>

#include <vector>

#include "syscalls/syscall.h"
#include "syscalls/user_args.h"

namespace syscalls {

namespace {

constexpr std::uint64_t kNsPerSec = 1'000'000'000ull;
constexpr std::uint64_t kSigsetSize = 8;
constexpr int kMaxFds = kMaxPollFds;

struct GuestTimespec {
    std::int64_t sec, nsec;
};

// One pass over the descriptors; returns how many have events. `host_waitable` collects
// host descriptors that were not ready (only the host can change them).
int scan(Context& c, std::vector<GuestPollfd>& fds, std::vector<pollfd>& host_waitable) {
    int ready = 0;
    for (GuestPollfd& p : fds) {
        p.revents = 0;
        if (p.fd < 0)
            continue;
        auto f = c.proc.files().get(p.fd);
        if (!f) {
            p.revents = POLLNVAL;
            ++ready;
            continue;
        }
        const std::uint32_t events = static_cast<std::uint16_t>(p.events) | POLLERR | POLLHUP;
        const std::uint32_t got = (*f)->poll_events() & events;
        p.revents = static_cast<std::int16_t>(got);
        if (got)
            ++ready;
        else if ((*f)->host_fd() >= 0)
            host_waitable.push_back(pollfd{(*f)->host_fd(), p.events, 0});
    }
    return ready;
}

// The deadline (elapsed ns) of a timeout of `ns` from the first execution of this call.
std::optional<std::uint64_t> deadline_for(Context& c, std::optional<std::uint64_t> ns) {
    if (!ns)
        return std::nullopt;
    if (!c.task.syscall_deadline)
        c.task.syscall_deadline = c.kernel.clock().elapsed_ns() + *ns;
    return c.task.syscall_deadline;
}

// The waiting part shared by all four: nullopt means "ready or timed out, go on".
std::optional<SysResult> wait_or_go(Context& c, int ready, std::optional<std::uint64_t> deadline,
                                    const std::vector<pollfd>& host_waitable) {
    if (ready)
        return std::nullopt;
    const std::uint64_t now = c.kernel.clock().elapsed_ns();
    if (c.kernel.wake_reason() == os::proc::WakeReason::TimedOut || (deadline && *deadline <= now))
        return std::nullopt;
    if (!host_waitable.empty() && !c.kernel.signal_pending()) {
        // Only the host can make these ready: wait for it there (the time left, or ever).
        std::vector<pollfd> h = host_waitable;
        const int ms = deadline ? static_cast<int>((*deadline - now + 999'999) / 1'000'000) : -1;
        if (::poll(h.data(), h.size(), ms) == 0 && deadline)
            c.kernel.clock().advance_to(*deadline);
        return err(Errno::erestartnointr);  // scan again
    }
    return err(c.kernel.sleep(os::proc::WaitChannel{os::proc::WaitKind::Pipe, nullptr, 0}, deadline,
                              Errno::erestartnohand));
}

KResult<std::optional<std::uint64_t>> timespec_timeout(Context& c, std::uint64_t addr) {
    if (!addr)
        return std::optional<std::uint64_t>();
    return std::optional<std::uint64_t>(TRY(read_timespec(c.mm, addr)));
}

// ppoll and pselect6 replace the signal mask while they wait, as rt_sigsuspend does.
KResult<void> temporary_mask(Context& c, std::uint64_t addr, std::uint64_t size) {
    if (!addr)
        return {};
    if (size != kSigsetSize)
        return err(Errno::einval);
    std::uint64_t mask = 0;
    TRY_VOID(c.mm.copy_from_user(&mask, addr, sizeof(mask)));
    if (!c.task.saved_sigmask)
        c.task.saved_sigmask = c.task.signal_mask;
    c.task.signal_mask = mask & ~os::proc::kUnblockableSignals;
    return {};
}

SysResult do_poll(Context& c, std::uint64_t addr, std::uint64_t nfds, std::optional<std::uint64_t> timeout) {
    std::vector<GuestPollfd> fds = TRY(read_pollfds(c.mm, addr, nfds));
    std::vector<pollfd> host;
    const int ready = scan(c, fds, host);
    if (auto wait = wait_or_go(c, ready, deadline_for(c, timeout), host))
        return *wait;
    for (std::uint64_t i = 0; i < nfds; ++i)
        TRY_VOID(c.mm.copy_to_user(addr + i * sizeof(GuestPollfd) + 6, &fds[i].revents, sizeof(std::int16_t)));
    return ready;
}

SysResult sys_poll(Context& c, const Args& a) {
    const int ms = a.i32(2);
    std::optional<std::uint64_t> timeout;
    if (ms >= 0)
        timeout = static_cast<std::uint64_t>(ms) * 1'000'000ull;
    return do_poll(c, a[0], a[1], timeout);
}

SysResult sys_ppoll(Context& c, const Args& a) {
    const auto timeout = TRY(timespec_timeout(c, a[2]));
    TRY_VOID(temporary_mask(c, a[3], a[4]));
    return do_poll(c, a[0], a[1], timeout);
}

// select: fd_sets as bitmaps of nfds bits, turned into pollfds (Linux's POLLIN_SET etc.).
SysResult do_select(Context& c, int nfds, std::uint64_t rset, std::uint64_t wset, std::uint64_t eset,
                    std::optional<std::uint64_t> timeout) {
    if (nfds < 0)
        return err(Errno::einval);
    nfds = std::min(nfds, kMaxFds);
    const std::size_t words = (static_cast<std::size_t>(nfds) + 63) / 64;
    std::vector<std::uint64_t> in[3];
    const std::uint64_t addrs[3] = {rset, wset, eset};
    for (int k = 0; k < 3; ++k) {
        in[k].assign(words, 0);
        if (addrs[k])
            TRY_VOID(c.mm.copy_from_user(in[k].data(), addrs[k], words * 8));
    }
    std::vector<GuestPollfd> fds;
    for (int fd = 0; fd < nfds; ++fd) {
        const std::uint64_t bit = 1ull << (fd % 64);
        std::int16_t ev = 0;
        if (in[0][fd / 64] & bit)
            ev |= POLLIN | POLLRDNORM | POLLHUP | POLLERR;
        if (in[1][fd / 64] & bit)
            ev |= POLLOUT | POLLWRNORM | POLLERR;
        if (in[2][fd / 64] & bit)
            ev |= POLLPRI;
        if (!ev)
            continue;
        if (!c.proc.files().get(fd))
            return err(Errno::ebadf);
        fds.push_back(GuestPollfd{fd, ev, 0});
    }
    std::vector<pollfd> host;
    scan(c, fds, host);
    std::vector<std::uint64_t> out[3];
    int count = 0;
    for (int k = 0; k < 3; ++k)
        out[k].assign(words, 0);
    for (const GuestPollfd& p : fds) {
        const std::uint64_t bit = 1ull << (p.fd % 64);
        const auto r = static_cast<std::uint16_t>(p.revents);
        if ((in[0][p.fd / 64] & bit) && (r & (POLLIN | POLLRDNORM | POLLHUP | POLLERR))) {
            out[0][p.fd / 64] |= bit;
            ++count;
        }
        if ((in[1][p.fd / 64] & bit) && (r & (POLLOUT | POLLWRNORM | POLLERR))) {
            out[1][p.fd / 64] |= bit;
            ++count;
        }
        if ((in[2][p.fd / 64] & bit) && (r & POLLPRI)) {
            out[2][p.fd / 64] |= bit;
            ++count;
        }
    }
    if (auto wait = wait_or_go(c, count, deadline_for(c, timeout), host))
        return *wait;
    for (int k = 0; k < 3; ++k)
        if (addrs[k])
            TRY_VOID(c.mm.copy_to_user(addrs[k], out[k].data(), words * 8));
    return count;
}

// What is left of the timeout, written back as Linux does (poll_select_finish).
std::uint64_t time_left(Context& c) {
    if (!c.task.syscall_deadline)
        return 0;
    const std::uint64_t now = c.kernel.clock().elapsed_ns();
    return *c.task.syscall_deadline > now ? *c.task.syscall_deadline - now : 0;
}

SysResult sys_select(Context& c, const Args& a) {
    std::optional<std::uint64_t> timeout;
    if (a[4]) {
        GuestTimespec tv{};
        TRY_VOID(c.mm.copy_from_user(&tv, a[4], sizeof(tv)));
        if (tv.sec < 0 || tv.nsec < 0)
            return err(Errno::einval);
        // Microseconds; Linux normalises large ones.
        timeout = static_cast<std::uint64_t>(tv.sec) * kNsPerSec + static_cast<std::uint64_t>(tv.nsec) * 1000;
    }
    SysResult r = do_select(c, a.i32(0), a[1], a[2], a[3], timeout);
    if (a[4] && r) {
        const std::uint64_t left = *r ? time_left(c) : 0;
        const GuestTimespec tv{static_cast<std::int64_t>(left / kNsPerSec),
                               static_cast<std::int64_t>(left % kNsPerSec / 1000)};
        (void)c.mm.copy_to_user(a[4], &tv, sizeof(tv));
    }
    return r;
}

SysResult sys_pselect6(Context& c, const Args& a) {
    const auto timeout = TRY(timespec_timeout(c, a[4]));
    if (a[5]) {
        struct {
            std::uint64_t set, size;
        } sig{};
        TRY_VOID(c.mm.copy_from_user(&sig, a[5], sizeof(sig)));
        TRY_VOID(temporary_mask(c, sig.set, sig.size));
    }
    return do_select(c, a.i32(0), a[1], a[2], a[3], timeout);
}

constexpr SyscallDef kDefs[] = {
    {7, sys_poll, Support::Partial, "a host terminal mixed with pipes is waited for on the host alone"},
    {271, sys_ppoll, Support::Partial, "as poll"},
    {23, sys_select, Support::Partial, "as poll"},
    {270, sys_pselect6, Support::Partial, "as poll"},
};

}  // namespace

std::span<const SyscallDef> poll_syscalls() { return kDefs; }

}  // namespace syscalls
