// Signals and process ends written as strace writes them, for the syscall trace: names,
// sets, siginfo, and the "+++ exited with N +++" line's text.
#pragma once

#include <cstdint>
#include <string>

#include "os/abi/signal.h"
#include "os/proc/process.h"

namespace os::trace {

// "SIGCHLD"; real-time signals are "SIGRTMIN" (32) and "SIGRT_n" (32 + n); the number for
// anything else.
std::string signal_name(int sig);
// A signal mask (bit n-1 for signal n) as strace prints it: "[INT CHLD]", "[]", or the
// complement "~[RTMIN RT_1]" when most signals are in it.
std::string sigset_text(std::uint64_t mask);
// "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=3, si_uid=1000, si_status=0, ...}".
std::string siginfo_text(const linux_abi::SigInfo& info);
// "exited with 0", "killed by SIGSEGV", "killed by SIGABRT (core dumped)".
std::string exit_text(const proc::ExitState& state);

}  // namespace os::trace
