#include "tools/report/heat_map.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "tools/report/summary.h"

namespace tools::report {

namespace {

// An address range: VMAs of any process that overlap, merged.
struct Range {
    std::uint64_t start = 0, end = 0;
    std::uint64_t faults = 0;
    std::uint64_t first_page = ~std::uint64_t{0}, last_page = 0;
    std::map<std::uint32_t, std::uint64_t> faults_by_vma;  // which VMA entry names it
    std::int64_t band = -1;
};

std::vector<Range> merged_ranges(const EventStore& store) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
    for (const auto& vma : store.vmas())
        spans.emplace_back(vma.start, std::max(vma.end, vma.start + 1));
    for (const auto& e : store.events())
        if (e.vma == kNoVma)
            spans.emplace_back(e.page, e.page + kPageSize);
    std::sort(spans.begin(), spans.end());
    std::vector<Range> ranges;
    for (const auto& [start, end] : spans) {
        if (!ranges.empty() && start < ranges.back().end) {
            ranges.back().end = std::max(ranges.back().end, end);
            continue;
        }
        Range r;
        r.start = start;
        r.end = end;
        ranges.push_back(std::move(r));
    }
    return ranges;
}

std::size_t range_of(const std::vector<Range>& ranges, std::uint64_t page) {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), page,
                               [](std::uint64_t p, const Range& r) { return p < r.start; });
    return it == ranges.begin() ? 0 : static_cast<std::size_t>(it - ranges.begin() - 1);
}

std::uint64_t span_pages(const Range& r) { return (r.last_page - r.first_page) / kPageSize + 1; }

// Rows in proportion to the square root of each band's page span (so one huge heap does
// not squeeze the others to nothing), enough for a label, never more than its pages.
void assign_rows(HeatMap& map, std::uint32_t max_rows) {
    const std::uint64_t least = std::max<std::uint64_t>(3, max_rows / (4 * std::max<std::size_t>(map.bands.size(), 1)));
    double total = 0;
    for (const auto& band : map.bands)
        total += std::sqrt(static_cast<double>((band.last_page - band.first_page) / kPageSize + 1));
    std::uint32_t next = 0;
    for (auto& band : map.bands) {
        const std::uint64_t pages = (band.last_page - band.first_page) / kPageSize + 1;
        const double share = total > 0 ? std::sqrt(static_cast<double>(pages)) / total : 1;
        auto rows = static_cast<std::uint64_t>(std::lround(share * max_rows));
        rows = std::clamp<std::uint64_t>(rows, std::min(pages, least), pages);
        band.first_row = next;
        band.rows = static_cast<std::uint32_t>(std::max<std::uint64_t>(rows, 1));
        next += band.rows;
    }
    map.rows = next;
}

}  // namespace

HeatMap build_heat_map(const EventStore& store, const HeatMapLimits& limits) {
    const TimeAxis axis(store, limits.time_bins);
    HeatMap map;
    map.bins = axis.bins();
    std::vector<Range> ranges = merged_ranges(store);
    if (ranges.empty())
        return map;
    for (const auto& e : store.events()) {
        Range& r = ranges[range_of(ranges, e.page)];
        ++r.faults;
        r.first_page = std::min(r.first_page, e.page);
        r.last_page = std::max(r.last_page, e.page);
        ++r.faults_by_vma[e.vma];
    }

    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < ranges.size(); ++i)
        if (ranges[i].faults > 0)
            order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return ranges[a].faults > ranges[b].faults; });
    if (order.size() > limits.max_bands)
        order.resize(limits.max_bands);
    std::sort(order.begin(), order.end());  // address order

    for (std::size_t i : order) {
        Range& r = ranges[i];
        auto busiest = std::max_element(r.faults_by_vma.begin(), r.faults_by_vma.end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
        r.band = static_cast<std::int64_t>(map.bands.size());
        map.bands.push_back(HeatBand{display_name(store, busiest->first), r.first_page, r.last_page, 0, 0, r.faults});
    }
    assign_rows(map, limits.max_rows);

    const std::size_t kinds = store.kinds().size();
    const std::size_t bins = axis.bins();
    std::vector<std::uint32_t> counts(static_cast<std::size_t>(map.rows) * bins * kinds, 0);
    for (const auto& e : store.events()) {
        const Range& r = ranges[range_of(ranges, e.page)];
        if (r.band < 0)
            continue;
        const HeatBand& band = map.bands[static_cast<std::size_t>(r.band)];
        const std::uint64_t offset = (e.page - band.first_page) / kPageSize;
        const auto row = band.first_row + static_cast<std::uint32_t>(offset * band.rows / span_pages(r));
        ++counts[(static_cast<std::size_t>(row) * bins + axis.bin(e)) * kinds + e.kind];
        ++map.events_shown;
    }
    for (std::uint32_t row = 0; row < map.rows; ++row) {
        for (std::uint32_t bin = 0; bin < bins; ++bin) {
            const std::uint32_t* cell = &counts[(static_cast<std::size_t>(row) * bins + bin) * kinds];
            const std::uint32_t* top = std::max_element(cell, cell + kinds);
            if (*top == 0)
                continue;
            std::uint32_t total = 0;
            for (std::size_t k = 0; k < kinds; ++k)
                total += cell[k];
            map.cells.push_back(HeatCell{bin, row, static_cast<KindId>(top - cell), total});
        }
    }
    return map;
}

}  // namespace tools::report
