// Signal default actions (signal(7)) and the per-process pending set.
#pragma once

#include <cstdint>

namespace os::proc {

enum class DefaultAction : std::uint8_t { Terminate, CoreDump, Ignore, Stop, Continue };

DefaultAction default_action(int sig);

constexpr std::uint64_t signal_bit(int sig) { return 1ull << (sig - 1); }

}  // namespace os::proc
