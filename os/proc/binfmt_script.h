// binfmt_script: executing a "#!" script (Linux's fs/binfmt_script.c). The first line
// names an interpreter and at most one optional argument; execve then runs the
// interpreter with argv [interpreter, argument?, script path, original argv[1..]].
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace os::proc {

// Linux's BINPRM_BUF_SIZE: how much of the file execve reads to recognise its format.
inline constexpr std::size_t kBinprmBufSize = 256;

struct ScriptLine {
    std::string interpreter;              // may be empty ("#!" followed by a NUL byte)
    std::optional<std::string> argument;  // everything after the name, ends trimmed
};

// Whether `head` (the start of a file) starts with "#!".
bool is_script(std::span<const std::byte> head);

// Parses the "#!" line in `head`, the first at most kBinprmBufSize bytes of the file, as
// load_script() does: bytes past the end of a shorter file read as NUL; spaces and tabs
// separate; the interpreter name ends at a space, tab or NUL; the optional argument is the
// rest of the line (internal blanks kept, trailing ones dropped, cut at a NUL). Without a
// newline in the buffer the name must still end within it (a possibly truncated name is
// refused), and the argument loses the buffer's last byte. The error (always ENOEXEC for
// execve) is a one-line reason.
std::expected<ScriptLine, std::string> parse_script_line(std::span<const std::byte> head);

// The argv the interpreter gets (remove_arg_zero, then the pushes of load_script):
// argv[0] is replaced by the interpreter name, the optional argument and `script_path`
// (the name the script was executed by).
std::vector<std::string> script_argv(const ScriptLine& line, const std::string& script_path,
                                     const std::vector<std::string>& argv);

}  // namespace os::proc
