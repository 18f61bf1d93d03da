// Signals: dispositions and masks (rt_sigaction, rt_sigprocmask, sigaltstack), sending to
// itself (kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo), waiting (rt_sigsuspend,
// pause, rt_sigtimedwait), rt_sigpending and rt_sigreturn. Delivery to handlers, signal
// frames and the return through rt_sigreturn live in os/kernel.cpp and os/proc/signal_frame.
#include <limits>
#include <vector>

#include "os/proc/signals.h"
#include "syscalls/syscall.h"
#include "syscalls/user_args.h"

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
        updated = TRY(read_sigaction(c.mm, a[1]));
    }
    const KernelSigaction old = c.proc.sigaction(sig);
    if (a[1]) {
        c.proc.sigaction(sig) = updated;
        // POSIX: setting a disposition that ignores the signal discards it if pending.
        if (os::proc::disposition_ignores(updated, sig))
            {
            c.proc.shared_pending().discard(sig);
            for (int tid : c.proc.threads)
                if (os::proc::Task* t = c.kernel.find_task(tid))
                    t->pending.discard(sig);
        }
    }
    if (a[2])
        TRY_VOID(c.mm.copy_to_user(a[2], &old, sizeof(old)));
    return 0;
}

SysResult sys_rt_sigprocmask(Context& c, const Args& a) {
    const int how = a.i32(0);
    if (a[3] != kSigsetSize)
        return err(Errno::einval);
    std::uint64_t& mask = c.task.signal_mask;
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
    const std::uint64_t pending = (c.task.pending.set() | c.proc.shared_pending().set()) & c.task.signal_mask;
    TRY_VOID(c.mm.copy_to_user(a[0], &pending, a[1]));
    return 0;
}

SysResult sys_rt_sigsuspend(Context& c, const Args& a) {
    if (a[1] != kSigsetSize)
        return err(Errno::einval);
    std::uint64_t mask = 0;
    TRY_VOID(c.mm.copy_from_user(&mask, a[0], sizeof(mask)));
    return err(c.kernel.sigsuspend(mask));
}

SysResult sys_pause(Context& c, const Args&) {
    return err(c.kernel.sleep(os::proc::WaitChannel{os::proc::WaitKind::Signal, nullptr, 0}, std::nullopt,
                              Errno::erestartnohand));
}

SysResult sys_rt_sigreturn(Context& c, const Args&) { return c.kernel.sigreturn(); }

