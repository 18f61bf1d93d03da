#include "tools/report/page_working_set.h"

#include <algorithm>

namespace tools::report {

namespace {

void write_axis(JsonWriter& w, const SampleAxis& axis) {
    w.key("axis").begin_object();
    w.field("first_ns", axis.first_ns()).field("bin_ns", axis.bin_ns()).field("bins", axis.bins());
    w.field("period_ns", axis.period_ns()).field("periods_per_bin", axis.periods_per_bin());
    w.end_object();
}

void write_map(JsonWriter& w, const WorkingSet& ws, const PageLimits& limits) {
    const WorkingSetMap& map = ws.map;
    w.key("map").begin_object();
    w.field("rows", map.rows).field("touches", map.touches).field("touches_shown", map.touches_shown);
    w.key("bands").begin_array();
    for (const auto& b : map.bands) {
        w.begin_object().field("label", clip_name(b.label, limits.name_bytes));
        w.field("first_page", hex_address(b.first_page)).field("last_page", hex_address(b.last_page));
        w.field("first_row", b.first_row).field("rows", b.rows).field("touches", b.weight).end_object();
    }
    w.end_array();
    w.key("row_pages").begin_array();
    for (auto n : map.row_pages)
        w.value(n);
    w.end_array();
    // One string per row, a level digit per bin: rows * bins bytes at most.
    w.key("levels").begin_array();
    std::string digits;
    for (std::uint32_t row = 0; row < map.rows; ++row) {
        digits.clear();
        for (std::uint32_t bin = 0; bin < map.bins; ++bin) {
            const std::uint64_t touched = map.touched[static_cast<std::size_t>(row) * map.bins + bin];
            digits += kLevelDigits[touch_level(touched, map.row_pages[row], ws.axis.periods_per_bin())];
        }
        w.value(digits);
    }
    w.end_array();
    w.field("scale", kLevels).end_object();
}

void write_lines(JsonWriter& w, const WorkingSetLines& lines, const PageLimits& limits) {
    w.key("lines").begin_object();
    w.field("left_out", static_cast<std::uint64_t>(lines.processes_left_out));
    w.key("series").begin_array();
    for (const auto& l : lines.lines) {
        w.begin_object().field("pid", l.pid).field("comm", clip_name(l.comm, limits.name_bytes)).field("peak", l.peak);
        w.key("values").begin_array();
        for (auto v : l.values)
            v == kNoSample ? w.null() : w.value(v);
        w.end_array().end_object();
    }
    w.end_array();
    w.end_object();
}

// The table keeps the processes that touched the most pages, in pid order.
void write_table(JsonWriter& w, const WorkingSet& ws, const PageLimits& limits) {
    std::vector<const ProcessWorkingSet*> rows;
    for (const auto& p : ws.processes)
        rows.push_back(&p);
    if (rows.size() > limits.table_processes) {
        std::stable_sort(rows.begin(), rows.end(), [](auto a, auto b) { return a->total_pages > b->total_pages; });
        rows.resize(limits.table_processes);
        std::sort(rows.begin(), rows.end(), [](auto a, auto b) { return a->pid < b->pid; });
    }
    w.field("processes_left_out", static_cast<std::uint64_t>(ws.processes.size() - rows.size()));
    w.key("processes").begin_array();
    for (const ProcessWorkingSet* p : rows) {
        w.begin_object().field("pid", p->pid).field("comm", clip_name(p->comm, limits.name_bytes));
        w.field("samples", p->samples).field("mean", p->mean_pages()).field("max", p->max_pages);
        w.field("distinct", p->distinct_pages).field("first_ns", p->first_ns).field("last_ns", p->last_ns);
        w.end_object();
    }
    w.end_array();
}

}  // namespace

std::uint64_t touch_level(std::uint64_t touched, std::uint64_t row_pages, std::uint64_t periods) {
    if (touched == 0)
        return 0;
    // ceil(kLevels * touched / (row_pages * periods)), at least 1, at most kLevels.
    const auto whole = static_cast<unsigned __int128>(std::max<std::uint64_t>(row_pages, 1)) * std::max<std::uint64_t>(periods, 1);
    const auto level = (static_cast<unsigned __int128>(touched) * kLevels + whole - 1) / whole;
    return static_cast<std::uint64_t>(std::clamp<unsigned __int128>(level, 1, kLevels));
}

void write_working_set(JsonWriter& w, const WorkingSet& ws, const PageSource& source, const PageLimits& limits) {
    w.key("working_set");
    if (source.access_files == 0) {
        w.null();
        return;
    }
    w.begin_object().field("samples", ws.samples);
    write_axis(w, ws.axis);
    write_map(w, ws, limits);
    write_lines(w, ws.lines, limits);
    write_table(w, ws, limits);
    w.end_object();
}

}  // namespace tools::report
