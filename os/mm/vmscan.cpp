// shrink_page_list() for one page at a time (Linux mm/vmscan.c): can the page go, and how.
// See os/mm/page_reclaim.h for the rules.
#include <cassert>

#include "os/mm/address_space.h"
#include "os/mm/page_cache.h"
#include "os/mm/page_reclaim.h"
#include "os/mm/rmap.h"
#include "os/mm/shared_anon.h"

namespace os::mm {

// References a frame has when only its mappings and its owner hold it: the PTEs, the swap
// cache, and the page cache or shared anonymous object that the page belongs to. Any other
// is someone using the frame right now (the fault path pins pages across allocations).
bool PageReclaim::pinned(const FrameInfo& f) const {
    std::uint32_t expected = f.mapcount + (f.swap_cache ? 1 : 0);
    if (f.rmap == RmapKind::File || f.rmap == RmapKind::SharedAnon)
        ++expected;
    return f.refcount > expected;
}

// mlock: a page any VM_LOCKED VMA maps stays resident (Linux moves it to the unevictable
// list; here it simply stays).
bool PageReclaim::mapped_by_locked_vma(Pfn pfn) {
    bool locked = false;
    for_each_mapping(m_pmem, pfn, [&](AddressSpace&, Vma& vma, VirtAddr, Pte&) {
        if (vma.flags & kVmLocked)
            locked = true;
    });
    return locked;
}

bool PageReclaim::shrink_page(Pfn pfn) {
    const FrameInfo& f = m_pmem.info(pfn);
    if (f.use != FrameUse::Anonymous && f.use != FrameUse::File)
        return false;  // freed meanwhile, or never a page reclaim may take
    if (f.rmap == RmapKind::None || pinned(f))
        return false;
    if (f.mapcount > 0 && mapped_by_locked_vma(pfn))
        return false;
    switch (f.rmap) {
    case RmapKind::Anon: return pageout_anon(pfn);
    case RmapKind::SharedAnon: return pageout_shmem(pfn);
    case RmapKind::File: return pageout_file(pfn);
    case RmapKind::None: break;
    }
    return false;
}

// pageout() to swap of a page in the swap cache that nothing maps any more: writes it if
// the slot does not hold its contents yet.
bool PageReclaim::write_to_swap(Pfn pfn) {
    FrameInfo& f = m_pmem.info(pfn);
    if (!f.dirty) {
        ++m_stats.clean_dropped;
        return true;
    }
    if (!m_swap->area().write_page(f.swap, m_pmem.frame_data(pfn)))
        return false;  // stays in the swap cache, dirty; its PTEs find it there
    f.dirty = false;
    return true;
}

bool PageReclaim::pageout_anon(Pfn pfn) {
    if (!m_swap)
        return false;
    FrameInfo& f = m_pmem.info(pfn);
    if (!f.swap_cache && !m_swap->add_to_swap(pfn))
        return false;
    const SwapEntry entry = f.swap;
    if (f.mapcount > 0)
        try_to_unmap(m_pmem, pfn, swp_entry_to_pte(entry));
    if (f.mapcount > 0)
        return false;
    // A slot no PTE holds (the last one went away while the page sat in the swap cache)
    // needs no contents: the page is simply freed.
    if (m_swap->area().swap_count(entry) > 0) {
        const bool dirty = f.dirty;
        if (!write_to_swap(pfn))
            return false;
        m_stats.anon_written += dirty;
    }
    m_swap->cache().remove(pfn);
    return true;
}

bool PageReclaim::pageout_shmem(Pfn pfn) {
    if (!m_swap)
        return false;
    FrameInfo& f = m_pmem.info(pfn);
    auto* object = const_cast<SharedAnonObject*>(static_cast<const SharedAnonObject*>(f.mapping));
    const std::uint64_t pgoff = f.index;
    if (!f.swap_cache && !m_swap->add_to_swap(pfn))
        return false;
    // The PTEs are simply cleared: the next fault asks the object, which swaps it in.
    if (f.mapcount > 0)
        try_to_unmap(m_pmem, pfn, 0);
    if (f.mapcount > 0)
        return false;
    const bool dirty = f.dirty;
    if (!write_to_swap(pfn))
        return false;
    m_stats.shmem_written += dirty;
    object->swap_out_page(pgoff);
    m_swap->cache().remove(pfn);
    return true;
}

bool PageReclaim::pageout_file(Pfn pfn) {
    FrameInfo& f = m_pmem.info(pfn);
    auto* file = const_cast<CachedFile*>(static_cast<const CachedFile*>(f.mapping));
    const std::uint64_t index = f.index;
    bool written = false;
    if (f.mapcount > 0) {
        bool dirty = false;
        for_each_mapping(m_pmem, pfn, [&](AddressSpace&, Vma& vma, VirtAddr, Pte& pte) {
            dirty |= vma.is_shared() && (pte & kPteDirty);
        });
        // Dirty in a shared mapping of a file faultline cannot write: it must stay.
        if (dirty && !file->can_write_back())
            return false;
        // Dirty shared mappings write it back on the way (try_to_unmap_one).
        try_to_unmap(m_pmem, pfn, 0);
        if (f.mapcount > 0)
            return false;
        written = dirty;
    }
    if (f.dirty) {  // an earlier write-back failed
        if (!file->write_back(index))
            return false;
        f.dirty = false;
        written = true;
    }
    ++m_stats.file_dropped;
    m_stats.file_written += written;
    file->remove_page(index);
    return true;
}

}  // namespace os::mm
