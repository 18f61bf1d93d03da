#include "tools/report/heat_map.h"

#include <algorithm>

namespace tools::report {

HeatMap build_heat_map(const EventStore& store, const HeatMapLimits& limits) {
    const TimeAxis axis(store, limits.time_bins);
    HeatMap map;
    map.bins = axis.bins();
    const AddressRanges ranges(store);
    if (ranges.size() == 0)
        return map;
    std::vector<RangeActivity> activity(ranges.size());
    for (const auto& e : store.events())
        activity[ranges.index_of(e.page)].add(e.page, e.page, 1);
    const AddressBands bands(ranges, activity, limits.max_bands, limits.max_rows);
    map.bands = bands.bands();
    map.rows = bands.rows();

    const std::size_t kinds = store.kinds().size();
    const std::size_t bins = axis.bins();
    std::vector<std::uint32_t> counts(static_cast<std::size_t>(map.rows) * bins * kinds, 0);
    for (const auto& e : store.events()) {
        const std::int64_t band = bands.band_of_range(ranges.index_of(e.page));
        if (band < 0)
            continue;
        const std::uint32_t row = bands.row_of(static_cast<std::size_t>(band), e.page);
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
