// EventStore: every fault of a log directory, kept compactly (about 40 bytes an event, so
// a million events fit in 40 MB) with the processes, kinds and VMAs they name interned.
// The summaries and plots are computed from it.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "tools/report/fault_kinds.h"
#include "tools/report/fault_record.h"

namespace tools::report {

inline constexpr std::uint32_t kNoVma = ~std::uint32_t{0};
inline constexpr std::uint64_t kPageSize = 4096;

struct StoredEvent {
    std::uint64_t seq = 0;
    std::uint64_t time_ns = 0;
    std::uint64_t page = 0;
    std::uint32_t process = 0;  // index into EventStore::processes()
    std::uint32_t vma = kNoVma;  // index into EventStore::vmas()
    KindId kind = 0;
    bool major = false;
    bool to_swap = false;  // reclaim put the page in swap
};

struct ProcessInfo {
    int pid = 0;
    std::vector<std::string> comms;  // the names it had, in order (exec and prctl change it)
};

// One VMA as the events of one process named it. The same mapping seen with another end
// (a heap that grew) is another entry; vma_layout.h merges them.
struct VmaInfo {
    std::uint32_t process = 0;
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::string perms;
    std::string name;
};

class EventStore {
public:
    void add(const FaultRecord& record);
    // Orders the events by seq (the run's order) once everything is added.
    void finish();

    const std::vector<StoredEvent>& events() const { return m_events; }
    const std::vector<ProcessInfo>& processes() const { return m_processes; }
    const std::vector<VmaInfo>& vmas() const { return m_vmas; }
    const KindTable& kinds() const { return m_kinds; }

private:
    struct VmaKey {
        std::uint32_t process;
        std::uint64_t start, end;
        std::string perms, name;
        bool operator==(const VmaKey&) const = default;
    };
    struct VmaKeyHash {
        std::size_t operator()(const VmaKey& k) const;
    };

    std::uint32_t intern_process(int pid, const std::string& comm);
    std::uint32_t intern_vma(std::uint32_t process, const VmaRecord& vma);

    std::vector<StoredEvent> m_events;
    std::vector<ProcessInfo> m_processes;
    std::vector<VmaInfo> m_vmas;
    KindTable m_kinds;
    std::unordered_map<int, std::uint32_t> m_process_index;
    std::unordered_map<VmaKey, std::uint32_t, VmaKeyHash> m_vma_index;
};

}  // namespace tools::report
