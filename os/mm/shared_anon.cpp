#include "os/mm/shared_anon.h"

#include <cassert>

#include "os/mm/address_space.h"
#include "os/mm/swap.h"

namespace os::mm {

SharedAnonObject::SharedAnonObject(PhysicalMemory& pmem, std::uint64_t size_pages)
    : m_pmem(pmem), m_size_pages(size_pages) {}

SharedAnonObject::~SharedAnonObject() { remove_pages(0, m_size_pages); }

std::uint64_t SharedAnonObject::swapped_pages_in(std::uint64_t first, std::uint64_t last) const {
    std::uint64_t n = 0;
    for (auto it = m_swapped.lower_bound(first); it != m_swapped.end() && it->first < last; ++it)
        ++n;
    return n;
}

std::optional<Pfn> SharedAnonObject::find_page(std::uint64_t pgoff) const {
    auto it = m_frames.find(pgoff);
    if (it == m_frames.end())
        return std::nullopt;
    return it->second;
}

std::expected<Pfn, FaultError> SharedAnonObject::get_page(std::uint64_t pgoff, ShmemFault* how) {
    assert(pgoff < m_size_pages);
    if (auto page = find_page(pgoff)) {
        *how = ShmemFault::Found;
        return *page;
    }
    std::optional<Pfn> pfn;
    if (auto it = m_swapped.find(pgoff); it != m_swapped.end()) {
        // shmem_swapin_folio(): the page joins the object again; it stays in the swap cache,
        // clean, until it is written (reclaim then writes its slot again) or dropped.
        Swap* swap = m_pmem.swap();
        const SwapEntry e = it->second;
        bool major = false;
        auto page = swap->swapin(e, FrameUse::Anonymous, &major);
        if (!page)
            return std::unexpected(page.error());
        // The allocation may have run reclaim, but nothing reclaim does touches a swapped
        // page of an object: the entry is still there.
        assert(m_swapped.contains(pgoff));
        m_swapped.erase(pgoff);
        swap->swap_free(e);
        m_pmem.get(*page);
        pfn = *page;
        *how = major ? ShmemFault::SwapIn : ShmemFault::SwapCacheHit;
    } else {
        pfn = m_pmem.allocate(FrameUse::Anonymous);
        if (!pfn)
            return std::unexpected(FaultError::OutOfMemory);
        *how = ShmemFault::Allocated;
    }
    // The reverse map: page `pgoff` of this object.
    FrameInfo& f = m_pmem.info(*pfn);
    f.rmap = RmapKind::SharedAnon;
    f.mapping = this;
    f.index = pgoff;
    m_frames.emplace(pgoff, *pfn);
    return *pfn;
}

void SharedAnonObject::swap_out_page(std::uint64_t pgoff) {
    auto it = m_frames.find(pgoff);
    assert(it != m_frames.end());
    const Pfn pfn = it->second;
    const FrameInfo& f = m_pmem.info(pfn);
    assert(f.swap_cache && f.mapcount == 0);
    m_pmem.swap()->swap_duplicate(f.swap);
    m_swapped.emplace(pgoff, f.swap);
    m_frames.erase(it);
    m_pmem.put(pfn);  // the swap cache still holds it
}

void SharedAnonObject::remove_pages(std::uint64_t first, std::uint64_t last) {
    for (auto it = m_frames.lower_bound(first); it != m_frames.end() && it->first < last;) {
        const Pfn pfn = it->second;
        assert(m_pmem.info(pfn).mapcount == 0);
        it = m_frames.erase(it);
        if (m_pmem.info(pfn).swap_cache)
            m_pmem.swap()->try_to_free_swap(pfn);
        m_pmem.put(pfn);
    }
    for (auto it = m_swapped.lower_bound(first); it != m_swapped.end() && it->first < last;) {
        m_pmem.swap()->free_swap_and_cache(it->second);
        it = m_swapped.erase(it);
    }
}

}  // namespace os::mm
