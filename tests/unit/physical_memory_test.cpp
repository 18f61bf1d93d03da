// Tests for os::mm::PhysicalMemory: the frame allocator (zeroing, refcounts, LIFO reuse,
// exhaustion, the reserved zero frame), its statistics, and the code invalidation it asks
// of the MMU notifier when a frame that held executable code is reused.
#include "os/mm/physical_memory.h"

#include <catch2/catch.hpp>
#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

namespace {

using os::mm::FrameUse;
using os::mm::kPageSize;
using os::mm::PhysAddr;
using os::mm::Pfn;
using os::mm::PhysicalMemory;

// Counts what the allocator asks of the MMU.
class CountingNotifier final : public os::mm::MmuNotifier {
public:
    void flush_tlb() override { ++flushes; }
    void invalidate_code(PhysAddr paddr, std::uint64_t length) override { invalidations.emplace_back(paddr, length); }

    int flushes = 0;
    std::vector<std::pair<PhysAddr, std::uint64_t>> invalidations;
};

bool all_zero(const std::byte* p, std::size_t n) {
    return std::all_of(p, p + n, [](std::byte b) { return b == std::byte{0}; });
}

std::uint64_t by_use(const os::mm::PhysicalMemoryStats& s, FrameUse use) {
    return s.frames_by_use[static_cast<int>(use)];
}

}  // namespace

TEST_CASE("PhysicalMemory hands out zeroed frames, also when reusing a dirty one") {
    PhysicalMemory pmem(256 * kPageSize);
    auto a = pmem.allocate(FrameUse::Anonymous);
    REQUIRE(a);
    CHECK(all_zero(pmem.frame_data(*a), kPageSize));
    std::memset(pmem.frame_data(*a), 0xa5, kPageSize);
    pmem.put(*a);

    // LIFO: the frame just freed comes back, and must not carry its old contents.
    auto b = pmem.allocate(FrameUse::File);
    REQUIRE(b);
    REQUIRE(*b == *a);
    CHECK(all_zero(pmem.frame_data(*b), kPageSize));
    CHECK(pmem.info(*b).use == FrameUse::File);
    CHECK(pmem.info(*b).refcount == 1);
    CHECK(pmem.info(*b).mapcount == 0);
    // frame_data and phys_data agree.
    CHECK(pmem.frame_data(*b) == pmem.phys_data(os::mm::pfn_to_phys(*b)));
    CHECK(pmem.frame_data(*b) == pmem.host_base() + os::mm::pfn_to_phys(*b));
}

TEST_CASE("PhysicalMemory skips the zeroing only for a caller that overwrites the frame") {
    PhysicalMemory pmem(256 * kPageSize);
    auto a = pmem.allocate(FrameUse::Anonymous);
    REQUIRE(a);
    std::memset(pmem.frame_data(*a), 0xa5, kPageSize);
    pmem.put(*a);
    // A copy-on-write copy: the frame is a fresh, counted frame; what it holds is the
    // caller's to overwrite (here, still the old bytes).
    auto b = pmem.allocate(FrameUse::Anonymous, os::mm::Fill::CallerOverwrites);
    REQUIRE(b);
    REQUIRE(*b == *a);
    CHECK(pmem.info(*b).refcount == 1);
    CHECK(pmem.info(*b).mapcount == 0);
    CHECK(pmem.info(*b).use == FrameUse::Anonymous);
    CHECK(static_cast<unsigned char>(pmem.frame_data(*b)[0]) == 0xa5);
    pmem.put(*b);
    // The default still zeroes.
    auto c = pmem.allocate(FrameUse::Anonymous);
    REQUIRE(c);
    REQUIRE(*c == *a);
    CHECK(all_zero(pmem.frame_data(*c), kPageSize));
}

TEST_CASE("PhysicalMemory refcount: get/put frees only at zero") {
    PhysicalMemory pmem(64 * kPageSize);
    const auto free0 = pmem.free_frame_count();
    auto f = pmem.allocate(FrameUse::Anonymous);
    REQUIRE(f);
    CHECK(pmem.free_frame_count() == free0 - 1);
    CHECK(pmem.info(*f).refcount == 1);

    pmem.get(*f);
    pmem.get(*f);
    CHECK(pmem.info(*f).refcount == 3);
    pmem.put(*f);
    pmem.put(*f);
    CHECK(pmem.info(*f).refcount == 1);
    CHECK(pmem.info(*f).use == FrameUse::Anonymous);
    CHECK(pmem.free_frame_count() == free0 - 1);

    pmem.put(*f);
    CHECK(pmem.info(*f).refcount == 0);
    CHECK(pmem.info(*f).use == FrameUse::Free);
    CHECK(pmem.free_frame_count() == free0);
}