SysResult sys_sigaltstack(Context& c, const Args& a) {
    const std::uint64_t sp = user_rsp(c);
    linux_abi::StackT ss{};
    if (a[0])
        TRY_VOID(c.mm.copy_from_user(&ss, a[0], sizeof(ss)));
    const linux_abi::StackT old = os::proc::report_alt_stack(c.task.alt_stack, sp);
    if (a[0])
        TRY_VOID(os::proc::change_alt_stack(c.task.alt_stack, ss, sp));
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

// kill(2): a process, a process group (0: the caller's; -N: group N) or every process but
// init and the caller (-1). Zombies count as found but take nothing.
SysResult kill_info(Context& c, int pid, const SigInfo& info) {
    const int sig = info.signo;
    if (sig < 0 || sig > linux_abi::kNumSignals)
        return err(Errno::einval);
    std::vector<os::proc::Process*> targets;
    if (pid > 0) {
        os::proc::Process* p = c.kernel.find_process(pid);
        if (!p) {
            // A thread id names its process.
            if (os::proc::Task* t = c.kernel.find_task(pid))
                p = &t->process();
        }
        if (!p)
            return err(Errno::esrch);
        targets.push_back(p);
    } else {
        const int pgid = pid == 0 ? c.proc.pgid : -pid;
        for (const auto& [id, p] : c.kernel.processes()) {
            if (pid == -1 ? (id != c.proc.pid()) : (p->pgid == pgid))
                targets.push_back(p.get());
        }
        if (targets.empty())
            return err(Errno::esrch);
    }
    if (sig != 0)
        for (os::proc::Process* p : targets)
            c.kernel.send_signal(*p, info);
    return 0;
}

SysResult sys_kill(Context& c, const Args& a) {
    if (a.i32(0) == std::numeric_limits<std::int32_t>::min())
        return err(Errno::esrch);
    return kill_info(c, a.i32(0), sender_info(c, a.i32(1), linux_abi::SI_USER));
}

// tkill/tgkill: one thread; tgkill also checks it belongs to thread group `tgid`.
SysResult thread_kill(Context& c, int tgid, int tid, const SigInfo& info) {
    if (info.signo < 0 || info.signo > linux_abi::kNumSignals)
        return err(Errno::einval);
    os::proc::Task* t = c.kernel.find_task(tid);
    if (!t || (tgid > 0 && t->process().pid() != tgid))
        return err(Errno::esrch);
    if (info.signo != 0)
        c.kernel.send_signal(*t, info);
    return 0;
}

SysResult sys_tkill(Context& c, const Args& a) {
    if (a.i32(0) <= 0)
        return err(Errno::einval);
    return thread_kill(c, 0, a.i32(0), sender_info(c, a.i32(1), linux_abi::SI_TKILL));
}

SysResult sys_tgkill(Context& c, const Args& a) {
    if (a.i32(0) <= 0 || a.i32(1) <= 0)
        return err(Errno::einval);
    return thread_kill(c, a.i32(0), a.i32(1), sender_info(c, a.i32(2), linux_abi::SI_TKILL));
}

// rt_sigqueueinfo/rt_tgsigqueueinfo: the caller supplies the siginfo (only the part the
// kernel keeps, struct kernel_siginfo, survives). Another process may not pretend to be
// the kernel or kill() (si_code >= 0): EPERM.
KResult<SigInfo> queued_info(Context& c, int pid, int sig, std::uint64_t uinfo) {
    SigInfo info{};
    TRY_VOID(c.mm.copy_from_user(&info, uinfo, linux_abi::kKernelSigInfoSize));
    info.signo = sig;
    if (!valid_signal(sig) && sig != 0)
        return err(Errno::einval);
    if ((info.code >= 0 || info.code == linux_abi::SI_TKILL) && pid != c.proc.pid())
        return err(Errno::eperm);
    return info;
}

SysResult sys_rt_sigqueueinfo(Context& c, const Args& a) {
    const SigInfo info = TRY(queued_info(c, a.i32(0), a.i32(1), a[2]));
    if (a.i32(0) <= 0)
        return err(Errno::esrch);
    return kill_info(c, a.i32(0), info);
}

SysResult sys_rt_tgsigqueueinfo(Context& c, const Args& a) {
    if (a.i32(0) <= 0 || a.i32(1) <= 0)
        return err(Errno::einval);
    const SigInfo info = TRY(queued_info(c, a.i32(0), a.i32(2), a[3]));
    return thread_kill(c, a.i32(0), a.i32(1), info);
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
    auto taken = c.task.pending.take(set);
    if (!taken)
        taken = c.proc.shared_pending().take(set);
    if (!taken) {
        if (c.kernel.wake_reason() == os::proc::WakeReason::TimedOut)
            return err(Errno::eagain);
        std::optional<std::uint64_t> deadline;
        if (timeout) {
            if (!c.task.syscall_deadline)
                c.task.syscall_deadline = c.kernel.clock().elapsed_ns() + static_cast<std::uint64_t>(timeout->sec) *
                                                                             1'000'000'000ull +
                                                  static_cast<std::uint64_t>(timeout->nsec);
            deadline = c.task.syscall_deadline;
            if (*deadline <= c.kernel.clock().elapsed_ns())
                return err(Errno::eagain);
        }
        // Sleep until one of `set` arrives; signals in `set` that are blocked must wake it
        // too, so they are unblocked meanwhile (Linux's real_blocked).
        if (!c.task.saved_sigmask)
            c.task.saved_sigmask = c.task.signal_mask;
        c.task.signal_mask &= ~set;
        return err(c.kernel.sleep(os::proc::WaitChannel{os::proc::WaitKind::Signal, nullptr, 0}, deadline,
                                  Errno::erestartnohand));
    }
    if (c.task.saved_sigmask) {
        c.task.signal_mask = *c.task.saved_sigmask;
        c.task.saved_sigmask.reset();
    }
    if (a[1])
        TRY_VOID(c.mm.copy_to_user(a[1], &taken->info, sizeof(taken->info)));
    return taken->info.signo;
}

constexpr SyscallDef kDefs[] = {
    {62, sys_kill, Support::Partial, "no permission checks (every process has the same user)"},
    {200, sys_tkill, Support::Full, ""},
    {234, sys_tgkill, Support::Full, ""},
    {129, sys_rt_sigqueueinfo, Support::Full, ""},
    {297, sys_rt_tgsigqueueinfo, Support::Full, ""},
    {13, sys_rt_sigaction, Support::Full, ""},
    {14, sys_rt_sigprocmask, Support::Full, ""},
    {127, sys_rt_sigpending, Support::Full, ""},
    {130, sys_rt_sigsuspend, Support::Full, ""},
    {34, sys_pause, Support::Full, ""},
    {128, sys_rt_sigtimedwait, Support::Full, ""},
    {15, sys_rt_sigreturn, Support::Full, ""},
    {131, sys_sigaltstack, Support::Full, ""},
};

}  // namespace

std::span<const SyscallDef> signal_syscalls() { return kDefs; }

}  // namespace syscalls
