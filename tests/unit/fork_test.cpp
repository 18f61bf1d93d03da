// AddressSpace::fork(): copy-on-write of private pages in both directions, fork trees,
// shared anonymous and file mappings staying shared, private file mappings, reuse once the
// other side is gone, the zero frame, what the child inherits and what it does not, exact
// frame counts at every step, and that fork copies page tables, not pages.
#include <span>

#include "os/mm/mman.h"
#include "tests/unit/fork_fixture.h"

namespace {

using namespace fork_test;
namespace abi = os::mm::abi;

constexpr VirtAddr kA = 0x1000'0000;

std::uint64_t frames_in_use(const PhysicalMemory& pmem) { return pmem.frame_count() - pmem.free_frame_count(); }

}  // namespace

TEST_CASE("fork: a write in the parent is not seen by the child, and the other way round") {
    Machine m;
    const std::uint64_t free_before = m.pmem.free_frame_count();
    {
        auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
        map_at(*parent, kA, 4 * P);
        for (int i = 0; i < 4; ++i)
            write_byte(*parent, kA + i * P, static_cast<std::uint8_t>(0x10 + i));
        const Pfn f0 = frame_of(*parent, kA);
        CountingMmu child_mmu;
        const int flushes = m.mmu.flushes;
        auto child = parent->fork(&child_mmu);
        REQUIRE(child);
        CHECK(m.mmu.flushes == flushes + 1);  // once for the whole copy
        CHECK(child_mmu.flushes == 0);
        CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");

        // Both map the same frame, write-protected and marked copy-on-write.
        CHECK(frame_of(*child, kA) == f0);
        CHECK(m.pmem.info(f0).mapcount == 2);
        CHECK(m.pmem.info(f0).refcount == 2);
        for (AddressSpace* as : {parent.get(), child.get()}) {
            CHECK((pte_of(*as, kA) & kPteWritable) == 0);
            CHECK((pte_of(*as, kA) & kPteSoftCow) != 0);
        }
        CHECK(child->resident_pages() == 4);

        write_byte(*parent, kA, 0xaa);  // parent copies page 0
        CHECK(read_byte(*child, kA) == 0x10);
        CHECK(fault_count(*parent, FaultKind::CowCopy) == 1);
        CHECK(frame_of(*child, kA) == f0);
        CHECK(m.pmem.info(f0).mapcount == 1);
        CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");

        write_byte(*child, kA + P, 0xbb);  // child copies page 1
        CHECK(read_byte(*parent, kA + P) == 0x11);
        CHECK(read_byte(*child, kA + P) == 0xbb);
        CHECK(fault_count(*child, FaultKind::CowCopy) == 1);

        // The side that did not copy now holds the only mapping: its write reuses the frame.
        write_byte(*child, kA, 0xcc);
        CHECK(fault_count(*child, FaultKind::CowReuse) == 1);
        CHECK(frame_of(*child, kA) == f0);
        CHECK(read_byte(*parent, kA) == 0xaa);
        write_byte(*parent, kA + P, 0xdd);
        CHECK(fault_count(*parent, FaultKind::CowReuse) == 1);
        CHECK(read_byte(*child, kA + P) == 0xbb);
        CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");
        CHECK(child->fault_counters().minor == 2);  // its own faults only: counters start at zero
    }
    CHECK(m.pmem.free_frame_count() == free_before);
}

