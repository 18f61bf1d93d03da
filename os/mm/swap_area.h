// SwapArea: one swap file (Linux's swap_info_struct): page-sized slots in a host file, the
// swap_map that counts the references to each slot, and the slot allocator.
//
// Slot 0 holds the swap header (mkswap's "SWAPSPACE2" signature), as on Linux, so an area
// of N pages has N - 1 usable slots (what /proc/meminfo's SwapTotal shows).
//
// swap_map[slot] is Linux's: a count of the slot's users (page-table entries holding its
// swap entry, shared anonymous objects holding it for one of their pages) plus the
// kSwapHasCache flag while the swap cache (os/mm/swap_cache.h) holds a frame for it. A slot
// is free when it has neither. Allocation takes the lowest free slot, so runs are
// reproducible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "os/mm/swap_entry.h"
#include "os/result.h"

namespace os::mm {

class SwapArea {
public:
    // Linux's SWAP_HAS_CACHE, kept in the same word as the count.
    static constexpr std::uint32_t kSwapHasCache = 1u << 31;

    // A swap area of `bytes` (rounded down to whole pages, at least two) on the file at
    // `path`, created if missing and sized to fit (it must be a regular file), or, with an
    // empty path, on a temporary file in $TMPDIR (default /tmp) that is unlinked at once,
    // so nothing is left behind however faultline ends. A file given by path is left in
    // place. Throws std::invalid_argument or std::system_error.
    SwapArea(std::uint64_t bytes, const std::string& path, std::uint32_t type = 0);
    ~SwapArea();
    SwapArea(const SwapArea&) = delete;
    SwapArea& operator=(const SwapArea&) = delete;

    std::uint32_t type() const { return m_type; }
    const std::string& path() const { return m_path; }  // empty: an unlinked temporary file
    std::uint64_t total_slots() const { return m_swap_map.size() - 1; }
    std::uint64_t used_slots() const { return m_used; }
    std::uint64_t free_slots() const { return total_slots() - m_used; }

    // get_swap_page() + the swap cache's claim: the lowest free slot, held by the swap cache
    // alone (kSwapHasCache, count 0); nullopt when every slot is in use.
    std::optional<SwapEntry> get_swap_page();
    // swap_duplicate(): one more user of a slot in use.
    void swap_duplicate(SwapEntry e);
    // swap_free(): one user fewer. Returns the users left (the swap cache not counted); the
    // slot is free once it has none and no cached page.
    std::uint32_t swap_free(SwapEntry e);
    // The swap cache takes or gives up its claim (delete_from_swap_cache clears it).
    void set_cache_flag(SwapEntry e, bool cached);
    bool has_cache(SwapEntry e) const { return (m_swap_map[e.offset] & kSwapHasCache) != 0; }
    // Users of the slot, the swap cache not counted (Linux's swap_count()).
    std::uint32_t swap_count(SwapEntry e) const { return m_swap_map[e.offset] & ~kSwapHasCache; }
    bool valid(SwapEntry e) const { return e.type == m_type && e.offset > 0 && e.offset < m_swap_map.size(); }

    // The page I/O (swap_writepage, swap_readpage): one page to or from the slot. EIO when
    // the host file fails.
    KResult<void> write_page(SwapEntry e, const std::byte* page);
    KResult<void> read_page(SwapEntry e, std::byte* page);
    std::uint64_t pages_written() const { return m_pages_written; }  // pswpout
    std::uint64_t pages_read() const { return m_pages_read; }        // pswpin

private:
    void mark_used(std::uint64_t offset);
    void release_if_unused(std::uint64_t offset);
    void write_header();

    int m_fd = -1;
    std::uint32_t m_type;
    std::string m_path;
    std::vector<std::uint32_t> m_swap_map;
    std::vector<std::uint64_t> m_used_bitmap;  // one bit per slot: count or cache flag set
    std::uint64_t m_used = 0;
    std::uint64_t m_lowest_free = 1;  // no free slot below this one
    std::uint64_t m_pages_written = 0;
    std::uint64_t m_pages_read = 0;
};

}  // namespace os::mm
