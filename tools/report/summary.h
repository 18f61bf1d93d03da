// The numbers of the summary tables: per process and per VMA name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/report/event_store.h"

namespace tools::report {

struct FaultCounts {
    std::uint64_t events = 0;
    std::uint64_t minor = 0;
    std::uint64_t major = 0;
    std::uint64_t signals = 0;            // faults that became signals (neither minor nor major)
    std::vector<std::uint64_t> by_kind;  // indexed by KindId
};

struct ProcessSummary {
    int pid = 0;
    std::string comm;  // "busybox->exe->gzip" when the process changed its name
    FaultCounts counts;
    std::uint64_t first_ns = 0;
    std::uint64_t last_ns = 0;
    std::uint64_t distinct_pages = 0;
};

struct VmaSummary {
    std::string name;  // display name: "[anon]" for anonymous memory, "(no mapping)"
    FaultCounts counts;
    std::uint64_t processes = 0;
    std::uint64_t distinct_pages = 0;  // distinct (process, page) pairs
};

inline constexpr std::string_view kAnonymousName = "[anon]";
inline constexpr std::string_view kNoMappingName = "(no mapping)";

// The process's names joined: "busybox->exe->gzip".
std::string joined_comms(const ProcessInfo& process);
// The name a VMA is shown under.
std::string display_name(const EventStore& store, std::uint32_t vma);

// One row per process, in pid order.
std::vector<ProcessSummary> summarize_processes(const EventStore& store);
// The `top` VMA names with the most faults, most first (ties by name).
std::vector<VmaSummary> summarize_vmas(const EventStore& store, std::size_t top);

}  // namespace tools::report
