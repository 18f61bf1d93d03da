// The memory side of --pressure and --limit, without guest code: frames going offline and
// coming back (PhysicalMemory::set_online_frames), reclaim following a new RAM size
// (PageReclaim::resize), and memory cgroups (os/mm/mem_cgroup.h): charging up the hierarchy,
// memory.high and memory.max, reclaim of a group's own pages only, and the group's OOM.
#include "os/mm/mem_cgroup.h"
#include "tests/unit/swap_fixture.h"

namespace {

using namespace swap_test;

constexpr VirtAddr kA = 0x1000'0000;
constexpr VirtAddr kB = 0x5000'0000;

std::uint64_t by_use(const PhysicalMemory& pmem, FrameUse use) {
    return pmem.stats().frames_by_use[static_cast<int>(use)];
}

void fill(AddressSpace& as, VirtAddr base, std::uint64_t pages, std::uint64_t seed) {
    for (std::uint64_t i = 0; i < pages; ++i)
        fill_page(as, base + i * P, seed, i);
}

std::string check(AddressSpace& as, VirtAddr base, std::uint64_t pages, std::uint64_t seed) {
    for (std::uint64_t i = 0; i < pages; ++i)
        if (std::string e = check_page(as, base + i * P, seed, i); !e.empty())
            return e;
    return "";
}

}  // namespace

TEST_CASE("pressure: free frames go offline at once, frames in use as they are freed, and come back") {
    PhysicalMemory pmem(256 * P);
    REQUIRE(pmem.free_frame_count() == 255);  // the zero frame
    std::vector<Pfn> used;
    for (int i = 0; i < 100; ++i)
        used.push_back(*pmem.allocate(FrameUse::Anonymous));
    pmem.set_online_frames(200);
    CHECK(pmem.online_frame_count() == 200);
    CHECK(pmem.offline_pending() == 0);
    CHECK(pmem.free_frame_count() == 99);
    CHECK(by_use(pmem, FrameUse::Offline) == 56);
    CHECK(pmem.unused_frame_count() == 155);

    // Below what is in use: every free frame goes, and the rest is owed.
    pmem.set_online_frames(50);
    CHECK(pmem.free_frame_count() == 0);
    CHECK(pmem.offline_pending() == 51);
    CHECK_FALSE(pmem.allocate(FrameUse::Anonymous));
    for (int i = 0; i < 10; ++i)
        pmem.put(used[static_cast<std::size_t>(i)]);
    CHECK(pmem.offline_pending() == 41);
    CHECK(pmem.free_frame_count() == 0);
    CHECK(by_use(pmem, FrameUse::Offline) == 165);

    // Growing pays what is owed first, then frees frames.
    pmem.set_online_frames(100);
    CHECK(pmem.offline_pending() == 0);
    CHECK(pmem.free_frame_count() == 9);
    pmem.set_online_frames(1000);
    CHECK(pmem.online_frame_count() == 256);
    CHECK(pmem.free_frame_count() == 165);
    CHECK(by_use(pmem, FrameUse::Offline) == 0);
    pmem.set_online_frames(0);
    CHECK(pmem.online_frame_count() == PhysicalMemory::kMinOnlineFrames);
    for (std::size_t i = 10; i < used.size(); ++i)
        pmem.put(used[i]);
    pmem.set_online_frames(256);
    CHECK(pmem.free_frame_count() == 255);
}

TEST_CASE("pressure: shrinking RAM swaps out what no longer fits; every byte reads back; growing stops it") {
    const std::string policy = GENERATE(as<std::string>{}, "clock", "fifo", "random", "lru");
    CAPTURE(policy);
    SwapMachine m(4096, swap_config(8192, policy));
    const std::uint64_t free_before = m.pmem.free_frame_count();
    {
        AddressSpace as(m.pmem, &m.mmu);
        map_at(as, kA, 3000 * P);
        fill(as, kA, 3000, 1);
        CHECK(m.reclaim.stats().anon_written == 0);
        REQUIRE(m.reclaim.resize(1024));
        CHECK(m.pmem.online_frame_count() == 1024);
        CHECK(m.pmem.offline_pending() == 0);
        CHECK(m.reclaim.watermarks().high == Watermarks::for_frames(1024).high);
        CHECK(m.pmem.free_frame_count() >= m.reclaim.watermarks().high);
        CHECK(as.resident_pages() < 1024);
        CHECK(m.reclaim.stats().anon_written > 1900);
        // Reading everything back keeps it within the new size.
        REQUIRE(check(as, kA, 3000, 1) == "");
        CHECK(as.resident_pages() < 1024);
        CHECK(fault_count(as, FaultKind::SwapIn) > 1900);
        CHECK(check_mm_consistency(m.pmem, {&as}) == "");
        // Back to full size: the next pass swaps pages in but none out.
        REQUIRE(m.reclaim.resize(4096));
        CHECK(m.reclaim.watermarks().high == Watermarks::for_frames(4096).high);
        const std::uint64_t written = m.reclaim.stats().anon_written;
        REQUIRE(check(as, kA, 3000, 1) == "");
        CHECK(m.reclaim.stats().anon_written == written);
        CHECK(as.resident_pages() == 3000);
    }
    CHECK(m.pmem.free_frame_count() == free_before);
    CHECK(swap_used(m) == 0);
}

