// The terminal summary: a table per process, one of the busiest VMA names, and one of the
// working-set samples per process.
#pragma once

#include <cstdint>
#include <string>

#include "tools/report/event_store.h"
#include "tools/report/report_data.h"

namespace tools::report {

// "0 ns", "153 µs", "2.211 ms", "1.50 s".
std::string format_duration(std::uint64_t ns);
// "file 28, cow-reuse 22, demand-zero 7": non-zero kinds, most first.
std::string format_kind_counts(const EventStore& store, const std::vector<std::uint64_t>& by_kind);

std::string format_process_table(const EventStore& store, const ReportData& data);
std::string format_vma_table(const EventStore& store, const ReportData& data);
// One row per process with working-set samples: samples, pages touched per period (mean
// and most), distinct pages touched, first and last sample.
std::string format_working_set_table(const ReportData& data);

}  // namespace tools::report
