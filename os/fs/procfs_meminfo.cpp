// /proc/meminfo in Linux 6.1's format (fs/proc/meminfo.c, with the lines a Debian 12 kernel
// adds: CONFIG_ZSWAP, CONFIG_MEMORY_FAILURE, CONFIG_TRANSPARENT_HUGEPAGE, x86's DirectMap),
// from the frame table and the page tables of every address space.
//
// Where the numbers come from:
//   MemTotal      every frame of --ram
//   MemFree       frames on the free list
//   MemAvailable  free frames plus page-cache frames nothing but the cache holds (clean and
//                 unmapped: what the page cache's shrinker gives back on demand)
//   Cached        page-cache frames plus shared anonymous memory (Linux counts shmem there)
//   Active/Inactive  faultline has no LRU lists yet, so the split is by mapping: pages some
//                 process maps (all anonymous and shmem pages, mapped file pages) are active,
//                 page-cache pages nothing maps are inactive; mlocked pages are unevictable
//   Dirty         page-cache frames with a dirty PTE in some shared file mapping (write-back
//                 cleans them); Writeback 0 (write-back is synchronous)
//   AnonPages     anonymous frames mapped by private mappings; Mapped: mapped page-cache and
//                 shmem frames; Shmem: frames of shared anonymous mappings
//   PageTables    frames holding page tables
//   Committed_AS  every process's accounted mappings (private writable, brk, stack);
//   CommitLimit   half of RAM plus swap (vm.overcommit_ratio = 50)
//   Swap*         os/mm/swap.h (SwapCached: pages in the swap cache)
// Kernel-internal memory (slab, kernel stacks, vmalloc, per-CPU) lives in faultline's own
// host memory, not in guest frames: those lines are 0.
#include <vector>

#include "os/fs/procfs.h"
#include "os/fs/procfs_internal.h"
#include "os/mm/page_cache.h"
#include "os/mm/swap.h"

