// Tests for os::mm::PageTable: walks that create the intermediate tables, the x86-64 format
// of the entries as stored in physical frames, index arithmetic at the region edges,
// for_each_pte, free_empty_tables, and that every table frame goes back to PhysicalMemory.
#include "os/mm/page_table.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace {

using os::mm::Alloc;
using os::mm::FrameUse;
using os::mm::kPageSize;
using os::mm::kPteAddrMask;
using os::mm::kPteNoExec;
using os::mm::kPtePresent;
using os::mm::kPteSoftProtNone;
using os::mm::kPteUser;
using os::mm::kPteWritable;
using os::mm::kUserTop;
using os::mm::PageTable;
using os::mm::Pfn;
using os::mm::PhysicalMemory;
using os::mm::Pte;
using os::mm::VirtAddr;

constexpr std::uint64_t k2M = 1ull << 21;
constexpr std::uint64_t k1G = 1ull << 30;
constexpr std::uint64_t k512G = 1ull << 39;
// End of the lower canonical half: one page above kUserTop.
constexpr VirtAddr kLowHalfEnd = 1ull << 47;

// The x86-64 index of `va` in the table of `level` (3 = PML4 ... 0 = PT), from the SDM.
constexpr unsigned x86_index(VirtAddr va, int level) { return (va >> (12 + 9 * level)) & 0x1ff; }

// Reads entry `i` of the table in frame `table` straight from emulated RAM.
Pte raw_entry(const PhysicalMemory& pmem, Pfn table, unsigned i) {
    Pte e;
    std::memcpy(&e, pmem.frame_data(table) + i * sizeof(Pte), sizeof e);
    return e;
}

unsigned nonzero_entries(const PhysicalMemory& pmem, Pfn table) {
    unsigned n = 0;
    for (unsigned i = 0; i < 512; ++i)
        n += raw_entry(pmem, table, i) != 0;
    return n;
}

// A fake leaf value: a present mapping of a frame number that is never dereferenced.
Pte fake_leaf(unsigned n) { return os::mm::make_pte(static_cast<Pfn>(0x1000 + n), kPtePresent | kPteUser); }

// Follows the hardware walk through the raw frames; checks every table entry on the way
// and returns the PT frame.
Pfn hardware_walk_to_pt(const PhysicalMemory& pmem, const PageTable& pt, VirtAddr va) {
    Pfn table = pt.root();
    for (int level = 3; level > 0; --level) {
        const Pte e = raw_entry(pmem, table, x86_index(va, level));
        INFO("level " << level << " entry " << std::hex << e);
        REQUIRE((e & kPtePresent) != 0);
        CHECK((e & kPteWritable) != 0);
        CHECK((e & kPteUser) != 0);
        CHECK((e & kPteNoExec) == 0);
        // Nothing but P|W|U and the child's address.
        CHECK((e & ~kPteAddrMask) == (kPtePresent | kPteWritable | kPteUser));
        const Pfn child = os::mm::pte_pfn(e);
        REQUIRE(pmem.valid(child));
        CHECK(pmem.info(child).use == FrameUse::PageTable);
        CHECK(child != table);
        table = child;
    }
    return table;
}

Pte* slot(const PhysicalMemory& pmem, Pfn pt_frame, VirtAddr va) {
    return reinterpret_cast<Pte*>(pmem.frame_data(pt_frame)) + x86_index(va, 0);
}

}  // namespace

TEST_CASE("PageTable walk with Alloc::No on an empty table returns nullptr and allocates nothing") {
    PhysicalMemory pmem(64 * kPageSize);
    const auto before = pmem.free_frame_count();
    PageTable pt(pmem);
    CHECK(pt.table_frames() == 1);
    CHECK(pmem.free_frame_count() == before - 1);
    CHECK(pmem.info(pt.root()).use == FrameUse::PageTable);
    CHECK(nonzero_entries(pmem, pt.root()) == 0);

    for (VirtAddr va : {VirtAddr{0}, VirtAddr{0x400000}, VirtAddr{0x7fff'ffff'e000}, kUserTop})
        CHECK(pt.walk(va, Alloc::No) == nullptr);
    CHECK(pt.lookup(0x400000) == nullptr);
    CHECK(pt.table_frames() == 1);
    CHECK(pmem.free_frame_count() == before - 1);
}

