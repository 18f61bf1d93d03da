// The x86-64 page-table entry format (Intel SDM vol. 3, 4.5), plus the software bits the
// hardware ignores (9-11, 52-58), which hold our own per-page state.
#pragma once

#include <cstdint>

#include "os/mm/types.h"

namespace os::mm {

using Pte = std::uint64_t;

inline constexpr Pte kPtePresent = 1ull << 0;
inline constexpr Pte kPteWritable = 1ull << 1;
inline constexpr Pte kPteUser = 1ull << 2;
inline constexpr Pte kPteAccessed = 1ull << 5;
inline constexpr Pte kPteDirty = 1ull << 6;
inline constexpr Pte kPteNoExec = 1ull << 63;
// Software bits.
inline constexpr Pte kPteSoftCow = 1ull << 9;       // write-protected for copy-on-write
inline constexpr Pte kPteSoftProtNone = 1ull << 10;  // frame kept, access denied (PROT_NONE)
inline constexpr Pte kPteSoftSwap = 1ull << 11;      // not present: a swap entry (os/mm/swap_entry.h)

inline constexpr Pte kPteAddrMask = 0x000f'ffff'ffff'f000ull;

// Bits a table entry (PML4E, PDPTE, PDE) pointing at a lower table carries: the leaf
// decides permissions, the upper levels allow everything.
inline constexpr Pte kPteTable = kPtePresent | kPteWritable | kPteUser;

constexpr Pfn pte_pfn(Pte pte) { return phys_to_pfn(pte & kPteAddrMask); }
constexpr bool pte_present(Pte pte) { return (pte & kPtePresent) != 0; }
// Holds a frame, accessible or not (present, or PROT_NONE).
constexpr bool pte_has_frame(Pte pte) { return (pte & (kPtePresent | kPteSoftProtNone)) != 0; }
constexpr Pte make_pte(Pfn pfn, Pte flags) { return (pfn_to_phys(pfn) & kPteAddrMask) | flags; }

}  // namespace os::mm
