#include "os/mm/physical_memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "os/mm/anon_vma.h"
#include "os/mm/mem_cgroup.h"

namespace os::mm {

PhysicalMemory::PhysicalMemory(std::uint64_t bytes) : m_frame_count(bytes >> kPageShift) {
    if (m_frame_count < 16)
        throw std::invalid_argument("physical memory must be at least 64 KiB");
    void* p = mmap(nullptr, m_frame_count << kPageShift, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw std::runtime_error("cannot reserve " + std::to_string(bytes) + " bytes of host memory for guest RAM");
    m_base = static_cast<std::byte*>(p);
    m_frames.resize(m_frame_count);
    m_free.reserve(m_frame_count);
    // Push high frames first so that low frames are handed out first (a compact, cache-
    // and host-friendly working set).
    for (std::uint64_t i = m_frame_count; i-- > 0;)
        m_free.push_back(static_cast<Pfn>(i));
    m_zero_frame = *allocate(FrameUse::Reserved);
}

void PhysicalMemory::populate_ahead(std::uint64_t index) {
    // Never-used frames leave the free list in ascending order (the constructor stacked
    // them so, and freed frames go on top), so the host memory from `index` to the end of
    // its chunk is what the next allocations will touch: have the host fault it in now, in
    // one call, instead of once per frame from inside the guest's fault. At most one chunk
    // more than the guest uses becomes resident.
    const std::uint64_t end = std::min(m_frame_count, (index / kPopulateFrames + 1) * kPopulateFrames);
    m_populated_end = end;
    if (!m_populate)
        return;
#ifdef MADV_POPULATE_WRITE
    if (::madvise(frame_data(static_cast<Pfn>(index)), (end - index) << kPageShift, MADV_POPULATE_WRITE) == 0)
        return;
#endif
    // Linux before 5.14 (EINVAL), or the host is short of memory: frames fault in one by one.
    m_populate = false;
}

PhysicalMemory::~PhysicalMemory() {
    if (m_base)
        munmap(m_base, m_frame_count << kPageShift);
}

Watermarks Watermarks::for_frames(std::uint64_t frames) {
    const std::uint64_t kib = frames << (kPageShift - 10);
    const std::uint64_t n = 16 * kib;  // int_sqrt(lowmem_kbytes * 16)
    auto min_kib = static_cast<std::uint64_t>(std::sqrt(static_cast<double>(n)));
    while (min_kib * min_kib > n)
        --min_kib;
    while ((min_kib + 1) * (min_kib + 1) <= n)
        ++min_kib;
    min_kib = std::clamp<std::uint64_t>(min_kib, 128, 65536);
    std::uint64_t min = std::min(min_kib >> (kPageShift - 10), std::max<std::uint64_t>(frames / 16, 1));
    return Watermarks{min, min + min / 4, min + min / 2};
}

void PhysicalMemory::reclaim(ReclaimMode mode) {
    if (!m_reclaim || m_reclaiming)
        return;
    m_reclaiming = true;
    m_reclaim->balance(std::max<std::uint64_t>(m_watermarks.high, 1), mode);
    m_reclaiming = false;
}

std::optional<Pfn> PhysicalMemory::allocate(FrameUse use, Fill fill) {
    // mem_cgroup_charge(), before the frame is taken (Linux charges right after): a group at
    // its limit reclaims its own pages, and fails when it cannot.
    const bool charge =
        m_memcgs && m_active_memcg != kRootMemcg && (use == FrameUse::Anonymous || use == FrameUse::File);
    if (charge && !charge_active_memcg())
        return std::nullopt;
    auto pfn = take_free_frame();
    if (!pfn) {
        if (charge)
            m_memcgs->uncharge(m_active_memcg);
        return std::nullopt;
    }
    FrameInfo& f = info(*pfn);
    assert(f.refcount == 0 && f.use == FrameUse::Free);
    f.refcount = 1;
    f.mapcount = 0;
    f.use = use;
    f.memcg = charge ? m_active_memcg : kRootMemcg;
    // A frame never handed out before is still the host's untouched, zero-filled memory.
    const bool pristine = pfn_index(*pfn) >= m_never_used;
    if (pristine) {
        m_never_used = pfn_index(*pfn) + 1;
        if (pfn_index(*pfn) >= m_populated_end)
            populate_ahead(pfn_index(*pfn));
    }
    if (fill == Fill::Zero && !pristine)
        std::memset(frame_data(*pfn), 0, kPageSize);
    if (f.had_exec_mapping) {
        // Translated blocks are keyed by physical address: the old code must go.
        if (m_notifier)
            m_notifier->invalidate_code(pfn_to_phys(*pfn), kPageSize);
        f.had_exec_mapping = false;
    }
    if (m_reclaim && (use == FrameUse::Anonymous || use == FrameUse::File))
        m_reclaim->page_added(*pfn);
    return pfn;
}

bool PhysicalMemory::charge_active_memcg() {
    const MemcgReclaim reclaim = [this](MemcgId id, std::uint64_t nr) -> std::uint64_t {
        if (!m_reclaim || m_reclaiming)
            return 0;
        m_reclaiming = true;
        const std::uint64_t freed = m_reclaim->reclaim_memcg(id, nr);
        m_reclaiming = false;
        return freed;
    };
    return m_memcgs->try_charge(m_active_memcg, reclaim);
}

std::optional<Pfn> PhysicalMemory::take_free_frame() {
    constexpr std::uint64_t kShrinkBatch = 32;
    if (m_free.size() < m_watermarks.low)
        reclaim(ReclaimMode::Kswapd);
    if (m_free.empty() && m_shrinker)
        m_shrinker->shrink(kShrinkBatch);
    if (m_free.empty())
        reclaim(ReclaimMode::Direct);
    if (m_free.empty()) {
        if (m_reclaim && !m_reclaiming)
            m_reclaim->allocation_failed();
        return std::nullopt;
    }
    const Pfn pfn = m_free.back();
    m_free.pop_back();
    return pfn;
}

void PhysicalMemory::contents_changed(Pfn pfn) {
    if (info(pfn).had_exec_mapping && m_notifier)
        m_notifier->invalidate_code(pfn_to_phys(pfn), kPageSize);
}

void PhysicalMemory::get(Pfn pfn) {
    assert(valid(pfn) && info(pfn).refcount > 0);
    ++info(pfn).refcount;
}

void PhysicalMemory::put(Pfn pfn) {
    FrameInfo& f = info(pfn);
    assert(valid(pfn) && f.refcount > 0);
    if (--f.refcount != 0)
        return;
    assert(f.mapcount == 0 && !f.swap_cache);
    if (m_reclaim && (f.use == FrameUse::Anonymous || f.use == FrameUse::File))
        m_reclaim->page_removed(pfn);
    if (f.anon_vma)
        f.anon_vma->put();
    if (f.memcg != kRootMemcg)
        m_memcgs->uncharge(f.memcg);
    f.memcg = kRootMemcg;
    f.rmap = RmapKind::None;
    f.anon_vma = nullptr;
    f.mapping = nullptr;
    f.index = 0;
    f.dirty = false;
    f.swap = {};
    if (m_offline.size() < m_offline_target) {
        f.use = FrameUse::Offline;
        m_offline.push_back(pfn);
        return;
    }
    f.use = FrameUse::Free;
    m_free.push_back(pfn);
}

void PhysicalMemory::set_online_frames(std::uint64_t frames) {
    frames = std::clamp(frames, kMinOnlineFrames, m_frame_count);
    m_offline_target = m_frame_count - frames;
    // Growing: frames come back, the most recently offlined first.
    while (m_offline.size() > m_offline_target) {
        const Pfn pfn = m_offline.back();
        m_offline.pop_back();
        info(pfn).use = FrameUse::Free;
        m_free.push_back(pfn);
    }
    // Shrinking: free frames go offline, those freed longest ago (the bottom of the stack)
    // first, so that the frames the host has touched most recently stay in use.
    const std::uint64_t take = std::min<std::uint64_t>(offline_pending(), m_free.size());
    for (std::uint64_t i = 0; i < take; ++i) {
        info(m_free[i]).use = FrameUse::Offline;
        m_offline.push_back(m_free[i]);
    }
    m_free.erase(m_free.begin(), m_free.begin() + static_cast<std::ptrdiff_t>(take));
}

PhysicalMemoryStats PhysicalMemory::stats() const {
    PhysicalMemoryStats s;
    s.total_frames = m_frame_count;
    s.free_frames = m_free.size();
    for (const FrameInfo& f : m_frames)
        ++s.frames_by_use[static_cast<int>(f.use)];
    return s;
}

}  // namespace os::mm
