#include "os/mm/oom_kill.h"

#include "os/mm/address_space.h"
#include "os/mm/swap.h"

namespace os::mm {

std::uint64_t oom_total_pages(const PhysicalMemory& pmem) {
    return pmem.online_frame_count() + swap_totals(pmem).total_pages;
}

std::optional<std::int64_t> oom_badness(const OomCandidate& c, std::uint64_t totalpages) {
    if (!c.mm || c.unkillable || c.oom_score_adj <= kOomScoreAdjMin)
        return std::nullopt;
    // mm_pgtables_bytes() counts every table but the top-level one.
    const std::uint64_t tables = c.mm->page_table().table_frames();
    const std::int64_t points =
        static_cast<std::int64_t>(c.mm->resident_pages() + c.mm->swap_pages() + (tables > 0 ? tables - 1 : 0));
    return points + static_cast<std::int64_t>(c.oom_score_adj) * static_cast<std::int64_t>(totalpages / 1000);
}

std::optional<std::size_t> select_bad_process(std::span<const OomCandidate> candidates, std::uint64_t totalpages) {
    std::optional<std::size_t> chosen;
    std::int64_t chosen_points = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto points = oom_badness(candidates[i], totalpages);
        if (!points || (chosen && *points < chosen_points))
            continue;
        chosen = i;
        chosen_points = *points;
    }
    return chosen;
}

std::uint64_t oom_score(const OomCandidate& c, std::uint64_t totalpages) {
    const auto badness = oom_badness(c, totalpages);
    if (!badness || totalpages == 0)
        return 0;
    const std::int64_t points = (1000 + *badness * 1000 / static_cast<std::int64_t>(totalpages)) * 2 / 3;
    return points > 0 ? static_cast<std::uint64_t>(points) : 0;
}

}  // namespace os::mm
