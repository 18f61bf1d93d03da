// AddressSpace: one process's memory (Linux's mm_struct): the VMA tree (what may be
// mapped), the page table (what is mapped), brk, and the fault path that turns the one
// into the other. Syscalls change VMAs; only the fault path and teardown write PTEs.
//
// Every access the kernel personality makes to guest memory goes through this class too
// (copy_to_user/copy_from_user), so it demand-pages and fails with EFAULT exactly as the
// guest's own accesses would.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <set>
#include <string>

#include "os/mm/mmu_notifier.h"
#include "os/mm/page_cache.h"
#include "os/mm/page_table.h"
#include "os/mm/physical_memory.h"
#include "os/mm/vma.h"
#include "os/mm/vma_tree.h"
#include "os/result.h"

namespace os::mm {

// The outcome of a page fault that could not be resolved (Linux's VM_FAULT_* plus the
// signal it becomes).
enum class FaultError : std::uint8_t {
    MapError,     // no VMA: SIGSEGV with SEGV_MAPERR
    AccessError,  // VMA forbids the access: SIGSEGV with SEGV_ACCERR
    BusError,     // file mapping beyond end of file: SIGBUS
    OutOfMemory,  // no frame could be had
};
const char* fault_error_name(FaultError e);

// Permission bits of a translation (same values as emu::TlbPerm / Unicorn's UC_PROT_*).
enum TranslationPerm : std::uint32_t { kTransRead = 1, kTransWrite = 2, kTransExec = 4 };

struct Translation {
    PhysAddr paddr = 0;  // page aligned
    std::uint32_t perms = 0;
};

// How a fault was resolved, for counters (and the fault log, later).
enum class FaultKind : std::uint8_t {
    ZeroPage,      // read of untouched anonymous memory: the shared zero frame
    DemandZero,    // write of untouched anonymous memory: a fresh zeroed frame
    FilePage,      // a file page read into the page cache (major)
    PageCacheHit,  // a file page already in the page cache
    CowCopy,       // write to a copy-on-write page: copied
    CowReuse,      // write to a copy-on-write page whose frame had no other user
    StackGrowth,   // the stack VMA grew down to cover the address
    Count
};

struct FaultCounters {
    std::uint64_t minor = 0;
    std::uint64_t major = 0;
    std::uint64_t by_kind[static_cast<int>(FaultKind::Count)] = {};
    std::uint64_t errors = 0;
};

enum class Placement : std::uint8_t {
    Hint,            // addr is a hint; anywhere will do
    Fixed,           // exactly at addr, replacing what is there (MAP_FIXED)
    FixedNoReplace,  // exactly at addr, EEXIST if anything is there
};

// Where exec laid the program out (mm_struct's start_code .. env_end), for /proc.
struct ExecLayout {
    VirtAddr start_code = 0, end_code = 0;  // the executable segments' span
    VirtAddr start_data = 0, end_data = 0;  // Linux 6.1: highest segment start, highest file end
    VirtAddr start_stack = 0;               // the initial stack pointer
    VirtAddr arg_start = 0, arg_end = 0;    // argv strings on the initial stack
    VirtAddr env_start = 0, env_end = 0;    // envp strings
};

struct MapRequest {
    VirtAddr addr = 0;
    std::uint64_t length = 0;
    std::uint32_t prot = kProtNone;
    std::uint32_t vm_flags = 0;
    Placement placement = Placement::Hint;
    std::shared_ptr<CachedFile> file;
    std::uint64_t file_offset = 0;
    std::string name;
};

class AddressSpace {
public:
    // Lowest address mmap may hand out (Linux vm.mmap_min_addr).
    static constexpr VirtAddr kMmapMinAddr = 0x10000;
    // Where top-down mmap allocation starts without ASLR: TASK_SIZE minus the maximum
    // stack gap (128 MiB), as Linux computes mmap_base.
    static constexpr VirtAddr kMmapBase = kUserTop - (128ull << 20);
    // Linux's stack_guard_gap: 256 pages kept free below a growing stack.
    static constexpr std::uint64_t kStackGuardGap = 256 * kPageSize;

    AddressSpace(PhysicalMemory& pmem, MmuNotifier* mmu);
    ~AddressSpace();
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;

    PhysicalMemory& physical_memory() { return m_pmem; }
    VmaTree& vmas() { return m_vmas; }
    const VmaTree& vmas() const { return m_vmas; }
    PageTable& page_table() { return m_page_table; }
    const FaultCounters& fault_counters() const { return m_faults; }

    // --- The fault path (os/mm/fault.cpp) ---
    // The TLB-fill entry point: the translation for `va`'s page, resolving a page fault
    // (demand paging, stack growth, copy-on-write) if the PTE does not allow `access`.
    std::expected<Translation, FaultError> translate(VirtAddr va, Access access);

