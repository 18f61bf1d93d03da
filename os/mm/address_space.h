// AddressSpace: one process's memory (Linux's mm_struct): the VMA tree (what may be
// mapped), the page table (what is mapped), brk, and the fault path that turns the one
// into the other. Syscalls change VMAs; only the fault path, fork, the reverse map
// (os/mm/rmap.h) and teardown write PTEs.
//
// Every access the kernel personality makes to guest memory goes through this class too
// (copy_to_user/copy_from_user), so it demand-pages and fails with EFAULT exactly as the
// guest's own accesses would.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

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
    SwapIn,        // a swapped-out page read back from its swap slot (major)
    SwapCacheHit,  // a swapped-out page found in the swap cache: no read (minor)
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

// No RLIMIT_MEMLOCK: the process may lock any amount (it has CAP_IPC_LOCK, as root does).
inline constexpr std::uint64_t kNoLockLimit = ~std::uint64_t{0};

struct MapRequest {
    VirtAddr addr = 0;
    std::uint64_t length = 0;
    std::uint32_t prot = kProtNone;
    std::uint32_t vm_flags = 0;
    Placement placement = Placement::Hint;
    std::shared_ptr<CachedFile> file;
    std::uint64_t file_offset = 0;
    std::string name;
    // Vma::origin: the open file description a file mapping was made through. A shared
    // anonymous mapping always gets a new SharedAnonObject (this is ignored), mapped from
    // file_offset. Private anonymous memory made through a file (/dev/zero) has it set and
    // file_offset as its pgoff.
    std::shared_ptr<const void> origin;
    // MAP_32BIT: a hinted mapping goes bottom-up into [1 GiB, 2 GiB).
    bool below_2g = false;
    // Whether a fixed address below kMmapMinAddr is allowed (CAP_SYS_RAWIO); EPERM if not.
    bool low_addresses_allowed = true;
    // RLIMIT_MEMLOCK in bytes for a mapping that will be locked (MAP_LOCKED or
    // mlockall(MCL_FUTURE)): EAGAIN beyond it.
    std::uint64_t lock_limit = kNoLockLimit;
};

// What mremap needs to know about the caller (syscall layer): RLIMIT_MEMLOCK and
// CAP_SYS_RAWIO, as in MapRequest.
struct RemapLimits {
    std::uint64_t lock_limit = kNoLockLimit;
    bool low_addresses_allowed = true;
};

// A run of consecutive pages.
struct PageRun {
    VirtAddr start = 0;
    std::uint64_t pages = 0;
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
    // Linux's mmap_legacy_base without ASLR (TASK_UNMAPPED_BASE, PAGE_ALIGN(TASK_SIZE / 3)):
    // where the bottom-up search starts when top-down finds no room.
    static constexpr VirtAddr kMmapLegacyBase = page_round_up(kUserTop / 3);
    // MAP_32BIT mappings go bottom-up into [1 GiB, 2 GiB) (x86 find_start_end).
    static constexpr VirtAddr k32BitLow = 0x4000'0000;
    static constexpr VirtAddr k32BitHigh = 0x8000'0000;
    // The most VMAs one address space may have: Linux's DEFAULT_MAX_MAP_COUNT (65530), the
    // default of the vm.max_map_count sysctl (USHRT_MAX - 5, leaving room for ELF core
    // dumps). As on Linux, mmap and brk refuse when the count is already above it, and
    // munmap, mprotect, mlock and madvise refuse a split that would create a VMA once it has
    // reached it (ENOMEM; madvise says EAGAIN); mremap keeps 4 below it.
    static constexpr std::size_t kMaxMapCount = 65530;

    AddressSpace(PhysicalMemory& pmem, MmuNotifier* mmu);
    ~AddressSpace();
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;

    PhysicalMemory& physical_memory() { return m_pmem; }
    VmaTree& vmas() { return m_vmas; }
    const VmaTree& vmas() const { return m_vmas; }
    PageTable& page_table() { return m_page_table; }
    const PageTable& page_table() const { return m_page_table; }
    const FaultCounters& fault_counters() const { return m_faults; }

    // --- working-set sampling (os/mm/young.cpp) ---
    // The present pages whose Accessed bit is set, as runs in address order; clears the bits
    // (and flushes the TLB) so that the next call sees only what was touched in between.
    std::vector<PageRun> take_young_pages();