TEST_CASE("PhysicalMemory reuses frames LIFO, most recently freed first") {
    PhysicalMemory pmem(64 * kPageSize);
    auto a = pmem.allocate(FrameUse::Anonymous);
    auto b = pmem.allocate(FrameUse::Anonymous);
    auto c = pmem.allocate(FrameUse::Anonymous);
    REQUIRE((a && b && c));
    CHECK(*a != *b);
    CHECK(*b != *c);
    // Fresh frames come low to high (the free list is primed high-first).
    CHECK(os::mm::pfn_index(*a) < os::mm::pfn_index(*b));
    CHECK(os::mm::pfn_index(*b) < os::mm::pfn_index(*c));

    pmem.put(*b);
    pmem.put(*a);
    pmem.put(*c);
    auto x = pmem.allocate(FrameUse::Anonymous);
    auto y = pmem.allocate(FrameUse::Anonymous);
    auto z = pmem.allocate(FrameUse::Anonymous);
    REQUIRE((x && y && z));
    CHECK(*x == *c);
    CHECK(*y == *a);
    CHECK(*z == *b);
}

TEST_CASE("PhysicalMemory allocation fails cleanly when exhausted and recovers after a put") {
    PhysicalMemory pmem(64 * kPageSize);
    CHECK(pmem.frame_count() == 64);
    CHECK(pmem.size_bytes() == 64 * kPageSize);
    // The zero frame is taken at construction.
    REQUIRE(pmem.free_frame_count() == 63);

    std::vector<Pfn> got;
    while (auto f = pmem.allocate(FrameUse::Anonymous))
        got.push_back(*f);
    CHECK(got.size() == 63);
    CHECK(pmem.free_frame_count() == 0);
    CHECK_FALSE(pmem.allocate(FrameUse::Anonymous).has_value());
    CHECK_FALSE(pmem.allocate(FrameUse::PageTable).has_value());
    // Every frame was handed out once.
    CHECK(std::set<Pfn>(got.begin(), got.end()).size() == got.size());

    const Pfn back = got[17];
    std::memset(pmem.frame_data(back), 0x11, kPageSize);
    pmem.put(back);
    CHECK(pmem.free_frame_count() == 1);
    auto again = pmem.allocate(FrameUse::Anonymous);
    REQUIRE(again);
    CHECK(*again == back);
    CHECK(all_zero(pmem.frame_data(*again), kPageSize));
    CHECK_FALSE(pmem.allocate(FrameUse::Anonymous).has_value());

    for (Pfn p : got)
        pmem.put(p);
    CHECK(pmem.free_frame_count() == 63);
}

TEST_CASE("PhysicalMemory rounds its size down to whole pages and refuses tiny memories") {
    PhysicalMemory pmem(20 * kPageSize + 123);
    CHECK(pmem.frame_count() == 20);
    CHECK_THROWS_AS(PhysicalMemory(15 * kPageSize), std::invalid_argument);
}

TEST_CASE("PhysicalMemory reserves the zero frame and never hands it out") {
    PhysicalMemory pmem(32 * kPageSize);
    const Pfn zero = pmem.zero_frame();
    CHECK(pmem.valid(zero));
    CHECK(pmem.is_zero_frame(zero));
    CHECK(pmem.info(zero).use == FrameUse::Reserved);
    CHECK(pmem.info(zero).refcount >= 1);
    CHECK(all_zero(pmem.frame_data(zero), kPageSize));

    std::vector<Pfn> got;
    while (auto f = pmem.allocate(FrameUse::Anonymous)) {
        CHECK(*f != zero);
        CHECK_FALSE(pmem.is_zero_frame(*f));
        got.push_back(*f);
    }
    // Churn: free and reallocate everything; the zero frame still never appears.
    for (Pfn p : got)
        pmem.put(p);
    while (auto f = pmem.allocate(FrameUse::File))
        CHECK(*f != zero);
    CHECK(pmem.info(zero).use == FrameUse::Reserved);
}

TEST_CASE("PhysicalMemory stats() counts frames by use") {
    PhysicalMemory pmem(100 * kPageSize);
    auto s0 = pmem.stats();
    CHECK(s0.total_frames == 100);
    CHECK(s0.free_frames == 99);
    CHECK(by_use(s0, FrameUse::Free) == 99);
    CHECK(by_use(s0, FrameUse::Reserved) == 1);
    CHECK(by_use(s0, FrameUse::PageTable) == 0);
    CHECK(by_use(s0, FrameUse::Anonymous) == 0);
    CHECK(by_use(s0, FrameUse::File) == 0);

    std::vector<Pfn> anon, file, tables;
    for (int i = 0; i < 5; ++i)
        anon.push_back(*pmem.allocate(FrameUse::Anonymous));
    for (int i = 0; i < 3; ++i)
        file.push_back(*pmem.allocate(FrameUse::File));
    for (int i = 0; i < 2; ++i)
        tables.push_back(*pmem.allocate(FrameUse::PageTable));

    auto s1 = pmem.stats();
    CHECK(s1.total_frames == 100);
    CHECK(s1.free_frames == 89);
    CHECK(by_use(s1, FrameUse::Free) == 89);
    CHECK(by_use(s1, FrameUse::Reserved) == 1);
    CHECK(by_use(s1, FrameUse::PageTable) == 2);
    CHECK(by_use(s1, FrameUse::Anonymous) == 5);
    CHECK(by_use(s1, FrameUse::File) == 3);

    // An extra reference keeps the frame counted as in use.
    pmem.get(anon[0]);
    pmem.put(anon[0]);
    pmem.put(anon[1]);
    pmem.put(file[2]);
    auto s2 = pmem.stats();
    CHECK(s2.free_frames == 91);
    CHECK(by_use(s2, FrameUse::Free) == 91);
    CHECK(by_use(s2, FrameUse::Anonymous) == 4);
    CHECK(by_use(s2, FrameUse::File) == 2);
    std::uint64_t sum = 0;
    for (auto n : s2.frames_by_use)
        sum += n;
    CHECK(sum == s2.total_frames);
}

