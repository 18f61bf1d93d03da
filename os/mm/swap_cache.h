// SwapCache: pages in RAM that also have a swap slot (Linux's swap cache, the address_space
// of a swap area). A page is in it
//   - while reclaim swaps it out: add_to_swap() gives it a slot here, the PTEs that mapped
//     it are given the slot's swap entry, the slot is written, and the page leaves;
//   - after a swap-in, while the slot still holds the same contents: the other PTEs that
//     hold the swap entry (after a fork) find the page here instead of reading the slot
//     again (a minor fault), and a page reclaimed again without having been written is
//     simply dropped, since its slot already holds it.
// The cache holds one reference on each of its frames. FrameInfo::swap names the slot and
// FrameInfo::dirty says whether the slot is out of date; the slot's swap_map entry has the
// kSwapHasCache flag.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "os/mm/physical_memory.h"
#include "os/mm/swap_area.h"

namespace os::mm {

class SwapCache {
public:
    SwapCache(PhysicalMemory& pmem, SwapArea& area) : m_pmem(pmem), m_area(area) {}
    // Every page must have left: their owners are gone before the swap is.
    ~SwapCache();
    SwapCache(const SwapCache&) = delete;
    SwapCache& operator=(const SwapCache&) = delete;

    // lookup_swap_cache()
    std::optional<Pfn> lookup(SwapEntry e) const;
    // add_to_swap_cache(): `pfn` becomes the page of slot `e` (which has the cache flag set
    // already: a fresh slot from get_swap_page, or a slot being swapped in). Takes a
    // reference on the frame.
    void add(Pfn pfn, SwapEntry e, bool dirty);
    // delete_from_swap_cache(): the page leaves; the slot loses the cache's claim (and is
    // free if nothing else holds it) and the frame the cache's reference (and is free if
    // nothing else holds it).
    void remove(Pfn pfn);

    std::uint64_t pages() const { return m_pages.size(); }
    // The cached pages in slot order.
    std::vector<Pfn> all_pages() const;

private:
    PhysicalMemory& m_pmem;
    SwapArea& m_area;
    std::map<std::uint64_t, Pfn> m_pages;  // by slot
};

}  // namespace os::mm
