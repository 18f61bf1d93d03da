#include "syscalls/trace_memory.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace syscalls::trace {

bool GuestMemory::read(std::uint64_t addr, void* dst, std::uint64_t n) const {
    return m_mm && m_mm->peek(addr, dst, n) == n;
}

std::optional<GuestMemory::String> GuestMemory::string(std::uint64_t addr, std::size_t max) const {
    if (!m_mm || !addr)
        return std::nullopt;
    std::string out;
    char chunk[256];
    while (out.size() < max) {
        // Up to the end of the page: the next one may not be resident while this one is.
        const std::uint64_t cur = addr + out.size();
        const std::uint64_t to_page_end = os::mm::kPageSize - (cur % os::mm::kPageSize);
        const std::uint64_t want = std::min<std::uint64_t>({sizeof(chunk), to_page_end, max - out.size()});
        const std::uint64_t got = m_mm->peek(cur, chunk, want);
        if (got == 0)
            return std::nullopt;
        const auto* nul = static_cast<const char*>(std::memchr(chunk, 0, got));
        if (nul) {
            out.append(chunk, static_cast<std::size_t>(nul - chunk));
            return String{std::move(out), false};
        }
        out.append(chunk, got);
    }
    // No NUL within `max`: shown truncated if there is more, whole if the NUL is next.
    char next = 0;
    const bool truncated = m_mm->peek(addr + out.size(), &next, 1) == 0 || next != 0;
    return String{std::move(out), truncated};
}

std::string quote(std::string_view bytes, bool truncated) {
    std::string out = "\"";
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        switch (c) {
        case '"': out += "\\\""; continue;
        case '\\': out += "\\\\"; continue;
        case '\f': out += "\\f"; continue;
        case '\n': out += "\\n"; continue;
        case '\r': out += "\\r"; continue;
        case '\t': out += "\\t"; continue;
        case '\v': out += "\\v"; continue;
        default: break;
        }
        if (c >= ' ' && c < 0x7f) {
            out += static_cast<char>(c);
            continue;
        }
        // Octal, as short as it can be unless an octal digit follows.
        out += '\\';
        const bool digit_follows = i + 1 < bytes.size() && bytes[i + 1] >= '0' && bytes[i + 1] <= '7';
        if (digit_follows || c >> 6)
            out += static_cast<char>('0' + (c >> 6));
        if (digit_follows || c >> 3)
            out += static_cast<char>('0' + ((c >> 3) & 7));
        out += static_cast<char>('0' + (c & 7));
    }
    out += '"';
    if (truncated)
        out += "...";
    return out;
}

std::string quote_hex(std::string_view bytes, bool truncated) {
    std::string out = "\"";
    for (const char c : bytes)
        out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    out += '"';
    if (truncated)
        out += "...";
    return out;
}

std::string pointer_text(std::uint64_t addr) { return addr ? fmt::format("{:#x}", addr) : "NULL"; }

std::string string_arg(const GuestMemory& mem, std::uint64_t addr, std::size_t max) {
    const auto s = mem.string(addr, max);
    return s ? quote(s->bytes, s->truncated) : pointer_text(addr);
}

std::string buffer_arg(const GuestMemory& mem, std::uint64_t addr, std::uint64_t len, Quote how) {
    if (!addr)
        return "NULL";
    const std::uint64_t shown = std::min<std::uint64_t>(len, kMaxStringBytes);
    std::string bytes(shown, '\0');
    if (!mem.read(addr, bytes.data(), shown))
        return pointer_text(addr);
    return how == Quote::Hex ? quote_hex(bytes, len > shown) : quote(bytes, len > shown);
}

}  // namespace syscalls::trace
