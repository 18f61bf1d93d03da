#include "os/mm/swap.h"

#include <cassert>

#include "os/mm/address_space.h"

namespace os::mm {

SwapTotals swap_totals(const PhysicalMemory& pmem) {
    const Swap* swap = pmem.swap();
    return swap ? swap->totals() : SwapTotals{};
}

Swap::Swap(PhysicalMemory& pmem, std::uint64_t bytes, const std::string& path)
    : m_pmem(pmem), m_area(bytes, path), m_cache(pmem, m_area) {}

SwapTotals Swap::totals() const {
    return SwapTotals{m_area.total_slots(), m_area.free_slots(), m_cache.pages()};
}

std::expected<Pfn, FaultError> Swap::swapin(SwapEntry e, FrameUse use, bool* major) {
    assert(m_area.valid(e) && m_area.swap_count(e) > 0);
    if (auto hit = m_cache.lookup(e)) {
        *major = false;
        ++m_cache_hits;
        return *hit;
    }
    auto pfn = m_pmem.allocate(use);
    if (!pfn)
        return std::unexpected(FaultError::OutOfMemory);
    if (!m_area.read_page(e, m_pmem.frame_data(*pfn))) {
        m_pmem.put(*pfn);
        return std::unexpected(FaultError::BusError);
    }
    m_area.set_cache_flag(e, true);
    m_cache.add(*pfn, e, false);
    m_pmem.put(*pfn);  // the cache's reference is the one left
    *major = true;
    return *pfn;
}

bool Swap::add_to_swap(Pfn pfn) {
    assert(!m_pmem.info(pfn).swap_cache);
    auto e = m_area.get_swap_page();
    if (!e && reclaim_cached_slots() > 0)
        e = m_area.get_swap_page();
    if (!e)
        return false;
    m_cache.add(pfn, *e, true);
    return true;
}

void Swap::free_swap_and_cache(SwapEntry e) {
    if (m_area.swap_free(e) != 0)
        return;
    // Nothing will look the slot up again: its page (if any) is an ordinary page now, or
    // garbage if nothing maps it.
    if (auto pfn = m_cache.lookup(e))
        m_cache.remove(*pfn);
}

void Swap::free_swap_cache(Pfn pfn) {
    const FrameInfo& f = m_pmem.info(pfn);
    if (f.swap_cache && f.mapcount == 0 && m_area.swap_count(f.swap) == 0)
        m_cache.remove(pfn);
}

bool Swap::try_to_free_swap(Pfn pfn) {
    FrameInfo& f = m_pmem.info(pfn);
    if (!f.swap_cache)
        return true;
    if (m_area.swap_count(f.swap) != 0)
        return false;
    m_cache.remove(pfn);
    return true;
}

std::uint64_t Swap::reclaim_cached_slots() {
    std::uint64_t freed = 0;
    for (Pfn pfn : m_cache.all_pages()) {
        // No PTE or object holds the slot: the page is resident wherever it is used, and
        // the slot would only save a write.
        if (m_area.swap_count(m_pmem.info(pfn).swap) == 0) {
            m_cache.remove(pfn);
            ++freed;
        }
    }
    return freed;
}

}  // namespace os::mm