    // --- Mappings (os/mm/address_space.cpp) ---
    KResult<VirtAddr> map(const MapRequest& req);
    KResult<void> unmap(VirtAddr start, std::uint64_t length);
    KResult<void> protect(VirtAddr start, std::uint64_t length, std::uint32_t prot);
    // MADV_DONTNEED: drops the pages of private mappings in the range (anonymous memory
    // then reads as zero). ENOMEM if part of the range is unmapped (the rest is done).
    KResult<void> discard(VirtAddr start, std::uint64_t length);
    // msync: writes the dirty pages of MAP_SHARED file mappings in the range back to their
    // files. ENOMEM if part of the range is unmapped.
    KResult<void> sync_range(VirtAddr start, std::uint64_t length);
    // Unmaps every page of `file` at page index >= first_index (file truncation).
    void zap_file_pages(const CachedFile* file, std::uint64_t first_index);
    // Linux sys_brk: returns the new break, or the unchanged one when it cannot move.
    VirtAddr brk(VirtAddr requested);
    void set_brk_start(VirtAddr start) { m_start_brk = m_brk = start; }
    VirtAddr brk_start() const { return m_start_brk; }
    VirtAddr current_brk() const { return m_brk; }
    void set_stack_limit(std::uint64_t bytes) { m_stack_limit = bytes; }
    std::uint64_t stack_limit() const { return m_stack_limit; }
    // A free range of `length` bytes, top-down below kMmapBase (Linux's
    // arch_get_unmapped_area_topdown), honouring a free hint first.
    KResult<VirtAddr> find_free_range(VirtAddr hint, std::uint64_t length) const;

    // --- Guest memory accessed by the kernel personality ---
    KResult<void> copy_to_user(VirtAddr dst, const void* src, std::uint64_t n);
    KResult<void> copy_from_user(void* dst, VirtAddr src, std::uint64_t n);
    KResult<void> clear_user(VirtAddr dst, std::uint64_t n);
    // A NUL-terminated string of at most `max` bytes (ENAMETOOLONG beyond).
    KResult<std::string> copy_string_from_user(VirtAddr src, std::uint64_t max);
    // Reads what is mapped without faulting anything in (diagnostics). Returns bytes read.
    std::uint64_t peek(VirtAddr src, void* dst, std::uint64_t n) const;

    // Pages with a frame behind them (resident), excluding the shared zero frame.
    std::uint64_t resident_pages() const { return m_resident_pages; }
    std::uint64_t mapped_bytes() const;
    // High-water marks (Linux's hiwater_rss and hiwater_vm): the most pages ever resident
    // and the most bytes ever mapped by this address space.
    std::uint64_t peak_resident_pages() const { return m_peak_resident_pages; }
    std::uint64_t peak_mapped_bytes() const { return m_vmas.peak_total_bytes(); }

    ExecLayout layout;

private:
    // fault.cpp
    std::expected<void, FaultError> handle_mm_fault(VirtAddr va, Access access);
    std::expected<void, FaultError> handle_pte_fault(Vma& vma, VirtAddr va, Access access, Pte& pte);
    std::expected<void, FaultError> do_anonymous_page(Vma& vma, VirtAddr va, Access access, Pte& pte);
    std::expected<void, FaultError> do_file_page(Vma& vma, VirtAddr va, Access access, Pte& pte);
    std::expected<void, FaultError> do_wp_page(Vma& vma, VirtAddr va, Pte& pte);
    bool expand_stack(Vma& vma, VirtAddr va);
    Pte leaf_flags(const Vma& vma, bool writable_now) const;
    void count(FaultKind kind, bool major);
    // Every page that becomes resident goes through here (keeps the high-water mark).
    void add_resident_page() {
        if (++m_resident_pages > m_peak_resident_pages)
            m_peak_resident_pages = m_resident_pages;
    }

    // address_space.cpp
    // Unmaps the pages of [start, end), which lies inside `vma`: dirty pages of a shared
    // file mapping are written back first, frames are released.
    void zap_vma_range(const Vma& vma, VirtAddr start, VirtAddr end);
    void zap_range(VirtAddr start, VirtAddr end);
    // Writes back one PTE's page if it is a dirty page of a shared file mapping.
    void write_back_if_dirty(const Vma& vma, VirtAddr va, Pte& pte);
    // Keeps the page cache's record of who maps which file (i_mmap) current.
    void note_file_mapped(const std::shared_ptr<CachedFile>& file);
    void forget_unmapped_files();
    void split_at(VirtAddr addr);
    Vma* try_merge(Vma* vma);
    void change_pte_protection(const Vma& vma);

    template <class Fn>
    KResult<void> for_each_user_page(VirtAddr va, std::uint64_t n, Access access, Fn&& fn);

    PhysicalMemory& m_pmem;
    MmuNotifier* m_mmu;
    VmaTree m_vmas;
    PageTable m_page_table;
    VirtAddr m_start_brk = 0;
    VirtAddr m_brk = 0;
    std::uint64_t m_stack_limit = 8ull << 20;  // RLIMIT_STACK
    std::uint64_t m_resident_pages = 0;
    std::uint64_t m_peak_resident_pages = 0;
    FaultCounters m_faults;
    std::set<std::shared_ptr<CachedFile>> m_mapped_files;
};

}  // namespace os::mm
