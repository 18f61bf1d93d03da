// ElfImage: the validated description of what an x86-64 ELF executable asks to be loaded.
// Pure parsing, no address space: the loader consumes an ElfImage and does the mapping.
//
// Everything in an ElfImage has been checked against the file it came from, so the loader can
// trust it without re-validating (see the invariants on each field).
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "os/abi/elf.h"

namespace os::proc {

// One PT_LOAD segment with a non-zero p_memsz (Linux skips empty ones, so do we).
// Invariants: 0 < memsz; filesz <= memsz; offset + filesz <= file size (no overflow);
// vaddr + memsz <= os::mm::kUserTop (no overflow); page_offset(vaddr) == page_offset(offset).
// Bytes [filesz, memsz) are zero-filled (bss). `align` is p_align as written; Linux ignores a
// value that is not a power of two, and so should the loader.
struct ElfSegment {
    std::uint64_t vaddr = 0, memsz = 0, offset = 0, filesz = 0;
    std::uint32_t flags = 0;  // PF_R | PF_W | PF_X
    std::uint64_t align = 0;
};

struct ElfImage {
    linux_abi::Elf64_Ehdr header{};
    bool is_dyn = false;  // ET_DYN (PIE / static-PIE / shared object): the loader picks a bias
    std::uint64_t entry = 0;  // e_entry, unbiased; inside an executable segment of `loads`

    // PT_LOAD in file order, which is ascending vaddr order. Never empty. The byte ranges
    // [vaddr, vaddr + memsz) do not overlap, but consecutive segments may share a boundary
    // page (the usual layout of the RW segment). Linux maps the segments in order, so on such
    // a page the later segment's file page and protection replace the earlier one's.
    std::vector<ElfSegment> loads;

    std::optional<std::string> interpreter;  // PT_INTERP path, NUL stripped; non-empty

    // Unbiased vaddr of the program header table in memory (for AT_PHDR): PT_PHDR's p_vaddr
    // (checked to lie in the file-backed part of a PT_LOAD), or else derived from the PT_LOAD
    // whose file bytes contain the whole table; 0 if the table is not mapped.
    std::uint64_t phdr_vaddr = 0;
    std::uint16_t phnum = 0;      // for AT_PHNUM; 1..kMaxPhnum
    std::uint16_t phentsize = 0;  // for AT_PHENT; always sizeof(Elf64_Phdr)

    // PT_GNU_STACK has PF_X. When PT_GNU_STACK is absent this is false: since Linux 5.8 a
    // 64-bit x86 process without PT_GNU_STACK gets a non-executable stack (the "exec-none"
    // row of the table in arch/x86/include/asm/elf.h).
    bool exec_stack = false;

    std::uint64_t min_vaddr() const;  // page-rounded-down lowest PT_LOAD vaddr
    std::uint64_t max_vaddr() const;  // page-rounded-up highest vaddr + memsz
    std::uint64_t brk_start() const;  // page-rounded-up end of the highest PT_LOAD, unbiased
};

struct ElfError {
    // One line, human readable. parse_elf's messages do not name the file; read_elf_file's
    // start with "<path>: ".
    std::string message;
};

// Hard limits. Linux allows up to 65536 / sizeof(Elf64_Phdr) = 1170 program headers; real
// executables have about a dozen, so a round 1024 loses nothing.
inline constexpr std::uint16_t kMaxPhnum = 1024;
inline constexpr std::uint64_t kMaxInterpPath = 4096;  // PATH_MAX, including the NUL, as Linux
inline constexpr std::uint64_t kMaxElfFileSize = 1ull << 30;  // read_elf_file's cap

// Parses and validates `file_bytes`, the whole file. Never reads outside the span, never
// allocates more than O(e_phnum + PT_INTERP size), never throws except std::bad_alloc.
std::expected<ElfImage, ElfError> parse_elf(std::span<const std::byte> file_bytes);

// Reads a host file (refusing non-regular files, files over kMaxElfFileSize and unreadable
// ones), then parse_elf. The error message names the path.
std::expected<ElfImage, ElfError> read_elf_file(const std::string& path);

}  // namespace os::proc
