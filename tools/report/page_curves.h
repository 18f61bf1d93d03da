// Plot (c): per process, how many of its pages are in each PageState over time, replayed
// from the events (each kind says what its page is afterwards: fault_kinds.h). The log has
// no munmap, exit or exec records, so "resident" only grows until swap events arrive: it
// is drawn as "pages faulted in", and only from a process's first fault to its last.
#pragma once

#include <cstdint>
#include <vector>

#include "tools/report/event_store.h"
#include "tools/report/fault_kinds.h"
#include "tools/report/time_axis.h"

namespace tools::report {

inline constexpr std::int64_t kNoValue = -1;  // before the first or after the last fault

struct PageCurve {
    std::uint32_t process = 0;
    PageState state = PageState::Resident;
    std::vector<std::int64_t> values;  // pages in `state` at the end of each bin, or kNoValue
    std::uint64_t peak = 0;
};

struct PageCurves {
    std::vector<PageCurve> curves;    // the busiest processes, most pages first
    std::size_t processes_left_out = 0;
};

PageCurves build_page_curves(const EventStore& store, const TimeAxis& axis, std::size_t max_processes = 12);

}  // namespace tools::report
