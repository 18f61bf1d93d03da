#include "os/trace/signal_text.h"

#include <fmt/format.h>

#include <bit>
#include <string_view>

namespace os::trace {

namespace {

using linux_abi::Signal;

constexpr int sig(Signal s) { return static_cast<int>(s); }

// si_code names shared by every signal (include/uapi/asm-generic/siginfo.h).
std::string_view generic_code_name(int code) {
    switch (code) {
    case 0: return "SI_USER";
    case 0x80: return "SI_KERNEL";
    case -1: return "SI_QUEUE";
    case -2: return "SI_TIMER";
    case -3: return "SI_MESGQ";
    case -4: return "SI_ASYNCIO";
    case -5: return "SI_SIGIO";
    case -6: return "SI_TKILL";
    case -7: return "SI_DETHREAD";
    case -60: return "SI_ASYNCNL";
    default: return {};
    }
}

// si_code names a signal gives its own positive codes.
std::string_view signal_code_name(int signo, int code) {
    static constexpr std::string_view ill[] = {"ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP",
                                               "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK"};
    static constexpr std::string_view fpe[] = {"FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF",
                                               "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB"};
    static constexpr std::string_view segv[] = {"SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR"};
    static constexpr std::string_view bus[] = {"BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR",
                                               "BUS_MCEERR_AO"};
    static constexpr std::string_view trap[] = {"TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT"};
    static constexpr std::string_view chld[] = {"CLD_EXITED",  "CLD_KILLED",  "CLD_DUMPED",
                                                "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"};
    static constexpr std::string_view poll[] = {"POLL_IN", "POLL_OUT", "POLL_MSG", "POLL_ERR", "POLL_PRI",
                                                "POLL_HUP"};
    auto pick = [code](const auto& names) -> std::string_view {
        return code >= 1 && static_cast<std::size_t>(code) <= std::size(names) ? names[code - 1] : std::string_view{};
    };
    switch (static_cast<Signal>(signo)) {
    case Signal::sigill: return pick(ill);
    case Signal::sigfpe: return pick(fpe);
    case Signal::sigsegv: return pick(segv);
    case Signal::sigbus: return pick(bus);
    case Signal::sigtrap: return pick(trap);
    case Signal::sigchld: return pick(chld);
    case Signal::sigio: return pick(poll);
    default: return {};
    }
}

bool is_fault_signal(int signo) {
    return signo == sig(Signal::sigill) || signo == sig(Signal::sigfpe) || signo == sig(Signal::sigsegv) ||
           signo == sig(Signal::sigbus) || signo == sig(Signal::sigtrap);
}

std::string address_text(std::uint64_t addr) { return addr ? fmt::format("{:#x}", addr) : "NULL"; }

}  // namespace

std::string signal_name(int signo) {
    if (signo > 0 && signo < 32)
        return std::string(linux_abi::signal_name(signo));
    if (signo == 32)
        return "SIGRTMIN";
    if (signo > 32 && signo <= linux_abi::kNumSignals)
        return fmt::format("SIGRT_{}", signo - 32);
    return std::to_string(signo);
}

std::string sigset_text(std::uint64_t mask) {
    // strace prints the complement once more than two thirds of the 64 signals are in it.
    std::string out;
    if (std::popcount(mask) >= 42) {
        out = "~";
        mask = ~mask;
    }
    out += '[';
    bool first = true;
    for (int s = 1; s <= linux_abi::kNumSignals; ++s) {
        if (!(mask & (std::uint64_t{1} << (s - 1))))
            continue;
        if (!first)
            out += ' ';
        first = false;
        out += std::string_view(signal_name(s)).substr(3);
    }
    out += ']';
    return out;
}

std::string siginfo_text(const linux_abi::SigInfo& info) {
    std::string out = fmt::format("{{si_signo={}, si_code=", signal_name(info.signo));
    std::string_view code = info.code > 0 && info.code != linux_abi::SI_KERNEL
                                ? signal_code_name(info.signo, info.code)
                                : generic_code_name(info.code);
    out += code.empty() ? std::to_string(info.code) : std::string(code);
    const auto& f = info.fields;
    if (info.code <= 0) {
        out += fmt::format(", si_pid={}, si_uid={}", f.kill.pid, f.kill.uid);
        if (info.code == linux_abi::SI_QUEUE)
            out += fmt::format(", si_int={}, si_ptr={:#x}", static_cast<std::int32_t>(f.kill.value), f.kill.value);
    } else if (info.signo == sig(Signal::sigchld) && info.code != linux_abi::SI_KERNEL) {
        const bool by_signal = info.code == 2 || info.code == 3;  // CLD_KILLED, CLD_DUMPED
        out += fmt::format(", si_pid={}, si_uid={}, si_status={}, si_utime={}, si_stime={}", f.chld.pid, f.chld.uid,
                           by_signal ? signal_name(f.chld.status) : std::to_string(f.chld.status), f.chld.utime,
                           f.chld.stime);
    } else if (is_fault_signal(info.signo)) {
        out += ", si_addr=" + address_text(f.fault.addr);
    }
    out += '}';
    return out;
}

std::string exit_text(const proc::ExitState& state) {
    if (!state.signal)
        return fmt::format("exited with {}", state.status);
    return fmt::format("killed by {}{}", signal_name(state.signal), state.core_dumped ? " (core dumped)" : "");
}

}  // namespace os::trace