    // --- fork (os/mm/fork.cpp) ---
    // dup_mmap() with copy_page_range(): a new address space for a child process, with the
    // MMU notifier `child_mmu`. It gets a copy of every VMA but VM_DONTCOPY ones (a
    // VM_WIPEONFORK one empty), without mlock's flags and mlockall's def_flags, the same brk,
    // exec layout and stack limit, zero fault counters, and a page table of its own holding
    // what this one holds: private pages become copy-on-write in both (write-protected,
    // kPteSoftCow), shared pages stay shared as they are, each frame gaining a reference
    // and a mapping. Only populated page tables are walked, so the cost is proportional to
    // the resident pages, not to the size of the mappings; the frames it takes are the
    // child's page tables. This address space's TLB is flushed once (its PTEs lost write
    // permission). nullptr when frames for page tables run out (nothing leaks).
    std::unique_ptr<AddressSpace> fork(MmuNotifier* child_mmu);

    // --- The reverse map's access to this address space (os/mm/rmap.h) ---
    // Drops cached translations (after the reverse map changed PTEs).
    void flush_tlb() {
        if (m_mmu)
            m_mmu->flush_tlb();
    }
    // try_to_unmap_one(): `pte`, which maps a frame at `va` in `vma`, becomes `replacement`
    // (zero, or the swap entry of the frame's swap-cache slot, which gains a user); a dirty
    // shared file page is written back first (if that fails the frame is marked dirty), the
    // Dirty bit of any other page passes to the frame; the frame loses this mapping and its
    // reference; the TLB is flushed.
    void try_to_unmap_one(const Vma& vma, VirtAddr va, Pte& pte, Pte replacement);
    // What try_to_unmap_one tells the FaultObserver about the page `pte` maps at `va`.
    UnmapRecord unmap_record(const Vma& vma, VirtAddr va, Pte pte, Pte replacement) const;

    // --- The fault path (os/mm/fault.cpp) ---
    // Who wants a translation: the emulated CPU filling its TLB entry for the page (the
    // entry it installs next replaces whatever it cached for that page, as an x86 page
    // fault invalidates the faulting address's TLB entry), or faultline itself touching user
    // memory (syscall buffers, populating), after which nothing refreshes the CPU's TLB.
    enum class Requester : std::uint8_t { Cpu, Kernel };
    // The TLB-fill entry point: the translation for `va`'s page, resolving a page fault
    // (demand paging, stack growth, copy-on-write) if the PTE does not allow `access`.
    std::expected<Translation, FaultError> translate(VirtAddr va, Access access, Requester by = Requester::Cpu);

    // --- Mappings (os/mm/address_space.cpp) ---
    // Everything below follows Linux 6.1 (mm/mmap.c, mprotect.c, mremap.c, mlock.c,
    // madvise.c, msync.c, mincore.c), error for error; where the Linux faultline's tests run
    // against (6.18) behaves differently in a way a program can see, the comment says which
    // one is followed.
    //
    // mmap_region(): the mapping described by `req` (length rounded up to pages), merged with
    // its neighbours where Linux would merge it. Private writable mappings get kVmAccount,
    // every mapping the def_flags of mlockall(MCL_FUTURE). The caller populates locked
    // mappings (populate()).
    KResult<VirtAddr> map(const MapRequest& req);
    // get_unmapped_area(): where a mapping of `length` bytes would go. Fixed placements check
    // the range (ENOMEM beyond user space, EINVAL unaligned); hints are honoured when the
    // range is free and clear of a growing stack's guard gap; otherwise top-down below
    // kMmapBase, then bottom-up from kMmapLegacyBase (MAP_32BIT: bottom-up in [1G, 2G)).
    KResult<VirtAddr> get_unmapped_area(VirtAddr addr, std::uint64_t length, Placement placement,
                                        bool below_2g = false) const;
    KResult<void> unmap(VirtAddr start, std::uint64_t length);
    // mprotect(): `prot` is PROT_READ|WRITE|EXEC (anything else EINVAL); `grows` is 0,
    // PROT_GROWSDOWN or PROT_GROWSUP (mman.h). As on Linux the change is applied VMA by VMA,
    // so a hole (ENOMEM) or a mapping that may not get the permission (EACCES) stops it
    // with the VMAs before it already changed.
    KResult<void> protect(VirtAddr start, std::uint64_t length, std::uint32_t prot, std::uint64_t grows = 0);
    // MADV_DONTNEED: drops the pages of private mappings in the range (anonymous memory
    // then reads as zero). ENOMEM if part of the range is unmapped (the rest is done).
    KResult<void> discard(VirtAddr start, std::uint64_t length);
    // msync() after its flag checks: writes the dirty pages of MAP_SHARED file mappings in the
    // range back to their files. ENOMEM if part of the range is unmapped (with MS_ASYNC
    // alone, at the first hole), EBUSY for MS_INVALIDATE on a locked mapping.
    KResult<void> sync_range(VirtAddr start, std::uint64_t length, std::uint64_t ms_flags = 4 /* MS_SYNC */);
    // Unmaps every page of `file` at page index >= first_index (file truncation).
    void zap_file_pages(const CachedFile* file, std::uint64_t first_index);
    // Unmaps the pages of `file` with index in [first, last) from this address space: all of
    // them, or (even_cows false: hole punching) only the page-cache pages, keeping private
    // copies.
    void zap_file_range(const CachedFile* file, std::uint64_t first, std::uint64_t last, bool even_cows);