TEST_CASE("fork: a tree three generations deep, with writes at every level") {
    Machine m;
    const std::uint64_t free_before = m.pmem.free_frame_count();
    {
        auto root = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
        map_at(*root, kA, 3 * P);
        write_byte(*root, kA, 1);
        write_byte(*root, kA + P, 1);
        auto child = root->fork(nullptr);
        write_byte(*child, kA + P, 2);
        write_byte(*child, kA + 2 * P, 2);  // untouched before: the child's own page
        auto grandchild = child->fork(nullptr);
        auto sibling = root->fork(nullptr);
        write_byte(*grandchild, kA, 3);
        write_byte(*root, kA + 2 * P, 9);
        auto great = grandchild->fork(nullptr);
        write_byte(*great, kA + P, 4);
        std::vector<AddressSpace*> all = {root.get(), child.get(), grandchild.get(), sibling.get(), great.get()};
        CHECK(check_mm_consistency(m.pmem, all) == "");

        struct Expect {
            AddressSpace* as;
            std::uint8_t b0, b1, b2;
        };
        for (const Expect& e : {Expect{root.get(), 1, 1, 9}, Expect{child.get(), 1, 2, 2},
                                Expect{grandchild.get(), 3, 2, 2}, Expect{sibling.get(), 1, 1, 0},
                                Expect{great.get(), 3, 4, 2}}) {
            CHECK(read_byte(*e.as, kA) == e.b0);
            CHECK(read_byte(*e.as, kA + P) == e.b1);
            CHECK(read_byte(*e.as, kA + 2 * P) == e.b2);
        }
        // Page 0 of root, child and sibling is still one frame.
        CHECK(frame_of(*root, kA) == frame_of(*sibling, kA));
        CHECK(frame_of(*root, kA) == frame_of(*child, kA));
        CHECK(m.pmem.info(frame_of(*root, kA)).mapcount == 3);
        // All five share one anon_vma (the pre-2.6.34 design).
        CHECK(root->vmas().first()->anon_vma == great->vmas().first()->anon_vma);
        CHECK(root->vmas().first()->anon_vma->vmas().size() == 5);

        // Destroy the middle generation first: the others are unaffected.
        child.reset();
        all = {root.get(), grandchild.get(), sibling.get(), great.get()};
        CHECK(check_mm_consistency(m.pmem, all) == "");
        CHECK(read_byte(*grandchild, kA + P) == 2);
        CHECK(read_byte(*great, kA + 2 * P) == 2);
        root.reset();
        sibling.reset();
        CHECK(check_mm_consistency(m.pmem, {grandchild.get(), great.get()}) == "");
        CHECK(read_byte(*great, kA) == 3);
    }
    CHECK(m.pmem.free_frame_count() == free_before);
}

TEST_CASE("fork: the side left alone after the other exited reuses its frames") {
    Machine m;
    auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
    map_at(*parent, kA, 2 * P);
    write_byte(*parent, kA, 7);
    write_byte(*parent, kA + P, 8);
    const Pfn f0 = frame_of(*parent, kA);
    auto child = parent->fork(nullptr);
    const std::uint64_t used = frames_in_use(m.pmem);
    child.reset();  // the child exits (or execs: its old address space goes the same way)
    CHECK(m.pmem.info(f0).mapcount == 1);
    write_byte(*parent, kA, 9);
    write_byte(*parent, kA + P, 10);
    CHECK(frame_of(*parent, kA) == f0);
    CHECK(fault_count(*parent, FaultKind::CowReuse) == 2);
    CHECK(fault_count(*parent, FaultKind::CowCopy) == 0);
    CHECK(frames_in_use(m.pmem) < used);  // the child's page tables went, no data page came
    CHECK(check_mm_consistency(m.pmem, {parent.get()}) == "");

    // And the child reuses once the parent is gone.
    auto child2 = parent->fork(nullptr);
    parent.reset();
    write_byte(*child2, kA, 11);
    CHECK(frame_of(*child2, kA) == f0);
    CHECK(fault_count(*child2, FaultKind::CowReuse) == 1);
    CHECK(read_byte(*child2, kA + P) == 10);
    CHECK(check_mm_consistency(m.pmem, {child2.get()}) == "");
}

TEST_CASE("fork: the zero frame stays the zero frame, and uncounted") {
    Machine m;
    AddressSpace parent(m.pmem, &m.mmu);
    map_at(parent, kA, 2 * P);
    CHECK(read_byte(parent, kA) == 0);  // maps the zero frame
    const Pfn zero = m.pmem.zero_frame();
    REQUIRE(frame_of(parent, kA) == zero);
    const FrameInfo before = m.pmem.info(zero);
    auto child = parent.fork(nullptr);
    CHECK(frame_of(*child, kA) == zero);
    CHECK(m.pmem.info(zero).refcount == before.refcount);
    CHECK(m.pmem.info(zero).mapcount == before.mapcount);
    CHECK(child->resident_pages() == 0);
    CHECK(read_byte(*child, kA) == 0);
    write_byte(*child, kA, 5);
    CHECK(fault_count(*child, FaultKind::DemandZero) == 1);
    CHECK(read_byte(parent, kA) == 0);
    CHECK(frame_of(parent, kA) == zero);
    CHECK(read_byte(*child, kA + P) == 0);  // never touched by either
    CHECK(check_mm_consistency(m.pmem, {&parent, child.get()}) == "");
}

