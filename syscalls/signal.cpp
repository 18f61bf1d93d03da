// Signal dispositions and masks: rt_sigaction, rt_sigprocmask, sigaltstack. Dispositions
// are recorded with Linux's checks; delivery of synchronous signals to guest handlers comes
// with the signal-frame work (a fatal fault currently ends the process).
#include "syscalls/syscall.h"

namespace syscalls {

namespace {

using linux_abi::KernelSigaction;
using linux_abi::Signal;

constexpr std::uint64_t kSigsetSize = 8;
constexpr int kSigBlock = 0, kSigUnblock = 1, kSigSetmask = 2;

constexpr std::uint64_t bit(Signal s) { return 1ull << (static_cast<int>(s) - 1); }
constexpr std::uint64_t kUnblockable = bit(Signal::sigkill) | bit(Signal::sigstop);

SysResult sys_rt_sigaction(Context& c, const Args& a) {
    const int sig = a.i32(0);
    if (a[3] != kSigsetSize)
        return err(Errno::einval);
    if (sig < 1 || sig > linux_abi::kNumSignals)
        return err(Errno::einval);
    KernelSigaction updated{};
    if (a[1]) {
        if (sig == static_cast<int>(Signal::sigkill) || sig == static_cast<int>(Signal::sigstop))
            return err(Errno::einval);
        TRY_VOID(c.mm.copy_from_user(&updated, a[1], sizeof(updated)));
        updated.mask &= ~kUnblockable;
    }
    if (a[2]) {
        const KernelSigaction old = c.proc.sigaction(sig);
        TRY_VOID(c.mm.copy_to_user(a[2], &old, sizeof(old)));
    }
    if (a[1])
        c.proc.sigaction(sig) = updated;
    return 0;
}

SysResult sys_rt_sigprocmask(Context& c, const Args& a) {
    const int how = a.i32(0);
    if (a[3] != kSigsetSize)
        return err(Errno::einval);
    std::uint64_t& mask = c.proc.signal_mask();
    std::uint64_t set = 0;
    if (a[1]) {
        if (how != kSigBlock && how != kSigUnblock && how != kSigSetmask)
            return err(Errno::einval);
        TRY_VOID(c.mm.copy_from_user(&set, a[1], sizeof(set)));
    }
    if (a[2])
        TRY_VOID(c.mm.copy_to_user(a[2], &mask, sizeof(mask)));
    if (a[1]) {
        switch (how) {
        case kSigBlock: mask |= set; break;
        case kSigUnblock: mask &= ~set; break;
        default: mask = set; break;
        }
        mask &= ~kUnblockable;
    }
    return 0;
}

using GuestStack = os::proc::AltStack;
constexpr std::int32_t kSsDisable = 2;
constexpr std::int32_t kSsAutodisarm = 1 << 31;
constexpr std::uint64_t kMinSigStack = 2048;

SysResult sys_sigaltstack(Context& c, const Args& a) {
    GuestStack& current = c.proc.alt_stack;
    if (a[1]) {
        GuestStack old = current;
        if (old.sp == 0 && old.size == 0)
            old.flags = kSsDisable;
        TRY_VOID(c.mm.copy_to_user(a[1], &old, sizeof(old)));
    }
    if (a[0]) {
        GuestStack ss{};
        TRY_VOID(c.mm.copy_from_user(&ss, a[0], sizeof(ss)));
        const std::int32_t mode = ss.flags & ~kSsAutodisarm;
        if (mode != 0 && mode != kSsDisable)
            return err(Errno::einval);
        if (mode == kSsDisable) {
            current = GuestStack{0, kSsDisable, 0, 0};
        } else {
            if (ss.size < kMinSigStack)
                return err(Errno::enomem);
            current = ss;
        }
    }
    return 0;
}

// kill/tkill/tgkill. Only the process itself exists so far; sig 0 probes existence.
SysResult send_to(Context& c, int pid, int sig) {
    if (sig < 0 || sig > linux_abi::kNumSignals)
        return err(Errno::einval);
    if (pid != c.proc.pid())
        return err(Errno::esrch);
    if (sig != 0)
        c.kernel.send_signal_to_current(sig);
    return 0;
}

SysResult sys_kill(Context& c, const Args& a) {
    int pid = a.i32(0);
    if (pid == 0 || pid == -1)
        pid = c.proc.pid();  // own process group / every process: here, only itself
    else if (pid < -1)
        pid = -pid;
    return send_to(c, pid, a.i32(1));
}

SysResult sys_tkill(Context& c, const Args& a) {
    if (a.i32(0) <= 0)
        return err(Errno::einval);
    return send_to(c, a.i32(0), a.i32(1));
}

SysResult sys_tgkill(Context& c, const Args& a) {
    if (a.i32(0) <= 0 || a.i32(1) <= 0)
        return err(Errno::einval);
    if (a.i32(0) != c.proc.pid())
        return err(Errno::esrch);
    return send_to(c, a.i32(1), a.i32(2));
}

constexpr SyscallDef kDefs[] = {
    {62, sys_kill, Support::Partial, "one process: signals to itself"},
    {200, sys_tkill, Support::Partial, "one thread"},
    {234, sys_tgkill, Support::Partial, "one thread"},
    {13, sys_rt_sigaction, Support::Partial, "dispositions recorded; handlers not yet invoked"},
    {14, sys_rt_sigprocmask, Support::Full, ""},
    {131, sys_sigaltstack, Support::Partial, "recorded; used once handlers are invoked"},
};

}  // namespace

std::span<const SyscallDef> signal_syscalls() { return kDefs; }

}  // namespace syscalls