    // --- mremap (os/mm/mremap.cpp) ---
    // Linux's mremap() with flags MREMAP_MAYMOVE|FIXED|DONTUNMAP: shrinks in place, grows in
    // place when the pages after the mapping are free, otherwise moves the page-table
    // entries to a new range (their frames keep their counts: nothing is copied).
    KResult<VirtAddr> remap(VirtAddr addr, std::uint64_t old_len, std::uint64_t new_len, std::uint64_t flags,
                            VirtAddr new_addr = 0, const RemapLimits& limits = {});

    // --- mlock and population (os/mm/mlock.cpp) ---
    // apply_vma_lock_flags(): sets the VMAs' kVmLocked/kVmLockOnFault to `lock_flags`
    // (0 unlocks) over [start, start+length) (page aligned), splitting and merging VMAs.
    // ENOMEM at a hole (the VMAs before it are changed), EINVAL if the range wraps.
    KResult<void> lock_range(VirtAddr start, std::uint64_t length, std::uint32_t lock_flags);
    // apply_mlockall_flags(): MCL_* flags; MCL_FUTURE sets def_flags for new mappings.
    void lock_all(std::uint64_t mcl_flags);
    // Bytes in locked VMAs (Linux's locked_vm), in all of them or within a range.
    std::uint64_t locked_bytes() const;
    std::uint64_t locked_bytes_in(VirtAddr start, std::uint64_t length) const;
    // Flags every new mapping gets (Linux mm->def_flags: kVmLocked[|kVmLockOnFault] after
    // mlockall(MCL_FUTURE)).
    std::uint32_t def_flags() const { return m_def_flags; }
    // __mm_populate(): faults in the pages of the VMAs in [start, start+length) as mlock and
    // MAP_POPULATE do (write faults for private writable mappings, read otherwise; skipped
    // for kVmLockOnFault). With ignore_errors false the first failure is returned: EFAULT
    // for an inaccessible page or one beyond end of file, ENOMEM when frames run out.
    KResult<void> populate(VirtAddr start, std::uint64_t length, bool ignore_errors);

    // --- mincore (os/mm/mincore.cpp) ---
    // do_mincore(): fills vec[i] for up to `pages` pages from page-aligned `start`, within
    // the VMA that contains `start` (ENOMEM if none), and returns how many it filled: 1 for
    // a page with a frame, and for a file mapping's unmapped page whether the page cache
    // has it.
    KResult<std::uint64_t> residency(VirtAddr start, std::uint64_t pages, std::uint8_t* vec);

