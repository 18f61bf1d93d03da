// The reverse map (os/mm/rmap.h, os/mm/anon_vma.h): for a frame, exactly the PTEs that map
// it, in every address space, after fork, mremap, munmap, mprotect splits and merges;
// page_referenced() and try_to_unmap().
#include "os/mm/mman.h"
#include "tests/unit/fork_fixture.h"

namespace {

using namespace fork_test;
namespace abi = os::mm::abi;

constexpr VirtAddr kA = 0x2000'0000;

}  // namespace

TEST_CASE("rmap: a private page is found in parent and child after fork, mremap, munmap and mprotect") {
    Machine m;
    auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
    map_at(*parent, kA, 8 * P);
    for (int i = 0; i < 8; ++i)
        write_byte(*parent, kA + i * P, static_cast<std::uint8_t>(i));
    const Pfn f3 = frame_of(*parent, kA + 3 * P);
    CHECK(rmap_of(m.pmem, f3) == std::set<Mapping>{{parent.get(), kA + 3 * P}});
    CHECK(m.pmem.info(f3).rmap == RmapKind::Anon);

    auto child = parent->fork(nullptr);
    CHECK(rmap_of(m.pmem, f3) == std::set<Mapping>{{parent.get(), kA + 3 * P}, {child.get(), kA + 3 * P}});

    // The child moves the middle of the mapping elsewhere: its PTE moves, the index stays.
    const VirtAddr to = 0x3000'0000;
    REQUIRE(child->remap(kA + 2 * P, 4 * P, 4 * P, abi::MREMAP_MAYMOVE | abi::MREMAP_FIXED, to).value() == to);
    CHECK(rmap_of(m.pmem, f3) == std::set<Mapping>{{parent.get(), kA + 3 * P}, {child.get(), to + P}});
    CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");

    // ...and grows it in place.
    REQUIRE(child->remap(to, 4 * P, 5 * P, 0).value() == to);
    CHECK(rmap_of(m.pmem, f3) == std::set<Mapping>{{parent.get(), kA + 3 * P}, {child.get(), to + P}});

    // The parent splits its VMA with mprotect: still found, through the piece that maps it.
    REQUIRE(parent->protect(kA + 3 * P, P, kProtRead));
    CHECK(parent->vmas().size() == 3);
    CHECK(rmap_of(m.pmem, f3) == std::set<Mapping>{{parent.get(), kA + 3 * P}, {child.get(), to + P}});
    CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");

    // The parent unmaps it: only the child's PTE is left.
    REQUIRE(parent->unmap(kA + 2 * P, 2 * P));
    CHECK(rmap_of(m.pmem, f3) == std::set<Mapping>{{child.get(), to + P}});
    CHECK(m.pmem.info(f3).mapcount == 1);

    // A page the child copied is its own; the parent's original is the parent's alone.
    const Pfn f0 = frame_of(*parent, kA);
    write_byte(*child, kA, 0x80);
    const Pfn c0 = frame_of(*child, kA);
    CHECK(c0 != f0);
    CHECK(rmap_of(m.pmem, f0) == std::set<Mapping>{{parent.get(), kA}});
    CHECK(rmap_of(m.pmem, c0) == std::set<Mapping>{{child.get(), kA}});
    // Both are pages of the same anon_vma at the same index.
    CHECK(m.pmem.info(f0).anon_vma == m.pmem.info(c0).anon_vma);
    CHECK(m.pmem.info(f0).index == m.pmem.info(c0).index);
    CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");

    parent.reset();
    CHECK(rmap_of(m.pmem, f3) == std::set<Mapping>{{child.get(), to + P}});
    CHECK(check_mm_consistency(m.pmem, {child.get()}) == "");
}

