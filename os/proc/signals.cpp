#include "os/proc/signals.h"

#include <algorithm>

namespace os::proc {

using linux_abi::Errno;
using linux_abi::Signal;

DefaultAction default_action(int sig) {
    switch (static_cast<Signal>(sig)) {
    case Signal::sigquit:
    case Signal::sigill:
    case Signal::sigtrap:
    case Signal::sigabrt:
    case Signal::sigbus:
    case Signal::sigfpe:
    case Signal::sigsegv:
    case Signal::sigxcpu:
    case Signal::sigxfsz:
    case Signal::sigsys:
        return DefaultAction::CoreDump;
    case Signal::sigchld:
    case Signal::sigurg:
    case Signal::sigwinch:
        return DefaultAction::Ignore;
    case Signal::sigcont:
        return DefaultAction::Continue;
    case Signal::sigstop:
    case Signal::sigtstp:
    case Signal::sigttin:
    case Signal::sigttou:
        return DefaultAction::Stop;
    default:
        return DefaultAction::Terminate;  // including real-time signals
    }
}

bool disposition_ignores(const linux_abi::KernelSigaction& action, int sig) {
    if (action.handler == linux_abi::SIG_IGN)
        return true;
    // SIGCONT's default action (continue) counts as ignored once the process runs.
    return action.handler == linux_abi::SIG_DFL &&
           (default_action(sig) == DefaultAction::Ignore || default_action(sig) == DefaultAction::Continue);
}

namespace {
constexpr int kSigRtMin = 32;
}

void PendingSignals::add(QueuedSignal s) {
    const int sig = s.info.signo;
    if (sig < kSigRtMin && contains(sig))
        return;
    m_set |= signal_bit(sig);
    m_queue.push_back(std::move(s));
}

std::optional<QueuedSignal> PendingSignals::take(std::uint64_t allowed) {
    std::uint64_t ready = m_set & allowed;
    if (!ready)
        return std::nullopt;
    if (ready & kSynchronousSignals)
        ready &= kSynchronousSignals;
    const int sig = __builtin_ctzll(ready) + 1;
    auto it = std::find_if(m_queue.begin(), m_queue.end(), [&](const QueuedSignal& q) { return q.info.signo == sig; });
    QueuedSignal s = std::move(*it);
    m_queue.erase(it);
    const bool more = std::any_of(m_queue.begin(), m_queue.end(), [&](const QueuedSignal& q) { return q.info.signo == sig; });
    if (!more)
        m_set &= ~signal_bit(sig);
    return s;
}

void PendingSignals::discard(int sig) {
    std::erase_if(m_queue, [&](const QueuedSignal& q) { return q.info.signo == sig; });
    m_set &= ~signal_bit(sig);
}

bool within_sig_stack(const linux_abi::StackT& alt, std::uint64_t sp) {
    return sp > alt.sp && sp - alt.sp <= alt.size;
}

bool on_sig_stack(const linux_abi::StackT& alt, std::uint64_t sp) {
    if (alt.flags & linux_abi::SS_AUTODISARM)
        return false;
    return within_sig_stack(alt, sp);
}

std::int32_t sas_ss_flags(const linux_abi::StackT& alt, std::uint64_t sp) {
    if (alt.size == 0)
        return linux_abi::SS_DISABLE;
    return on_sig_stack(alt, sp) ? linux_abi::SS_ONSTACK : 0;
}

linux_abi::StackT report_alt_stack(const linux_abi::StackT& alt, std::uint64_t sp) {
    linux_abi::StackT out{};
    out.sp = alt.sp;
    out.size = alt.size;
    out.flags = sas_ss_flags(alt, sp) | (alt.flags & linux_abi::SS_AUTODISARM);
    return out;
}

KResult<void> change_alt_stack(linux_abi::StackT& alt, const linux_abi::StackT& ss, std::uint64_t sp) {
    if (on_sig_stack(alt, sp))
        return err(Errno::eperm);
    const std::int32_t mode = ss.flags & ~linux_abi::SS_AUTODISARM;
    if (mode != linux_abi::SS_DISABLE && mode != linux_abi::SS_ONSTACK && mode != 0)
        return err(Errno::einval);
    linux_abi::StackT updated{};
    updated.flags = ss.flags;
    if (mode == linux_abi::SS_DISABLE) {
        updated.sp = 0;
        updated.size = 0;
    } else {
        if (ss.size < linux_abi::MINSIGSTKSZ)
            return err(Errno::enomem);
        updated.sp = ss.sp;
        updated.size = ss.size;
    }
    alt = updated;
    return {};
}

}  // namespace os::proc
