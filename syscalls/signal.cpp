// Signals: dispositions and masks (rt_sigaction, rt_sigprocmask, sigaltstack), sending to
// itself (kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo), waiting (rt_sigsuspend,
// pause, rt_sigtimedwait), rt_sigpending and rt_sigreturn. Delivery to handlers, signal
// frames and the return through rt_sigreturn live in os/kernel.cpp and os/proc/signal_frame.
#include <chrono>
#include <thread>

#include "os/proc/signals.h"
#include "syscalls/syscall.h"

namespace syscalls {

namespace {

using linux_abi::KernelSigaction;
using linux_abi::SigInfo;
using linux_abi::Signal;
using os::proc::kUnblockableSignals;

constexpr std::uint64_t kSigsetSize = 8;
constexpr int kSigBlock = 0, kSigUnblock = 1, kSigSetmask = 2;

constexpr bool valid_signal(int sig) { return sig >= 1 && sig <= linux_abi::kNumSignals; }

std::uint64_t user_rsp(Context& c) { return c.kernel.cpu().reg(emu::Reg::rsp); }

SysResult sys_rt_sigaction(Context& c, const Args& a) {
    const int sig = a.i32(0);
    if (a[3] != kSigsetSize)
        return err(Errno::einval);
    if (!valid_signal(sig))
        return err(Errno::einval);
    KernelSigaction updated{};
    if (a[1]) {
        if (os::proc::signal_bit(sig) & kUnblockableSignals)
            return err(Errno::einval);
        TRY_VOID(c.mm.copy_from_user(&updated, a[1], sizeof(updated)));
        updated.mask &= ~kUnblockableSignals;
        updated.flags &= linux_abi::kKnownSaFlags;
    }
    const KernelSigaction old = c.proc.sigaction(sig);
    if (a[1]) {
        c.proc.sigaction(sig) = updated;
        // POSIX: setting a disposition that ignores the signal discards it if pending.
        if (os::proc::disposition_ignores(updated, sig))
            c.proc.signal_queue().discard(sig);
    }
    if (a[2])
        TRY_VOID(c.mm.copy_to_user(a[2], &old, sizeof(old)));
    return 0;
}

SysResult sys_rt_sigprocmask(Context& c, const Args& a) {
    const int how = a.i32(0);
    if (a[3] != kSigsetSize)
        return err(Errno::einval);
    std::uint64_t& mask = c.proc.signal_mask();
    const std::uint64_t old = mask;
    std::uint64_t set = 0;
    if (a[1]) {
        TRY_VOID(c.mm.copy_from_user(&set, a[1], sizeof(set)));
        switch (how) {
        case kSigBlock: mask |= set; break;
        case kSigUnblock: mask &= ~set; break;
        case kSigSetmask: mask = set; break;
        default: return err(Errno::einval);
        }
        mask &= ~kUnblockableSignals;
    }
    if (a[2])
        TRY_VOID(c.mm.copy_to_user(a[2], &old, sizeof(old)));
    return 0;
}

SysResult sys_rt_sigpending(Context& c, const Args& a) {
    if (a[1] > kSigsetSize)
        return err(Errno::einval);
    const std::uint64_t pending = c.proc.pending_signals() & c.proc.signal_mask();
    TRY_VOID(c.mm.copy_to_user(a[0], &pending, a[1]));
    return 0;
}

SysResult sys_rt_sigsuspend(Context& c, const Args& a) {
    if (a[1] != kSigsetSize)
        return err(Errno::einval);
    std::uint64_t mask = 0;
    TRY_VOID(c.mm.copy_from_user(&mask, a[0], sizeof(mask)));
    return c.kernel.sigsuspend(mask);
}

SysResult sys_pause(Context& c, const Args&) {
    // Any deliverable signal was delivered before this call; none can arrive now.
    c.kernel.deadlock("in pause");
    return err(Errno::eintr);
}

SysResult sys_rt_sigreturn(Context& c, const Args&) { return c.kernel.sigreturn(); }

SysResult sys_sigaltstack(Context& c, const Args& a) {
    const std::uint64_t sp = user_rsp(c);
    linux_abi::StackT ss{};
    if (a[0])
        TRY_VOID(c.mm.copy_from_user(&ss, a[0], sizeof(ss)));
    const linux_abi::StackT old = os::proc::report_alt_stack(c.proc.alt_stack, sp);
    if (a[0])
        TRY_VOID(os::proc::change_alt_stack(c.proc.alt_stack, ss, sp));
    if (a[1])
        TRY_VOID(c.mm.copy_to_user(a[1], &old, sizeof(old)));
    return 0;
}

SigInfo sender_info(Context& c, int sig, int code) {
    SigInfo info{};
    info.signo = sig;
    info.code = code;
    info.fields.kill.pid = c.proc.pid();
    info.fields.kill.uid = c.proc.creds.uid;
    return info;
}

// kill/tkill/tgkill. Only the process itself exists so far; sig 0 probes existence.
SysResult send_to(Context& c, int pid, int sig, int code) {
    if (sig < 0 || sig > linux_abi::kNumSignals)
        return err(Errno::einval);
    if (pid != c.proc.pid())
        return err(Errno::esrch);
    if (sig != 0)
        c.kernel.send_signal_to_current(sender_info(c, sig, code));
    return 0;
}

SysResult sys_kill(Context& c, const Args& a) {
    int pid = a.i32(0);
    if (pid == 0 || pid == -1)
        pid = c.proc.pid();  // own process group / every process: here, only itself
    else if (pid < -1)
        pid = -pid;
    return send_to(c, pid, a.i32(1), linux_abi::SI_USER);
}

SysResult sys_tkill(Context& c, const Args& a) {
    if (a.i32(0) <= 0)
        return err(Errno::einval);
    return send_to(c, a.i32(0), a.i32(1), linux_abi::SI_TKILL);
}

SysResult sys_tgkill(Context& c, const Args& a) {
    if (a.i32(0) <= 0 || a.i32(1) <= 0)
        return err(Errno::einval);
    if (a.i32(0) != c.proc.pid())
        return err(Errno::esrch);
    return send_to(c, a.i32(1), a.i32(2), linux_abi::SI_TKILL);
}

// rt_sigqueueinfo/rt_tgsigqueueinfo: the caller supplies the siginfo (only the part the
// kernel keeps, struct kernel_siginfo, survives).
SysResult queue_info(Context& c, int pid, int sig, std::uint64_t uinfo) {
    SigInfo info{};
    TRY_VOID(c.mm.copy_from_user(&info, uinfo, linux_abi::kKernelSigInfoSize));
    info.signo = sig;
    if (!valid_signal(sig) && sig != 0)
        return err(Errno::einval);
    if (pid != c.proc.pid())
        return err(Errno::esrch);
    if (sig != 0)
        c.kernel.send_signal_to_current(info);
    return 0;
}

SysResult sys_rt_sigqueueinfo(Context& c, const Args& a) { return queue_info(c, a.i32(0), a.i32(1), a[2]); }

SysResult sys_rt_tgsigqueueinfo(Context& c, const Args& a) {
    if (a.i32(0) <= 0 || a.i32(1) <= 0)
        return err(Errno::einval);
    if (a.i32(0) != c.proc.pid())
        return err(Errno::esrch);
    return queue_info(c, a.i32(1), a.i32(2), a[3]);
}

struct GuestTimespec {
    std::int64_t sec;
    std::int64_t nsec;
};

SysResult sys_rt_sigtimedwait(Context& c, const Args& a) {
    if (a[3] != kSigsetSize)
        return err(Errno::einval);
    std::uint64_t set = 0;
    TRY_VOID(c.mm.copy_from_user(&set, a[0], sizeof(set)));
    set &= ~kUnblockableSignals;
    std::optional<GuestTimespec> timeout;
    if (a[2]) {
        GuestTimespec ts{};
        TRY_VOID(c.mm.copy_from_user(&ts, a[2], sizeof(ts)));
        if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1'000'000'000)
            return err(Errno::einval);
        timeout = ts;
    }
    auto taken = c.proc.signal_queue().take(set);
    if (!taken) {
        // Nothing else can send a signal while this process waits.
        if (!timeout) {
            c.kernel.deadlock("in rt_sigtimedwait");
            return err(Errno::eintr);
        }
        std::this_thread::sleep_for(std::chrono::seconds(timeout->sec) + std::chrono::nanoseconds(timeout->nsec));
        return err(Errno::eagain);
    }
    if (a[1])
        TRY_VOID(c.mm.copy_to_user(a[1], &taken->info, sizeof(taken->info)));
    return taken->info.signo;
}

constexpr SyscallDef kDefs[] = {
    {62, sys_kill, Support::Partial, "one process: signals to itself"},
    {200, sys_tkill, Support::Partial, "one thread"},
    {234, sys_tgkill, Support::Partial, "one thread"},
    {129, sys_rt_sigqueueinfo, Support::Partial, "one process: signals to itself"},
    {297, sys_rt_tgsigqueueinfo, Support::Partial, "one thread"},
    {13, sys_rt_sigaction, Support::Full, ""},
    {14, sys_rt_sigprocmask, Support::Full, ""},
    {127, sys_rt_sigpending, Support::Full, ""},
    {130, sys_rt_sigsuspend, Support::Partial, "one process: a signal must already be pending, else deadlock"},
    {34, sys_pause, Support::Partial, "one process: nothing can wake it (deadlock)"},
    {128, sys_rt_sigtimedwait, Support::Partial, "one process: only already pending signals; a timeout sleeps"},
    {15, sys_rt_sigreturn, Support::Full, ""},
    {131, sys_sigaltstack, Support::Full, ""},
};

}  // namespace

std::span<const SyscallDef> signal_syscalls() { return kDefs; }

}  // namespace syscalls
