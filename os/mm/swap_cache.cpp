#include "os/mm/swap_cache.h"

#include <cassert>

namespace os::mm {

SwapCache::~SwapCache() {
    // An owner that outlived the swap would leave pages here; give them back regardless.
    while (!m_pages.empty())
        remove(m_pages.begin()->second);
}

std::optional<Pfn> SwapCache::lookup(SwapEntry e) const {
    if (e.type != m_area.type())
        return std::nullopt;
    auto it = m_pages.find(e.offset);
    if (it == m_pages.end())
        return std::nullopt;
    return it->second;
}

void SwapCache::add(Pfn pfn, SwapEntry e, bool dirty) {
    FrameInfo& f = m_pmem.info(pfn);
    assert(!f.swap_cache && m_area.has_cache(e));
    m_pmem.get(pfn);
    f.swap_cache = true;
    f.swap = e;
    f.dirty = dirty;
    [[maybe_unused]] const bool inserted = m_pages.emplace(e.offset, pfn).second;
    assert(inserted);
}

void SwapCache::remove(Pfn pfn) {
    FrameInfo& f = m_pmem.info(pfn);
    assert(f.swap_cache);
    const SwapEntry e = f.swap;
    m_pages.erase(e.offset);
    f.swap_cache = false;
    f.swap = {};
    f.dirty = false;
    m_area.set_cache_flag(e, false);
    m_pmem.put(pfn);
}

std::vector<Pfn> SwapCache::all_pages() const {
    std::vector<Pfn> out;
    out.reserve(m_pages.size());
    for (const auto& [slot, pfn] : m_pages)
        out.push_back(pfn);
    return out;
}

}  // namespace os::mm
