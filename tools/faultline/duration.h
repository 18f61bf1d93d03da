// Parsing of durations on the command line: "10ms", "500us", "2s", "250000ns".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tools {

// Nanoseconds, or nullopt for anything that is not a number followed by ns, us, ms or s.
std::optional<std::uint64_t> parse_duration_ns(std::string_view text);

}  // namespace tools
