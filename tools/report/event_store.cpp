#include "tools/report/event_store.h"

#include <algorithm>
#include <functional>

namespace tools::report {

std::size_t EventStore::VmaKeyHash::operator()(const VmaKey& k) const {
    std::size_t h = std::hash<std::uint64_t>{}(k.start * 31 + k.end);
    h ^= std::hash<std::string>{}(k.name) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h ^ (k.process * 0x85ebca6bu);
}

std::uint32_t EventStore::intern_process(int pid, const std::string& comm) {
    auto [it, inserted] = m_process_index.try_emplace(pid, static_cast<std::uint32_t>(m_processes.size()));
    if (inserted)
        m_processes.push_back(ProcessInfo{pid, {}});
    auto& comms = m_processes[it->second].comms;
    if (comms.empty() || comms.back() != comm)
        comms.push_back(comm);
    return it->second;
}

std::uint32_t EventStore::intern_vma(std::uint32_t process, const VmaRecord& vma) {
    VmaKey key{process, vma.start, vma.end, vma.perms, vma.name};
    auto [it, inserted] = m_vma_index.try_emplace(std::move(key), static_cast<std::uint32_t>(m_vmas.size()));
    if (inserted)
        m_vmas.push_back(VmaInfo{process, vma.start, vma.end, vma.perms, vma.name});
    return it->second;
}

void EventStore::add(const FaultRecord& record) {
    StoredEvent event;
    event.seq = record.seq;
    event.time_ns = record.time_ns;
    event.page = record.page / kPageSize * kPageSize;
    event.process = intern_process(record.pid, record.comm);
    event.vma = record.vma ? intern_vma(event.process, *record.vma) : kNoVma;
    event.kind = m_kinds.intern(record.kind);
    event.major = record.major;
    event.to_swap = record.to_swap;
    m_events.push_back(event);
}

void EventStore::finish() {
    std::stable_sort(m_events.begin(), m_events.end(),
                     [](const StoredEvent& a, const StoredEvent& b) { return a.seq < b.seq; });
}

}  // namespace tools::report
