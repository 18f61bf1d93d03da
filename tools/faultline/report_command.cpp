#include "tools/faultline/report_command.h"

#include <iostream>

#include "tools/report/report_command.h"

namespace tools {

ReportCommand::ReportCommand(CLI::App& app)
    : m_command(app.add_subcommand("report", "Summarize the fault logs in DIR (written by run --fault-log DIR, "
                                             "and its working-set samples with --sample-access): tables on stdout "
                                             "and an HTML page with plots, DIR/report.html")) {
    m_command->add_option("DIR", m_dir, "The --fault-log directory: DIR/*.faults.jsonl (and DIR/*.access.jsonl)")
        ->required();
    m_command->add_option("--html", m_html, "Write the page to FILE instead of DIR/report.html")->type_name("FILE");
    m_command->add_flag("--no-html", m_no_html, "Only print the tables");
    m_command->footer(
        "The page is one self-contained file (no network); open it in any browser. Exit status: 0, or 1 when "
        "DIR has no fault logs or the page cannot be written. Malformed lines are named on stderr and skipped.");
}

int ReportCommand::run() const {
    report::ReportOptions options;
    options.dir = m_dir;
    options.html = m_html;
    options.write_html = !m_no_html;
    return report::run_report(options, std::cout, std::cerr);
}

}  // namespace tools
