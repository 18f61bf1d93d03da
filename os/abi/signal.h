// Linux signal numbers and si_codes (x86-64) as the guest sees them.
#pragma once

#include <cstdint>
#include <string_view>

namespace linux_abi {

enum class Signal : int {
    sighup = 1, sigint = 2, sigquit = 3, sigill = 4, sigtrap = 5, sigabrt = 6, sigbus = 7,
    sigfpe = 8, sigkill = 9, sigusr1 = 10, sigsegv = 11, sigusr2 = 12, sigpipe = 13,
    sigalrm = 14, sigterm = 15, sigstkflt = 16, sigchld = 17, sigcont = 18, sigstop = 19,
    sigtstp = 20, sigttin = 21, sigttou = 22, sigurg = 23, sigxcpu = 24, sigxfsz = 25,
    sigvtalrm = 26, sigprof = 27, sigwinch = 28, sigio = 29, sigpwr = 30, sigsys = 31,
};

inline constexpr int kNumSignals = 64;  // _NSIG

constexpr std::string_view signal_name(int sig) {
    constexpr std::string_view names[] = {
        "0",       "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE",  "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",   "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU", "SIGURG",
        "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGIO",   "SIGPWR",  "SIGSYS",
    };
    if (sig > 0 && sig < 32)
        return names[sig];
    return sig >= 32 && sig <= kNumSignals ? "SIGRT" : "SIG?";
}

// si_code values for SIGSEGV / SIGBUS / SIGILL / SIGFPE / SIGTRAP.
inline constexpr int SI_KERNEL = 0x80;
inline constexpr int SEGV_MAPERR = 1;
inline constexpr int SEGV_ACCERR = 2;
inline constexpr int BUS_ADRERR = 2;
inline constexpr int ILL_ILLOPN = 2;
inline constexpr int FPE_INTDIV = 1;
inline constexpr int TRAP_BRKPT = 1;

// struct kernel_sigaction as rt_sigaction passes it on x86-64.
struct KernelSigaction {
    std::uint64_t handler;
    std::uint64_t flags;
    std::uint64_t restorer;
    std::uint64_t mask;
};

inline constexpr std::uint64_t SIG_DFL = 0;
inline constexpr std::uint64_t SIG_IGN = 1;

}  // namespace linux_abi
