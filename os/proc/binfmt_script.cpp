// The "#!" parser follows load_script() in Linux's fs/binfmt_script.c step by step, on
// indices into a NUL-padded copy of the buffer, so that its corner cases (a NUL inside the
// line, no newline within 256 bytes, blank-only lines) come out the same.
#include "os/proc/binfmt_script.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace os::proc {

namespace {

using Buf = std::array<char, kBinprmBufSize>;

bool spacetab(char c) { return c == ' ' || c == '\t'; }

// The first index in [first, last] that is not a space or tab.
std::optional<std::size_t> next_non_spacetab(const Buf& buf, std::size_t first, std::size_t last) {
    for (; first <= last; ++first)
        if (!spacetab(buf[first]))
            return first;
    return std::nullopt;
}

// The first index in [first, last] holding a space, a tab or a NUL.
std::optional<std::size_t> next_terminator(const Buf& buf, std::size_t first, std::size_t last) {
    for (; first <= last; ++first)
        if (spacetab(buf[first]) || buf[first] == '\0')
            return first;
    return std::nullopt;
}

// strnchr(buf, sizeof buf, '\n'): stops at the first NUL.
std::optional<std::size_t> find_newline(const Buf& buf) {
    for (std::size_t i = 0; i < buf.size() && buf[i] != '\0'; ++i)
        if (buf[i] == '\n')
            return i;
    return std::nullopt;
}

// The C string starting at `at` (it ends at a NUL: buf.back() is always set to one).
std::string c_string(const Buf& buf, std::size_t at) { return std::string(buf.data() + at); }

}  // namespace

bool is_script(std::span<const std::byte> head) {
    return head.size() >= 2 && head[0] == std::byte{'#'} && head[1] == std::byte{'!'};
}

std::expected<ScriptLine, std::string> parse_script_line(std::span<const std::byte> head) {
    if (!is_script(head))
        return std::unexpected("does not start with #!");
    Buf buf{};
    std::memcpy(buf.data(), head.data(), std::min(head.size(), buf.size()));
    const std::size_t buf_end = buf.size() - 1;

    // Without a newline the interpreter name must end within the buffer: a name cut off
    // by the buffer's end would run the wrong program.
    std::size_t i_end = 0;
    if (auto newline = find_newline(buf)) {
        i_end = *newline;
    } else {
        auto start = next_non_spacetab(buf, 2, buf_end);
        if (!start)
            return std::unexpected("#! line is blank");
        if (!next_terminator(buf, *start, buf_end))
            return std::unexpected("#! line is longer than " + std::to_string(kBinprmBufSize) +
                                   " bytes (interpreter name truncated)");
        i_end = buf_end;
    }
    while (spacetab(buf[i_end - 1]))  // buf[1] is '!', so this stops at 2
        --i_end;

    const auto i_name = next_non_spacetab(buf, 2, i_end);
    if (!i_name || *i_name == i_end)
        return std::unexpected("#! line names no interpreter");
    std::optional<std::size_t> i_arg;
    const auto i_sep = next_terminator(buf, *i_name, i_end);
    if (i_sep && buf[*i_sep] != '\0')
        i_arg = next_non_spacetab(buf, *i_sep, i_end);

    buf[i_end] = '\0';
    ScriptLine line;
    if (i_arg) {
        buf[*i_sep] = '\0';
        line.argument = c_string(buf, *i_arg);
    }
    line.interpreter = c_string(buf, *i_name);
    return line;
}

std::vector<std::string> script_argv(const ScriptLine& line, const std::string& script_path,
                                     const std::vector<std::string>& argv) {
    std::vector<std::string> out;
    out.reserve(argv.size() + 2);
    out.push_back(line.interpreter);
    if (line.argument)
        out.push_back(*line.argument);
    out.push_back(script_path);
    if (!argv.empty())
        out.insert(out.end(), argv.begin() + 1, argv.end());
    return out;
}

}  // namespace os::proc
