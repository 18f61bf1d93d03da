// The page's "working_set" JSON (page_data.h): the working-set heat map, one line per
// process and the table, bounded like the rest of the page. report.js's working_set.js
// reads it.
#pragma once

#include "tools/report/json_writer.h"
#include "tools/report/page_data.h"
#include "tools/report/working_set.h"

namespace tools::report {

// The colour of a heat-map cell is one character of kLevelDigits: '0' nothing touched,
// then 1 .. kLevels for the share of the row's pages touched per period, rounded up.
inline constexpr std::string_view kLevelDigits = "0123456789abcdefghijklmnopqrstuvwxyz";
inline constexpr std::uint64_t kLevels = kLevelDigits.size() - 1;

// The level of `touched` pages of a row of `row_pages`, summed over `periods` periods.
std::uint64_t touch_level(std::uint64_t touched, std::uint64_t row_pages, std::uint64_t periods);

// Writes "working_set": {...} into the open object of `w`.
void write_working_set(JsonWriter& w, const WorkingSet& ws, const PageSource& source, const PageLimits& limits);

}  // namespace tools::report
