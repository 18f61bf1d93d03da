// swp_entry_t: where a swapped-out page lives (which swap area, which slot in it), and how
// a non-present page-table entry holds one.
//
// A swap PTE, in the spirit of Linux 2.6's x86-64 layout (the hardware ignores every bit of
// a non-present entry), with a marker bit of our own so that it can never be mistaken for
// an empty entry (0) or a PROT_NONE page (which keeps its frame):
//   bit 0        Present = 0
//   bits 1..5    type: the swap area (Linux's MAX_SWAPFILES is 32)
//   bit 10       kPteSoftProtNone = 0
//   bit 11       kPteSoftSwap = 1
//   bits 12..51  offset: the slot in the area
// Nothing else is kept: the protection comes from the VMA when the page is swapped in.
#pragma once

#include <compare>
#include <cstdint>

#include "os/mm/pte.h"

namespace os::mm {

struct SwapEntry {
    std::uint32_t type = 0;    // which swap area
    std::uint64_t offset = 0;  // which slot of it
    auto operator<=>(const SwapEntry&) const = default;
};

inline constexpr unsigned kSwapTypeShift = 1;
inline constexpr Pte kSwapTypeMask = 0x1f;
inline constexpr unsigned kSwapOffsetShift = 12;
inline constexpr Pte kSwapOffsetMask = (1ull << 40) - 1;

constexpr bool is_swap_pte(Pte pte) {
    return (pte & (kPtePresent | kPteSoftProtNone | kPteSoftSwap)) == kPteSoftSwap;
}

constexpr Pte swp_entry_to_pte(SwapEntry e) {
    return kPteSoftSwap | ((static_cast<Pte>(e.type) & kSwapTypeMask) << kSwapTypeShift) |
           ((e.offset & kSwapOffsetMask) << kSwapOffsetShift);
}

constexpr SwapEntry pte_to_swp_entry(Pte pte) {
    return SwapEntry{static_cast<std::uint32_t>((pte >> kSwapTypeShift) & kSwapTypeMask),
                     (pte >> kSwapOffsetShift) & kSwapOffsetMask};
}

static_assert(!pte_has_frame(swp_entry_to_pte({0, 0})) && swp_entry_to_pte({0, 0}) != 0);
static_assert(pte_to_swp_entry(swp_entry_to_pte({3, 123456})) == SwapEntry{3, 123456});

}  // namespace os::mm
