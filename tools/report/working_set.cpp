#include "tools/report/working_set.h"

namespace tools::report {

WorkingSet build_working_set(const AccessStore& access, const EventStore& faults, const WorkingSetLimits& limits) {
    WorkingSet ws;
    if (access.empty())
        return ws;
    ws.samples = access.samples().size();
    ws.axis = SampleAxis(access, limits.time_bins);
    ws.map = build_working_set_map(access, faults, ws.axis, limits.map);
    ws.lines = build_working_set_lines(access, ws.axis, limits.line_processes);
    ws.processes = summarize_working_sets(access);
    return ws;
}

}  // namespace tools::report
