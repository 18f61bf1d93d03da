#include "tools/report/report_data.h"

namespace tools::report {

ReportData build_report(const EventStore& store, const AccessStore& access, const ReportLimits& limits) {
    TimeAxis axis(store, limits.time_bins);
    return ReportData{
        .processes = summarize_processes(store),
        .vmas = summarize_vmas(store, limits.top_vmas),
        .axis = axis,
        .timeline = build_timeline(store, axis),
        .heat_map = build_heat_map(store, limits.heat_map),
        .curves = build_page_curves(store, axis, limits.curve_processes),
        .layouts = build_vma_layouts(store, limits.layout),
        .working_set = build_working_set(access, store, limits.working_set),
    };
}

ReportData build_report(const EventStore& store, const ReportLimits& limits) {
    return build_report(store, AccessStore{}, limits);
}

}  // namespace tools::report
