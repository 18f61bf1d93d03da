// What the report shows of the working-set samples (DIR/*.access.jsonl): the heat map of
// pages touched per period, a line per process, and the per-process table.
#pragma once

#include <cstdint>
#include <vector>

#include "tools/report/access_store.h"
#include "tools/report/event_store.h"
#include "tools/report/sample_axis.h"
#include "tools/report/working_set_map.h"
#include "tools/report/working_set_summary.h"

namespace tools::report {

struct WorkingSetLimits {
    std::uint32_t time_bins = 200;
    std::size_t line_processes = 12;
    WorkingSetMapLimits map;
};

struct WorkingSet {
    std::uint64_t samples = 0;
    SampleAxis axis;
    WorkingSetMap map;
    WorkingSetLines lines;
    std::vector<ProcessWorkingSet> processes;  // in pid order
};

// `access` must be finished (AccessStore::finish).
WorkingSet build_working_set(const AccessStore& access, const EventStore& faults, const WorkingSetLimits& limits = {});

}  // namespace tools::report
