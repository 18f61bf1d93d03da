#include "os/trace/process_stats.h"

#include <fmt/format.h>

#include <algorithm>

namespace os::trace {

using mm::FaultKind;

void add_counters(mm::FaultCounters& a, const mm::FaultCounters& b) {
    a.minor += b.minor;
    a.major += b.major;
    a.errors += b.errors;
    for (int k = 0; k < static_cast<int>(FaultKind::Count); ++k)
        a.by_kind[k] += b.by_kind[k];
}

const char* fault_kind_name(FaultKind kind) {
    switch (kind) {
    case FaultKind::ZeroPage: return "zero-page";
    case FaultKind::DemandZero: return "demand-zero";
    case FaultKind::FilePage: return "file";
    case FaultKind::PageCacheHit: return "page-cache-hit";
    case FaultKind::CowCopy: return "cow-copy";
    case FaultKind::CowReuse: return "cow-reuse";
    case FaultKind::StackGrowth: return "stack-growth";
    case FaultKind::SwapIn: return "swap-in";
    case FaultKind::SwapCacheHit: return "swap-cache-hit";
    case FaultKind::Count: break;
    }
    return "?";
}

namespace {

std::uint64_t kind(const mm::FaultCounters& c, FaultKind k) { return c.by_kind[static_cast<int>(k)]; }

std::string kib(std::uint64_t pages) { return fmt::format("{}K", pages * 4); }

}  // namespace

std::string format_stats_table(std::vector<ProcessStats> rows) {
    std::sort(rows.begin(), rows.end(), [](const ProcessStats& a, const ProcessStats& b) { return a.pid < b.pid; });
    ProcessStats total;
    total.comm = "total";
    for (const ProcessStats& r : rows) {
        add_counters(total.faults, r.faults);
        total.syscalls += r.syscalls;
        total.peak_resident_pages += r.peak_resident_pages;
        total.peak_swap_pages += r.peak_swap_pages;
    }
    std::string out = fmt::format("{:>7} {:<15} {:>9} {:>7} {:>9} {:>11} {:>8} {:>9} {:>8} {:>9} {:>6} {:>8} {:>8} "
                                  "{:>9} {:>9} {:>9} {}\n",
                                  "pid", "comm", "minor", "major", "zero-page", "demand-zero", "file", "cache-hit",
                                  "cow-copy", "cow-reuse", "stack", "swap-in", "errors", "peak-rss", "peak-swap",
                                  "syscalls", "end");
    auto row = [&](const ProcessStats& r, const std::string& pid) {
        const mm::FaultCounters& c = r.faults;
        out += fmt::format("{:>7} {:<15} {:>9} {:>7} {:>9} {:>11} {:>8} {:>9} {:>8} {:>9} {:>6} {:>8} {:>8} {:>9} {:>9} {:>9} {}\n",
                           pid, r.comm, c.minor, c.major, kind(c, FaultKind::ZeroPage), kind(c, FaultKind::DemandZero),
                           kind(c, FaultKind::FilePage), kind(c, FaultKind::PageCacheHit),
                           kind(c, FaultKind::CowCopy), kind(c, FaultKind::CowReuse),
                           kind(c, FaultKind::StackGrowth), kind(c, FaultKind::SwapIn), c.errors,
                           kib(r.peak_resident_pages),
                           kib(r.peak_swap_pages), r.syscalls, r.ending);
    };
    for (const ProcessStats& r : rows)
        row(r, std::to_string(r.pid));
    if (rows.size() > 1)
        row(total, "");
    return out;
}

std::string format_memory_at_exit(const mm::MemoryInUse& left) {
    const std::string swap = left.total_swap_slots
                                 ? fmt::format("{} of {} swap slots in use", left.swap_slots, left.total_swap_slots)
                                 : std::string("no swap");
    return fmt::format("memory at exit: {} of {} frames in use, {}\n", left.frames, left.total_frames, swap);
}

}  // namespace os::trace