TEST_CASE("PageTable walk with Alloc::Yes builds x86-64 tables in physical frames") {
    PhysicalMemory pmem(64 * kPageSize);
    PageTable pt(pmem);
    const auto free0 = pmem.free_frame_count();
    const VirtAddr va = 0x7f12'3456'7000;

    Pte* leaf = pt.walk(va, Alloc::Yes);
    REQUIRE(leaf != nullptr);
    CHECK(pt.table_frames() == 4);
    CHECK(pmem.free_frame_count() == free0 - 3);
    CHECK(*leaf == 0);

    // Each level has exactly one entry, pointing at a distinct table frame.
    const Pfn pt_frame = hardware_walk_to_pt(pmem, pt, va);
    CHECK(leaf == slot(pmem, pt_frame, va));
    std::set<Pfn> frames{pt.root()};
    Pfn t = pt.root();
    for (int level = 3; level > 0; --level) {
        CHECK(nonzero_entries(pmem, t) == 1);
        t = os::mm::pte_pfn(raw_entry(pmem, t, x86_index(va, level)));
        frames.insert(t);
    }
    CHECK(frames.size() == 4);
    CHECK(nonzero_entries(pmem, pt_frame) == 0);

    // What the walk returns is the entry in RAM: a value stored through it is what lookup
    // and a raw read of the frame see.
    *leaf = fake_leaf(1);
    CHECK(raw_entry(pmem, pt_frame, x86_index(va, 0)) == fake_leaf(1));
    REQUIRE(pt.lookup(va) != nullptr);
    CHECK(pt.lookup(va) == leaf);
    CHECK(*pt.lookup(va) == fake_leaf(1));
    CHECK(pt.walk(va, Alloc::No) == leaf);

    // A neighbour page shares every table: no new frames, the next slot.
    Pte* next = pt.walk(va + kPageSize, Alloc::Yes);
    CHECK(next == leaf + 1);
    CHECK(pt.table_frames() == 4);
    CHECK(pmem.free_frame_count() == free0 - 3);

    // Another 512 GiB region needs three new tables again.
    Pte* far = pt.walk(va - k512G, Alloc::Yes);
    REQUIRE(far != nullptr);
    CHECK(pt.table_frames() == 7);
    CHECK(pmem.free_frame_count() == free0 - 6);
    CHECK(nonzero_entries(pmem, pt.root()) == 2);
    *leaf = 0;
}

TEST_CASE("PageTable index math at the edges of the address space and of each table") {
    PhysicalMemory pmem(256 * kPageSize);

    SECTION("va 0 is entry 0 at every level") {
        PageTable pt(pmem);
        Pte* leaf = pt.walk(0, Alloc::Yes);
        REQUIRE(leaf);
        Pfn t = pt.root();
        for (int level = 3; level > 0; --level) {
            CHECK(raw_entry(pmem, t, 0) != 0);
            CHECK(nonzero_entries(pmem, t) == 1);
            t = os::mm::pte_pfn(raw_entry(pmem, t, 0));
        }
        CHECK(leaf == reinterpret_cast<Pte*>(pmem.frame_data(t)));
    }

    SECTION("the last user page 0x7ffffffff000 is 255/511/511/511") {
        PageTable pt(pmem);
        const VirtAddr va = 0x7fff'ffff'f000;
        Pte* leaf = pt.walk(va, Alloc::Yes);
        REQUIRE(leaf);
        CHECK(raw_entry(pmem, pt.root(), 255) != 0);
        CHECK(nonzero_entries(pmem, pt.root()) == 1);
        const Pfn pdpt = os::mm::pte_pfn(raw_entry(pmem, pt.root(), 255));
        CHECK(raw_entry(pmem, pdpt, 511) != 0);
        const Pfn pd = os::mm::pte_pfn(raw_entry(pmem, pdpt, 511));
        CHECK(raw_entry(pmem, pd, 511) != 0);
        const Pfn ptf = os::mm::pte_pfn(raw_entry(pmem, pd, 511));
        CHECK(leaf == reinterpret_cast<Pte*>(pmem.frame_data(ptf)) + 511);
        CHECK(hardware_walk_to_pt(pmem, pt, va) == ptf);
    }

    SECTION("crossing a 2 MiB boundary takes a new PT only") {
        PageTable pt(pmem);
        Pte* a = pt.walk(k2M - kPageSize, Alloc::Yes);
        REQUIRE(a);
        CHECK(pt.table_frames() == 4);
        Pte* b = pt.walk(k2M, Alloc::Yes);
        REQUIRE(b);
        CHECK(pt.table_frames() == 5);
        const Pfn pa = hardware_walk_to_pt(pmem, pt, k2M - kPageSize);
        const Pfn pb = hardware_walk_to_pt(pmem, pt, k2M);
        CHECK(pa != pb);
        CHECK(a == slot(pmem, pa, k2M - kPageSize));
        CHECK(a == reinterpret_cast<Pte*>(pmem.frame_data(pa)) + 511);
        CHECK(b == reinterpret_cast<Pte*>(pmem.frame_data(pb)));
        // Same PDPT and PD: the PD holds entries 0 and 1.
        const Pfn pdpt = os::mm::pte_pfn(raw_entry(pmem, pt.root(), 0));
        const Pfn pd = os::mm::pte_pfn(raw_entry(pmem, pdpt, 0));
        CHECK(nonzero_entries(pmem, pd) == 2);
        CHECK(os::mm::pte_pfn(raw_entry(pmem, pd, 0)) == pa);
        CHECK(os::mm::pte_pfn(raw_entry(pmem, pd, 1)) == pb);
    }

    SECTION("crossing a 1 GiB boundary takes a new PD and PT") {
        PageTable pt(pmem);
        REQUIRE(pt.walk(k1G - kPageSize, Alloc::Yes));
        CHECK(pt.table_frames() == 4);
        REQUIRE(pt.walk(k1G, Alloc::Yes));
        CHECK(pt.table_frames() == 6);
        const Pfn pdpt = os::mm::pte_pfn(raw_entry(pmem, pt.root(), 0));
        CHECK(nonzero_entries(pmem, pdpt) == 2);
        CHECK(raw_entry(pmem, pdpt, 0) != 0);
        CHECK(raw_entry(pmem, pdpt, 1) != 0);
        const Pfn pd0 = os::mm::pte_pfn(raw_entry(pmem, pdpt, 0));
        const Pfn pd1 = os::mm::pte_pfn(raw_entry(pmem, pdpt, 1));
        CHECK(raw_entry(pmem, pd0, 511) != 0);
        CHECK(raw_entry(pmem, pd1, 0) != 0);
    }

    SECTION("crossing a 512 GiB boundary takes a new PDPT, PD and PT") {
        PageTable pt(pmem);
        REQUIRE(pt.walk(k512G - kPageSize, Alloc::Yes));
        REQUIRE(pt.walk(k512G, Alloc::Yes));
        CHECK(pt.table_frames() == 7);
        CHECK(raw_entry(pmem, pt.root(), 0) != 0);
        CHECK(raw_entry(pmem, pt.root(), 1) != 0);
        CHECK(nonzero_entries(pmem, pt.root()) == 2);
    }
}

