// The JSON the page's script draws from (page/report.js reads it from the element
// #faultline-data). Field names here and in report.js go together.
#pragma once

#include <cstdint>
#include <string>

#include "tools/report/event_store.h"
#include "tools/report/report_data.h"

namespace tools::report {

struct PageSource {
    std::string dir;  // the log directory, as given
    std::uint64_t files = 0;
    std::uint64_t malformed_lines = 0;
};

std::string page_data_json(const EventStore& store, const ReportData& data, const PageSource& source);

}  // namespace tools::report
