// ProcessStats: what --stats reports for one process at the end of a run, and the table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "os/mm/address_space.h"

namespace os::trace {

struct ProcessStats {
    int pid = 0;
    std::string comm;
    mm::FaultCounters faults;  // every program the process ran (execve keeps counting)
    std::uint64_t syscalls = 0;
    std::uint64_t peak_resident_pages = 0;
    std::uint64_t peak_swap_pages = 0;
    std::string ending;  // "exit 0", "SIGSEGV"
};

// Adds `b`'s counts to `a`.
void add_counters(mm::FaultCounters& a, const mm::FaultCounters& b);
// The kebab-case name of a fault kind, as the fault log writes it.
const char* fault_kind_name(mm::FaultKind kind);
// The --stats table: one row per process, in pid order, and a total row.
std::string format_stats_table(std::vector<ProcessStats> rows);

}  // namespace os::trace
