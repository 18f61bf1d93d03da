// Parsing of memory sizes on the command line: "512M", "16m", "1G", "4096K", "65536".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tools {

std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace tools