TEST_CASE("pressure: without swap, a size below what is in use does not fit until memory is freed") {
    SwapMachine m(1024, swap_config(0));
    auto as = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
    map_at(*as, kA, 600 * P);
    fill(*as, kA, 600, 2);
    CHECK_FALSE(m.reclaim.resize(256));
    CHECK(m.pmem.offline_pending() > 300);
    CHECK(m.pmem.free_frame_count() == 0);
    // Nothing can be allocated: not even by reclaim's direct run.
    map_at(*as, kB, P);
    CHECK_FALSE(try_write(*as, kB, 1));
    CHECK(m.reclaim.stats().failed_allocations >= 1);
    // The process's end pays the debt; what is left is free within the new size.
    as.reset();
    CHECK(m.pmem.offline_pending() == 0);
    CHECK(m.pmem.free_frame_count() > 200);
    CHECK(m.pmem.unused_frame_count() == 1023);
}

TEST_CASE("memcg: charges go up the hierarchy and come off when uncharged") {
    MemCgroups g;
    const MemcgId a = g.create(kRootMemcg, "a", {});
    const MemcgId b = g.create(a, "b", {});
    const MemcgId c = g.create(kRootMemcg, "c", {});
    for (int i = 0; i < 3; ++i)
        REQUIRE(g.try_charge(b, {}));
    REQUIRE(g.try_charge(a, {}));
    REQUIRE(g.try_charge(c, {}));
    CHECK(g.usage(b) == 3);
    CHECK(g.usage(a) == 4);
    CHECK(g.usage(c) == 1);
    CHECK(g.usage(kRootMemcg) == 0);  // the root counts nothing
    g.uncharge(b);
    CHECK(g.usage(b) == 2);
    CHECK(g.usage(a) == 3);
    CHECK(g.group(a).peak == 4);
    CHECK(g.within(b, a));
    CHECK(g.within(b, b));
    CHECK(g.within(b, kRootMemcg));
    CHECK_FALSE(g.within(a, b));
    CHECK_FALSE(g.within(c, a));
    CHECK_FALSE(g.take_oom());
}

TEST_CASE("memcg: memory.max reclaims until the page fits, or fails and leaves the OOM pending; high never fails") {
    MemCgroups g;
    const MemcgId parent = g.create(kRootMemcg, "parent", MemcgLimits{10, kNoMemcgLimit});
    const MemcgId child = g.create(parent, "child", MemcgLimits{kNoMemcgLimit, 4});
    std::vector<std::pair<MemcgId, std::uint64_t>> asked;
    std::uint64_t reclaimable = 0;
    const MemcgReclaim reclaim = [&](MemcgId id, std::uint64_t nr) -> std::uint64_t {
        asked.emplace_back(id, nr);
        const std::uint64_t n = std::min({nr, reclaimable, g.usage(id)});
        reclaimable -= n;
        for (std::uint64_t i = 0; i < n; ++i)
            g.uncharge(id);
        return n;
    };
    for (int i = 0; i < 4; ++i)
        REQUIRE(g.try_charge(child, reclaim));
    CHECK(asked.empty());
    // Above high: a batch is asked for; nothing reclaimable, the charge goes through anyway.
    REQUIRE(g.try_charge(child, reclaim));
    CHECK(asked == std::vector<std::pair<MemcgId, std::uint64_t>>{{child, 32}});
    CHECK(g.group(child).high_events == 1);
    CHECK(g.usage(child) == 5);
    for (int i = 0; i < 5; ++i)
        REQUIRE(g.try_charge(parent, reclaim));
    CHECK(g.usage(parent) == 10);
    // At the parent's max with nothing reclaimable: the charge fails, nothing is charged.
    asked.clear();
    CHECK_FALSE(g.try_charge(child, reclaim));
    CHECK(g.usage(parent) == 10);
    CHECK(g.usage(child) == 5);
    CHECK(g.take_oom() == parent);
    CHECK_FALSE(g.take_oom());
    CHECK(g.group(parent).max_events == 1);
    // With something to reclaim it fits.
    reclaimable = 3;
    REQUIRE(g.try_charge(parent, reclaim));
    CHECK(g.usage(parent) == 8);
    CHECK(g.group(parent).reclaimed == 3);
    CHECK_FALSE(g.take_oom());
}

