// Pieces shared by the /proc generators (procfs_*.cpp): seq_file-style number output,
// Linux's VM_* flags of a VMA, and the per-address-space counters Linux keeps in mm_struct.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "os/mm/address_space.h"

namespace os::fs::procfs::detail {

// Linux's vm_flags bits (include/linux/mm.h), as /proc shows them.
inline constexpr std::uint64_t VM_READ = 0x1;
inline constexpr std::uint64_t VM_WRITE = 0x2;
inline constexpr std::uint64_t VM_EXEC = 0x4;
inline constexpr std::uint64_t VM_SHARED = 0x8;
inline constexpr std::uint64_t VM_MAYREAD = 0x10;
inline constexpr std::uint64_t VM_MAYWRITE = 0x20;
inline constexpr std::uint64_t VM_MAYEXEC = 0x40;
inline constexpr std::uint64_t VM_MAYSHARE = 0x80;
inline constexpr std::uint64_t VM_GROWSDOWN = 0x100;
inline constexpr std::uint64_t VM_LOCKED = 0x2000;
inline constexpr std::uint64_t VM_SEQ_READ = 0x8000;
inline constexpr std::uint64_t VM_RAND_READ = 0x10000;
inline constexpr std::uint64_t VM_DONTCOPY = 0x20000;
inline constexpr std::uint64_t VM_LOCKONFAULT = 0x80000;
inline constexpr std::uint64_t VM_ACCOUNT = 0x100000;
inline constexpr std::uint64_t VM_NORESERVE = 0x200000;
inline constexpr std::uint64_t VM_SYNC = 0x800000;
inline constexpr std::uint64_t VM_WIPEONFORK = 0x2000000;
inline constexpr std::uint64_t VM_DONTDUMP = 0x4000000;
inline constexpr std::uint64_t VM_HUGEPAGE = 0x20000000;
inline constexpr std::uint64_t VM_NOHUGEPAGE = 0x40000000;
inline constexpr std::uint64_t VM_MERGEABLE = 0x80000000;
inline constexpr std::uint64_t VM_STACK = VM_GROWSDOWN;  // x86-64

// The vm_flags of a VMA in Linux's numbering: the protection, the VM_MAY* bits (VM_MAYWRITE
// and VM_SHARED are missing for a shared mapping of a file opened read-only, VM_MAYEXEC for
// a file on a noexec mount), and the flags the address space keeps (accounting, locking,
// madvise hints). VM_SOFTDIRTY ("sd") is not shown: it depends on the kernel configuration.
std::uint64_t linux_vm_flags(const mm::Vma& v);

// Linux's is_{exec,stack,data}_mapping (mm/internal.h): which of exec_vm, stack_vm, data_vm
// a VMA counts in.
constexpr bool is_exec_mapping(std::uint64_t f) { return (f & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC; }
constexpr bool is_stack_mapping(std::uint64_t f) { return (f & VM_STACK) == VM_STACK; }
constexpr bool is_data_mapping(std::uint64_t f) { return (f & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE; }

// seq_put_decimal_ull_width: `prefix`, then `v` right-aligned in `width` columns.
void put_dec(std::string& out, std::string_view prefix, std::uint64_t v, int width = 0);
void put_dec_signed(std::string& out, std::string_view prefix, std::int64_t v);
// seq_put_hex_ll: `prefix`, then `v` in lower-case hex, zero-padded to `width` digits.
void put_hex(std::string& out, std::string_view prefix, std::uint64_t v, int width);

// The mm_struct counters /proc/pid/{status,statm,stat} print, in pages unless named bytes.
// The RSS counters come from a walk of the page table (each present PTE's frame, the zero
// frame excepted), the VM counters from the VMAs.
struct MmCounters {
    std::uint64_t total_vm = 0, locked_vm = 0, data_vm = 0, exec_vm = 0, stack_vm = 0;
    std::uint64_t anon = 0, file = 0, shmem = 0;  // MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES
    std::uint64_t swap_entries = 0;
    std::uint64_t hiwater_vm = 0, hiwater_rss = 0;
    std::uint64_t pgtables_bytes = 0;  // mm_pgtables_bytes: every table but the PML4
    std::uint64_t rss() const { return anon + file + shmem; }
};
MmCounters mm_counters(mm::AddressSpace& mm);

}  // namespace os::fs::procfs::detail
