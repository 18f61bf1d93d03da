// Per process, from its working-set samples: the table's numbers and the line of pages
// touched per period.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/report/access_store.h"
#include "tools/report/sample_axis.h"

namespace tools::report {

struct ProcessWorkingSet {
    int pid = 0;
    std::string comm;  // "busybox->exe->gzip" when the process changed its name
    std::uint64_t samples = 0;
    std::uint64_t total_pages = 0;     // pages touched, summed over its samples
    std::uint64_t max_pages = 0;       // in one sample
    std::uint64_t distinct_pages = 0;  // touched in at least one sample
    std::uint64_t first_ns = 0;        // its first and last sample
    std::uint64_t last_ns = 0;

    // Pages touched per period, on average (the last sample's period is shorter).
    double mean_pages() const { return samples ? static_cast<double>(total_pages) / static_cast<double>(samples) : 0; }
};

inline constexpr std::int64_t kNoSample = -1;

struct WorkingSetLine {
    int pid = 0;
    std::string comm;
    // Pages touched in each bin, summed over the process's samples there; kNoSample where it
    // has none (before it started, after it ended).
    std::vector<std::int64_t> values;
    std::uint64_t peak = 0;
};

struct WorkingSetLines {
    std::vector<WorkingSetLine> lines;  // the processes that touched the most pages, most first
    std::size_t processes_left_out = 0;
};

// One row per process that has samples, in pid order.
std::vector<ProcessWorkingSet> summarize_working_sets(const AccessStore& access);
WorkingSetLines build_working_set_lines(const AccessStore& access, const SampleAxis& axis, std::size_t max_processes);

}  // namespace tools::report