TEST_CASE("fork: shared anonymous memory stays shared, also for pages first touched after the fork") {
    Machine m;
    const std::uint64_t free_before = m.pmem.free_frame_count();
    {
        auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
        const VirtAddr s = map_at(*parent, kA, 4 * P, kRW, kVmShared);
        write_byte(*parent, s, 1);
        auto child = parent->fork(nullptr);
        CHECK((pte_of(*child, s) & kPteWritable) != 0);  // same permissions
        CHECK((pte_of(*parent, s) & kPteWritable) != 0);
        write_byte(*child, s, 2);
        CHECK(read_byte(*parent, s) == 2);
        write_byte(*child, s + P, 3);  // a page neither had
        CHECK(read_byte(*parent, s + P) == 3);
        write_byte(*parent, s + 2 * P, 4);
        CHECK(read_byte(*child, s + 2 * P) == 4);
        CHECK(frame_of(*parent, s + P) == frame_of(*child, s + P));
        CHECK(fault_count(*child, FaultKind::CowCopy) == 0);
        CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");

        // A grandchild too; and MADV_REMOVE in one empties the page for all.
        auto grandchild = child->fork(nullptr);
        CHECK(read_byte(*grandchild, s + 2 * P) == 4);
        write_byte(*grandchild, s + 3 * P, 5);
        CHECK(read_byte(*parent, s + 3 * P) == 5);
        REQUIRE(parent->advise(s + 2 * P, P, abi::MADV_REMOVE));
        CHECK(read_byte(*child, s + 2 * P) == 0);
        CHECK(read_byte(*grandchild, s + 2 * P) == 0);
        CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get(), grandchild.get()}) == "");

        // The parent exits; the others still share.
        parent.reset();
        write_byte(*grandchild, s, 6);
        CHECK(read_byte(*child, s) == 6);
        CHECK(check_mm_consistency(m.pmem, {child.get(), grandchild.get()}) == "");
    }
    CHECK(m.pmem.free_frame_count() == free_before);
}

TEST_CASE("fork: what a child writes to shared anonymous memory outlives the child") {
    Machine m;
    const std::uint64_t free_before = m.pmem.free_frame_count();
    {
        AddressSpace parent(m.pmem, &m.mmu);
        const VirtAddr s = map_at(parent, kA, 2 * P, kRW, kVmShared);
        auto child = parent.fork(nullptr);
        write_byte(*child, s + P, 0x5a);  // a page the parent never touched
        child.reset();                    // the child exits before the parent looks
        CHECK(read_byte(parent, s + P) == 0x5a);
        CHECK(fault_count(parent, FaultKind::PageCacheHit) == 1);
        CHECK(check_mm_consistency(m.pmem, {&parent}) == "");

        // The object keeps its pages while a mapping of it is left, mapped or not: shrink
        // the mapping and grow it back, and the page is still there (shmem).
        REQUIRE(parent.remap(s, 2 * P, P, 0).value() == s);
        CHECK(parent.resident_pages() == 0);
        REQUIRE(parent.remap(s, P, 2 * P, 0).value() == s);
        CHECK(read_byte(parent, s + P) == 0x5a);
    }
    CHECK(m.pmem.free_frame_count() == free_before);  // the object went with its last mapping
}

TEST_CASE("fork: a private file mapping shares the cache's frames and copies on either side's write") {
    Machine m;
    TempFile tf(4);
    const std::uint64_t free_before = m.pmem.free_frame_count();
    {
        auto file = cached(m, tf, false);
        auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
        const VirtAddr a = map_at(*parent, kA, 4 * P, kRW, 0, file);
        CHECK(read_byte(*parent, a + 5) == file_byte(5));  // page 0: the cache's frame
        write_byte(*parent, a + P, 0x77);                   // page 1: a private copy
        const std::uint64_t copies = fault_count(*parent, FaultKind::CowCopy);
        const Pfn cache0 = *file->find_page(0);
        CHECK(frame_of(*parent, a) == cache0);
        auto child = parent->fork(nullptr);
        CHECK(frame_of(*child, a) == cache0);
        CHECK(m.pmem.info(cache0).mapcount == 2);
        CHECK(m.pmem.info(cache0).refcount == 3);  // the cache's and two mappings
        CHECK(read_byte(*child, a + P) == 0x77);   // the parent's private copy, shared COW
        CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");

        write_byte(*child, a, 0x55);
        CHECK(read_byte(*parent, a) == file_byte(0));
        CHECK(frame_of(*parent, a) == cache0);
        CHECK(fault_count(*child, FaultKind::CowCopy) == 1);
        // The parent is now the cache page's only mapper, but the page is the cache's: copy.
        write_byte(*parent, a, 0x66);
        CHECK(fault_count(*parent, FaultKind::CowCopy) == copies + 1);
        CHECK(fault_count(*parent, FaultKind::CowReuse) == 0);
        CHECK(read_byte(*child, a) == 0x55);
        CHECK(m.pmem.info(cache0).mapcount == 0);
        CHECK(tf.byte_at(0) == file_byte(0));
        std::uint8_t b = 0;
        REQUIRE(file->read(0, std::span<std::byte>(reinterpret_cast<std::byte*>(&b), 1)));
        CHECK(b == file_byte(0));

        write_byte(*child, a + P, 0x78);  // the parent's former private page: copy, then reuse
        CHECK(read_byte(*parent, a + P) == 0x77);
        write_byte(*parent, a + P, 0x79);
        CHECK(fault_count(*parent, FaultKind::CowReuse) == 1);
        CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");
    }
    m.cache.shrink(~std::uint64_t{0});
    CHECK(m.pmem.free_frame_count() == free_before);
}

