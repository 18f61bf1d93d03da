// The `report` subcommand's command line; the work is done by tools/report.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tools {

class ReportCommand {
public:
    // Registers `faultline report DIR [--html FILE] [--no-html]` on `app`.
    explicit ReportCommand(CLI::App& app);

    bool chosen() const { return m_command->parsed(); }
    // The exit status of `faultline report`.
    int run() const;

private:
    CLI::App* m_command;
    std::string m_dir;
    std::string m_html;
    bool m_no_html = false;
};

}  // namespace tools