TEST_CASE("PageTable walk with Alloc::Yes returns nullptr when out of frames") {
    PhysicalMemory pmem(16 * kPageSize);
    PageTable pt(pmem);
    std::vector<Pfn> hog;
    while (pmem.free_frame_count() > 1)
        hog.push_back(*pmem.allocate(FrameUse::Anonymous));
    CHECK(pt.walk(0x400000, Alloc::Yes) == nullptr);
    // The one table that could be made is accounted for.
    CHECK(pt.table_frames() == 2);
    CHECK(pmem.free_frame_count() == 0);
    CHECK_THROWS_AS(PageTable{pmem}, std::bad_alloc);
    for (Pfn p : hog)
        pmem.put(p);
    CHECK(pt.walk(0x400000, Alloc::Yes) != nullptr);
    CHECK(pt.table_frames() == 4);
}

TEST_CASE("PageTable for_each_pte visits exactly the non-zero entries in range, in order") {
    PhysicalMemory pmem(256 * kPageSize);
    PageTable pt(pmem);
    // Leaves spread over several PTs, PDs and PDPTs; one non-present but non-zero entry
    // (a PROT_NONE page keeps its frame), and one table slot created but left zero.
    const std::vector<std::pair<VirtAddr, Pte>> leaves = {
        {0x1000, fake_leaf(1)},
        {0x2000, fake_leaf(2)},
        {0x5000, os::mm::make_pte(static_cast<Pfn>(0x1003), kPteSoftProtNone)},
        {k2M, fake_leaf(4)},
        {k1G + 7 * kPageSize, fake_leaf(5)},
        {3 * k512G + k2M, fake_leaf(6)},
        {0x7fff'ffff'f000, fake_leaf(7)},
    };
    // Inserted out of order to show that the visit order is the address order.
    for (auto it = leaves.rbegin(); it != leaves.rend(); ++it) {
        Pte* e = pt.walk(it->first, Alloc::Yes);
        REQUIRE(e);
        *e = it->second;
    }
    REQUIRE(pt.walk(0x3000, Alloc::Yes));  // zero: must not be visited
    REQUIRE(pt.walk(5 * k512G, Alloc::Yes));

    auto visit = [&](VirtAddr start, VirtAddr end) {
        std::vector<std::pair<VirtAddr, Pte>> seen;
        pt.for_each_pte(start, end, [&](VirtAddr va, Pte& pte) { seen.emplace_back(va, pte); });
        return seen;
    };
    auto expected = [&](VirtAddr start, VirtAddr end) {
        std::vector<std::pair<VirtAddr, Pte>> out;
        for (auto& l : leaves)
            if (l.first >= start && l.first < end)
                out.push_back(l);
        return out;
    };

    CHECK(visit(0, kLowHalfEnd) == leaves);
    // kUserTop is the last page's address: [0, kUserTop) excludes it.
    CHECK(visit(0, kUserTop) == expected(0, kUserTop));
    CHECK(visit(0x2000, k2M) == expected(0x2000, k2M));  // start inclusive, end exclusive
    CHECK(visit(0x2000, k2M + 1) == expected(0x2000, k2M + kPageSize));
    CHECK(visit(0x6000, k1G) == expected(0x6000, k1G));
    CHECK(visit(k2M + kPageSize, 3 * k512G + k2M) == expected(k2M + kPageSize, 3 * k512G + k2M));
    CHECK(visit(k1G, kLowHalfEnd) == expected(k1G, kLowHalfEnd));
    CHECK(visit(0x3000, 0x5000).empty());
    CHECK(visit(0x2000, 0x2000).empty());
    CHECK(visit(0x5000, 0x1000).empty());

    // The callback gets the entry itself: clearing it through the reference clears the table.
    pt.for_each_pte(0x1000, 0x3000, [](VirtAddr, Pte& pte) { pte = 0; });
    CHECK(*pt.lookup(0x1000) == 0);
    CHECK(*pt.lookup(0x2000) == 0);
    CHECK(visit(0, k2M) == expected(0x3000, k2M));
}

