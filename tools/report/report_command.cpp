#include "tools/report/report_command.h"

#include <fmt/format.h>

#include <fstream>
#include <system_error>

#include "tools/report/event_store.h"
#include "tools/report/html_page.h"
#include "tools/report/log_reader.h"
#include "tools/report/page_data.h"
#include "tools/report/report_data.h"
#include "tools/report/summary_tables.h"

namespace tools::report {

namespace {

bool write_file(const std::filesystem::path& path, const std::string& text) {
    const std::filesystem::path partial = path.string() + ".partial";
    {
        std::ofstream file(partial, std::ios::binary | std::ios::trunc);
        file.write(text.data(), static_cast<std::streamsize>(text.size()));
        if (!file.flush())
            return false;
    }
    std::error_code ec;
    std::filesystem::rename(partial, path, ec);
    return !ec;
}

}  // namespace

int run_report(const ReportOptions& options, std::ostream& out, std::ostream& err) {
    std::error_code ec;
    if (!std::filesystem::is_directory(options.dir, ec)) {
        err << fmt::format("faultline: report: {}: not a directory\n", options.dir.string());
        return 1;
    }
    const auto files = fault_log_files(options.dir);
    if (files.empty()) {
        err << fmt::format("faultline: report: {}: no *.faults.jsonl files (write them with `faultline run "
                           "--fault-log {}`)\n",
                           options.dir.string(), options.dir.string());
        return 1;
    }

    EventStore store;
    const ReadSummary read = read_fault_logs(
        files, LogReaderSinks{
                   .record = [&](const FaultRecord& r) { store.add(r); },
                   .problem = [&](const std::string& p) { err << "faultline: report: " << p << '\n'; },
               });
    store.finish();
    const ReportData data = build_report(store);

    out << fmt::format("{}: {} faults from {} files", options.dir.string(), read.records, read.files.size());
    if (read.malformed)
        out << fmt::format(" ({} malformed lines skipped)", read.malformed);
    out << fmt::format("; x axis: {}\n\nProcesses\n", data.axis.label());
    out << format_process_table(store, data);
    out << fmt::format("\nBusiest VMAs (top {} by faults)\n", data.vmas.size());
    out << format_vma_table(store, data);

    if (!options.write_html)
        return 0;
    const std::filesystem::path html = options.html.empty() ? options.dir / "report.html" : options.html;
    const PageSource source{options.dir.string(), read.files.size(), read.malformed};
    const std::string page =
        render_html_page("faultline report: " + options.dir.string(), page_data_json(store, data, source));
    if (!write_file(html, page)) {
        err << fmt::format("faultline: report: cannot write {}\n", html.string());
        return 1;
    }
    out << fmt::format("\nwrote {} ({} KiB)\n", html.string(), (page.size() + 1023) / 1024);
    return 0;
}

}  // namespace tools::report
