// Signal bookkeeping of a process: default actions (signal(7)), the pending set with each
// signal's siginfo, and sigaltstack's rules.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "os/abi/signal.h"
#include "os/result.h"

namespace os::proc {

enum class DefaultAction : std::uint8_t { Terminate, CoreDump, Ignore, Stop, Continue };

DefaultAction default_action(int sig);

constexpr std::uint64_t signal_bit(int sig) { return 1ull << (sig - 1); }

// SIGKILL and SIGSTOP: never blocked, caught or ignored.
inline constexpr std::uint64_t kUnblockableSignals = signal_bit(9) | signal_bit(19);
// Signals the CPU raises for the instruction that caused them (Linux's SYNCHRONOUS_MASK):
// dequeued before any other.
inline constexpr std::uint64_t kSynchronousSignals =
    signal_bit(11) | signal_bit(7) | signal_bit(4) | signal_bit(5) | signal_bit(8) | signal_bit(31);

// Whether a signal with this disposition is discarded rather than delivered (Linux's
// sig_handler_ignored): SIG_IGN, or SIG_DFL of a signal whose default is to be ignored.
bool disposition_ignores(const linux_abi::KernelSigaction& action, int sig);

// What the CPU recorded about the last trap the process took (Linux's thread.trap_nr,
// error_code and cr2); a signal frame's sigcontext reports them.
struct TrapInfo {
    std::uint64_t trapno = 0;
    std::uint64_t error_code = 0;
    std::uint64_t cr2 = 0;
};

// A signal sent but not yet acted on.
struct QueuedSignal {
    linux_abi::SigInfo info;
    // For faultline's one-line report should the signal's default action kill the
    // process: what caused it, e.g. "(SEGV_MAPERR) read at address 0x0".
    std::string report;
};

// Linux's struct sigpending for one thread: a set of signals plus a queue of siginfos.
class PendingSignals {
public:
    std::uint64_t set() const { return m_set; }
    bool contains(int sig) const { return (m_set & signal_bit(sig)) != 0; }
    // Adds a signal. A standard signal (< SIGRTMIN) that is already pending is not queued
    // again and its new siginfo is lost (legacy_queue); real-time signals queue.
    void add(QueuedSignal s);
    // Removes and returns the next signal among `allowed`: synchronous signals first, then
    // the lowest number (Linux's next_signal); nullopt if none is pending.
    std::optional<QueuedSignal> take(std::uint64_t allowed);
    // Forgets every pending instance of `sig`.
    void discard(int sig);

private:
    std::uint64_t m_set = 0;
    std::deque<QueuedSignal> m_queue;
};

// --- sigaltstack (the process keeps Linux's sas_ss_sp/size/flags as a stack_t) ---
// Whether `sp` is on the alternate stack (Linux's on_sig_stack: never with SS_AUTODISARM).
bool on_sig_stack(const linux_abi::StackT& alt, std::uint64_t sp);
// The same without the SS_AUTODISARM exception (__on_sig_stack).
bool within_sig_stack(const linux_abi::StackT& alt, std::uint64_t sp);
// SS_DISABLE, SS_ONSTACK or 0 (sas_ss_flags).
std::int32_t sas_ss_flags(const linux_abi::StackT& alt, std::uint64_t sp);
// What sigaltstack() reports as the old setting, with `sp` the caller's stack pointer.
linux_abi::StackT report_alt_stack(const linux_abi::StackT& alt, std::uint64_t sp);
// Linux's do_sigaltstack for a new setting: EPERM while running on the alternate stack,
// EINVAL for a bad mode, ENOMEM for a stack smaller than MINSIGSTKSZ.
KResult<void> change_alt_stack(linux_abi::StackT& alt, const linux_abi::StackT& ss, std::uint64_t sp);
// The disabled alternate stack (sas_ss_reset).
inline constexpr linux_abi::StackT kNoAltStack{0, linux_abi::SS_DISABLE, 0, 0};

}  // namespace os::proc
