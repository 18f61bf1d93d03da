#include "tools/report/summary_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "tools/report/text_table.h"

namespace tools::report {

std::string format_duration(std::uint64_t ns) {
    if (ns < 1000)
        return fmt::format("{} ns", ns);
    if (ns < 1000'000)
        return fmt::format("{:.1f} us", static_cast<double>(ns) / 1e3);
    if (ns < 1000'000'000)
        return fmt::format("{:.3f} ms", static_cast<double>(ns) / 1e6);
    return fmt::format("{:.3f} s", static_cast<double>(ns) / 1e9);
}

std::string format_kind_counts(const EventStore& store, const std::vector<std::uint64_t>& by_kind) {
    std::vector<std::size_t> order(by_kind.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return by_kind[a] > by_kind[b]; });
    std::string out;
    for (std::size_t k : order) {
        if (by_kind[k] == 0)
            continue;
        if (!out.empty())
            out += ", ";
        out += fmt::format("{} {}", store.kinds().info(static_cast<KindId>(k)).name, by_kind[k]);
    }
    return out;
}

std::string format_process_table(const EventStore& store, const ReportData& data) {
    TextTable table;
    table.add_column("pid", Align::Right);
    table.add_column("comm", Align::Left);
    table.add_column("events", Align::Right);
    table.add_column("minor", Align::Right);
    table.add_column("major", Align::Right);
    table.add_column("first", Align::Right);
    table.add_column("last", Align::Right);
    table.add_column("pages", Align::Right);
    table.add_column("by kind", Align::Left);
    FaultCounts total;
    total.by_kind.assign(store.kinds().size(), 0);
    std::uint64_t pages = 0;
    for (const auto& p : data.processes) {
        table.add_row({std::to_string(p.pid), p.comm, std::to_string(p.counts.events), std::to_string(p.counts.minor),
                       std::to_string(p.counts.major), format_duration(p.first_ns), format_duration(p.last_ns),
                       std::to_string(p.distinct_pages), format_kind_counts(store, p.counts.by_kind)});
        total.events += p.counts.events;
        total.minor += p.counts.minor;
        total.major += p.counts.major;
        pages += p.distinct_pages;
        for (std::size_t k = 0; k < total.by_kind.size(); ++k)
            total.by_kind[k] += p.counts.by_kind[k];
    }
    table.add_row({"", "total", std::to_string(total.events), std::to_string(total.minor),
                   std::to_string(total.major), "", "", std::to_string(pages),
                   format_kind_counts(store, total.by_kind)});
    return table.render();
}

std::string format_vma_table(const EventStore& store, const ReportData& data) {
    TextTable table;
    table.add_column("faults", Align::Right);
    table.add_column("minor", Align::Right);
    table.add_column("major", Align::Right);
    table.add_column("procs", Align::Right);
    table.add_column("pages", Align::Right);
    table.add_column("vma", Align::Left);
    table.add_column("by kind", Align::Left);
    for (const auto& v : data.vmas)
        table.add_row({std::to_string(v.counts.events), std::to_string(v.counts.minor), std::to_string(v.counts.major),
                       std::to_string(v.processes), std::to_string(v.distinct_pages), v.name,
                       format_kind_counts(store, v.counts.by_kind)});
    return table.render();
}

std::string format_working_set_table(const ReportData& data) {
    TextTable table;
    table.add_column("pid", Align::Right);
    table.add_column("comm", Align::Left);
    table.add_column("samples", Align::Right);
    table.add_column("mean", Align::Right);
    table.add_column("max", Align::Right);
    table.add_column("distinct", Align::Right);
    table.add_column("first", Align::Right);
    table.add_column("last", Align::Right);
    for (const auto& p : data.working_set.processes)
        table.add_row({std::to_string(p.pid), p.comm, std::to_string(p.samples), fmt::format("{:.1f}", p.mean_pages()),
                       std::to_string(p.max_pages), std::to_string(p.distinct_pages), format_duration(p.first_ns),
                       format_duration(p.last_ns)});
    return table.render();
}

}  // namespace tools::report
