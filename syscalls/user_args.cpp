#include "syscalls/user_args.h"

#include <algorithm>
#include <climits>

#include "os/proc/signals.h"

namespace syscalls {

using linux_abi::Errno;
using os::err;

namespace {

constexpr std::uint64_t kNsPerSec = 1'000'000'000ull;

// Linux's limits on execve's strings (MAX_ARG_STRLEN, MAX_ARG_STRINGS).
constexpr std::uint64_t kMaxArgStrlen = 32 * 4096;
constexpr std::uint64_t kMaxArgStrings = 0x7fffffff;

constexpr std::uint64_t kCsignal = 0xff;

struct CloneArgs {
    std::uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};
static_assert(sizeof(CloneArgs) == kCloneArgsSizeMax);

struct GuestTimespec {
    std::int64_t sec, nsec;
};

}  // namespace

KResult<std::vector<std::string>> read_string_array(os::mm::AddressSpace& mm, std::uint64_t array) {
    std::vector<std::string> out;
    if (!array)
        return out;
    for (std::uint64_t i = 0;; ++i) {
        if (i >= kMaxArgStrings)
            return err(Errno::e2big);
        std::uint64_t ptr = 0;
        TRY_VOID(mm.copy_from_user(&ptr, array + i * 8, sizeof(ptr)));
        if (!ptr)
            break;
        auto s = mm.copy_string_from_user(ptr, kMaxArgStrlen);
        if (!s)
            return err(s.error() == Errno::enametoolong ? Errno::e2big : s.error());
        out.push_back(std::move(*s));
    }
    return out;
}

KResult<std::vector<GuestIovec>> read_iovecs(os::mm::AddressSpace& mm, std::uint64_t addr, int count) {
    if (count < 0 || count > kMaxIov)
        return err(Errno::einval);
    std::vector<GuestIovec> iov(static_cast<std::size_t>(count));
    TRY_VOID(mm.copy_from_user(iov.data(), addr, iov.size() * sizeof(GuestIovec)));
    std::uint64_t total = 0;
    for (const auto& v : iov) {
        if (v.len > static_cast<std::uint64_t>(SSIZE_MAX) || total + v.len > static_cast<std::uint64_t>(SSIZE_MAX))
            return err(Errno::einval);
        total += v.len;
    }
    return iov;
}

KResult<std::vector<GuestPollfd>> read_pollfds(os::mm::AddressSpace& mm, std::uint64_t addr, std::uint64_t nfds) {
    if (nfds > static_cast<std::uint64_t>(kMaxPollFds))
        return err(Errno::einval);
    std::vector<GuestPollfd> fds(nfds);
    TRY_VOID(mm.copy_from_user(fds.data(), addr, nfds * sizeof(GuestPollfd)));
    return fds;
}

KResult<std::uint64_t> read_timespec(os::mm::AddressSpace& mm, std::uint64_t addr) {
    GuestTimespec ts{};
    TRY_VOID(mm.copy_from_user(&ts, addr, sizeof(ts)));
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= static_cast<std::int64_t>(kNsPerSec))
        return err(Errno::einval);
    // timespec64_to_ns(): a timeout longer than KTIME_MAX nanoseconds is KTIME_MAX (the
    // product would wrap into a short one).
    constexpr std::uint64_t kKtimeMax = static_cast<std::uint64_t>(INT64_MAX);
    if (static_cast<std::uint64_t>(ts.sec) >= kKtimeMax / kNsPerSec)
        return kKtimeMax;
    return static_cast<std::uint64_t>(ts.sec) * kNsPerSec + static_cast<std::uint64_t>(ts.nsec);
}

KResult<os::CloneRequest> read_clone_args(os::mm::AddressSpace& mm, std::uint64_t addr, std::uint64_t size) {
    if (size < kCloneArgsSizeVer0 || size > 4096)
        return err(Errno::einval);
    CloneArgs args{};
    TRY_VOID(mm.copy_from_user(&args, addr, std::min(size, kCloneArgsSizeMax)));
    // A larger struct from a newer program is fine if the unknown tail is zero (E2BIG if not).
    for (std::uint64_t off = kCloneArgsSizeMax; off < size; ++off) {
        std::uint8_t b = 0;
        TRY_VOID(mm.copy_from_user(&b, addr + off, 1));
        if (b)
            return err(Errno::e2big);
    }
    if ((args.flags & kCsignal) || args.exit_signal > static_cast<std::uint64_t>(linux_abi::kNumSignals))
        return err(Errno::einval);
    if ((args.stack == 0) != (args.stack_size == 0))
        return err(Errno::einval);
    if (args.set_tid || args.set_tid_size)
        return err(Errno::eperm);
    os::CloneRequest req;
    req.flags = args.flags;
    req.exit_signal = static_cast<int>(args.exit_signal);
    req.child_tid = args.child_tid;
    req.parent_tid = args.parent_tid;
    req.stack = args.stack ? args.stack + args.stack_size : 0;
    req.tls = args.tls;
    req.pidfd = args.pidfd;
    return req;
}

KResult<linux_abi::KernelSigaction> read_sigaction(os::mm::AddressSpace& mm, std::uint64_t addr) {
    linux_abi::KernelSigaction action{};
    TRY_VOID(mm.copy_from_user(&action, addr, sizeof(action)));
    action.mask &= ~os::proc::kUnblockableSignals;
    action.flags &= linux_abi::kKnownSaFlags;
    return action;
}

}  // namespace syscalls