    // --- madvise (os/mm/madvise.cpp) ---
    // do_madvise(): the whole system call, argument checks included.
    KResult<void> advise(VirtAddr start, std::uint64_t length, int advice);
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
    // PTEs holding a swap entry (Linux's MM_SWAPENTS: VmSwap, the OOM killer's badness).
    std::uint64_t swap_pages() const { return m_swap_entries; }
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
    std::expected<void, FaultError> do_shared_anon_page(Vma& vma, VirtAddr va, Access access, Pte& pte);
    std::expected<void, FaultError> do_file_page(Vma& vma, VirtAddr va, Access access, Pte& pte);
    // Whether a fault resolved in several steps counts once (its first step's kind).
    enum class CountFault : bool { No, Yes };
    std::expected<void, FaultError> do_wp_page(Vma& vma, VirtAddr va, Pte& pte, CountFault counted = CountFault::Yes);
    std::expected<void, FaultError> do_swap_page(Vma& vma, VirtAddr va, Access access, Pte& pte);
    // An anonymous page only one PTE maps and nothing else holds: a write may reuse it. A
    // page in the swap cache leaves it first if no other PTE holds its slot.
    bool can_reuse_anon_page(Pfn pfn);
    // A PTE of this address space that mapped `pfn` is gone: the frame loses the mapping
    // and the reference (a swap-cache page nothing can find any more leaves the cache).
    void drop_mapping(Pfn pfn);
    bool expand_stack(Vma& vma, VirtAddr va);
    // do_fault_around(): maps the pages around a read-faulted file page that the page cache
    // already holds.
    void fault_around(const Vma& vma, VirtAddr va);
    // anon_vma_prepare(): gives `vma` an anon_vma identity before its first private page.
    void anon_vma_prepare(Vma& vma);
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
    // split_vma(): ENOMEM when the address space already has kMaxMapCount VMAs.
    KResult<Vma*> split_checked(Vma* vma, VirtAddr at);
    // Linux's merge rules: adjacent, same protection, flags, name, file and origin,
    // contiguous offsets (file) or pgoffs (anonymous), compatible anon_vmas.
    bool can_merge(const Vma& lower, const Vma& upper) const;
    // vma_merge() for a VMA that just got its range or properties: merges it with its
    // previous and next neighbours (both, else the previous, else the next); returns the
    // VMA that now covers it.
    Vma* try_merge(Vma* vma);
    // The split/modify/merge step of mprotect_fixup, mlock_fixup and madvise_update_vma:
    // gives [start, end) of `vma` the protection `prot` and flags `flags`. Returns the VMA
    // that covers `start` afterwards (Linux's *pprev).
    KResult<Vma*> modify_vma(Vma* vma, VirtAddr start, VirtAddr end, std::uint32_t prot, std::uint32_t flags);
    void change_pte_protection(const Vma& vma, VirtAddr start, VirtAddr end);
    // Whether a PTE holding a frame may be writable in `vma` now that the VMA is: a shared
    // mapping's always, a private mapping's only when it holds its own anonymous page
    // (not the zero frame, a page-cache page, or a page shared copy-on-write).
    bool may_write_in_place(const Vma& vma, Pte pte) const;
    // The VMA's pages in [start, end) are faulted in (populate_vma_page_range).
    KResult<void> populate_vma(const Vma& vma, VirtAddr start, VirtAddr end);
    // mremap.cpp
    KResult<VirtAddr> move_vma(Vma* vma, VirtAddr old_addr, std::uint64_t old_len, std::uint64_t new_len,
                               VirtAddr new_addr, std::uint64_t flags);
    KResult<void> move_page_tables(VirtAddr old_addr, VirtAddr new_addr, std::uint64_t len);
    KResult<VirtAddr> remap_one(Vma* vma, VirtAddr addr, std::uint64_t old_len, std::uint64_t new_len,
                                std::uint64_t flags, VirtAddr new_addr, const RemapLimits& limits);
    // madvise.cpp
    KResult<void> zap_shared_anon(const Vma& vma, VirtAddr start, VirtAddr end);
    // fork.cpp
    // copy_page_range() for one VMA into `child`'s page table; false when out of frames.
    bool copy_page_range(AddressSpace& child, const Vma& vma, bool& write_protected);

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
    std::uint64_t m_swap_entries = 0;
    FaultCounters m_faults;
    // The last fault resolved (for the FaultObserver): its kind, and whether the stack grew.
    FaultKind m_last_kind = FaultKind::ZeroPage;
    bool m_last_major = false;
    bool m_stack_grew = false;
    // While translate() resolves a fault for the CPU's TLB fill: that page (else kNoPage).
    static constexpr VirtAddr kNoPage = ~VirtAddr{0};
    VirtAddr m_cpu_fill_page = kNoPage;
    std::set<std::shared_ptr<CachedFile>> m_mapped_files;
    std::uint32_t m_def_flags = 0;
};

}  // namespace os::mm
