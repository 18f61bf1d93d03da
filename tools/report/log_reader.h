// Reading a fault-log directory: every DIR/*.faults.jsonl (and DIR/*.access.jsonl, the
// working-set samples), in pid order, one record at a time. A malformed line is reported
// once (file:line: why) and skipped; a flood of them is cut short per file so that feeding
// garbage gives a readable stderr.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/report/access_record.h"
#include "tools/report/fault_record.h"

namespace tools::report {

inline constexpr std::string_view kFaultLogSuffix = ".faults.jsonl";
inline constexpr std::string_view kAccessLogSuffix = ".access.jsonl";

struct ReadSummary {
    std::vector<std::filesystem::path> files;
    std::uint64_t lines = 0;      // non-empty lines
    std::uint64_t records = 0;    // lines that parsed
    std::uint64_t malformed = 0;  // lines skipped
};

using ProblemSink = std::function<void(const std::string& problem)>;  // "FILE:LINE: why", no newline

struct LogReaderSinks {
    std::function<void(const FaultRecord&)> record;
    ProblemSink problem;
};

struct AccessReaderSinks {
    std::function<void(const AccessRecord&)> record;
    ProblemSink problem;
};

// The DIR/*<suffix> files, ordered by the number before the first '.' (the pid), then by
// name. Empty when DIR has none.
std::vector<std::filesystem::path> log_files(const std::filesystem::path& dir, std::string_view suffix);
inline std::vector<std::filesystem::path> fault_log_files(const std::filesystem::path& dir) {
    return log_files(dir, kFaultLogSuffix);
}
inline std::vector<std::filesystem::path> access_log_files(const std::filesystem::path& dir) {
    return log_files(dir, kAccessLogSuffix);
}

// Most malformed lines named per file; the rest are counted in one closing message.
inline constexpr int kMaxProblemsPerFile = 10;

// Every non-blank line of `files` to `take`, which returns why the line is malformed, or
// nullopt when it took it.
using LineSink = std::function<std::optional<std::string>(std::string_view line)>;
ReadSummary read_log_lines(const std::vector<std::filesystem::path>& files, const LineSink& take,
                           const ProblemSink& problem);

ReadSummary read_fault_logs(const std::vector<std::filesystem::path>& files, const LogReaderSinks& sinks);
ReadSummary read_access_logs(const std::vector<std::filesystem::path>& files, const AccessReaderSinks& sinks);

}  // namespace tools::report
