// Memory cgroups (Linux's mm/memcontrol.c, cgroup v2's memory.max and memory.high): a group
// of processes whose pages are counted together and kept within limits. faultline makes
// them from --limit (the kernel decides who belongs where, os/kernel_memcg.cpp); this file
// is the accounting and the limits, which know nothing of processes.
//
// Charging. Every anonymous or file page is charged, when its frame is allocated, to the
// group of the process that made it allocate (PhysicalMemory::set_active_memcg: the task
// on the CPU), and to that group's ancestors; freeing the frame uncharges them all. A page
// stays charged to the group that brought it in, wherever it is mapped later (after fork,
// a copy-on-write page shared with another group), as in Linux: memory.current is the
// pages the group brought into RAM and that are still there, never counted twice. Page
// tables and swap slots are not charged, nor is anything to the root group (which has no
// limits: its usage stays 0, as the root cgroup has no memory.current).
//
// Limits, checked at each charge, from the group up through its ancestors:
//   memory.high  the charge would take the group above it: the group reclaims a batch of
//                its own pages first (those charged to it or its descendants, chosen by the
//                replacement policy). Never fails, and faultline does not throttle: when
//                reclaim falls short, the next 64 charges above high skip it (then 128, ...
//                up to 1024 while it keeps falling short), so that a group with nothing
//                reclaimable does not rescan for every page.
//   memory.max   the same, but reclaim is retried until the page fits; when reclaim frees
//                nothing (no swap, everything locked or pinned) the charge fails, the
//                allocation fails, and the group's OOM (take_oom) is pending: the kernel
//                kills the group's worst process, as Linux's mem_cgroup_out_of_memory.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace os::mm {

using MemcgId = std::uint32_t;
inline constexpr MemcgId kRootMemcg = 0;
inline constexpr std::uint64_t kNoMemcgLimit = std::numeric_limits<std::uint64_t>::max();

struct MemcgLimits {
    std::uint64_t max_pages = kNoMemcgLimit;   // memory.max
    std::uint64_t high_pages = kNoMemcgLimit;  // memory.high
};

struct MemCgroup {
    std::string name;  // for messages: "pid 2", "sort (pid 7)"
    MemcgId parent = kRootMemcg;
    MemcgLimits limits;
    std::uint64_t usage = 0;  // memory.current, in pages
    std::uint64_t peak = 0;   // memory.peak
    // memory.events: charges that found the group above high / at max, and OOM kills.
    std::uint64_t high_events = 0;
    std::uint64_t max_events = 0;
    std::uint64_t oom_kills = 0;
    std::uint64_t reclaimed = 0;  // pages its own reclaim freed (memory.stat's pgsteal)
    // memory.high's back-off: charges above high that skip reclaim, and how often in a row
    // reclaim fell short.
    std::uint64_t high_backoff = 0;
    unsigned high_misses = 0;
};

// --limit: which processes a group holds (the kernel applies it, os/kernel_memcg.cpp).
struct MemcgRule {
    int pid = 0;       // a process and its descendants, one group together; 0: by name
    std::string name;  // each process running this program (comm or executable's basename)
    MemcgLimits limits;
    std::string text;  // as the user wrote it
};

// Reclaims up to about `nr` pages charged to `id` or its descendants; returns how many
// pages that took off the group's usage.
using MemcgReclaim = std::function<std::uint64_t(MemcgId id, std::uint64_t nr)>;

class MemCgroups {
public:
    MemCgroups();

    // A new group under `parent`.
    MemcgId create(MemcgId parent, std::string name, MemcgLimits limits);
    const MemCgroup& group(MemcgId id) const { return m_groups[id]; }
    // Every group, the root first (ids are indices).
    const std::vector<MemCgroup>& groups() const { return m_groups; }
    std::uint64_t usage(MemcgId id) const { return m_groups[id].usage; }
    // Whether a page charged to `page_memcg` counts for `id` (it is `id` or below it).
    bool within(MemcgId page_memcg, MemcgId id) const;

    // try_charge(): charges one page to `id` and its ancestors, reclaiming where a limit
    // says so (see above). False when memory.max of some group cannot be met: nothing is
    // charged and that group's OOM is pending.
    bool try_charge(MemcgId id, const MemcgReclaim& reclaim);
    void uncharge(MemcgId id);
    // The group whose memory.max a charge could not meet since the last call, if any.
    std::optional<MemcgId> take_oom();
    void count_oom_kill(MemcgId id) { ++m_groups[id].oom_kills; }

private:
    // Reclaim in `id` until one more page fits under `limit`; false if it never did.
    bool make_room(MemcgId id, std::uint64_t limit, bool retry, const MemcgReclaim& reclaim);

    std::vector<MemCgroup> m_groups;
    std::optional<MemcgId> m_oom;
};

}  // namespace os::mm
