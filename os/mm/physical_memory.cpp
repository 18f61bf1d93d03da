#include "os/mm/physical_memory.h"

#include <sys/mman.h>

#include <cassert>
#include <cstring>
#include <stdexcept>
#include <string>

#include "os/mm/anon_vma.h"

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

PhysicalMemory::~PhysicalMemory() {
    if (m_base)
        munmap(m_base, m_frame_count << kPageShift);
}

std::optional<Pfn> PhysicalMemory::allocate(FrameUse use, Fill fill) {
    constexpr std::uint64_t kShrinkBatch = 32;
    if (m_free.empty() && m_shrinker)
        m_shrinker->shrink(kShrinkBatch);
    if (m_free.empty())
        return std::nullopt;
    Pfn pfn = m_free.back();
    m_free.pop_back();
    FrameInfo& f = info(pfn);
    assert(f.refcount == 0 && f.use == FrameUse::Free);
    f.refcount = 1;
    f.mapcount = 0;
    f.use = use;
    if (fill == Fill::Zero)
        std::memset(frame_data(pfn), 0, kPageSize);
    if (f.had_exec_mapping) {
        // Translated blocks are keyed by physical address: the old code must go.
        if (m_notifier)
            m_notifier->invalidate_code(pfn_to_phys(pfn), kPageSize);
        f.had_exec_mapping = false;
    }
    return pfn;
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
    assert(f.mapcount == 0);
    if (f.anon_vma)
        f.anon_vma->put();
    f.rmap = RmapKind::None;
    f.anon_vma = nullptr;
    f.mapping = nullptr;
    f.index = 0;
    f.use = FrameUse::Free;
    m_free.push_back(pfn);
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
