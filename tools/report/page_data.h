// The JSON the page's script draws from (page/report.js reads it from the element
// #faultline-data). Field names here and in report.js go together.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tools/report/event_store.h"
#include "tools/report/report_data.h"

namespace tools::report {

struct PageSource {
    std::string dir;  // the log directory, as given
    std::uint64_t files = 0;
    std::uint64_t malformed_lines = 0;
    std::uint64_t access_files = 0;  // DIR/*.access.jsonl; none: the page says how to get them
    std::uint64_t access_malformed_lines = 0;
};

// What the page may hold whatever the logs are (the plots are bounded by ReportLimits).
struct PageLimits {
    std::size_t table_processes = 200;  // the rows of each process table: the busiest
    std::size_t name_bytes = 160;       // longer VMA and process names keep their end
};

std::string page_data_json(const EventStore& store, const ReportData& data, const PageSource& source,
                           const PageLimits& limits = {});

// `name` cut to at most `max_bytes`, keeping its end ("…/lib/libc.so.6"), on a UTF-8
// character boundary.
std::string clip_name(std::string_view name, std::size_t max_bytes);

}  // namespace tools::report
