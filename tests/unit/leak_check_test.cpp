// The kernel's end-of-run check (os/mm/leak_check.h): after fork, copy-on-write, swapping
// out and in, munmap and the end of every address space, no frame and no swap slot is in
// use; a frame or a swap slot still held is counted, so a leak cannot go unnoticed.
#include "os/mm/leak_check.h"
#include "tests/unit/swap_fixture.h"

namespace {

using namespace swap_test;

constexpr VirtAddr kA = 0x1000'0000;
constexpr std::uint64_t kFrames = 16ull << 20 >> 12;
constexpr std::uint64_t kSwapPages = 64ull << 20 >> 12;

}  // namespace

TEST_CASE("leak check: after fork, COW, swap out and in, munmap and exit, nothing is in use") {
    SwapMachine m(kFrames, swap_config(kSwapPages));
    constexpr std::uint64_t kPages = 2 * kFrames;  // twice the RAM: most of it goes to swap
    {
        auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
        map_at(*parent, kA, kPages * P);
        for (std::uint64_t i = 0; i < kPages; ++i)
            fill_page(*parent, kA + i * P, 1, i);
        auto child = parent->fork(nullptr);
        REQUIRE(child);
        for (std::uint64_t i = 0; i < kPages; i += 3)
            fill_page(*child, kA + i * P, 2, i);
        for (std::uint64_t i = 0; i < kPages; ++i)
            REQUIRE(check_page(*child, kA + i * P, i % 3 == 0 ? 2 : 1, i) == "");
        const os::mm::MemoryInUse busy = os::mm::memory_in_use(m.pmem);
        CHECK(busy.frames > 0);
        CHECK(busy.swap_slots > 0);
        CHECK_FALSE(busy.empty());
        REQUIRE(parent->unmap(kA, kPages / 2 * P));
    }
    const os::mm::MemoryInUse left = os::mm::memory_in_use(m.pmem);
    CHECK(left.frames == 0);
    CHECK(left.swap_slots == 0);
    CHECK(left.empty());
    CHECK(left.total_frames == kFrames);
    CHECK(left.total_swap_slots == m.swap().area().total_slots());
}

TEST_CASE("leak check: a frame nobody freed and a swap slot nobody released are counted") {
    SwapMachine m(kFrames, swap_config(kSwapPages));
    REQUIRE(os::mm::memory_in_use(m.pmem).empty());
    auto pfn = m.pmem.allocate(os::mm::FrameUse::Anonymous);
    REQUIRE(pfn);
    CHECK(os::mm::memory_in_use(m.pmem).frames == 1);
    m.pmem.put(*pfn);
    CHECK(os::mm::memory_in_use(m.pmem).empty());
    const auto slot = m.swap().area().get_swap_page();
    REQUIRE(slot);
    CHECK(os::mm::memory_in_use(m.pmem).swap_slots == 1);
    m.swap().area().set_cache_flag(*slot, false);
    CHECK(os::mm::memory_in_use(m.pmem).empty());
}
