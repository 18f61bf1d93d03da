#include "tools/faultline/duration.h"

#include <charconv>

namespace tools {

std::optional<std::uint64_t> parse_duration_ns(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data())
        return std::nullopt;
    const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    std::uint64_t scale = 0;
    if (unit == "ns")
        scale = 1;
    else if (unit == "us")
        scale = 1'000;
    else if (unit == "ms")
        scale = 1'000'000;
    else if (unit == "s")
        scale = 1'000'000'000;
    else
        return std::nullopt;
    if (value > UINT64_MAX / scale)
        return std::nullopt;
    return value * scale;
}

}  // namespace tools
