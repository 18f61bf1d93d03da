#include "tools/report/timeline.h"

namespace tools::report {

Timeline build_timeline(const EventStore& store, const TimeAxis& axis) {
    Timeline timeline;
    timeline.counts.resize(store.kinds().size());
    for (const auto& e : store.events()) {
        auto& row = timeline.counts[e.kind];
        if (row.empty())
            row.assign(axis.bins(), 0);
        ++row[axis.bin(e)];
    }
    return timeline;
}

}  // namespace tools::report
