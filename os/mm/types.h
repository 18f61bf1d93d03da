// Vocabulary of the memory manager: addresses, frame numbers, page arithmetic, accesses.
#pragma once

#include <cstddef>
#include <cstdint>

namespace os::mm {

using VirtAddr = std::uint64_t;  // a guest virtual address
using PhysAddr = std::uint64_t;  // an address in emulated physical memory

// A physical frame number: PhysAddr >> kPageShift. A distinct type so that a frame number
// is never mistaken for an address or a count.
enum class Pfn : std::uint32_t {};

inline constexpr unsigned kPageShift = 12;
inline constexpr std::uint64_t kPageSize = 1ull << kPageShift;
inline constexpr std::uint64_t kPageMask = ~(kPageSize - 1);

// x86-64 with 4-level paging: user addresses are [0, kUserTop).
inline constexpr VirtAddr kUserTop = 0x0000'7fff'ffff'f000ull;  // Linux TASK_SIZE

constexpr std::uint64_t page_round_down(std::uint64_t a) { return a & kPageMask; }
constexpr std::uint64_t page_round_up(std::uint64_t a) { return (a + kPageSize - 1) & kPageMask; }
constexpr bool page_aligned(std::uint64_t a) { return (a & ~kPageMask) == 0; }
constexpr std::uint64_t page_offset(std::uint64_t a) { return a & ~kPageMask; }

constexpr PhysAddr pfn_to_phys(Pfn pfn) { return static_cast<PhysAddr>(pfn) << kPageShift; }
constexpr Pfn phys_to_pfn(PhysAddr pa) { return static_cast<Pfn>(pa >> kPageShift); }
constexpr std::uint32_t pfn_index(Pfn pfn) { return static_cast<std::uint32_t>(pfn); }

// What an access wants to do with a page.
enum class Access : std::uint8_t { Read, Write, Execute };

constexpr const char* access_name(Access a) {
    switch (a) {
    case Access::Read: return "read";
    case Access::Write: return "write";
    case Access::Execute: return "exec";
    }
    return "?";
}

}  // namespace os::mm
