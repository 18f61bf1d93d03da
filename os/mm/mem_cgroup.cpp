#include "os/mm/mem_cgroup.h"

#include <algorithm>
#include <cassert>

namespace os::mm {

namespace {

// What one round of a group's reclaim aims for at least (SWAP_CLUSTER_MAX, as
// try_to_free_mem_cgroup_pages asks), so that a group at its limit does not scan for every
// page it faults in.
constexpr std::uint64_t kReclaimBatch = 32;
// MAX_RECLAIM_RETRIES: rounds of reclaim memory.max tries while each frees something.
constexpr int kMaxReclaimRetries = 16;
// memory.high's back-off after reclaim fell short: 64, 128, ... up to 1024 charges.
constexpr unsigned kMaxHighBackoffShift = 5;

}  // namespace

MemCgroups::MemCgroups() { m_groups.push_back(MemCgroup{"root", kRootMemcg, {}}); }

MemcgId MemCgroups::create(MemcgId parent, std::string name, MemcgLimits limits) {
    assert(parent < m_groups.size());
    MemCgroup g;
    g.name = std::move(name);
    g.parent = parent;
    g.limits = limits;
    m_groups.push_back(std::move(g));
    return static_cast<MemcgId>(m_groups.size() - 1);
}

bool MemCgroups::within(MemcgId page_memcg, MemcgId id) const {
    for (MemcgId g = page_memcg;; g = m_groups[g].parent) {
        if (g == id)
            return true;
        if (g == kRootMemcg)
            return false;
    }
}

bool MemCgroups::make_room(MemcgId id, std::uint64_t limit, bool retry, const MemcgReclaim& reclaim) {
    const int rounds = retry ? kMaxReclaimRetries : 1;
    for (int round = 0; m_groups[id].usage + 1 > limit; ++round) {
        if (round == rounds || !reclaim)
            return false;
        const std::uint64_t over = m_groups[id].usage + 1 - limit;
        const std::uint64_t freed = reclaim(id, std::max(over, kReclaimBatch));
        m_groups[id].reclaimed += freed;
        if (freed == 0)
            return false;
    }
    return true;
}

bool MemCgroups::try_charge(MemcgId id, const MemcgReclaim& reclaim) {
    for (MemcgId g = id; g != kRootMemcg; g = m_groups[g].parent) {
        const MemcgLimits limits = m_groups[g].limits;
        if (m_groups[g].usage + 1 > limits.high_pages) {
            MemCgroup& group = m_groups[g];
            ++group.high_events;
            if (group.high_backoff > 0) {
                --group.high_backoff;
            } else if (make_room(g, limits.high_pages, false, reclaim)) {
                group.high_misses = 0;
            } else {
                // Short: what reclaim can take from the group is gone for now, and scanning
                // again for every page would find the same (Linux would throttle the task).
                // Skip a growing number of charges before the next try.
                m_groups[g].high_misses = std::min(m_groups[g].high_misses + 1, kMaxHighBackoffShift);
                m_groups[g].high_backoff = kReclaimBatch << m_groups[g].high_misses;
            }
        }
        if (m_groups[g].usage + 1 > limits.max_pages) {
            ++m_groups[g].max_events;
            if (!make_room(g, limits.max_pages, true, reclaim)) {
                m_oom = g;
                return false;
            }
        }
    }
    for (MemcgId g = id; g != kRootMemcg; g = m_groups[g].parent) {
        MemCgroup& group = m_groups[g];
        group.peak = std::max(group.peak, ++group.usage);
    }
    return true;
}

void MemCgroups::uncharge(MemcgId id) {
    for (MemcgId g = id; g != kRootMemcg; g = m_groups[g].parent) {
        assert(m_groups[g].usage > 0);
        --m_groups[g].usage;
    }
}

std::optional<MemcgId> MemCgroups::take_oom() {
    const std::optional<MemcgId> g = m_oom;
    m_oom.reset();
    return g;
}

}  // namespace os::mm
