// AccessStore: every working-set sample of a log directory (DIR/*.access.jsonl), with the
// processes interned and the page runs in one flat array. The working-set plots and the
// per-process table are computed from it (working_set_*.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "tools/report/access_record.h"
#include "tools/report/event_store.h"

namespace tools::report {

struct StoredSample {
    std::uint64_t seq = 0;
    std::uint64_t time_ns = 0;  // the end of the period it covers
    std::uint64_t from_ns = 0;  // its start: set by AccessStore::finish
    std::uint64_t period_ns = 0;
    std::uint64_t pages = 0;
    std::uint64_t first_run = 0;  // its runs are runs()[first_run, first_run + run_count)
    std::uint32_t run_count = 0;
    std::uint32_t process = 0;  // index into AccessStore::processes()
};

class AccessStore {
public:
    void add(const AccessRecord& record);
    // Orders the samples by seq and works out the period each covers: from the process's
    // previous sample, or for its first one a period before it but not before the process's
    // first fault in `faults` (a process forked mid-period), to the sample's time.
    void finish(const EventStore& faults);

    bool empty() const { return m_samples.empty(); }
    const std::vector<StoredSample>& samples() const { return m_samples; }
    const std::vector<ProcessInfo>& processes() const { return m_processes; }
    std::span<const PageRun> runs(const StoredSample& s) const {
        return std::span<const PageRun>(m_runs).subspan(s.first_run, s.run_count);
    }
    // The sampling period: the shortest one in the logs (all are the same for one run).
    std::uint64_t period_ns() const { return m_period_ns; }

private:
    std::vector<StoredSample> m_samples;
    std::vector<PageRun> m_runs;
    std::vector<ProcessInfo> m_processes;
    std::unordered_map<int, std::uint32_t> m_process_index;
    std::uint64_t m_period_ns = 0;
};

}  // namespace tools::report