TEST_CASE("PhysicalMemory invalidates translated code exactly once when an exec frame is reused") {
    PhysicalMemory pmem(64 * kPageSize);
    CountingNotifier mmu;
    pmem.set_mmu_notifier(&mmu);

    auto f = pmem.allocate(FrameUse::File);
    REQUIRE(f);
    CHECK(mmu.invalidations.empty());  // a never-executed frame needs nothing

    pmem.info(*f).had_exec_mapping = true;
    pmem.put(*f);
    CHECK(mmu.invalidations.empty());  // freeing alone does not invalidate

    auto g = pmem.allocate(FrameUse::Anonymous);
    REQUIRE(g);
    REQUIRE(*g == *f);  // LIFO
    REQUIRE(mmu.invalidations.size() == 1);
    CHECK(mmu.invalidations[0].first == os::mm::pfn_to_phys(*f));
    CHECK(mmu.invalidations[0].second == kPageSize);
    CHECK_FALSE(pmem.info(*g).had_exec_mapping);
    CHECK(mmu.flushes == 0);

    // The flag was consumed: another reuse of the same frame does not invalidate again.
    pmem.put(*g);
    auto h = pmem.allocate(FrameUse::Anonymous);
    REQUIRE(h);
    CHECK(*h == *f);
    CHECK(mmu.invalidations.size() == 1);

    // Without a notifier the flag is still cleared and nothing crashes.
    pmem.info(*h).had_exec_mapping = true;
    pmem.put(*h);
    pmem.set_mmu_notifier(nullptr);
    auto i = pmem.allocate(FrameUse::Anonymous);
    REQUIRE(i);
    CHECK_FALSE(pmem.info(*i).had_exec_mapping);
    CHECK(mmu.invalidations.size() == 1);
}

namespace {

// How many pages of [p, p + bytes) are resident on the host.
std::size_t resident_pages(const std::byte* p, std::size_t bytes) {
    std::vector<unsigned char> v(bytes / kPageSize);
    REQUIRE(::mincore(const_cast<std::byte*>(p), bytes, v.data()) == 0);
    return static_cast<std::size_t>(std::count_if(v.begin(), v.end(), [](unsigned char c) { return c & 1; }));
}

// MADV_POPULATE_WRITE came with Linux 5.14; older hosts fault frames in one by one.
bool populate_supported() {
    void* p = ::mmap(nullptr, kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
#ifdef MADV_POPULATE_WRITE
    const bool ok = ::madvise(p, kPageSize, MADV_POPULATE_WRITE) == 0;
#else
    const bool ok = false;
#endif
    ::munmap(p, kPageSize);
    return ok;
}

}  // namespace

TEST_CASE("PhysicalMemory has the host populate never-used frames a chunk ahead, no more") {
    constexpr std::size_t kFrames = 4096;  // 16 MiB: eight 2 MiB chunks
    constexpr std::size_t kChunk = 512;
    PhysicalMemory pmem(kFrames * kPageSize);
    const std::size_t bytes = kFrames * kPageSize;
    // The zero frame is allocated at start-up: the first chunk is resident, nothing else.
    CHECK(resident_pages(pmem.host_base(), bytes) <= kChunk);
    std::vector<Pfn> got;
    for (int i = 0; i < 1500; ++i) {
        auto f = pmem.allocate(FrameUse::Anonymous);
        REQUIRE(f);
        got.push_back(*f);
    }
    // Never-used frames come in ascending order, so chunks fill one after the other: the
    // 1501 frames (the zero frame too) reach into the third chunk, which is resident
    // although nobody wrote to it, and the fourth is not.
    CHECK(std::is_sorted(got.begin(), got.end()));
    const std::size_t resident = resident_pages(pmem.host_base(), bytes);
    CHECK(resident <= 3 * kChunk);
    if (populate_supported())
        CHECK(resident == 3 * kChunk);
    for (Pfn f : got) {
        CHECK(all_zero(pmem.frame_data(f), kPageSize));
        std::memset(pmem.frame_data(f), 0x5a, kPageSize);  // what the guest would do
    }
    // Freed and reused frames are zeroed again (they are no longer the host's zero pages);
    // reusing them populates nothing more.
    for (Pfn f : got)
        pmem.put(f);
    for (int i = 0; i < 1500; ++i) {
        auto f = pmem.allocate(FrameUse::Anonymous);
        REQUIRE(f);
        CHECK(all_zero(pmem.frame_data(*f), kPageSize));
    }
    CHECK(resident_pages(pmem.host_base(), bytes) == resident);
}
