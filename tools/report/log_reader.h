// Reading a fault-log directory: every DIR/*.faults.jsonl, in pid order, one record at a
// time. A malformed line is reported once (file:line: why) and skipped; a flood of them
// is cut short per file so that feeding garbage gives a readable stderr.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tools/report/fault_record.h"

namespace tools::report {

struct ReadSummary {
    std::vector<std::filesystem::path> files;
    std::uint64_t lines = 0;      // non-empty lines
    std::uint64_t records = 0;    // lines that parsed
    std::uint64_t malformed = 0;  // lines skipped
};

struct LogReaderSinks {
    std::function<void(const FaultRecord&)> record;
    std::function<void(const std::string& problem)> problem;  // "FILE:LINE: why", no newline
};

// The DIR/*.faults.jsonl files, ordered by the number before the first '.' (the pid),
// then by name. Empty when DIR has none.
std::vector<std::filesystem::path> fault_log_files(const std::filesystem::path& dir);

// Most malformed lines named per file; the rest are counted in one closing message.
inline constexpr int kMaxProblemsPerFile = 10;

ReadSummary read_fault_logs(const std::vector<std::filesystem::path>& files, const LogReaderSinks& sinks);

}  // namespace tools::report
