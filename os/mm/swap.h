// Swap: the machine's swap space as the rest of the memory manager uses it (Linux's
// mm/swapfile.c and mm/swap_state.c): one SwapArea (the file and its slots) with its
// SwapCache, and the operations the fault path, fork, unmapping, shared anonymous memory and
// reclaim perform on them. PhysicalMemory::swap() reaches it; nullptr means no swap.
//
// Who holds a slot (its swap_map count): every non-present PTE holding its swap entry (a
// private anonymous page swapped out; fork duplicates them), every SharedAnonObject page
// swapped out; plus the swap cache's flag while a frame has the slot's page.
//
// /proc/meminfo (SwapTotal, SwapFree, SwapCached, CommitLimit) and sysinfo(2) read swap only
// through swap_totals().
#pragma once

#include <cstdint>
#include <expected>
#include <string>

#include "os/mm/physical_memory.h"
#include "os/mm/swap_area.h"
#include "os/mm/swap_cache.h"

namespace os::mm {

enum class FaultError : std::uint8_t;

struct SwapTotals {
    std::uint64_t total_pages = 0;   // size of all swap areas
    std::uint64_t free_pages = 0;    // slots not in use
    std::uint64_t cached_pages = 0;  // swap cache: pages in RAM that also have a swap slot
};

// The totals of `pmem`'s swap (zero without one).
SwapTotals swap_totals(const PhysicalMemory& pmem);

class Swap {
public:
    // A swap area of `bytes` on `path` (empty: an unlinked temporary file); see SwapArea.
    Swap(PhysicalMemory& pmem, std::uint64_t bytes, const std::string& path);
    Swap(const Swap&) = delete;
    Swap& operator=(const Swap&) = delete;

    SwapArea& area() { return m_area; }
    const SwapArea& area() const { return m_area; }
    SwapCache& cache() { return m_cache; }
    const SwapCache& cache() const { return m_cache; }
    SwapTotals totals() const;

    // The page of slot `e` for a swap-in: the swap cache's (`*major` false), or read from the
    // slot into a new frame of `use` that joins the cache clean (`*major` true: a major
    // fault). The cache holds the frame; the caller takes a reference of its own, and sets a
    // new frame's reverse map. OutOfMemory with no frame free, BusError when the read fails.
    std::expected<Pfn, FaultError> swapin(SwapEntry e, FrameUse use, bool* major);
    // add_to_swap(): a resident page not in the swap cache gets the lowest free slot and
    // joins the cache dirty (the slot does not hold it yet). When every slot is in use,
    // slots only cached pages hold are given back first; false if still none is free.
    bool add_to_swap(Pfn pfn);

    // swap_duplicate(): one more PTE or object holds `e` (fork).
    void swap_duplicate(SwapEntry e) { m_area.swap_duplicate(e); }
    // swap_free(): a PTE or object that held `e` now has the page resident instead; the
    // swap cache keeps its claim.
    void swap_free(SwapEntry e) { m_area.swap_free(e); }
    // free_swap_and_cache(): a PTE or object holding `e` is gone (munmap, MADV_DONTNEED,
    // exit). Once no user is left, a page in the swap cache for it leaves the cache (freed
    // unless something maps it).
    void free_swap_and_cache(SwapEntry e);
    // free_swap_cache(): `pfn` just lost a mapping; if it is in the swap cache, nothing maps
    // it and no PTE or object holds its slot any more, nothing can find it again: it leaves
    // the cache (and is freed unless the caller still holds it).
    void free_swap_cache(Pfn pfn);
    // try_to_free_swap(): a page in the swap cache whose slot has no user leaves the cache:
    // its only copy is the frame from now on (before it is written: the slot would be
    // stale). Returns whether the page is out of the swap cache.
    bool try_to_free_swap(Pfn pfn);
    // The slots that only the swap cache holds are given back (their pages stay in RAM
    // wherever they are used); Linux does this when swap is more than half full
    // (vm_swap_full). Returns how many.
    std::uint64_t reclaim_cached_slots();

    std::uint64_t swap_cache_hits() const { return m_cache_hits; }

private:
    PhysicalMemory& m_pmem;
    SwapArea m_area;
    SwapCache m_cache;
    std::uint64_t m_cache_hits = 0;
};

}  // namespace os::mm
