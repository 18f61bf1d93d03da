// `faultline report DIR`: reads DIR/*.faults.jsonl (and DIR/*.access.jsonl, the working-set
// samples, when there are any), prints the summary tables and writes the HTML page.
// The CLI front end is tools/faultline/report_command.h.
#pragma once

#include <filesystem>
#include <ostream>

namespace tools::report {

struct ReportOptions {
    std::filesystem::path dir;
    std::filesystem::path html;  // empty: DIR/report.html
    bool write_html = true;
};

// 0 when the report was made (malformed lines are reported on `err` and skipped), 1 when
// DIR has no fault logs or the page cannot be written.
int run_report(const ReportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace tools::report
