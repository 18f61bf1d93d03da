// Swap space as the rest of the kernel personality sees it. faultline has no swap device
// yet, so every total is zero. /proc/meminfo (SwapTotal, SwapFree, SwapCached, CommitLimit)
// reads swap only through swap_totals(): the swap device, when it comes, changes this one
// function.
#pragma once

#include <cstdint>

namespace os::mm {

struct SwapTotals {
    std::uint64_t total_pages = 0;   // size of all swap areas
    std::uint64_t free_pages = 0;    // slots not in use
    std::uint64_t cached_pages = 0;  // swap cache: pages in RAM that also have a swap slot
};

inline SwapTotals swap_totals() { return {}; }

}  // namespace os::mm
