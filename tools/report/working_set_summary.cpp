#include "tools/report/working_set_summary.h"

#include <algorithm>
#include <limits>

#include "tools/report/summary.h"

namespace tools::report {

namespace {

// Pages in the union of `runs`.
std::uint64_t distinct_pages(std::vector<PageRun> runs) {
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    std::uint64_t pages = 0, covered_to = 0;
    for (const PageRun& r : runs) {
        const std::uint64_t end = r.start + r.pages * kPageSize;
        const std::uint64_t from = std::max(r.start, covered_to);
        if (end > from)
            pages += (end - from) / kPageSize;
        covered_to = std::max(covered_to, end);
    }
    return pages;
}

}  // namespace

std::vector<ProcessWorkingSet> summarize_working_sets(const AccessStore& access) {
    std::vector<ProcessWorkingSet> rows(access.processes().size());
    std::vector<std::vector<PageRun>> runs(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        rows[i].pid = access.processes()[i].pid;
        rows[i].comm = joined_comms(access.processes()[i]);
    }
    for (const StoredSample& s : access.samples()) {
        ProcessWorkingSet& row = rows[s.process];
        row.first_ns = row.samples == 0 ? s.time_ns : std::min(row.first_ns, s.time_ns);
        row.last_ns = std::max(row.last_ns, s.time_ns);
        ++row.samples;
        row.total_pages += s.pages;
        row.max_pages = std::max(row.max_pages, s.pages);
        const auto sample_runs = access.runs(s);
        runs[s.process].insert(runs[s.process].end(), sample_runs.begin(), sample_runs.end());
    }
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i].distinct_pages = distinct_pages(std::move(runs[i]));
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.pid < b.pid; });
    return rows;
}

WorkingSetLines build_working_set_lines(const AccessStore& access, const SampleAxis& axis,
                                        std::size_t max_processes) {
    std::vector<WorkingSetLine> lines(access.processes().size());
    std::vector<std::uint64_t> total(lines.size(), 0);
    for (std::size_t p = 0; p < lines.size(); ++p) {
        lines[p].pid = access.processes()[p].pid;
        lines[p].comm = joined_comms(access.processes()[p]);
    }
    for (const StoredSample& s : access.samples()) {
        WorkingSetLine& line = lines[s.process];
        if (line.values.empty())
            line.values.assign(axis.bins(), kNoSample);
        std::int64_t& v = line.values[axis.bin(s)];
        const std::uint64_t sum = static_cast<std::uint64_t>(std::max<std::int64_t>(v, 0)) + s.pages;
        v = static_cast<std::int64_t>(std::min<std::uint64_t>(sum, std::numeric_limits<std::int64_t>::max()));
        line.peak = std::max(line.peak, static_cast<std::uint64_t>(v));
        total[s.process] += s.pages;
    }
    std::vector<std::size_t> order;
    for (std::size_t p = 0; p < lines.size(); ++p)
        if (!lines[p].values.empty())
            order.push_back(p);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return total[a] != total[b] ? total[a] > total[b] : lines[a].pid < lines[b].pid;
    });
    WorkingSetLines result;
    if (order.size() > max_processes) {
        result.processes_left_out = order.size() - max_processes;
        order.resize(max_processes);
    }
    for (std::size_t p : order)
        result.lines.push_back(std::move(lines[p]));
    return result;
}

}  // namespace tools::report
