// AccessRecord: one line of DIR/<pid>.access.jsonl (`faultline run --sample-access`; the
// schema is in the README, "Working-set samples"; the writer is os/trace/access_sampler.cpp):
// the pages that one process touched in one sampling period. As with fault logs, unknown fields
// are ignored and a line that does not make sense is refused with a reason.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace tools::report {

// Pages [start, start + pages * 4096).
struct PageRun {
    std::uint64_t start = 0;  // a page address
    std::uint64_t pages = 0;  // at least 1
    bool operator==(const PageRun&) const = default;
};

struct AccessRecord {
    std::uint64_t seq = 0;  // shares the fault log's sequence
    std::uint64_t time_ns = 0;  // when the sample was taken: the end of the period
    int pid = 0;
    std::string comm;
    std::uint64_t period_ns = 0;  // --sample-access PERIOD (the last sample of a process covers less)
    std::uint64_t pages = 0;  // the sum of the runs' pages
    std::vector<PageRun> runs;  // in address order, not overlapping
};

// Parses one line (without its newline). Refused: a missing or mistyped field, a period of
// 0, runs that are not [page address, count ≥ 1] pairs in address order or that reach the
// top of the address space, and `pages` that is not their sum.
std::expected<AccessRecord, std::string> parse_access_record(std::string_view line);

}  // namespace tools::report
