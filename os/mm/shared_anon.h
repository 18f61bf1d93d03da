// SharedAnonObject: the memory behind MAP_SHARED|MAP_ANONYMOUS (and MAP_SHARED of
// /dev/zero). Linux gives each such mapping a shmem file of its own; this is that file: its
// pages by page offset, each holding a reference on its frame, so that they outlive any one
// mapping of them (the VMAs of every address space that maps the object share them: split,
// mremap and fork make more), and its size, the length of the mmap that made it: pages at
// or beyond it are SIGBUS, even in a mapping mremap has grown.
//
// Reclaim may swap a page out (shmem_writepage): every PTE mapping it is cleared and the
// object keeps the page's swap entry instead of its frame, holding the slot once; the next
// fault on it swaps it back in (shmem_swapin_folio), whichever mapping it comes through.
//
// The VMAs that map it are on `mappings()` (the shmem file's i_mmap) while they are in a
// VmaTree, which is how its pages are found in every address space (os/mm/rmap.h). The
// object lives as long as a VMA holds it (as Vma::origin) and gives its pages and swap slots
// back then.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <optional>

#include "os/mm/physical_memory.h"
#include "os/mm/swap_entry.h"
#include "os/mm/types.h"
#include "os/mm/vma_list.h"

namespace os::mm {

enum class FaultError : std::uint8_t;

// How get_page() found the page.
enum class ShmemFault : std::uint8_t {
    Found,         // resident
    Allocated,     // never used before: a new zeroed page
    SwapIn,        // read back from swap (a major fault)
    SwapCacheHit,  // swapped out, but still in the swap cache
};

class SharedAnonObject {
public:
    SharedAnonObject(PhysicalMemory& pmem, std::uint64_t size_pages);
    ~SharedAnonObject();
    SharedAnonObject(const SharedAnonObject&) = delete;
    SharedAnonObject& operator=(const SharedAnonObject&) = delete;

    std::uint64_t size_pages() const { return m_size_pages; }
    std::uint64_t resident_pages() const { return m_frames.size(); }
    std::uint64_t swapped_pages() const { return m_swapped.size(); }
    // The swapped-out pages by page offset.
    const std::map<std::uint64_t, SwapEntry>& swapped() const { return m_swapped; }
    // Pages of [first, last) that are swapped out (smaps' Swap: for a shared mapping).
    std::uint64_t swapped_pages_in(std::uint64_t first, std::uint64_t last) const;

    // The resident page `pgoff`, if it is.
    std::optional<Pfn> find_page(std::uint64_t pgoff) const;
    // shmem_get_folio(): page `pgoff` (< size_pages()): resident, swapped back in, or a new
    // zeroed one the first time; `*how` says which. OutOfMemory when no frame is free,
    // BusError when swap cannot be read.
    std::expected<Pfn, FaultError> get_page(std::uint64_t pgoff, ShmemFault* how);
    // shmem_writepage() after reclaim unmapped resident page `pgoff`, which is in the swap
    // cache: the object holds its swap entry instead of its frame.
    void swap_out_page(std::uint64_t pgoff);
    // Drops pages [first, last) from the object (hole punching), resident or swapped; their
    // mappings must be gone already.
    void remove_pages(std::uint64_t first, std::uint64_t last);

    VmaList& mappings() { return m_mappings; }
    const VmaList& mappings() const { return m_mappings; }

private:
    PhysicalMemory& m_pmem;
    std::uint64_t m_size_pages;
    std::map<std::uint64_t, Pfn> m_frames;
    std::map<std::uint64_t, SwapEntry> m_swapped;
    VmaList m_mappings;
};

}  // namespace os::mm
