#include "tools/report/access_store.h"

#include <algorithm>

namespace tools::report {

void AccessStore::add(const AccessRecord& record) {
    auto [it, inserted] =
        m_process_index.try_emplace(record.pid, static_cast<std::uint32_t>(m_processes.size()));
    if (inserted)
        m_processes.push_back(ProcessInfo{record.pid, {}});
    auto& comms = m_processes[it->second].comms;
    if (comms.empty() || comms.back() != record.comm)
        comms.push_back(record.comm);

    StoredSample sample;
    sample.seq = record.seq;
    sample.time_ns = record.time_ns;
    sample.period_ns = record.period_ns;
    sample.pages = record.pages;
    sample.first_run = m_runs.size();
    sample.run_count = static_cast<std::uint32_t>(record.runs.size());
    sample.process = it->second;
    m_runs.insert(m_runs.end(), record.runs.begin(), record.runs.end());
    m_samples.push_back(sample);
    m_period_ns = m_period_ns == 0 ? record.period_ns : std::min(m_period_ns, record.period_ns);
}

void AccessStore::finish(const EventStore& faults) {
    std::stable_sort(m_samples.begin(), m_samples.end(),
                     [](const StoredSample& a, const StoredSample& b) { return a.seq < b.seq; });
    std::unordered_map<int, std::uint64_t> first_fault;
    for (const StoredEvent& e : faults.events())  // in seq order: the first seen is the first
        first_fault.try_emplace(faults.processes()[e.process].pid, e.time_ns);
    std::vector<bool> seen(m_processes.size(), false);
    std::vector<std::uint64_t> last(m_processes.size(), 0);
    for (StoredSample& s : m_samples) {
        if (seen[s.process]) {
            s.from_ns = std::min(last[s.process], s.time_ns);
        } else {
            s.from_ns = s.time_ns - std::min(s.time_ns, s.period_ns);
            const auto started = first_fault.find(m_processes[s.process].pid);
            if (started != first_fault.end() && started->second <= s.time_ns)
                s.from_ns = std::max(s.from_ns, started->second);
        }
        seen[s.process] = true;
        last[s.process] = s.time_ns;
    }
}

}  // namespace tools::report
