#include "syscalls/trace_result.h"

#include <fmt/format.h>

#include "syscalls/trace_flags.h"

namespace syscalls::trace {

std::string result_text(std::int64_t result, ResultKind kind) {
    if (is_error(result)) {
        const auto e = static_cast<Errno>(-result);
        const std::string_view name = linux_abi::errno_name(e);
        const std::string_view prefix = linux_abi::is_restart_code(e) ? "?" : "-1";
        if (name == "E?")
            return fmt::format("{} ERRNO_{} (Unknown error {})", prefix, -result, -result);
        return fmt::format("{} {} ({})", prefix, name, errno_message(e));
    }
    switch (kind) {
    case ResultKind::Hex: return fmt::format("{:#x}", static_cast<std::uint64_t>(result));
    case ResultKind::Octal: return octal_text(static_cast<std::uint64_t>(result));
    case ResultKind::FileStatusFlags:
        return result ? fmt::format("{:#x} (flags {})", result, open_flags_text(static_cast<std::uint64_t>(result)))
                      : "0 (flags O_RDONLY)";
    case ResultKind::DescriptorFlags:
        return result ? fmt::format("{:#x} (flags {})", result, result == 1 ? "FD_CLOEXEC" : "?") : "0";
    case ResultKind::Signal: return fmt::format("{} ({})", result, signal_text(static_cast<std::uint64_t>(result)));
    case ResultKind::Decimal: break;
    }
    return std::to_string(result);
}

}  // namespace syscalls::trace
