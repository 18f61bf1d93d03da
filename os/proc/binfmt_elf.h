// binfmt_elf: executing an ELF program (Linux's load_elf_binary in fs/binfmt_elf.c), in
// its two halves: everything that can still fail with an error for execve to return
// (parsing the program, opening and checking its interpreter), then, past the point of no
// return, mapping both into a new address space.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "os/mm/address_space.h"
#include "os/mm/page_cache.h"
#include "os/proc/elf_image.h"
#include "os/proc/exec.h"

namespace os::proc {

struct ElfBinary {
    ElfImage program;
    std::shared_ptr<mm::CachedFile> file;
    std::optional<ElfImage> interp;  // the PT_INTERP program, if any
    std::shared_ptr<mm::CachedFile> interp_file;
};

// Where the loaded program starts, for the registers and the auxiliary vector.
struct LoadedElf {
    std::uint64_t start = 0;        // initial RIP: the interpreter's entry, or the program's
    std::uint64_t entry = 0;        // AT_ENTRY: the program's entry
    std::uint64_t phdr = 0;         // AT_PHDR of the program
    std::uint16_t phnum = 0, phent = 0;
    std::uint64_t interp_base = 0;  // AT_BASE
};

bool is_elf(std::span<const std::byte> head);

// Parses the program in `file` and, when it names one, opens its interpreter (in `root`,
// through `dirfd`, with open_exec's checks) and attaches it (attach_interpreter).
std::expected<ElfBinary, ExecFailure> prepare_elf_binary(mm::PageCache& cache, const fs::Root& root, int dirfd,
                                                         std::shared_ptr<mm::CachedFile> file);

// The two halves of prepare_elf_binary, for callers that have the interpreter's file at
// hand (tests, tests/fuzz/elf_exec_fuzz.cpp). parse_elf_binary: ENOEXEC with parse_elf's
// message unless `file` is a valid ELF program; the interpreter is not looked at.
std::expected<ElfBinary, ExecFailure> parse_elf_binary(std::shared_ptr<mm::CachedFile> file);
// Checks `interp_file` as load_elf_binary checks the program's interpreter before the point
// of no return: ELIBBAD unless it is an x86-64 ELF file whose program headers can be read,
// EIO when it is too short to hold an ELF header. An interpreter Linux would only refuse
// later (a wrong e_type, bad segments) is a failure past the point of no return.
std::expected<void, ExecFailure> attach_interpreter(ElfBinary& binary, std::shared_ptr<mm::CachedFile> interp_file);

// Maps the program and its interpreter into `mm` and sets its brk (load_elf_binary after
// begin_new_exec, up to create_elf_tables).
KResult<LoadedElf> load_elf_binary(mm::AddressSpace& mm, const ElfBinary& binary);

}  // namespace os::proc
