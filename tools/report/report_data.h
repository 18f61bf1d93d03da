// ReportData: everything `faultline report` shows, computed from an EventStore and an
// AccessStore (the working-set samples). The limits keep the page small (about 1 MB of
// data whatever the number of events and samples).
#pragma once

#include <cstdint>
#include <vector>

#include "tools/report/access_store.h"
#include "tools/report/event_store.h"
#include "tools/report/heat_map.h"
#include "tools/report/page_curves.h"
#include "tools/report/summary.h"
#include "tools/report/time_axis.h"
#include "tools/report/timeline.h"
#include "tools/report/vma_layout.h"
#include "tools/report/working_set.h"

namespace tools::report {

struct ReportLimits {
    std::uint32_t time_bins = 300;
    std::size_t top_vmas = 10;
    std::size_t curve_processes = 12;
    HeatMapLimits heat_map;
    LayoutLimits layout;
    WorkingSetLimits working_set;
};

struct ReportData {
    std::vector<ProcessSummary> processes;
    std::vector<VmaSummary> vmas;  // the top_vmas busiest names
    TimeAxis axis;
    Timeline timeline;
    HeatMap heat_map;
    PageCurves curves;
    VmaLayouts layouts;
    WorkingSet working_set;  // empty without access samples
};

// `store` and `access` must be finished (EventStore::finish, AccessStore::finish).
ReportData build_report(const EventStore& store, const AccessStore& access, const ReportLimits& limits = {});
// Without working-set samples.
ReportData build_report(const EventStore& store, const ReportLimits& limits = {});

}  // namespace tools::report
