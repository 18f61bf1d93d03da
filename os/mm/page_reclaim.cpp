#include "os/mm/page_reclaim.h"

#include <algorithm>
#include <stdexcept>

#include "os/mm/address_space.h"
#include "os/mm/mem_cgroup.h"
#include "os/mm/page_cache.h"
#include "os/mm/rmap.h"

namespace os::mm {

namespace {

// SWAP_CLUSTER_MAX: pages reclaim takes at a time, and what direct reclaim aims for.
constexpr std::uint64_t kSwapClusterMax = 32;

}  // namespace

PageReclaim::PageReclaim(PhysicalMemory& pmem, PageCache* cache, const ReclaimConfig& config)
    : m_pmem(pmem),
      m_cache(cache),
      m_policy(make_replacement_policy(config.policy, pmem.frame_count(), config.seed)),
      m_watermarks(config.watermarks.value_or(Watermarks::for_frames(pmem.online_frame_count()))),
      m_fixed_watermarks(config.watermarks.has_value()) {
    if (!m_policy)
        throw std::invalid_argument("unknown replacement policy '" + config.policy + "'");
    if (config.swap_bytes > 0)
        m_swap = std::make_unique<Swap>(pmem, config.swap_bytes, config.swap_file);
    // Pages that exist already (made before reclaim was set up) join the policy, oldest
    // frame number first.
    for (std::uint64_t i = 0; i < pmem.frame_count(); ++i) {
        const FrameUse use = pmem.info(static_cast<Pfn>(i)).use;
        if (use == FrameUse::Anonymous || use == FrameUse::File)
            m_policy->on_page_added(static_cast<Pfn>(i));
    }
    m_pmem.set_swap(m_swap.get());
    m_pmem.set_reclaim_hook(this, m_watermarks);
}

PageReclaim::~PageReclaim() {
    m_pmem.set_reclaim_hook(nullptr, {});
    m_pmem.set_swap(nullptr);
}

void PageReclaim::balance(std::uint64_t target_free, ReclaimMode mode) {
    if (mode == ReclaimMode::Direct) {
        ++m_stats.direct_runs;
        if (reclaim_pages(kSwapClusterMax) > 0)
            m_backoff = 0;
        return;
    }
    ++m_stats.kswapd_runs;
    if (m_backoff > 0) {
        --m_backoff;
        return;
    }
    // Frames owed to offlining count against the free ones (there are none while any are).
    const std::uint64_t target = target_free + m_pmem.offline_pending();
    const std::uint64_t free = m_pmem.free_frame_count();
    if (free >= target)
        return;
    reclaim_pages(target - free);
    // Short of the target: everything reclaimable was tried. Scanning again at the next
    // allocation would find the same; let a few allocations pass (direct reclaim still
    // runs when no frame is left).
    if (m_pmem.free_frame_count() + m_pmem.offline_pending() < target)
        m_backoff = kSwapClusterMax;
}

bool PageReclaim::resize(std::uint64_t frames) {
    m_pmem.set_online_frames(frames);
    if (!m_fixed_watermarks)
        m_watermarks = Watermarks::for_frames(m_pmem.online_frame_count());
    m_pmem.set_reclaim_hook(this, m_watermarks);
    m_backoff = 0;
    const std::uint64_t target = m_watermarks.high + m_pmem.offline_pending();
    if (m_pmem.free_frame_count() < target)
        reclaim_pages(target - m_pmem.free_frame_count());
    return m_pmem.offline_pending() == 0;
}

void PageReclaim::allocation_failed() {
    ++m_stats.failed_allocations;
    if (m_oom_notifier)
        m_oom_notifier();
}

bool PageReclaim::reclaim_page(Pfn pfn) {
    ++m_stats.scanned;
    if (!shrink_page(pfn))
        return false;
    ++m_stats.reclaimed;
    return true;
}

std::uint64_t PageReclaim::reclaim_pages(std::uint64_t nr) {
    // Frames that go offline (--pressure) count as freed: that is what they were owed.
    const std::uint64_t start = m_pmem.unused_frame_count();
    const std::uint64_t freed = scan(nr, [&] {
        const std::uint64_t now = m_pmem.unused_frame_count();
        return now > start ? now - start : 0;
    }, {});
    m_stats.reclaimed += freed;
    return freed;
}

std::uint64_t PageReclaim::reclaim_memcg(std::uint32_t memcg, std::uint64_t nr) {
    const MemCgroups& groups = *m_pmem.memcgs();
    const std::uint64_t start = groups.usage(memcg);
    const PageFilter eligible = [&](Pfn pfn) { return groups.within(m_pmem.info(pfn).memcg, memcg); };
    const std::uint64_t freed = scan(nr, [&] {
        const std::uint64_t now = groups.usage(memcg);
        return now < start ? start - now : 0;
    }, eligible);
    ++m_stats.memcg_runs;
    m_stats.memcg_reclaimed += freed;
    m_stats.reclaimed += freed;
    return freed;
}

std::uint64_t PageReclaim::scan(std::uint64_t nr, const std::function<std::uint64_t()>& freed,
                                const PageFilter& eligible) {
    // Accessed bits cleared as the policy asks; each address space's TLB is flushed once,
    // at the end (no guest code runs in between).
    std::vector<AddressSpace*> to_flush;
    const ReferenceProbe referenced = [&](Pfn pfn) { return page_referenced(m_pmem, pfn, to_flush) > 0; };
    // Each page at most twice (CLOCK's hand may need two turns), and a batch more.
    std::uint64_t budget = 2 * m_policy->size() + kSwapClusterMax;
    while (freed() < nr && budget > 0) {
        const auto victims = m_policy->choose_victims(std::min(kSwapClusterMax, budget), referenced, eligible);
        if (victims.empty())
            break;
        budget -= std::min<std::uint64_t>(budget, victims.size());
        for (Pfn pfn : victims) {
            ++m_stats.scanned;
            if (!shrink_page(pfn)) {
                ++m_stats.rotated;
                const FrameUse use = m_pmem.info(pfn).use;
                if (use == FrameUse::Anonymous || use == FrameUse::File)
                    m_policy->on_rotate(pfn);
            }
            if (freed() >= nr)
                break;
        }
    }
    for (AddressSpace* mm : to_flush)
        mm->flush_tlb();
    if (m_cache)
        m_cache->prune();
    return freed();
}

}  // namespace os::mm
