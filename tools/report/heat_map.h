// Plot (b): which pages faulted when. The address axis is compressed (address_bands.h):
// the VMAs of all processes are merged into address ranges, the busiest ranges become bands
// stacked in address order, and each band's rows cover only the pages that faulted in it.
// A cell is (time bin, row), coloured by its most frequent kind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/report/address_bands.h"
#include "tools/report/event_store.h"
#include "tools/report/time_axis.h"

namespace tools::report {

struct HeatMapLimits {
    std::uint32_t time_bins = 200;  // coarser than the timeline: cells cost bytes in the page
    std::size_t max_bands = 12;
    std::uint32_t max_rows = 240;
};

struct HeatCell {
    std::uint32_t bin = 0;
    std::uint32_t row = 0;
    KindId kind = 0;  // the most frequent kind in the cell
    std::uint32_t count = 0;
};

struct HeatMap {
    std::uint32_t bins = 0;  // on the same axis as TimeAxis(store, bins)
    std::uint32_t rows = 0;
    std::vector<HeatBand> bands;  // in address order; weight: the faults in the band
    std::vector<HeatCell> cells;  // only non-empty ones
    std::uint64_t events_shown = 0;  // events in the chosen bands
};

HeatMap build_heat_map(const EventStore& store, const HeatMapLimits& limits = {});

}  // namespace tools::report
