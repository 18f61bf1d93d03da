// ProcessStats: what --stats reports for one process at the end of a run, and the table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "os/mm/address_space.h"
#include "os/mm/leak_check.h"

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
// The line under it: what was still in use once the last process had exited and the
// kernel had released its page cache ("memory at exit: 0 of 4096 frames in use, 0 of
// 16383 swap slots in use"; without swap, "no swap").
std::string format_memory_at_exit(const mm::MemoryInUse& left);

}  // namespace os::trace
