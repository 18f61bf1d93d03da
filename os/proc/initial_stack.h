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
};

// Linux: the stack VMA extends 128 KiB below the argument pages at exec.
inline constexpr std::uint64_t kStackExpand = 128 * 1024;
// Linux's limit on the argument and environment strings together (MAX_ARG_STRLEN aside):
// a quarter of RLIMIT_STACK.
inline constexpr std::uint64_t kMaxArgBytes = (8ull << 20) / 4;

// Creates the stack VMA below mm::kUserTop, writes the image and returns the initial RSP.
// E2BIG when argv and envp do not fit.
KResult<std::uint64_t> build_initial_stack(mm::AddressSpace& mm, const StackImage& image);

}  // namespace os::proc
