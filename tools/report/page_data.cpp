#include "tools/report/page_data.h"

#include "tools/report/json_writer.h"

namespace tools::report {

namespace {

std::string comm_of(const EventStore& store, std::uint32_t process) {
    return joined_comms(store.processes()[process]);
}

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

void write_kinds(JsonWriter& w, const EventStore& store) {
    w.key("kinds").begin_array();
    for (std::size_t k = 0; k < store.kinds().size(); ++k) {
        const KindInfo& info = store.kinds().info(static_cast<KindId>(k));
        w.begin_object().field("name", info.name).field("colour", info.colour).field("signal", info.is_signal);
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

void write_heat_map(JsonWriter& w, const HeatMap& map) {
    w.key("heat").begin_object();
    w.field("rows", map.rows).field("bins", map.bins).field("events_shown", map.events_shown);
    w.key("bands").begin_array();
    for (const auto& b : map.bands) {
        w.begin_object().field("label", b.label).field("first_page", hex_address(b.first_page));
        w.field("last_page", hex_address(b.last_page)).field("first_row", b.first_row).field("rows", b.rows);
        w.field("faults", b.faults).end_object();
    }
    w.end_array();
    // Flat: bin, row, kind, count for each non-empty cell.
    w.key("cells").begin_array();
    for (const auto& c : map.cells)
        w.value(c.bin).value(c.row).value(std::uint32_t{c.kind}).value(c.count);
    w.end_array();
    w.end_object();
}

void write_curves(JsonWriter& w, const EventStore& store, const PageCurves& curves) {
    w.key("curves").begin_object();
    w.field("left_out", static_cast<std::uint64_t>(curves.processes_left_out));
    w.key("series").begin_array();
    for (const auto& c : curves.curves) {
        const auto& state = kPageStateLabels[static_cast<std::size_t>(c.state)];
        w.begin_object().field("pid", store.processes()[c.process].pid).field("comm", comm_of(store, c.process));
        w.field("state", state.key).field("label", state.label).field("peak", c.peak);
        w.key("values").begin_array();
        for (auto v : c.values)
            v == kNoValue ? w.null() : w.value(v);
        w.end_array().end_object();
    }
    w.end_array();
    w.end_object();
}

void write_layouts(JsonWriter& w, const EventStore& store, const VmaLayouts& layouts) {
    w.key("layouts").begin_object();
    w.field("left_out", static_cast<std::uint64_t>(layouts.processes_left_out));
    w.key("processes").begin_array();
    for (const auto& p : layouts.processes) {
        w.begin_object().field("pid", store.processes()[p.process].pid).field("comm", comm_of(store, p.process));
        w.field("left_out", static_cast<std::uint64_t>(p.vmas_left_out));
        w.key("vmas").begin_array();
        for (const auto& v : p.vmas) {
            w.begin_object().field("start", hex_address(v.start)).field("end", hex_address(v.end));
            w.field("pages", (v.end - v.start + kPageSize - 1) / kPageSize).field("perms", v.perms);
            w.field("name", v.name).field("faults", v.faults).end_object();
        }
        w.end_array().end_object();
    }
    w.end_array();
    w.end_object();
}

void write_tables(JsonWriter& w, const ReportData& data) {
    w.key("processes").begin_array();
    for (const auto& p : data.processes) {
        w.begin_object().field("pid", p.pid).field("comm", p.comm);
        write_counts(w, p.counts);
        w.field("first_ns", p.first_ns).field("last_ns", p.last_ns).field("pages", p.distinct_pages);
        w.end_object();
    }
    w.end_array();
    w.key("vmas").begin_array();
    for (const auto& v : data.vmas) {
        w.begin_object().field("name", v.name);
        write_counts(w, v.counts);
        w.field("processes", v.processes).field("pages", v.distinct_pages).end_object();
    }
    w.end_array();
}

}  // namespace

std::string page_data_json(const EventStore& store, const ReportData& data, const PageSource& source) {
    JsonWriter w;
    w.begin_object();
    w.key("source").begin_object().field("dir", source.dir).field("files", source.files);
    w.field("events", static_cast<std::uint64_t>(store.events().size()));
    w.field("malformed_lines", source.malformed_lines).end_object();
    write_axis(w, data.axis);
    write_kinds(w, store);
    write_timeline(w, data.timeline);
    write_heat_map(w, data.heat_map);
    write_curves(w, store, data.curves);
    write_layouts(w, store, data.layouts);
    write_tables(w, data);
    w.end_object();
    return w.text();
}

}  // namespace tools::report