TEST_CASE("fork: a shared file mapping stays shared; dirtiness stays with the parent's PTE") {
    Machine m;
    TempFile tf(2);
    auto file = cached(m, tf, true);
    auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
    const VirtAddr a = map_at(*parent, kA, 2 * P, kRW, kVmShared, file);
    write_byte(*parent, a, 0x42);
    auto child = parent->fork(nullptr);
    CHECK((pte_of(*child, a) & kPteDirty) == 0);
    CHECK((pte_of(*parent, a) & kPteDirty) != 0);
    write_byte(*child, a + P, 0x43);
    CHECK(read_byte(*parent, a + P) == 0x43);
    CHECK(frame_of(*parent, a + P) == frame_of(*child, a + P));
    CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");
    parent.reset();  // writes back what the parent dirtied
    CHECK(tf.byte_at(0) == 0x42);
    child.reset();
    CHECK(tf.byte_at(P) == 0x43);
}

TEST_CASE("fork: what the child inherits (VMAs, brk, layout, stack limit) and what it does not") {
    Machine m;
    AddressSpace parent(m.pmem, &m.mmu);
    parent.set_brk_start(0x60'0000);
    REQUIRE(parent.brk(0x60'0000 + 3 * P) == 0x60'0000 + 3 * P);
    parent.set_stack_limit(1 << 20);
    parent.layout.start_code = 0x40'0000;
    parent.layout.arg_start = 0x7ff0'0000;
    map_at(parent, kA, 2 * P, kRW, kVmLocked);
    map_at(parent, kA + 0x10'0000, 2 * P);
    map_at(parent, kA + 0x20'0000, 2 * P);
    map_at(parent, kA + 0x30'0000, 2 * P, kProtRead);
    write_byte(parent, kA, 1);
    write_byte(parent, kA + 0x10'0000, 2);
    write_byte(parent, kA + 0x20'0000, 3);
    REQUIRE(parent.advise(kA + 0x10'0000, 2 * P, abi::MADV_DONTFORK));
    REQUIRE(parent.advise(kA + 0x20'0000, 2 * P, abi::MADV_WIPEONFORK));
    parent.lock_all(abi::MCL_FUTURE);

    auto child = parent.fork(nullptr);
    REQUIRE(child);
    CHECK(child->current_brk() == 0x60'0000 + 3 * P);
    CHECK(child->brk_start() == 0x60'0000);
    CHECK(child->stack_limit() == (1u << 20));
    CHECK(child->layout.start_code == 0x40'0000);
    CHECK(child->layout.arg_start == 0x7ff0'0000);
    CHECK(child->def_flags() == 0);
    CHECK(child->vmas().find_containing(kA + 0x10'0000) == nullptr);  // MADV_DONTFORK
    const Vma* locked = child->vmas().find_containing(kA);
    REQUIRE(locked);
    CHECK((locked->flags & kVmLockedMask) == 0);
    CHECK(child->locked_bytes() == 0);
    CHECK(read_byte(*child, kA) == 1);
    const Vma* wiped = child->vmas().find_containing(kA + 0x20'0000);
    REQUIRE(wiped);
    CHECK((wiped->flags & kVmWipeOnFork) != 0);
    CHECK(wiped->anon_vma == nullptr);
    CHECK(read_byte(*child, kA + 0x20'0000) == 0);  // MADV_WIPEONFORK: empty in the child
    CHECK(read_byte(parent, kA + 0x20'0000) == 3);
    CHECK(child->vmas().find_containing(kA + 0x30'0000)->prot == kProtRead);
    CHECK(child->fault_counters().minor == 1);  // the read of the wiped page
    CHECK(child->fault_counters().major == 0);
    CHECK(child->vmas().check_invariants() == "");
    CHECK(check_mm_consistency(m.pmem, {&parent, child.get()}) == "");
}

TEST_CASE("fork: mprotect cannot make a copy-on-write page writable in place") {
    Machine m;
    AddressSpace parent(m.pmem, &m.mmu);
    map_at(parent, kA, 2 * P);
    write_byte(parent, kA, 1);
    write_byte(parent, kA + P, 2);
    REQUIRE(parent.protect(kA, 2 * P, kProtRead));
    REQUIRE(parent.protect(kA + P, P, kProtNone));  // kept under PROT_NONE
    auto child = parent.fork(nullptr);
    CHECK(check_mm_consistency(m.pmem, {&parent, child.get()}) == "");
    REQUIRE(parent.protect(kA, 2 * P, kRW));
    CHECK((pte_of(parent, kA) & kPteWritable) == 0);
    write_byte(parent, kA, 10);
    write_byte(parent, kA + P, 20);
    REQUIRE(child->protect(kA, 2 * P, kRW));
    CHECK(read_byte(*child, kA) == 1);
    CHECK(read_byte(*child, kA + P) == 2);
    CHECK(fault_count(parent, FaultKind::CowCopy) == 2);
    // The child is left as the only mapper: mprotect still leaves it to the fault to reuse.
    write_byte(*child, kA + P, 21);
    CHECK(fault_count(*child, FaultKind::CowReuse) == 1);
    CHECK(check_mm_consistency(m.pmem, {&parent, child.get()}) == "");
}

TEST_CASE("mprotect of a private file mapping never makes the page cache's frame writable") {
    Machine m;
    TempFile tf(1);
    auto file = cached(m, tf, false);
    AddressSpace as(m.pmem, &m.mmu);
    const VirtAddr a = map_at(as, kA, P, kProtRead, 0, file);
    CHECK(read_byte(as, a) == file_byte(0));
    REQUIRE(as.protect(a, P, kRW));
    write_byte(as, a, 0xab);
    CHECK(read_byte(as, a) == 0xab);
    // The cache (and every other mapping of the file) still has the file's byte.
    CHECK(m.pmem.frame_data(*file->find_page(0))[0] == std::byte{file_byte(0)});
    AddressSpace other(m.pmem, &m.mmu);
    CHECK(read_byte(other, map_at(other, kA, P, kProtRead, 0, file)) == file_byte(0));
}

TEST_CASE("fork copies page tables, not pages: 16k resident pages cost only the child's tables") {
    Machine m(32768);
    AddressSpace parent(m.pmem, &m.mmu);
    constexpr std::uint64_t kPages = 16384;
    const VirtAddr a = map_at(parent, kA, kPages * P);
    REQUIRE(parent.populate(a, kPages * P, false));
    map_at(parent, 0x7000'0000'0000, 1ull << 30);  // a large VMA with one page costs one table
    write_byte(parent, 0x7000'0000'0000 + (1ull << 29), 1);
    const std::uint64_t free_before = m.pmem.free_frame_count();
    auto child = parent.fork(nullptr);
    REQUIRE(child);
    const std::uint64_t taken = free_before - m.pmem.free_frame_count();
    CHECK(taken == child->page_table().table_frames());
    // The root; for the 16k pages a PDPT, a PD and 32 leaf tables; for the lone page a
    // PDPT, a PD and a leaf table: the same tables the parent has.
    CHECK(child->page_table().table_frames() == 1 + (2 + 32) + 3);
    CHECK(child->page_table().table_frames() == parent.page_table().table_frames());
    CHECK(child->resident_pages() == kPages + 1);
    CHECK(m.pmem.info(frame_of(parent, a + 1234 * P)).mapcount == 2);
}

TEST_CASE("fork running out of frames for page tables returns nullptr and leaks nothing") {
    Machine m(64);
    AddressSpace parent(m.pmem, &m.mmu);
    // Three leaf tables' worth of address space, one page in each.
    for (int i = 0; i < 3; ++i) {
        map_at(parent, kA + i * (1ull << 30), P);
        write_byte(parent, kA + i * (1ull << 30), static_cast<std::uint8_t>(i + 1));
    }
    // Use up the free frames but for a few, so the child's tables run out midway.
    std::vector<Pfn> hog;
    while (m.pmem.free_frame_count() > 6)
        hog.push_back(*m.pmem.allocate(FrameUse::Anonymous));
    const std::uint64_t free_before = m.pmem.free_frame_count();
    auto child = parent.fork(nullptr);
    CHECK(child == nullptr);
    CHECK(m.pmem.free_frame_count() == free_before);
    for (Pfn p : hog)
        m.pmem.put(p);
    CHECK(check_mm_consistency(m.pmem, {&parent}) == "");
    // The parent's write-protected pages are its own again on the next write.
    write_byte(parent, kA, 9);
    CHECK(fault_count(parent, FaultKind::CowReuse) == 1);
}
