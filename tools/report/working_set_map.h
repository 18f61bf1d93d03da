// The working-set heat map: which pages were touched in each sampling period, over all
// processes. Its address axis is the fault heat map's (address_bands.h) with the busiest
// ranges chosen by pages touched; a cell is (time bin, row) and holds how many of the
// row's pages were touched, summed over the bin's samples.
#pragma once

#include <cstdint>
#include <vector>

#include "tools/report/access_store.h"
#include "tools/report/address_bands.h"
#include "tools/report/event_store.h"
#include "tools/report/sample_axis.h"

namespace tools::report {

struct WorkingSetMapLimits {
    std::size_t max_bands = 12;
    std::uint32_t max_rows = 200;
};

struct WorkingSetMap {
    std::uint32_t bins = 0;  // SampleAxis::bins()
    std::uint32_t rows = 0;
    std::vector<HeatBand> bands;  // in address order; weight: page touches in the band
    std::vector<std::uint64_t> row_pages;  // how many pages each row covers (at least 1)
    // touched[row * bins + bin]: the row's pages touched, summed over the bin's samples
    // (of every process). Divided by SampleAxis::periods_per_bin it is pages per period.
    std::vector<std::uint64_t> touched;
    std::uint64_t touches = 0;        // pages touched, summed over all samples
    std::uint64_t touches_shown = 0;  // those in the chosen bands
};

// `access` must be finished (AccessStore::finish).
WorkingSetMap build_working_set_map(const AccessStore& access, const EventStore& faults, const SampleAxis& axis,
                                    const WorkingSetMapLimits& limits = {});

}  // namespace tools::report
