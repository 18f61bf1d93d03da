#include "tools/faultline/limit_spec.h"

#include <algorithm>
#include <charconv>

#include "tools/faultline/size.h"

namespace tools {

namespace {

constexpr std::uint64_t kPageSize = 4096;

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One SIZE of a limit, in pages.
std::expected<std::uint64_t, std::string> limit_pages(std::string_view what, std::string_view text) {
    const auto bytes = parse_size(text);
    if (!bytes)
        return std::unexpected(std::string(what) + " needs a size (like 64M), not '" + std::string(text) + "'");
    if (*bytes < kPageSize)
        return std::unexpected(std::string(what) + " " + std::string(text) + ": less than one page (4K)");
    return *bytes / kPageSize;
}

}  // namespace

std::expected<os::mm::MemcgRule, std::string> parse_limit_spec(std::string_view text) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos)
        return std::unexpected("'" + std::string(text) + "': expected PID:SIZE or NAME:SIZE, like 2:64M or sort:8M");
    const std::string_view who = text.substr(0, colon);
    const std::string_view limits = text.substr(colon + 1);
    os::mm::MemcgRule rule;
    rule.text = std::string(text);
    if (all_digits(who)) {
        const auto [end, ec] = std::from_chars(who.data(), who.data() + who.size(), rule.pid);
        if (ec != std::errc() || rule.pid < 2)
            return std::unexpected("'" + std::string(who) +
                                   "': not a guest's pid (the program faultline runs is pid 2, its children 3, ...)");
    } else if (who.empty() || who.find('/') != std::string_view::npos) {
        return std::unexpected("'" + std::string(who) + "': expected a pid or a program name (without '/')");
    } else {
        rule.name = std::string(who);
    }
    if (limits.find('=') == std::string_view::npos) {
        auto max = limit_pages("the limit", limits);
        if (!max)
            return std::unexpected("'" + std::string(text) + "': " + max.error());
        rule.limits.max_pages = *max;
        return rule;
    }
    std::size_t start = 0;
    while (start <= limits.size()) {
        std::size_t end = limits.find(',', start);
        if (end == std::string_view::npos)
            end = limits.size();
        const std::string_view item = limits.substr(start, end - start);
        const std::size_t eq = item.find('=');
        const std::string_view key = item.substr(0, eq);
        if (eq == std::string_view::npos || (key != "max" && key != "high"))
            return std::unexpected("'" + std::string(text) + "': unknown limit '" + std::string(item) +
                                   "' (expected SIZE, max=SIZE or high=SIZE)");
        auto pages = limit_pages(key, item.substr(eq + 1));
        if (!pages)
            return std::unexpected("'" + std::string(text) + "': " + pages.error());
        (key == "max" ? rule.limits.max_pages : rule.limits.high_pages) = *pages;
        start = end + 1;
    }
    return rule;
}

}  // namespace tools