TEST_CASE("PageTable free_empty_tables returns empty tables to PhysicalMemory") {
    PhysicalMemory pmem(256 * kPageSize);
    PageTable pt(pmem);
    const auto free0 = pmem.free_frame_count();

    const VirtAddr a1 = 0x400000, a2 = 0x401000;  // same PT
    const VirtAddr b = 2 * k512G + 5 * k1G;       // a region of its own
    for (VirtAddr va : {a1, a2, b}) {
        Pte* e = pt.walk(va, Alloc::Yes);
        REQUIRE(e);
        *e = fake_leaf(static_cast<unsigned>(va >> 12));
    }
    REQUIRE(pt.table_frames() == 7);
    REQUIRE(pmem.free_frame_count() == free0 - 6);

    // Nothing is empty yet.
    pt.free_empty_tables(0, kLowHalfEnd);
    CHECK(pt.table_frames() == 7);
    CHECK(pmem.free_frame_count() == free0 - 6);

    // A PT that still maps a2 is kept.
    *pt.walk(a1, Alloc::No) = 0;
    pt.free_empty_tables(a1, a1 + kPageSize);
    CHECK(pt.table_frames() == 7);
    REQUIRE(pt.lookup(a2));
    CHECK(*pt.lookup(a2) != 0);

    // b's region empties: its PDPT, PD and PT go; the other region stays.
    *pt.walk(b, Alloc::No) = 0;
    pt.free_empty_tables(b, b + kPageSize);
    CHECK(pt.table_frames() == 4);
    CHECK(pmem.free_frame_count() == free0 - 3);
    CHECK(pt.lookup(b) == nullptr);
    CHECK(raw_entry(pmem, pt.root(), x86_index(b, 3)) == 0);
    REQUIRE(pt.lookup(a2));
    CHECK(*pt.lookup(a2) == fake_leaf(static_cast<unsigned>(a2 >> 12)));

    // Back to the bare root.
    *pt.walk(a2, Alloc::No) = 0;
    pt.free_empty_tables(0, kUserTop);
    CHECK(pt.table_frames() == 1);
    CHECK(pmem.free_frame_count() == free0);
    CHECK(nonzero_entries(pmem, pt.root()) == 0);
    CHECK(pt.walk(a2, Alloc::No) == nullptr);

    // Tables whose walk allocated them but that never got a leaf are empty too.
    REQUIRE(pt.walk(0x7fff'ffff'f000, Alloc::Yes));
    CHECK(pt.table_frames() == 4);
    pt.free_empty_tables(0, kLowHalfEnd);
    CHECK(pt.table_frames() == 1);
    CHECK(pmem.free_frame_count() == free0);
}

TEST_CASE("PageTable destructor frees every table frame") {
    PhysicalMemory pmem(1024 * kPageSize);
    const auto before = pmem.free_frame_count();
    const auto before_tables = pmem.stats().frames_by_use[static_cast<int>(FrameUse::PageTable)];
    {
        PageTable pt(pmem);
        for (unsigned i = 0; i < 40; ++i)
            REQUIRE(pt.walk(i * (k1G + 3 * k2M + kPageSize), Alloc::Yes));
        for (unsigned i = 0; i < 5; ++i)
            REQUIRE(pt.walk(i * k512G + 0x1234000, Alloc::Yes));
        REQUIRE(pt.walk(0x7fff'ffff'f000, Alloc::Yes));
        CHECK(pt.table_frames() > 40);
        CHECK(pmem.free_frame_count() == before - pt.table_frames());
    }
    CHECK(pmem.free_frame_count() == before);
    CHECK(pmem.stats().frames_by_use[static_cast<int>(FrameUse::PageTable)] == before_tables);
}
