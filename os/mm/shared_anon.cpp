#include "os/mm/shared_anon.h"

#include <cassert>

namespace os::mm {

SharedAnonObject::SharedAnonObject(PhysicalMemory& pmem, std::uint64_t size_pages)
    : m_pmem(pmem), m_size_pages(size_pages) {}

SharedAnonObject::~SharedAnonObject() { remove_pages(0, m_size_pages); }

std::optional<Pfn> SharedAnonObject::find_page(std::uint64_t pgoff) const {
    auto it = m_frames.find(pgoff);
    if (it == m_frames.end())
        return std::nullopt;
    return it->second;
}

std::optional<Pfn> SharedAnonObject::get_page(std::uint64_t pgoff, bool* allocated) {
    assert(pgoff < m_size_pages);
    *allocated = false;
    if (auto page = find_page(pgoff))
        return page;
    auto pfn = m_pmem.allocate(FrameUse::Anonymous);
    if (!pfn)
        return std::nullopt;
    // The reverse map: page `pgoff` of this object.
    FrameInfo& f = m_pmem.info(*pfn);
    f.rmap = RmapKind::SharedAnon;
    f.mapping = this;
    f.index = pgoff;
    m_frames.emplace(pgoff, *pfn);
    *allocated = true;
    return pfn;
}

void SharedAnonObject::remove_pages(std::uint64_t first, std::uint64_t last) {
    for (auto it = m_frames.lower_bound(first); it != m_frames.end() && it->first < last;) {
        assert(m_pmem.info(it->second).mapcount == 0);
        m_pmem.put(it->second);
        it = m_frames.erase(it);
    }
}

}  // namespace os::mm
