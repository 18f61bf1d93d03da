// The initial process stack, laid out as Linux's execve leaves it (fs/exec.c and
// create_elf_tables() in fs/binfmt_elf.c): strings at the top, then the platform string
// and AT_RANDOM bytes, then argc, argv[], envp[] and the auxiliary vector, 16-byte aligned.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "os/mm/address_space.h"
#include "os/result.h"

namespace os::proc {

struct Credentials {
    std::uint32_t uid = 0, euid = 0, gid = 0, egid = 0;
};

struct StackImage {
    std::string execfn;  // the path as given to execve (AT_EXECFN)
    std::vector<std::string> argv;
    std::vector<std::string> envp;
    std::uint64_t entry = 0;     // AT_ENTRY
    std::uint64_t phdr = 0;      // AT_PHDR
    std::uint16_t phnum = 0;     // AT_PHNUM
    std::uint16_t phent = 56;    // AT_PHENT
    std::uint64_t interp_base = 0;  // AT_BASE
    std::uint32_t hwcap = 0;     // AT_HWCAP
    Credentials creds;
    std::array<std::uint8_t, 16> random{};  // AT_RANDOM bytes
    std::uint64_t stack_limit = 8ull << 20;  // RLIMIT_STACK (soft) of the exec'ing process
    // arg_string_budget() of the argument counts execve was given (a "#!" script adds
    // arguments later, which Linux does not count again); 0: computed from argv and envp.
    std::uint64_t string_budget = 0;
};

// Linux: the stack VMA extends 128 KiB below the argument pages at exec.
inline constexpr std::uint64_t kStackExpand = 128 * 1024;
// Linux's MAX_ARG_STRLEN: the longest argument or environment string, its NUL included.
inline constexpr std::uint64_t kMaxArgStrlen = 32 * mm::kPageSize;
// Linux's ARG_MAX: the string space allowed whatever the stack limit.
inline constexpr std::uint64_t kArgMax = 32 * mm::kPageSize;
// Linux's _STK_LIM, the default RLIMIT_STACK: its 3/4 caps the string space.
inline constexpr std::uint64_t kStkLim = 8ull << 20;

// bprm_stack_limits(): how many bytes of strings (the exec path, envp and argv, each with
// its NUL) execve may copy for `argc` arguments and `envc` environment strings, as given
// to execve: a quarter of the stack limit, at most 3/4 of _STK_LIM, at least ARG_MAX,
// minus the pointers to them (an empty argv counts as one). E2BIG when nothing is left.
KResult<std::uint64_t> arg_string_budget(std::size_t argc, std::size_t envc, std::uint64_t stack_limit);

// copy_strings(): E2BIG if a string is longer than MAX_ARG_STRLEN, if the strings need
// more than `budget` bytes, or if the pages holding them would make the stack bigger than
// `stack_limit` (the stack VMA's growth limit while they are copied).
KResult<void> check_arg_strings(std::uint64_t budget, std::uint64_t stack_limit, const std::string& execfn,
                                const std::vector<std::string>& argv, const std::vector<std::string>& envp);

// Creates the stack VMA below mm::kUserTop, writes the image and returns the initial RSP.
// E2BIG when argv and envp do not fit (arg_string_budget, check_arg_strings).
KResult<std::uint64_t> build_initial_stack(mm::AddressSpace& mm, const StackImage& image);

}  // namespace os::proc
