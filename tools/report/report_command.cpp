#include "tools/report/report_command.h"

#include <fmt/format.h>

#include <fstream>
#include <system_error>

#include "tools/report/access_store.h"
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

struct Logs {
    EventStore faults;
    AccessStore access;
    ReadSummary read;
    ReadSummary read_access;
};

Logs read_logs(const std::vector<std::filesystem::path>& fault_files,
               const std::vector<std::filesystem::path>& access_files, std::ostream& err) {
    Logs logs;
    const ProblemSink problem = [&](const std::string& p) { err << "faultline: report: " << p << '\n'; };
    logs.read = read_fault_logs(fault_files, LogReaderSinks{
                                                 .record = [&](const FaultRecord& r) { logs.faults.add(r); },
                                                 .problem = problem,
                                             });
    logs.faults.finish();
    logs.read_access = read_access_logs(access_files, AccessReaderSinks{
                                                          .record = [&](const AccessRecord& r) { logs.access.add(r); },
                                                          .problem = problem,
                                                      });
    logs.access.finish(logs.faults);
    return logs;
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

    const Logs logs = read_logs(files, access_log_files(options.dir), err);
    const EventStore& store = logs.faults;
    const ReportData data = build_report(store, logs.access);

    out << fmt::format("{}: {} faults from {} files", options.dir.string(), logs.read.records, logs.read.files.size());
    if (logs.read.malformed)
        out << fmt::format(" ({} malformed lines skipped)", logs.read.malformed);
    if (!logs.read_access.files.empty()) {
        out << fmt::format("; {} working-set samples from {} files", logs.read_access.records,
                           logs.read_access.files.size());
        if (logs.read_access.malformed)
            out << fmt::format(" ({} malformed lines skipped)", logs.read_access.malformed);
    }
    out << fmt::format("; x axis: {}\n\nProcesses\n", data.axis.label());
    out << format_process_table(store, data);
    out << fmt::format("\nBusiest VMAs (top {} by faults)\n", data.vmas.size());
    out << format_vma_table(store, data);
    if (!logs.read_access.files.empty()) {
        out << fmt::format("\nWorking set (pages touched per {} period)\n", format_duration(data.working_set.axis.period_ns()));
        out << format_working_set_table(data);
    }

    if (!options.write_html)
        return 0;
    const std::filesystem::path html = options.html.empty() ? options.dir / "report.html" : options.html;
    const PageSource source{options.dir.string(), logs.read.files.size(), logs.read.malformed,
                            logs.read_access.files.size(), logs.read_access.malformed};
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
