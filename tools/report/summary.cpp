#include "tools/report/summary.h"

#include <algorithm>
#include <map>
#include <unordered_set>

namespace tools::report {

namespace {

void count(FaultCounts& c, const EventStore& store, const StoredEvent& e) {
    if (c.by_kind.empty())
        c.by_kind.assign(store.kinds().size(), 0);
    ++c.events;
    ++c.by_kind[e.kind];
    const KindInfo& info = store.kinds().info(e.kind);
    if (info.is_reclaim)
        return;  // counted by kind, neither a fault nor a signal
    if (info.is_signal)
        ++c.signals;
    else if (e.major)
        ++c.major;
    else
        ++c.minor;
}

struct ProcessPage {
    std::uint32_t process;
    std::uint64_t page;
    bool operator==(const ProcessPage&) const = default;
};
struct ProcessPageHash {
    std::size_t operator()(const ProcessPage& p) const {
        return std::hash<std::uint64_t>{}(p.page ^ (std::uint64_t{p.process} * 0x9e3779b97f4a7c15ull));
    }
};

}  // namespace

std::string joined_comms(const ProcessInfo& process) {
    std::string out;
    for (const auto& comm : process.comms) {
        if (!out.empty())
            out += "->";
        out += comm;
    }
    return out;
}

std::string display_name(const EventStore& store, std::uint32_t vma) {
    if (vma == kNoVma)
        return std::string(kNoMappingName);
    const std::string& name = store.vmas()[vma].name;
    return name.empty() ? std::string(kAnonymousName) : name;
}

std::vector<ProcessSummary> summarize_processes(const EventStore& store) {
    std::vector<ProcessSummary> rows(store.processes().size());
    std::vector<std::unordered_set<std::uint64_t>> pages(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        rows[i].pid = store.processes()[i].pid;
        rows[i].comm = joined_comms(store.processes()[i]);
        rows[i].counts.by_kind.assign(store.kinds().size(), 0);
    }
    for (const auto& e : store.events()) {
        ProcessSummary& row = rows[e.process];
        if (row.counts.events == 0)
            row.first_ns = e.time_ns;
        row.first_ns = std::min(row.first_ns, e.time_ns);
        row.last_ns = std::max(row.last_ns, e.time_ns);
        count(row.counts, store, e);
        pages[e.process].insert(e.page);
    }
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i].distinct_pages = pages[i].size();
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.pid < b.pid; });
    return rows;
}

std::vector<VmaSummary> summarize_vmas(const EventStore& store, std::size_t top) {
    struct Accumulator {
        VmaSummary summary;
        std::unordered_set<std::uint32_t> processes;
        std::unordered_set<ProcessPage, ProcessPageHash> pages;
    };
    // Each VMA entry's accumulator, found once: many events share an entry.
    std::map<std::string, Accumulator> by_name;
    std::vector<Accumulator*> of_vma(store.vmas().size());
    for (std::uint32_t i = 0; i < of_vma.size(); ++i)
        of_vma[i] = &by_name[display_name(store, i)];
    Accumulator* no_mapping = nullptr;
    for (const auto& e : store.events()) {
        if (e.vma == kNoVma && !no_mapping)
            no_mapping = &by_name[std::string(kNoMappingName)];
        Accumulator& acc = e.vma == kNoVma ? *no_mapping : *of_vma[e.vma];
        count(acc.summary.counts, store, e);
        acc.processes.insert(e.process);
        acc.pages.insert(ProcessPage{e.process, e.page});
    }
    std::vector<VmaSummary> rows;
    for (auto& [name, acc] : by_name) {
        if (acc.summary.counts.events == 0)
            continue;
        acc.summary.name = name;
        acc.summary.processes = acc.processes.size();
        acc.summary.distinct_pages = acc.pages.size();
        rows.push_back(std::move(acc.summary));
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.counts.events > b.counts.events; });
    if (rows.size() > top)
        rows.resize(top);
    return rows;
}

}  // namespace tools::report
