#include "tools/faultline/size.h"

#include <cctype>
#include <charconv>

namespace tools {

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data())
        return std::nullopt;
    std::string_view suffix(end, text.data() + text.size() - end);
    unsigned shift = 0;
    if (suffix.size() == 2 && std::tolower(static_cast<unsigned char>(suffix[1])) == 'b')
        suffix.remove_suffix(1);  // "16MB", "1GB"
    if (suffix.size() > 1)
        return std::nullopt;
    if (!suffix.empty()) {
        switch (std::tolower(static_cast<unsigned char>(suffix[0]))) {
        case 'b': shift = 0; break;
        case 'k': shift = 10; break;
        case 'm': shift = 20; break;
        case 'g': shift = 30; break;
        case 't': shift = 40; break;
        default: return std::nullopt;
        }
    }
    if (shift && value > (~std::uint64_t{0} >> shift))
        return std::nullopt;
    return value << shift;
}

}  // namespace tools
