// The guest's ELF64 ABI (x86-64 Linux): file structures and the constants the loader and the
// initial stack (auxv) need. ABI, never changes.
//
// This is deliberately not the host <elf.h>: the guest ABI lives in its own namespace. glibc's
// <elf.h> (also pulled in by <link.h> and <sys/auxv.h>) defines these names as macros, which
// would silently rewrite the declarations below, so mixing the two in one translation unit is
// refused up front with a readable message.
#pragma once

#include <cstdint>

#if defined(ET_EXEC) || defined(PT_LOAD) || defined(AT_NULL) || defined(EM_X86_64)
#error "os/abi/elf.h conflicts with the host <elf.h> macros; do not include both in one file"
#endif

namespace linux_abi {

using Elf64_Addr = std::uint64_t;
using Elf64_Off = std::uint64_t;
using Elf64_Half = std::uint16_t;
using Elf64_Word = std::uint32_t;
using Elf64_Sword = std::int32_t;
using Elf64_Xword = std::uint64_t;
using Elf64_Sxword = std::int64_t;

inline constexpr unsigned EI_NIDENT = 16;

struct Elf64_Ehdr {
    unsigned char e_ident[EI_NIDENT];
    Elf64_Half e_type;
    Elf64_Half e_machine;
    Elf64_Word e_version;
    Elf64_Addr e_entry;
    Elf64_Off e_phoff;
    Elf64_Off e_shoff;
    Elf64_Word e_flags;
    Elf64_Half e_ehsize;
    Elf64_Half e_phentsize;
    Elf64_Half e_phnum;
    Elf64_Half e_shentsize;
    Elf64_Half e_shnum;
    Elf64_Half e_shstrndx;
};
static_assert(sizeof(Elf64_Ehdr) == 64);

struct Elf64_Phdr {
    Elf64_Word p_type;
    Elf64_Word p_flags;
    Elf64_Off p_offset;
    Elf64_Addr p_vaddr;
    Elf64_Addr p_paddr;
    Elf64_Xword p_filesz;
    Elf64_Xword p_memsz;
    Elf64_Xword p_align;
};
static_assert(sizeof(Elf64_Phdr) == 56);

// e_ident indices and values.
inline constexpr unsigned EI_MAG0 = 0;  // "\x7f" "ELF" in bytes 0..3
inline constexpr unsigned EI_CLASS = 4;
inline constexpr unsigned EI_DATA = 5;
inline constexpr unsigned EI_VERSION = 6;
inline constexpr unsigned EI_OSABI = 7;
inline constexpr unsigned EI_ABIVERSION = 8;
inline constexpr unsigned char ELFMAG[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr unsigned char ELFCLASS32 = 1;
inline constexpr unsigned char ELFCLASS64 = 2;
inline constexpr unsigned char ELFDATA2LSB = 1;
inline constexpr unsigned char ELFDATA2MSB = 2;
inline constexpr unsigned char EV_CURRENT = 1;  // both e_ident[EI_VERSION] and e_version

// e_type.
inline constexpr Elf64_Half ET_NONE = 0;
inline constexpr Elf64_Half ET_REL = 1;
inline constexpr Elf64_Half ET_EXEC = 2;
inline constexpr Elf64_Half ET_DYN = 3;
inline constexpr Elf64_Half ET_CORE = 4;

// e_machine: only x86-64 runs; the others exist to name them in error messages.
inline constexpr Elf64_Half EM_NONE = 0;
inline constexpr Elf64_Half EM_SPARC = 2;
inline constexpr Elf64_Half EM_386 = 3;
inline constexpr Elf64_Half EM_MIPS = 8;
inline constexpr Elf64_Half EM_PPC = 20;
inline constexpr Elf64_Half EM_PPC64 = 21;
inline constexpr Elf64_Half EM_S390 = 22;
inline constexpr Elf64_Half EM_ARM = 40;
inline constexpr Elf64_Half EM_SPARCV9 = 43;
inline constexpr Elf64_Half EM_IA_64 = 50;
inline constexpr Elf64_Half EM_X86_64 = 62;
inline constexpr Elf64_Half EM_AARCH64 = 183;
inline constexpr Elf64_Half EM_RISCV = 243;
inline constexpr Elf64_Half EM_LOONGARCH = 258;

// e_phnum == PN_XNUM means "the real count is in section header 0": never valid for exec.
inline constexpr Elf64_Half PN_XNUM = 0xffff;

// p_type.
inline constexpr Elf64_Word PT_NULL = 0;
inline constexpr Elf64_Word PT_LOAD = 1;
inline constexpr Elf64_Word PT_DYNAMIC = 2;
inline constexpr Elf64_Word PT_INTERP = 3;
inline constexpr Elf64_Word PT_NOTE = 4;
inline constexpr Elf64_Word PT_SHLIB = 5;
inline constexpr Elf64_Word PT_PHDR = 6;
inline constexpr Elf64_Word PT_TLS = 7;
inline constexpr Elf64_Word PT_GNU_EH_FRAME = 0x6474e550;
inline constexpr Elf64_Word PT_GNU_STACK = 0x6474e551;
inline constexpr Elf64_Word PT_GNU_RELRO = 0x6474e552;
inline constexpr Elf64_Word PT_GNU_PROPERTY = 0x6474e553;

// p_flags.
inline constexpr Elf64_Word PF_X = 1;
inline constexpr Elf64_Word PF_W = 2;
inline constexpr Elf64_Word PF_R = 4;

// Auxiliary vector types (include/uapi/linux/auxvec.h, arch/x86/include/uapi/asm/auxvec.h).
// 18..22 are reserved (PowerPC cache geometry); AT_SYSINFO (32) is ia32-only.
inline constexpr std::uint64_t AT_NULL = 0;
inline constexpr std::uint64_t AT_IGNORE = 1;
inline constexpr std::uint64_t AT_EXECFD = 2;
inline constexpr std::uint64_t AT_PHDR = 3;
inline constexpr std::uint64_t AT_PHENT = 4;
inline constexpr std::uint64_t AT_PHNUM = 5;
inline constexpr std::uint64_t AT_PAGESZ = 6;
inline constexpr std::uint64_t AT_BASE = 7;
inline constexpr std::uint64_t AT_FLAGS = 8;
inline constexpr std::uint64_t AT_ENTRY = 9;
inline constexpr std::uint64_t AT_NOTELF = 10;
inline constexpr std::uint64_t AT_UID = 11;
inline constexpr std::uint64_t AT_EUID = 12;
inline constexpr std::uint64_t AT_GID = 13;
inline constexpr std::uint64_t AT_EGID = 14;
inline constexpr std::uint64_t AT_PLATFORM = 15;
inline constexpr std::uint64_t AT_HWCAP = 16;
inline constexpr std::uint64_t AT_CLKTCK = 17;
inline constexpr std::uint64_t AT_SECURE = 23;
inline constexpr std::uint64_t AT_BASE_PLATFORM = 24;
inline constexpr std::uint64_t AT_RANDOM = 25;
inline constexpr std::uint64_t AT_HWCAP2 = 26;
inline constexpr std::uint64_t AT_RSEQ_FEATURE_SIZE = 27;
inline constexpr std::uint64_t AT_RSEQ_ALIGN = 28;
inline constexpr std::uint64_t AT_HWCAP3 = 29;
inline constexpr std::uint64_t AT_HWCAP4 = 30;
inline constexpr std::uint64_t AT_EXECFN = 31;
inline constexpr std::uint64_t AT_SYSINFO_EHDR = 33;
inline constexpr std::uint64_t AT_MINSIGSTKSZ = 51;

}  // namespace linux_abi