TEST_CASE("rmap: MREMAP_DONTUNMAP leaves an empty VMA that later has pages of its own at the same index") {
    Machine m;
    AddressSpace as(m.pmem, &m.mmu);
    map_at(as, kA, 4 * P);
    write_byte(as, kA + P, 1);
    write_byte(as, kA + 2 * P, 2);
    const Pfn f1 = frame_of(as, kA + P);
    // Move only part of it, so the old VMA keeps its anon_vma.
    const VirtAddr to =
        as.remap(kA + P, P, P, abi::MREMAP_MAYMOVE | abi::MREMAP_DONTUNMAP | abi::MREMAP_FIXED, 0x4000'0000).value();
    CHECK(rmap_of(m.pmem, f1) == std::set<Mapping>{{&as, to}});
    write_byte(as, kA + P, 3);  // a new page at the index the moved one has
    const Pfn n1 = frame_of(as, kA + P);
    CHECK(m.pmem.info(n1).index == m.pmem.info(f1).index);
    CHECK(rmap_of(m.pmem, n1) == std::set<Mapping>{{&as, kA + P}});
    CHECK(rmap_of(m.pmem, f1) == std::set<Mapping>{{&as, to}});
    CHECK(check_mm_consistency(m.pmem, {&as}) == "");
}

TEST_CASE("rmap: shared anonymous and file pages are found in every address space") {
    Machine m;
    TempFile tf(2);
    auto file = cached(m, tf, true);
    AddressSpace parent(m.pmem, &m.mmu);
    const VirtAddr s = map_at(parent, kA, 2 * P, kRW, kVmShared);
    const VirtAddr f = map_at(parent, kA + 0x10'0000, 2 * P, kRW, kVmShared, file);
    const VirtAddr pf = map_at(parent, kA + 0x20'0000, 2 * P, kProtRead, 0, file);
    write_byte(parent, s, 1);
    write_byte(parent, f, 2);
    CHECK(read_byte(parent, pf) == 2);  // the private mapping sees the cache's frame
    auto child = parent.fork(nullptr);
    const Pfn sp = frame_of(parent, s);
    CHECK(m.pmem.info(sp).rmap == RmapKind::SharedAnon);
    CHECK(rmap_of(m.pmem, sp) == std::set<Mapping>{{&parent, s}, {child.get(), s}});
    const Pfn fp = *file->find_page(0);
    CHECK(m.pmem.info(fp).rmap == RmapKind::File);
    CHECK(rmap_of(m.pmem, fp) ==
          std::set<Mapping>{{&parent, f}, {child.get(), f}, {&parent, pf}, {child.get(), pf}});
    // A page the child faults in after the fork joins the same walk.
    write_byte(*child, s + P, 3);
    CHECK(read_byte(parent, s + P) == 3);
    CHECK(rmap_of(m.pmem, frame_of(parent, s + P)) == std::set<Mapping>{{&parent, s + P}, {child.get(), s + P}});
    CHECK(check_mm_consistency(m.pmem, {&parent, child.get()}) == "");
}

TEST_CASE("page_referenced tests and clears Accessed in every mapping, one TLB flush per address space") {
    Machine m;
    AddressSpace parent(m.pmem, &m.mmu);
    map_at(parent, kA, 2 * P);
    write_byte(parent, kA, 1);
    CountingMmu child_mmu;
    auto child = parent.fork(&child_mmu);
    const Pfn f = frame_of(parent, kA);
    // The child's copy of the PTE is old; the parent's is young.
    CHECK(page_referenced(m.pmem, f) == 1);
    CHECK(page_referenced(m.pmem, f) == 0);
    const int pf = m.mmu.flushes, cf = child_mmu.flushes;
    CHECK(read_byte(parent, kA) == 1);
    CHECK(read_byte(*child, kA) == 1);
    CHECK(page_referenced(m.pmem, f) == 2);
    CHECK(m.mmu.flushes == pf + 1);
    CHECK(child_mmu.flushes == cf + 1);
    CHECK((pte_of(parent, kA) & kPteAccessed) == 0);
    CHECK((pte_of(*child, kA) & kPteAccessed) == 0);
    CHECK(page_referenced(m.pmem, m.pmem.zero_frame()) == 0);
}

TEST_CASE("try_to_unmap takes a page-cache page from every mapper; it faults back in from the cache") {
    Machine m;
    TempFile tf(2);
    auto file = cached(m, tf, true);
    AddressSpace parent(m.pmem, &m.mmu);
    const VirtAddr sh = map_at(parent, kA, 2 * P, kRW, kVmShared, file);
    const VirtAddr pr = map_at(parent, kA + 0x10'0000, 2 * P, kProtRead, 0, file);
    write_byte(parent, sh + 1, 0x99);  // dirty, not yet written back
    CHECK(read_byte(parent, pr + 1) == 0x99);
    auto child = parent.fork(nullptr);
    CHECK(read_byte(*child, sh + 1) == 0x99);
    const Pfn page = *file->find_page(0);
    CHECK(m.pmem.info(page).mapcount == 4);
    CHECK(tf.byte_at(1) == file_byte(1));

    CHECK(try_to_unmap(m.pmem, page, 0));
    CHECK(m.pmem.info(page).mapcount == 0);
    CHECK(m.pmem.info(page).refcount == 1);  // the cache's
    CHECK(rmap_of(m.pmem, page).empty());
    CHECK(tf.byte_at(1) == 0x99);  // written back on the way out
    CHECK(pte_of(parent, sh) == 0);
    CHECK(pte_of(*child, pr) == 0);
    CHECK(check_mm_consistency(m.pmem, {&parent, child.get()}) == "");
    // Reclaim may now drop it; the mappings fault it back in.
    CHECK(file->shrink(1) == 1);
    CHECK(read_byte(*child, sh + 1) == 0x99);
    CHECK(read_byte(parent, pr + 1) == 0x99);
    CHECK(check_mm_consistency(m.pmem, {&parent, child.get()}) == "");

    // A locked mapping keeps its page.
    const Pfn again = *file->find_page(0);
    REQUIRE(child->lock_range(sh, 2 * P, kVmLocked));
    CHECK(!try_to_unmap(m.pmem, again, 0));
    CHECK(rmap_of(m.pmem, again) == std::set<Mapping>{{child.get(), sh}});
    CHECK(check_mm_consistency(m.pmem, {&parent, child.get()}) == "");
}

TEST_CASE("AnonVma: VMAs join and leave its list through split, merge, fork and teardown") {
    Machine m;
    auto as = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
    map_at(*as, kA, 4 * P);
    CHECK(as->vmas().first()->anon_vma == nullptr);
    write_byte(*as, kA, 1);
    AnonVma* av = as->vmas().first()->anon_vma;
    REQUIRE(av);
    CHECK(av->vmas().size() == 1);
    CHECK(av->refcount() == 2);  // the VMA and the page
    REQUIRE(as->protect(kA + P, P, kProtRead));
    CHECK(av->vmas().size() == 3);
    REQUIRE(as->protect(kA + P, P, kRW));  // merged again
    CHECK(as->vmas().size() == 1);
    CHECK(av->vmas().size() == 1);
    // A neighbour mapped and touched next to it shares it (anon_vma_prepare).
    map_at(*as, kA + 4 * P, 4 * P, kProtRead);
    CHECK(read_byte(*as, kA + 4 * P) == 0);  // the zero frame: no anon_vma needed
    REQUIRE(as->protect(kA + 4 * P, 4 * P, kRW));
    CHECK(as->vmas().size() == 1);
    auto child = as->fork(nullptr);
    CHECK(av->vmas().size() == 2);
    CHECK(av->refcount() == 3);  // two VMAs, one page
    write_byte(*child, kA, 2);   // the child's copy is another page of it
    CHECK(av->refcount() == 4);
    CHECK(check_mm_consistency(m.pmem, {as.get(), child.get()}) == "");
    as.reset();
    CHECK(av->vmas().size() == 1);
    CHECK(av->refcount() == 2);
    CHECK(check_mm_consistency(m.pmem, {child.get()}) == "");
}
