#include "tools/report/working_set_map.h"

namespace tools::report {

namespace {

std::uint64_t end_of(const PageRun& r) { return r.start + r.pages * kPageSize; }

}  // namespace

WorkingSetMap build_working_set_map(const AccessStore& access, const EventStore& faults, const SampleAxis& axis,
                                    const WorkingSetMapLimits& limits) {
    WorkingSetMap map;
    map.bins = axis.bins();
    AddressRanges ranges(faults);
    std::vector<AddressSpan> spans;
    for (const StoredSample& s : access.samples())
        for (const PageRun& r : access.runs(s))
            spans.push_back({r.start, end_of(r)});
    ranges.add_uncovered(std::move(spans));
    if (ranges.size() == 0)
        return map;

    std::vector<RangeActivity> activity(ranges.size());
    for (const StoredSample& s : access.samples()) {
        map.touches += s.pages;
        for (const PageRun& r : access.runs(s))
            ranges.for_each_piece(r.start, end_of(r), [&](std::size_t i, std::uint64_t lo, std::uint64_t hi) {
                activity[i].add(lo, hi - kPageSize, (hi - lo) / kPageSize);
            });
    }
    const AddressBands bands(ranges, activity, limits.max_bands, limits.max_rows);
    map.bands = bands.bands();
    map.rows = bands.rows();
    for (std::size_t b = 0; b < map.bands.size(); ++b) {
        const HeatBand& band = map.bands[b];
        for (std::uint32_t row = band.first_row; row < band.first_row + band.rows; ++row) {
            const auto [lo, hi] = bands.row_pages(b, row);
            map.row_pages.push_back((hi - lo) / kPageSize + 1);
        }
    }

    map.touched.assign(static_cast<std::size_t>(map.rows) * map.bins, 0);
    for (const StoredSample& s : access.samples()) {
        const std::uint32_t bin = axis.bin(s);
        for (const PageRun& r : access.runs(s)) {
            ranges.for_each_piece(r.start, end_of(r), [&](std::size_t i, std::uint64_t lo, std::uint64_t hi) {
                const std::int64_t band = bands.band_of_range(i);
                if (band < 0)
                    return;
                bands.for_each_row(static_cast<std::size_t>(band), lo, hi - kPageSize,
                                   [&](std::uint32_t row, std::uint64_t pages) {
                                       map.touched[static_cast<std::size_t>(row) * map.bins + bin] += pages;
                                       map.touches_shown += pages;
                                   });
            });
        }
    }
    return map;
}

}  // namespace tools::report
