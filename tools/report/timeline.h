// Plot (a): how many faults of each kind happened in each time bin.
#pragma once

#include <cstdint>
#include <vector>

#include "tools/report/event_store.h"
#include "tools/report/time_axis.h"

namespace tools::report {

struct Timeline {
    // counts[kind][bin]; kinds with no event have an empty row.
    std::vector<std::vector<std::uint32_t>> counts;
};

Timeline build_timeline(const EventStore& store, const TimeAxis& axis);

}  // namespace tools::report
