#include "os/mm/rmap.h"

#include <algorithm>
#include <cassert>
#include <vector>

#include "os/mm/address_space.h"
#include "os/mm/anon_vma.h"
#include "os/mm/page_cache.h"
#include "os/mm/shared_anon.h"
#include "os/mm/swap.h"
#include "os/mm/vma.h"

namespace os::mm {

void page_add_new_anon_rmap(PhysicalMemory& pmem, Pfn pfn, const Vma& vma, VirtAddr va) {
    assert(vma.anon_vma && vma.mm);
    FrameInfo& f = pmem.info(pfn);
    assert(f.rmap == RmapKind::None);
    f.rmap = RmapKind::Anon;
    f.anon_vma = vma.anon_vma;
    f.anon_vma->get();
    f.index = vma.linear_page_index(va);
}

void vma_link_rmap(Vma& vma, AddressSpace* mm) {
    vma.mm = mm;
    vma.anon_vma_node = VmaListNode{};
    vma.shared_node = VmaListNode{};
    if (!mm)
        return;
    if (vma.anon_vma)
        vma.anon_vma->link(vma);
    if (SharedAnonObject* object = shared_anon_object(vma))
        object->mappings().push(vma, vma.shared_node);
}

void vma_unlink_rmap(Vma& vma) {
    if (vma.anon_vma_node.linked())
        vma.anon_vma->unlink(vma);
    if (vma.shared_node.linked())
        shared_anon_object(vma)->mappings().erase(vma.shared_node);
    vma.anon_vma = nullptr;
    vma.mm = nullptr;
}

namespace {

// page_check_address(): the PTE in `vma` at the address of page `index`, if it maps `pfn`.
void visit_if_mapped(Vma& vma, std::uint64_t index, Pfn pfn, const RmapVisitor& visit) {
    if (!vma.maps_index(index))
        return;
    const VirtAddr va = vma.address_of_index(index);
    Pte* pte = vma.mm->page_table().walk(va, Alloc::No);
    if (pte && pte_has_frame(*pte) && pte_pfn(*pte) == pfn)
        visit(*vma.mm, vma, va, *pte);
}

}  // namespace

void rmap_walk_anon(PhysicalMemory& pmem, Pfn pfn, const RmapVisitor& visit) {
    const FrameInfo& f = pmem.info(pfn);
    if (f.rmap != RmapKind::Anon || f.mapcount == 0)
        return;
    const std::uint64_t index = f.index;
    f.anon_vma->vmas().for_each([&](Vma& vma) { visit_if_mapped(vma, index, pfn, visit); });
}

void rmap_walk_file(PhysicalMemory& pmem, Pfn pfn, const RmapVisitor& visit) {
    const FrameInfo& f = pmem.info(pfn);
    if (f.rmap != RmapKind::File || f.mapcount == 0)
        return;
    const auto* file = static_cast<const CachedFile*>(f.mapping);
    const std::uint64_t index = f.index;
    // i_mmap names the address spaces; their VMAs of the file are the candidates.
    for (AddressSpace* mm : file->mappers()) {
        for (Vma& vma : mm->vmas())
            if (vma.file.get() == file)
                visit_if_mapped(vma, index, pfn, visit);
    }
}

void rmap_walk_shared_anon(PhysicalMemory& pmem, Pfn pfn, const RmapVisitor& visit) {
    const FrameInfo& f = pmem.info(pfn);
    if (f.rmap != RmapKind::SharedAnon || f.mapcount == 0)
        return;
    const auto* object = static_cast<const SharedAnonObject*>(f.mapping);
    const std::uint64_t index = f.index;
    object->mappings().for_each([&](Vma& vma) { visit_if_mapped(vma, index, pfn, visit); });
}

void for_each_mapping(PhysicalMemory& pmem, Pfn pfn, const RmapVisitor& visit) {
    switch (pmem.info(pfn).rmap) {
    case RmapKind::None: return;
    case RmapKind::Anon: rmap_walk_anon(pmem, pfn, visit); return;
    case RmapKind::File: rmap_walk_file(pmem, pfn, visit); return;
    case RmapKind::SharedAnon: rmap_walk_shared_anon(pmem, pfn, visit); return;
    }
}

unsigned page_referenced(PhysicalMemory& pmem, Pfn pfn, std::vector<AddressSpace*>& to_flush) {
    unsigned referenced = 0;
    for_each_mapping(pmem, pfn, [&](AddressSpace& mm, Vma&, VirtAddr, Pte& pte) {
        if (!(pte & kPteAccessed))
            return;
        pte &= ~kPteAccessed;
        ++referenced;
        if (std::find(to_flush.begin(), to_flush.end(), &mm) == to_flush.end())
            to_flush.push_back(&mm);
    });
    return referenced;
}

unsigned page_referenced(PhysicalMemory& pmem, Pfn pfn) {
    std::vector<AddressSpace*> to_flush;
    const unsigned referenced = page_referenced(pmem, pfn, to_flush);
    for (AddressSpace* mm : to_flush)
        mm->flush_tlb();
    return referenced;
}

bool try_to_unmap(PhysicalMemory& pmem, Pfn pfn, Pte replacement) {
    if (pmem.info(pfn).rmap == RmapKind::None)
        return pmem.info(pfn).mapcount == 0;
    // Held across the walk: the last unmap must not free the frame (and reset its rmap
    // fields) under the walk's feet.
    pmem.get(pfn);
    for_each_mapping(pmem, pfn, [&](AddressSpace& mm, Vma& vma, VirtAddr va, Pte& pte) {
        if (!(vma.flags & kVmLocked))
            mm.try_to_unmap_one(vma, va, pte, replacement);
    });
    const bool unmapped = pmem.info(pfn).mapcount == 0;
    pmem.put(pfn);
    return unmapped;
}

UnmapRecord AddressSpace::unmap_record(const Vma& vma, VirtAddr va, Pte pte, Pte replacement) const {
    const FrameInfo& f = m_pmem.info(pte_pfn(pte));
    UnmapRecord r{this, va, &vma, pte_pfn(pte), UnmapKind::Drop, -1};
    if (f.rmap == RmapKind::File) {
        if (vma.is_shared() && (pte & kPteDirty))
            r.kind = UnmapKind::WriteBack;
        return r;
    }
    if (is_swap_pte(replacement))
        r.swap_slot = static_cast<std::int64_t>(pte_to_swp_entry(replacement).offset);
    else if (f.swap_cache)
        r.swap_slot = static_cast<std::int64_t>(f.swap.offset);
    // Dirty in this PTE or already in the frame: the slot's copy is out of date.
    r.kind = f.dirty || (pte & kPteDirty) ? UnmapKind::PageOut : UnmapKind::Drop;
    return r;
}

void AddressSpace::try_to_unmap_one(const Vma& vma, VirtAddr va, Pte& pte, Pte replacement) {
    assert(pte_has_frame(pte) && !pte_has_frame(replacement));
    if (FaultObserver* observer = m_pmem.fault_observer())
        observer->on_unmap(unmap_record(vma, va, pte, replacement));
    // A shared file page's dirtiness is known only from its PTEs: it reaches the file now.
    write_back_if_dirty(vma, va, pte);
    const Pfn pfn = pte_pfn(pte);
    FrameInfo& f = m_pmem.info(pfn);
    // Any other page's Dirty bit passes to the frame (set_page_dirty): its swap slot, if it
    // has one, is out of date.
    if (pte & kPteDirty)
        f.dirty = true;
    if (is_swap_pte(replacement)) {
        assert(f.swap_cache && pte_to_swp_entry(replacement) == f.swap);
        m_pmem.swap()->swap_duplicate(f.swap);
        ++m_swap_entries;
    }
    pte = replacement;
    --f.mapcount;
    m_pmem.put(pfn);
    --m_resident_pages;
    flush_tlb();
}

}  // namespace os::mm
