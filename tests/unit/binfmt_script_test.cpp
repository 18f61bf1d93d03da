// Tests for the "#!" line parser and argv rewriting (os/proc/binfmt_script.h). The expected
// results are what Linux 6.18's execve did with the same first lines (checked natively with
// a program that prints its argv).
#include "os/proc/binfmt_script.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

using namespace std::string_literals;

namespace {

using os::proc::kBinprmBufSize;
using os::proc::parse_script_line;
using os::proc::script_argv;
using os::proc::ScriptLine;

// The first kBinprmBufSize bytes of a file holding `text`, as execve reads them.
std::vector<std::byte> head_of(const std::string& text) {
    std::vector<std::byte> out(std::min(text.size(), kBinprmBufSize));
    if (!out.empty())  // memcpy from an empty vector's null data() is undefined, even for 0 bytes
        std::memcpy(out.data(), text.data(), out.size());
    return out;
}

std::optional<ScriptLine> parse(const std::string& text) {
    auto line = parse_script_line(head_of(text));
    if (!line) {
        INFO("ENOEXEC: " << line.error());
        CHECK_FALSE(line.error().empty());
        return std::nullopt;
    }
    return *line;
}

void check_line(const std::string& text, const std::string& interpreter, std::optional<std::string> argument) {
    INFO("line: " << text);
    auto line = parse(text);
    REQUIRE(line.has_value());
    CHECK(line->interpreter == interpreter);
    CHECK(line->argument == argument);
}

void check_enoexec(const std::string& text) {
    INFO("line: " << text);
    CHECK_FALSE(parse(text).has_value());
}

}  // namespace

TEST_CASE("binfmt_script: interpreter and optional argument") {
    check_line("#!/bin/sh\n", "/bin/sh", std::nullopt);
    check_line("#!/bin/sh\necho hi\n", "/bin/sh", std::nullopt);
    check_line("#!/usr/bin/awk -f\n", "/usr/bin/awk", "-f");
    // Relative names are kept as written (resolved against the working directory later).
    check_line("#!sh\n", "sh", std::nullopt);
}

TEST_CASE("binfmt_script: blanks are spaces and tabs; the argument keeps its inner blanks") {
    check_line("#! /bin/sh  -a  b \t\n", "/bin/sh", "-a  b");
    check_line("#!\t/bin/sh\t-x\n", "/bin/sh", "-x");
    check_line("#!/bin/sh   \n", "/bin/sh", std::nullopt);
    check_line("#!/bin/sh \t \t\n", "/bin/sh", std::nullopt);
    // A carriage return is not a blank: after the name it is part of the name ...
    check_line("#!/bin/sh\r\n", "/bin/sh\r", std::nullopt);
    // ... and after an argument, part of the argument (only ' ' and '\t' are trimmed).
    check_line("#!/bin/sh -o\r\n", "/bin/sh", "-o\r");
}

TEST_CASE("binfmt_script: a file without a newline") {
    check_line("#!/bin/sh", "/bin/sh", std::nullopt);
    check_line("#!/bin/sh -o", "/bin/sh", "-o");
    check_line("#!/bin/sh -a\0"s, "/bin/sh", "-a");
    // Blanks and then the file's end: the name is the empty string at the end (not ENOEXEC:
    // Linux finds a "name" at the padding NUL).
    check_line("#!\t \t", "", std::nullopt);
}

TEST_CASE("binfmt_script: a NUL ends the line's strings") {
    check_line("#!/bin/sh\0junk -z\n"s, "/bin/sh", std::nullopt);
    check_line("#!/bin/sh -a\0b c\n"s, "/bin/sh", "-a");
    // An argument that starts at a NUL is empty (Linux passes "").
    check_line("#!/bin/sh \0\n"s, "/bin/sh", "");
    // "#!" then NUL: an empty name (open_exec("") opens the working directory: EACCES).
    check_line("#!\0"s, "", std::nullopt);
    check_line("#!"s, "", std::nullopt);
}

TEST_CASE("binfmt_script: ENOEXEC without an interpreter name") {
    check_enoexec("#!\n");
    check_enoexec("#!   \n");
    check_enoexec("#!" + std::string(300, ' '));
    check_enoexec("not a script\n");
    check_enoexec("#");
    check_enoexec("");
}

TEST_CASE("binfmt_script: lines longer than BINPRM_BUF_SIZE") {
    // The name runs past the buffer: it may be truncated, so the script is refused.
    check_enoexec("#!/bin/sh" + std::string(300, '0') + "\n");
    // The name ends inside the buffer: the argument is cut, losing the buffer's last byte.
    const std::string arg(300, '0');
    const std::string text = "#!/bin/sh " + arg + "\n";
    const std::size_t kept = kBinprmBufSize - 1 - std::strlen("#!/bin/sh ");
    check_line(text, "/bin/sh", arg.substr(0, kept));
    // Blanks up to the buffer's end, then more: no argument.
    check_line("#!/bin/sh" + std::string(250, ' ') + "x\n", "/bin/sh", std::nullopt);
    check_line("#!/bin/sh" + std::string(300, ' ') + "\n", "/bin/sh", std::nullopt);
    // A newline exactly in the last byte counts.
    const std::string name = "/" + std::string(kBinprmBufSize - 4, 'n');
    check_line("#!" + name + "\n", name, std::nullopt);
}

TEST_CASE("binfmt_script: argv becomes interpreter, argument, script path, argv[1..]") {
    const ScriptLine with_arg{"/usr/bin/awk", "-f"};
    CHECK(script_argv(with_arg, "./prog.awk", {"prog", "x", "y"}) ==
          std::vector<std::string>{"/usr/bin/awk", "-f", "./prog.awk", "x", "y"});
    const ScriptLine plain{"/bin/sh", std::nullopt};
    CHECK(script_argv(plain, "/tmp/s", {"anything"}) == std::vector<std::string>{"/bin/sh", "/tmp/s"});
    // execve turned an empty argv into {""}; an empty list is treated the same.
    CHECK(script_argv(plain, "/tmp/s", {}) == std::vector<std::string>{"/bin/sh", "/tmp/s"});
    // argv[0] is dropped whatever it was: the script path comes from execve's path.
    CHECK(script_argv(plain, "/tmp/s", {"", "", "z"}) == std::vector<std::string>{"/bin/sh", "/tmp/s", "", "z"});
}