TEST_CASE("memcg: a group at its memory.max reclaims its own pages only, under every policy") {
    const std::string policy = GENERATE(as<std::string>{}, "clock", "fifo", "random", "lru");
    CAPTURE(policy);
    MemCgroups groups;  // outlives the machine, whose frames are charged to it
    SwapMachine m(4096, swap_config(8192, policy));
    m.pmem.set_memcgs(&groups);
    const MemcgId g = groups.create(kRootMemcg, "limited", MemcgLimits{256, kNoMemcgLimit});
    {
        AddressSpace free_as(m.pmem, &m.mmu);
        AddressSpace limited(m.pmem, &m.mmu);
        map_at(free_as, kA, 500 * P);
        map_at(limited, kA, 2000 * P);
        m.pmem.set_active_memcg(kRootMemcg);
        fill(free_as, kA, 500, 1);
        m.pmem.set_active_memcg(g);
        fill(limited, kA, 2000, 2);
        CHECK(groups.usage(g) <= 256);
        CHECK(limited.resident_pages() <= 256);
        CHECK(free_as.resident_pages() == 500);
        CHECK(free_as.swap_pages() == 0);
        CHECK(m.reclaim.stats().memcg_runs > 0);
        CHECK(groups.group(g).reclaimed >= 2000 - 256);
        REQUIRE(check(limited, kA, 2000, 2) == "");
        CHECK(groups.usage(g) <= 256);
        m.pmem.set_active_memcg(kRootMemcg);
        REQUIRE(check(free_as, kA, 500, 1) == "");
        CHECK(free_as.swap_pages() == 0);
        CHECK(check_mm_consistency(m.pmem, {&free_as, &limited}) == "");
    }
    CHECK(groups.usage(g) == 0);
    CHECK(groups.usage(kRootMemcg) == 0);
}

TEST_CASE("memcg: memory.max without swap fails the fault and names the group") {
    MemCgroups groups;
    SwapMachine m(4096, swap_config(0));
    m.pmem.set_memcgs(&groups);
    const MemcgId g = groups.create(kRootMemcg, "limited", MemcgLimits{100, kNoMemcgLimit});
    {
        AddressSpace as(m.pmem, &m.mmu);
        map_at(as, kA, 200 * P);
        m.pmem.set_active_memcg(g);
        std::uint64_t written = 0;
        while (written < 200 && try_write(as, kA + written * P, 3))
            ++written;
        CHECK(written == 100);
        CHECK(groups.take_oom() == g);
        CHECK(as.translate(kA + written * P, Access::Write).error() == FaultError::OutOfMemory);
        CHECK(groups.take_oom() == g);
        // Plenty of RAM is free: only the group is full.
        CHECK(m.pmem.free_frame_count() > 3000);
    }
    CHECK(groups.usage(g) == 0);
}

TEST_CASE("memcg: memory.high backs off after reclaim fell short, and tries again later") {
    MemCgroups g;
    const MemcgId id = g.create(kRootMemcg, "high", MemcgLimits{kNoMemcgLimit, 2});
    int asked = 0;
    const MemcgReclaim nothing = [&](MemcgId, std::uint64_t) -> std::uint64_t {
        ++asked;
        return 0;
    };
    for (int i = 0; i < 2; ++i)
        REQUIRE(g.try_charge(id, nothing));
    REQUIRE(g.try_charge(id, nothing));  // above high: reclaim asked, fell short
    CHECK(asked == 1);
    for (int i = 0; i < 64; ++i)
        REQUIRE(g.try_charge(id, nothing));  // skipped
    CHECK(asked == 1);
    REQUIRE(g.try_charge(id, nothing));  // tried again, short again: now 128 are skipped
    CHECK(asked == 2);
    for (int i = 0; i < 128; ++i)
        REQUIRE(g.try_charge(id, nothing));
    CHECK(asked == 2);
    CHECK(g.usage(id) == 2 + 1 + 64 + 1 + 128);
    CHECK(g.group(id).high_events == g.usage(id) - 2);
}