namespace os::fs::procfs {

using namespace os::mm;
using namespace detail;

namespace {

// What the page tables say about a frame (Linux keeps these in struct page).
enum FrameMark : std::uint8_t {
    kMarkDirty = 1,   // dirty in a shared file mapping
    kMarkShmem = 2,   // belongs to a shared anonymous mapping
    kMarkLocked = 4,  // mapped by an mlocked VMA
};

struct Totals {
    std::uint64_t free = 0, cached = 0, reclaimable = 0, dirty = 0;
    std::uint64_t anon = 0, mapped = 0, shmem = 0, page_tables = 0, unevictable = 0;
    std::uint64_t active_anon = 0, inactive_anon = 0, active_file = 0, inactive_file = 0;
    std::uint64_t committed = 0;
};

Totals collect(const PhysicalMemory& pmem, const PageCache& cache, std::span<AddressSpace* const> address_spaces) {
    Totals t;
    std::vector<std::uint8_t> marks(pmem.frame_count(), 0);
    for (AddressSpace* mm : address_spaces) {
        for (const Vma& v : mm->vmas()) {
            if (linux_vm_flags(v) & VM_ACCOUNT)
                t.committed += v.size() >> kPageShift;
            const bool shmem = v.is_anonymous() && v.is_shared();
            const bool shared_file = v.file && v.is_shared();
            const bool locked = (v.flags & kVmLocked) != 0;
            if (!shmem && !shared_file && !locked)
                continue;
            mm->page_table().for_each_pte(v.start, v.end, [&](VirtAddr, Pte& pte) {
                if (!pte_has_frame(pte) || pmem.is_zero_frame(pte_pfn(pte)) || !pmem.valid(pte_pfn(pte)))
                    return;
                std::uint8_t& m = marks[pfn_index(pte_pfn(pte))];
                if (shmem)
                    m |= kMarkShmem;
                if (shared_file && (pte & kPteDirty))
                    m |= kMarkDirty;
                if (locked)
                    m |= kMarkLocked;
            });
        }
    }
    for (std::uint64_t i = 0; i < pmem.frame_count(); ++i) {
        const FrameInfo& f = pmem.info(static_cast<Pfn>(i));
        const std::uint8_t m = marks[i];
        const bool mapped = f.mapcount > 0;
        const bool locked = (m & kMarkLocked) != 0;
        switch (f.use) {
        case FrameUse::Free:
            ++t.free;
            break;
        case FrameUse::PageTable:
            ++t.page_tables;
            break;
        case FrameUse::File:
            if (mapped)
                ++t.mapped;
            if (f.refcount == 1 && !mapped)
                ++t.reclaimable;
            if (m & kMarkDirty)
                ++t.dirty;
            if (locked)
                ++t.unevictable;
            else
                ++(mapped ? t.active_file : t.inactive_file);
            break;
        case FrameUse::Anonymous:
            if (m & kMarkShmem) {
                ++t.shmem;
                if (mapped)
                    ++t.mapped;
            } else if (mapped) {
                ++t.anon;
            }
            if (locked)
                ++t.unevictable;
            else
                ++t.active_anon;
            break;
        case FrameUse::Reserved:
        case FrameUse::Offline:
            break;
        }
    }
    t.cached = cache.cached_pages() + t.shmem;
    return t;
}

void line(std::string& out, std::string_view label, std::uint64_t pages) {
    put_dec(out, label, pages << (kPageShift - 10), 8);
    out += " kB\n";
}

void line_kb(std::string& out, std::string_view label, std::uint64_t kb, int width = 8) {
    put_dec(out, label, kb, width);
    out += " kB\n";
}

}  // namespace

std::string meminfo(const PhysicalMemory& pmem, const PageCache& cache, std::span<AddressSpace* const> address_spaces) {
    const Totals t = collect(pmem, cache, address_spaces);
    const SwapTotals swap = swap_totals(pmem);
    // Offline frames (--pressure) are not part of the machine, as after a balloon inflates.
    const std::uint64_t total = pmem.online_frame_count();
    constexpr std::uint64_t kOvercommitRatio = 50;
    constexpr std::uint64_t kVmallocTotalKb = (32ull << 40) / 1024 - 1;  // VMALLOC_END - VMALLOC_START
    constexpr std::uint64_t k2MiB = 2ull << 20;

    std::string out;
    line(out, "MemTotal:       ", total);
    line(out, "MemFree:        ", t.free);
    line(out, "MemAvailable:   ", t.free + t.reclaimable);
    line(out, "Buffers:        ", 0);
    line(out, "Cached:         ", t.cached);
    line(out, "SwapCached:     ", swap.cached_pages);
    line(out, "Active:         ", t.active_anon + t.active_file);
    line(out, "Inactive:       ", t.inactive_anon + t.inactive_file);
    line(out, "Active(anon):   ", t.active_anon);
    line(out, "Inactive(anon): ", t.inactive_anon);
    line(out, "Active(file):   ", t.active_file);
    line(out, "Inactive(file): ", t.inactive_file);
    line(out, "Unevictable:    ", t.unevictable);
    line(out, "Mlocked:        ", t.unevictable);
    line(out, "SwapTotal:      ", swap.total_pages);
    line(out, "SwapFree:       ", swap.free_pages);
    line_kb(out, "Zswap:          ", 0);
    line_kb(out, "Zswapped:       ", 0);
    line(out, "Dirty:          ", t.dirty);
    line(out, "Writeback:      ", 0);
    line(out, "AnonPages:      ", t.anon);
    line(out, "Mapped:         ", t.mapped);
    line(out, "Shmem:          ", t.shmem);
    line(out, "KReclaimable:   ", 0);
    line(out, "Slab:           ", 0);
    line(out, "SReclaimable:   ", 0);
    line(out, "SUnreclaim:     ", 0);
    line_kb(out, "KernelStack:    ", 0);
    line(out, "PageTables:     ", t.page_tables);
    line(out, "SecPageTables:  ", 0);
    line(out, "NFS_Unstable:   ", 0);
    line(out, "Bounce:         ", 0);
    line(out, "WritebackTmp:   ", 0);
    line(out, "CommitLimit:    ", total * kOvercommitRatio / 100 + swap.total_pages);
    line(out, "Committed_AS:   ", t.committed);
    line_kb(out, "VmallocTotal:   ", kVmallocTotalKb);
    line(out, "VmallocUsed:    ", 0);
    line(out, "VmallocChunk:   ", 0);
    line(out, "Percpu:         ", 0);
    line_kb(out, "HardwareCorrupted: ", 0, 5);
    line(out, "AnonHugePages:  ", 0);
    line(out, "ShmemHugePages: ", 0);
    line(out, "ShmemPmdMapped: ", 0);
    line(out, "FileHugePages:  ", 0);
    line(out, "FilePmdMapped:  ", 0);
    // hugetlb_report_meminfo(): no huge pages.
    out += "HugePages_Total:       0\n";
    out += "HugePages_Free:        0\n";
    out += "HugePages_Rsvd:        0\n";
    out += "HugePages_Surp:        0\n";
    line_kb(out, "Hugepagesize:   ", 2048);
    line_kb(out, "Hugetlb:        ", 0);
    // arch_report_meminfo(): the direct map covers RAM with 2 MiB pages, 4 KiB for the rest.
    const std::uint64_t ram_bytes = total << kPageShift;
    line_kb(out, "DirectMap4k:    ", (ram_bytes % k2MiB) >> 10);
    line_kb(out, "DirectMap2M:    ", (ram_bytes - ram_bytes % k2MiB) >> 10);
    return out;
}

}  // namespace os::fs::procfs
