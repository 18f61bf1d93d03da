#include "tools/report/page_curves.h"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace tools::report {

namespace {

constexpr auto kStates = static_cast<std::size_t>(PageState::Count);

struct Replay {
    std::unordered_map<std::uint64_t, PageState> pages;
    std::array<std::int64_t, kStates> in_state{};
    std::array<std::vector<std::int64_t>, kStates> values;
    std::array<std::uint64_t, kStates> peak{};
    std::uint32_t first_bin = 0, last_bin = 0;
    bool seen = false;
};

void apply(Replay& r, std::uint64_t page, PageState after) {
    auto [it, inserted] = r.pages.try_emplace(page, PageState::Absent);
    --r.in_state[static_cast<std::size_t>(it->second)];
    it->second = after;
    ++r.in_state[static_cast<std::size_t>(after)];
}

}  // namespace

PageCurves build_page_curves(const EventStore& store, const TimeAxis& axis, std::size_t max_processes) {
    std::vector<Replay> replays(store.processes().size());
    for (auto& r : replays)
        for (auto& v : r.values)
            v.assign(axis.bins(), kNoValue);
    for (const auto& e : store.events()) {
        Replay& r = replays[e.process];
        const std::uint32_t bin = axis.bin(e);
        if (!r.seen)
            r.first_bin = bin;
        r.seen = true;
        r.last_bin = std::max(r.last_bin, bin);
        const KindInfo& info = store.kinds().info(e.kind);
        if (info.is_reclaim && e.to_swap)
            apply(r, e.page, PageState::Swapped);
        else if (info.page_after)
            apply(r, e.page, *info.page_after);
        for (std::size_t s = 1; s < kStates; ++s) {
            r.values[s][bin] = r.in_state[s];
            r.peak[s] = std::max(r.peak[s], static_cast<std::uint64_t>(std::max<std::int64_t>(r.in_state[s], 0)));
        }
    }
    // Bins without an event of the process carry the value before them.
    for (auto& r : replays) {
        if (!r.seen)
            continue;
        for (std::size_t s = 1; s < kStates; ++s) {
            std::int64_t last = 0;
            for (std::uint32_t b = r.first_bin; b <= r.last_bin; ++b) {
                if (r.values[s][b] == kNoValue)
                    r.values[s][b] = last;
                last = r.values[s][b];
            }
        }
    }

    std::vector<std::uint32_t> order;
    for (std::uint32_t p = 0; p < replays.size(); ++p)
        if (replays[p].seen)
            order.push_back(p);
    auto total_peak = [&](std::uint32_t p) {
        std::uint64_t sum = 0;
        for (std::size_t s = 1; s < kStates; ++s)
            sum += replays[p].peak[s];
        return sum;
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return total_peak(a) > total_peak(b); });
    PageCurves result;
    if (order.size() > max_processes) {
        result.processes_left_out = order.size() - max_processes;
        order.resize(max_processes);
    }
    for (std::uint32_t p : order) {
        for (std::size_t s = 1; s < kStates; ++s) {
            if (replays[p].peak[s] == 0 && s != static_cast<std::size_t>(PageState::Resident))
                continue;
            result.curves.push_back(
                PageCurve{p, static_cast<PageState>(s), std::move(replays[p].values[s]), replays[p].peak[s]});
        }
    }
    return result;
}

}  // namespace tools::report
