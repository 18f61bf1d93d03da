// Shared by the swap tests: a machine with page reclaim and a swap file (small RAM, so that
// reclaim has work to do), and helpers to fill memory with a known pattern and check it.
#pragma once

#include <string>
#include <vector>

#include "os/mm/page_reclaim.h"
#include "tests/unit/fork_fixture.h"

namespace swap_test {

using namespace fork_test;

inline ReclaimConfig swap_config(std::uint64_t swap_pages, std::string policy = "clock") {
    ReclaimConfig c;
    c.swap_bytes = swap_pages * P;
    c.policy = std::move(policy);
    c.seed = 42;
    return c;
}

struct SwapMachine {
    SwapMachine(std::uint64_t frames, const ReclaimConfig& config) : pmem(frames * P), reclaim(pmem, &cache, config) {
        pmem.set_mmu_notifier(&mmu);
    }
    PhysicalMemory pmem;
    CountingMmu mmu;
    PageCache cache{pmem};
    PageReclaim reclaim;
    Swap& swap() { return *reclaim.swap(); }
};

// The pattern byte `i` of page `page` holds for a given seed.
inline std::uint8_t pattern(std::uint64_t seed, std::uint64_t page, std::uint64_t i) {
    return static_cast<std::uint8_t>((page * 131 + i * 7 + seed * 17 + (page >> 8)) & 0xff);
}

inline void fill_page(AddressSpace& as, VirtAddr va, std::uint64_t seed, std::uint64_t page) {
    std::vector<std::uint8_t> buf(P);
    for (std::uint64_t i = 0; i < P; ++i)
        buf[i] = pattern(seed, page, i);
    REQUIRE(as.copy_to_user(va, buf.data(), P));
}

// Whether the page at `va` holds the pattern; on a mismatch, says where.
inline std::string check_page(AddressSpace& as, VirtAddr va, std::uint64_t seed, std::uint64_t page) {
    std::vector<std::uint8_t> buf(P);
    if (!as.copy_from_user(buf.data(), va, P))
        return "page " + std::to_string(page) + ": cannot be read";
    for (std::uint64_t i = 0; i < P; ++i)
        if (buf[i] != pattern(seed, page, i))
            return "page " + std::to_string(page) + " byte " + std::to_string(i) + ": " + std::to_string(buf[i]) +
                   " instead of " + std::to_string(pattern(seed, page, i));
    return "";
}

inline std::uint64_t swap_used(SwapMachine& m) { return m.swap().area().used_slots(); }

}  // namespace swap_test
