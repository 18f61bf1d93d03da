// A syscall's result as the trace shows it after "= ".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "os/abi/errno.h"

namespace syscalls::trace {

using linux_abi::Errno;

// How a successful result reads: most are numbers; addresses (mmap, brk) are hex; umask's
// old mask is octal; fcntl's F_GETFL and F_GETFD flags are named ("0x8002 (flags O_RDWR|...)"),
// rt_sigtimedwait's signal too ("10 (SIGUSR1)").
enum class ResultKind : std::uint8_t { Decimal, Hex, Octal, FileStatusFlags, DescriptorFlags, Signal };

// The C library's message for `e` (strace's own for the kernel-internal restart codes).
std::string_view errno_message(Errno e);
// "3", "0x7f0000001000", "-1 ENOENT (No such file or directory)", and for a syscall a
// signal interrupted "? ERESTARTSYS (To be restarted if SA_RESTART is set)".
std::string result_text(std::int64_t result, ResultKind kind);
// Whether `result` is an error (-4095..-1, as the C library decides).
constexpr bool is_error(std::int64_t result) { return result < 0 && result >= -4095; }

}  // namespace syscalls::trace
