#include "tools/report/page_data.h"

#include <algorithm>

#include "tools/report/json_writer.h"
#include "tools/report/page_working_set.h"

namespace tools::report {

std::string clip_name(std::string_view name, std::size_t max_bytes) {
    constexpr std::string_view kEllipsis = "\u2026";
    if (name.size() <= max_bytes || max_bytes <= kEllipsis.size())
        return std::string(name.substr(0, max_bytes));
    std::size_t from = name.size() - (max_bytes - kEllipsis.size());
    while (from < name.size() && (static_cast<unsigned char>(name[from]) & 0xc0) == 0x80)
        ++from;  // not in the middle of a character
    return std::string(kEllipsis) + std::string(name.substr(from));
}

namespace {

// What every writer below needs: names go through name(), so none is unbounded.
struct Page {
    JsonWriter& w;
    const EventStore& store;
    const PageLimits& limits;

    std::string name(std::string_view text) const { return clip_name(text, limits.name_bytes); }
    std::string comm(std::uint32_t process) const { return name(joined_comms(store.processes()[process])); }
};

void write_counts(JsonWriter& w, const FaultCounts& c) {
    w.field("events", c.events).field("minor", c.minor).field("major", c.major).field("signals", c.signals);
    w.key("by_kind").begin_array();
    for (auto n : c.by_kind)
        w.value(n);
    w.end_array();
}

void write_axis(JsonWriter& w, const TimeAxis& axis) {
    w.key("axis").begin_object();
    w.field("label", axis.label()).field("unit", axis.uses_seq() ? "seq" : "ns");
    w.field("first", axis.first()).field("last", axis.last()).field("bins", axis.bins());
    w.end_object();
}

void write_kinds(const Page& page) {
    JsonWriter& w = page.w;
    w.key("kinds").begin_array();
    for (std::size_t k = 0; k < page.store.kinds().size(); ++k) {
        const KindInfo& info = page.store.kinds().info(static_cast<KindId>(k));
        w.begin_object().field("name", page.name(info.name)).field("colour", info.colour).field("signal", info.is_signal);
        w.end_object();
    }
    w.end_array();
}

void write_timeline(JsonWriter& w, const Timeline& timeline) {
    w.key("timeline").begin_array();
    for (std::size_t k = 0; k < timeline.counts.size(); ++k) {
        if (timeline.counts[k].empty())
            continue;
        w.begin_object().field("kind", static_cast<std::uint64_t>(k)).key("counts").begin_array();
        for (auto n : timeline.counts[k])
            w.value(n);
        w.end_array().end_object();
    }
    w.end_array();
}

void write_heat_map(const Page& page, const HeatMap& map) {
    JsonWriter& w = page.w;
    w.key("heat").begin_object();
    w.field("rows", map.rows).field("bins", map.bins).field("events_shown", map.events_shown);
    w.key("bands").begin_array();
    for (const auto& b : map.bands) {
        w.begin_object().field("label", page.name(b.label)).field("first_page", hex_address(b.first_page));
        w.field("last_page", hex_address(b.last_page)).field("first_row", b.first_row).field("rows", b.rows);
        w.field("faults", b.weight).end_object();
    }
    w.end_array();
    // Flat: bin, row, kind, count for each non-empty cell.
    w.key("cells").begin_array();
    for (const auto& c : map.cells)
        w.value(c.bin).value(c.row).value(std::uint32_t{c.kind}).value(c.count);
    w.end_array();
    w.end_object();
}

void write_curves(const Page& page, const PageCurves& curves) {
    JsonWriter& w = page.w;
    w.key("curves").begin_object();
    w.field("left_out", static_cast<std::uint64_t>(curves.processes_left_out));
    w.key("series").begin_array();
    for (const auto& c : curves.curves) {
        const auto& state = kPageStateLabels[static_cast<std::size_t>(c.state)];
        w.begin_object().field("pid", page.store.processes()[c.process].pid).field("comm", page.comm(c.process));
        w.field("state", state.key).field("label", state.label).field("peak", c.peak);
        w.key("values").begin_array();
        for (auto v : c.values)
            v == kNoValue ? w.null() : w.value(v);
        w.end_array().end_object();
    }
    w.end_array();
    w.end_object();
}

void write_layouts(const Page& page, const VmaLayouts& layouts) {
    JsonWriter& w = page.w;
    w.key("layouts").begin_object();
    w.field("left_out", static_cast<std::uint64_t>(layouts.processes_left_out));
    w.key("processes").begin_array();
    for (const auto& p : layouts.processes) {
        w.begin_object().field("pid", page.store.processes()[p.process].pid).field("comm", page.comm(p.process));
        w.field("left_out", static_cast<std::uint64_t>(p.vmas_left_out));
        w.key("vmas").begin_array();
        for (const auto& v : p.vmas) {
            w.begin_object().field("start", hex_address(v.start)).field("end", hex_address(v.end));
            w.field("pages", (v.end - v.start + kPageSize - 1) / kPageSize).field("perms", v.perms);
            w.field("name", page.name(v.name)).field("faults", v.faults).end_object();
        }
        w.end_array().end_object();
    }
    w.end_array();
    w.end_object();
}

// The process table keeps the processes with the most faults, in pid order.
std::vector<const ProcessSummary*> table_processes(const ReportData& data, std::size_t most) {
    std::vector<const ProcessSummary*> rows;
    for (const auto& p : data.processes)
        rows.push_back(&p);
    if (rows.size() > most) {
        std::stable_sort(rows.begin(), rows.end(),
                         [](auto a, auto b) { return a->counts.events > b->counts.events; });
        rows.resize(most);
        std::sort(rows.begin(), rows.end(), [](auto a, auto b) { return a->pid < b->pid; });
    }
    return rows;
}

void write_tables(const Page& page, const ReportData& data) {
    JsonWriter& w = page.w;
    const auto rows = table_processes(data, page.limits.table_processes);
    w.field("processes_left_out", static_cast<std::uint64_t>(data.processes.size() - rows.size()));
    w.key("processes").begin_array();
    for (const ProcessSummary* p : rows) {
        w.begin_object().field("pid", p->pid).field("comm", page.name(p->comm));
        write_counts(w, p->counts);
        w.field("first_ns", p->first_ns).field("last_ns", p->last_ns).field("pages", p->distinct_pages);
        w.end_object();
    }
    w.end_array();
    w.key("vmas").begin_array();
    for (const auto& v : data.vmas) {
        w.begin_object().field("name", page.name(v.name));
        write_counts(w, v.counts);
        w.field("processes", v.processes).field("pages", v.distinct_pages).end_object();
    }
    w.end_array();
}

}  // namespace

std::string page_data_json(const EventStore& store, const ReportData& data, const PageSource& source,
                           const PageLimits& limits) {
    JsonWriter w;
    const Page page{w, store, limits};
    w.begin_object();
    w.key("source").begin_object().field("dir", page.name(source.dir)).field("files", source.files);
    w.field("events", static_cast<std::uint64_t>(store.events().size()));
    w.field("processes", static_cast<std::uint64_t>(store.processes().size()));
    w.field("malformed_lines", source.malformed_lines).field("access_files", source.access_files);
    w.field("access_samples", data.working_set.samples);
    w.field("access_malformed_lines", source.access_malformed_lines).end_object();
    write_axis(w, data.axis);
    write_kinds(page);
    write_timeline(w, data.timeline);
    write_heat_map(page, data.heat_map);
    write_curves(page, data.curves);
    write_layouts(page, data.layouts);
    write_tables(page, data);
    write_working_set(w, data.working_set, source, limits);
    w.end_object();
    return w.text();
}

}  // namespace tools::report
