// Signals: sending (to a process or one thread), the fatal-signal fast path, delivery on the
// way back to user mode (handlers on Linux's rt_sigframe, default actions), syscall restart,
// rt_sigreturn and rt_sigsuspend.
#include <spdlog/spdlog.h>

#include "os/abi/signal.h"
#include "os/kernel.h"
#include "os/proc/signal_frame.h"
#include "os/proc/signals.h"
#include "os/trace/syscall_tracer.h"

namespace os {

using linux_abi::Errno;
using linux_abi::Signal;
using proc::Task;
using proc::TaskState;

namespace {

constexpr int kSigSegv = static_cast<int>(Signal::sigsegv);

bool fatal_default(int sig) {
    const proc::DefaultAction a = proc::default_action(sig);
    return a == proc::DefaultAction::Terminate || a == proc::DefaultAction::CoreDump;
}

}  // namespace

bool Kernel::deliverable(Task& t) const {
    const std::uint64_t allowed = ~t.signal_mask | proc::kUnblockableSignals;
    return ((t.pending.set() | t.process().shared_pending().set()) & allowed) != 0;
}

bool Kernel::signal_pending() { return deliverable(*m_current); }

void Kernel::send_signal_to_current(int sig) {
    linux_abi::SigInfo info{};
    info.signo = sig;
    info.code = linux_abi::SI_USER;
    info.fields.kill.pid = current().pid();
    info.fields.kill.uid = current().creds.uid;
    send_signal(*m_current, info);
}

Task* Kernel::signal_target(proc::Process& p, int sig) {
    // Linux's complete_signal: the main thread if it does not block the signal, else the
    // first thread that does not; none if every thread blocks it.
    for (int tid : p.threads) {
        Task* t = find_task(tid);
        if (t && (!(t->signal_mask & proc::signal_bit(sig)) || (proc::signal_bit(sig) & proc::kUnblockableSignals)))
            return t;
    }
    return nullptr;
}

void Kernel::send_signal(proc::Process& p, const linux_abi::SigInfo& info) {
    const int sig = info.signo;
    if (p.exited() || p.threads.empty())
        return;
    Task* target = signal_target(p, sig);
    const linux_abi::KernelSigaction& action = p.sigaction(sig);
    // An ignored signal is discarded at once unless it is blocked (the disposition may
    // change before it is unblocked).
    if (target && proc::disposition_ignores(action, sig) && !(proc::signal_bit(sig) & proc::kUnblockableSignals))
        return;
    // The fatal-signal fast path: nobody handles it and a thread takes it, so the whole
    // process ends now (its own process finds it on the way out, for the report).
    if (target && &p != &current() && (sig == static_cast<int>(Signal::sigkill) ||
                                       (action.handler == linux_abi::SIG_DFL && fatal_default(sig)))) {
        spdlog::info("pid {} ({}) killed by {} (sent by pid {})", p.pid(), p.comm(), linux_abi::signal_name(sig),
                     info.fields.kill.pid);
        group_exit(p, proc::ExitState{0, sig});
        return;
    }
    p.shared_pending().add(proc::QueuedSignal{info, ""});
    if (target && target->state == TaskState::Sleeping && target->interruptible) {
        m_scheduler.wake_task(*target, proc::WakeReason::Signal);
        m_resched = true;
    }
}

void Kernel::send_signal(Task& t, const linux_abi::SigInfo& info) {
    const int sig = info.signo;
    proc::Process& p = t.process();
    if (p.exited() || t.state == TaskState::Dead)
        return;
    const linux_abi::KernelSigaction& action = p.sigaction(sig);
    const bool blocked = (t.signal_mask & proc::signal_bit(sig)) && !(proc::signal_bit(sig) & proc::kUnblockableSignals);
    if (!blocked && proc::disposition_ignores(action, sig))
        return;
    if (!blocked && &p != &current() &&
        (sig == static_cast<int>(Signal::sigkill) || (action.handler == linux_abi::SIG_DFL && fatal_default(sig)))) {
        group_exit(p, proc::ExitState{0, sig});
        return;
    }
    t.pending.add(proc::QueuedSignal{info, ""});
    if (!blocked && t.state == TaskState::Sleeping && t.interruptible) {
        m_scheduler.wake_task(t, proc::WakeReason::Signal);
        m_resched = true;
    }
}

void Kernel::force_signal(const linux_abi::SigInfo& info, std::string report) {
    Task& t = *m_current;
    const int sig = info.signo;
    linux_abi::KernelSigaction& action = current().sigaction(sig);
    const bool blocked = (t.signal_mask & proc::signal_bit(sig)) != 0;
    if (blocked || action.handler == linux_abi::SIG_IGN) {
        action.handler = linux_abi::SIG_DFL;
        t.signal_mask &= ~proc::signal_bit(sig);
    }
    t.pending.add(proc::QueuedSignal{info, std::move(report)});
}

bool Kernel::signal_work_pending() {
    const Task& t = *m_current;
    return deliverable(*m_current) || t.saved_sigmask.has_value() || t.restart.has_value();
}

void Kernel::return_to_user() {
    Task& t = *m_current;
    if (t.pending_regs) {
        m_cpu->write_user_state(*t.pending_regs);
        t.pending_regs.reset();
        t.syscall_rip.reset();
    }
    bool handler_started = false;
    while (t.state != TaskState::Dead) {
        const std::uint64_t allowed = ~t.signal_mask | proc::kUnblockableSignals;
        auto next = t.pending.take(allowed);
        if (!next)
            next = t.process().shared_pending().take(allowed);
        if (!next)
            break;
        handler_started |= deliver_signal(*next);
    }
    if (t.state == TaskState::Dead)
        return;
    if (t.restart)
        restart_syscall(false, nullptr);
    if (!handler_started && t.saved_sigmask) {
        // No handler ran: the mask rt_sigsuspend replaced comes back now (Linux's
        // restore_saved_sigmask).
        t.signal_mask = *t.saved_sigmask;
        t.saved_sigmask.reset();
    }
}

void Kernel::restart_syscall(bool handler_runs, const linux_abi::KernelSigaction* action) {
    Task& t = *m_current;
    const proc::SyscallRestart r = *t.restart;
    t.restart.reset();
    bool again = !handler_runs;
    if (handler_runs) {
        if (r.code == Errno::erestartnointr)
            again = true;
        else if (r.code == Errno::erestartsys)
            again = action && (action->flags & linux_abi::SA_RESTART);
    }
    if (again) {
        m_cpu->set_reg(emu::Reg::rip, r.rip);
        m_cpu->set_reg(emu::Reg::rax, r.nr);
    } else {
        m_cpu->set_reg(emu::Reg::rax, static_cast<std::uint64_t>(linux_abi::to_syscall_return(Errno::eintr)));
    }
    if (handler_runs || !again) {
        // A syscall restarted after a handler starts over (nanosleep's EINTR keeps nothing).
        t.syscall_deadline.reset();
        t.syscall_progress = 0;
        t.wake_reason = proc::WakeReason::None;
    }
}

bool Kernel::deliver_signal(const proc::QueuedSignal& s) {
    proc::Process& p = current();
    const int sig = s.info.signo;
    if (m_config.syscall_trace)
        m_config.syscall_trace->signal_delivered(p.pid(), m_current->tid(), s.info);
    linux_abi::KernelSigaction& action = p.sigaction(sig);
    if (!(proc::signal_bit(sig) & proc::kUnblockableSignals)) {
        if (action.handler == linux_abi::SIG_IGN)
            return false;
        if (action.handler != linux_abi::SIG_DFL) {
            const linux_abi::KernelSigaction taken = action;
            if (action.flags & linux_abi::SA_RESETHAND)
                action.handler = linux_abi::SIG_DFL;
            if (m_current->restart)
                restart_syscall(true, &taken);
            return run_handler(s, taken);
        }
    }
    switch (proc::default_action(sig)) {
    case proc::DefaultAction::Ignore:
    case proc::DefaultAction::Continue:
        break;
    case proc::DefaultAction::Stop:
        spdlog::warn("pid {} ({}): {} would stop the process; job control is not supported yet, ignored", p.pid(),
                     p.comm(), linux_abi::signal_name(sig));
        break;
    case proc::DefaultAction::Terminate:
    case proc::DefaultAction::CoreDump:
        if (!s.report.empty() || p.pid() == kFirstPid) {
            kill_current(sig, s.report.empty() ? "(sent by pid " + std::to_string(s.info.fields.kill.pid) + ")"
                                               : s.report);
        } else {
            spdlog::info("pid {} ({}) killed by {}", p.pid(), p.comm(), linux_abi::signal_name(sig));
            group_exit(p, proc::ExitState{0, sig});
        }
        break;
    }
    return false;
}

bool Kernel::run_handler(const proc::QueuedSignal& s, const linux_abi::KernelSigaction& action) {
    Task& t = *m_current;
    const int sig = s.info.signo;
    emu::UserState regs;
    m_cpu->read_user_state(regs);
    proc::SignalDelivery d;
    d.info = s.info;
    d.action = action;
    d.saved_mask = t.saved_sigmask.value_or(t.signal_mask);
    d.alt_stack = t.alt_stack;
    d.trap = t.trap;
    proc::AddressSpaceMemory mem(current().mm());
    if (!proc::setup_rt_frame(mem, regs, d)) {
        // Linux's force_sigsegv: SIGSEGV, fatal if it was SIGSEGV that could not be delivered.
        linux_abi::SigInfo info{};
        info.signo = kSigSegv;
        info.code = linux_abi::SI_KERNEL;
        std::string report = fmt::format("(no room for the {} handler's signal frame below rsp {:#x})",
                                         linux_abi::signal_name(sig), regs.rsp);
        if (sig == kSigSegv)
            current().sigaction(kSigSegv).handler = linux_abi::SIG_DFL;
        force_signal(info, std::move(report));
        return false;
    }
    m_cpu->write_user_state(regs);
    t.syscall_rip.reset();
    // signal_delivered(): the handler runs with its sa_mask and (unless SA_NODEFER) its own
    // signal blocked; the frame holds the mask to go back to.
    std::uint64_t mask = t.signal_mask | action.mask;
    if (!(action.flags & linux_abi::SA_NODEFER))
        mask |= proc::signal_bit(sig);
    t.signal_mask = mask & ~proc::kUnblockableSignals;
    t.saved_sigmask.reset();
    if (t.alt_stack.flags & linux_abi::SS_AUTODISARM)
        t.alt_stack = proc::kNoAltStack;
    return true;
}

std::int64_t Kernel::sigreturn() {
    Task& t = *m_current;
    emu::UserState regs;
    m_cpu->read_user_state(regs);
    const std::uint64_t frame_rsp = regs.rsp;
    proc::AddressSpaceMemory mem(current().mm());
    const proc::SigreturnResult r = proc::restore_rt_frame(mem, regs);
    if (r.mask)
        t.signal_mask = *r.mask & ~proc::kUnblockableSignals;
    if (!r.ok) {
        linux_abi::SigInfo info{};
        info.signo = kSigSegv;
        info.code = linux_abi::SI_KERNEL;
        force_signal(info, fmt::format("(rt_sigreturn found no valid signal frame at {:#x})", regs.rsp - 8));
        return 0;
    }
    // restore_altstack(): errors are ignored. Linux checks "on the alternate stack" against
    // the stack pointer rt_sigreturn was called with (measured: a handler that ran on the
    // alternate stack cannot replace it through uc_stack; one on the normal stack can).
    (void)proc::change_alt_stack(t.alt_stack, r.alt_stack, frame_rsp);
    t.pending_regs = regs;
    return static_cast<std::int64_t>(regs.rax);
}

Errno Kernel::sigsuspend(std::uint64_t mask) {
    Task& t = *m_current;
    // Executed again after each wakeup: the mask to restore is the one from before the
    // first call.
    if (!t.saved_sigmask)
        t.saved_sigmask = t.signal_mask;
    t.signal_mask = mask & ~proc::kUnblockableSignals;
    return sleep(proc::WaitChannel{proc::WaitKind::Signal, nullptr, 0}, std::nullopt, Errno::erestartnohand);
}

}  // namespace os
