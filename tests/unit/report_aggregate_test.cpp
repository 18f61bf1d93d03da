// faultline report's aggregation on a small hand-written log: the per-process and per-VMA
// numbers, the time bins, the heat map, the page curves, the VMA layouts and the page.
#include <catch2/catch.hpp>

#include <numeric>
#include <string>
#include <vector>

#include "tools/report/event_store.h"
#include "tools/report/html_page.h"
#include "tools/report/page_data.h"
#include "tools/report/report_data.h"
#include "tools/report/summary_tables.h"

using namespace tools::report;

namespace {

// Two processes (pid 3 forked from pid 2 and renamed itself), one binary, a heap that grows
// between faults, a stack, and a fault that became SIGSEGV. Pages in hex:
//   0x400000 /bin/prog, 0x600000-0x603fff [heap], 0x7ffffffde000 [stack], 0x0 unmapped.
constexpr const char* kLog[] = {
    R"({"seq":1,"time_ns":0,"pid":2,"comm":"prog","page":4194304,"kind":"file","major":true,"vma":{"start":4194304,"end":4202496,"perms":"r-xp","name":"/bin/prog"}})",
    R"({"seq":2,"time_ns":1000,"pid":2,"comm":"prog","page":6291456,"kind":"zero-page","major":false,"vma":{"start":6291456,"end":6299648,"perms":"rw-p","name":"[heap]"}})",
    R"({"seq":3,"time_ns":2000,"pid":2,"comm":"prog","page":6291456,"kind":"demand-zero","major":false,"vma":{"start":6291456,"end":6299648,"perms":"rw-p","name":"[heap]"}})",
    R"({"seq":4,"time_ns":3000,"pid":2,"comm":"prog","page":6295552,"kind":"demand-zero","major":false,"vma":{"start":6291456,"end":6307840,"perms":"rw-p","name":"[heap]"}})",
    R"({"seq":5,"time_ns":4000,"pid":3,"comm":"prog","page":6291456,"kind":"cow-copy","major":false,"vma":{"start":6291456,"end":6307840,"perms":"rw-p","name":"[heap]"}})",
    R"({"seq":6,"time_ns":5000,"pid":3,"comm":"child","page":4198400,"kind":"page-cache-hit","major":false,"vma":{"start":4194304,"end":4202496,"perms":"r-xp","name":"/bin/prog"}})",
    R"({"seq":7,"time_ns":6000,"pid":3,"comm":"child","page":0,"kind":"segv-maperr","major":false,"vma":null})",
    R"({"seq":8,"time_ns":9000,"pid":2,"comm":"prog","page":140737488216064,"kind":"stack-growth","major":false,"vma":{"start":140737488216064,"end":140737488351232,"perms":"rw-p","name":"[stack]"}})",
};

EventStore store_of(const std::vector<std::string>& lines) {
    EventStore store;
    for (const auto& line : lines)
        store.add(parse_fault_record(line).value());
    store.finish();
    return store;
}

EventStore hand_written_store() { return store_of({std::begin(kLog), std::end(kLog)}); }

std::uint64_t of_kind(const EventStore& store, const std::vector<std::uint64_t>& by_kind, std::string_view name) {
    for (std::size_t k = 0; k < by_kind.size(); ++k)
        if (store.kinds().info(static_cast<KindId>(k)).name == name)
            return by_kind[k];
    return 0;
}

}  // namespace

TEST_CASE("report aggregate: per process") {
    const EventStore store = hand_written_store();
    const auto rows = summarize_processes(store);
    REQUIRE(rows.size() == 2);
    const ProcessSummary& p2 = rows[0];
    CHECK(p2.pid == 2);
    CHECK(p2.comm == "prog");
    CHECK(p2.counts.events == 5);
    CHECK(p2.counts.major == 1);
    CHECK(p2.counts.minor == 4);
    CHECK(p2.counts.signals == 0);
    CHECK(p2.first_ns == 0);
    CHECK(p2.last_ns == 9000);
    CHECK(p2.distinct_pages == 4);  // the heap page faulted twice counts once
    CHECK(of_kind(store, p2.counts.by_kind, "demand-zero") == 2);
    CHECK(of_kind(store, p2.counts.by_kind, "zero-page") == 1);

    const ProcessSummary& p3 = rows[1];
    CHECK(p3.comm == "prog->child");
    CHECK(p3.counts.events == 3);
    CHECK(p3.counts.minor == 2);
    CHECK(p3.counts.major == 0);
    CHECK(p3.counts.signals == 1);
    CHECK(p3.first_ns == 4000);
    CHECK(p3.last_ns == 6000);
    CHECK(p3.distinct_pages == 3);
}

TEST_CASE("report aggregate: per VMA name, busiest first") {
    const EventStore store = hand_written_store();
    const auto all = summarize_vmas(store, 10);
    REQUIRE(all.size() == 4);
    CHECK(all[0].name == "[heap]");
    CHECK(all[0].counts.events == 4);
    CHECK(all[0].processes == 2);
    CHECK(all[0].distinct_pages == 3);  // (2, 0x600000), (2, 0x601000), (3, 0x600000)
    CHECK(all[1].name == "/bin/prog");
    CHECK(all[1].counts.major == 1);
    CHECK(all[2].name == "(no mapping)");  // ties in name order
    CHECK(all[2].counts.signals == 1);
    CHECK(all[3].name == "[stack]");
    CHECK(summarize_vmas(store, 2).size() == 2);
}

TEST_CASE("report aggregate: the time axis and the timeline") {
    const EventStore store = hand_written_store();
    const TimeAxis axis(store, 10);
    CHECK_FALSE(axis.uses_seq());
    CHECK(axis.first() == 0);
    CHECK(axis.last() == 9000);
    const Timeline timeline = build_timeline(store, axis);
    std::uint64_t total = 0;
    for (const auto& row : timeline.counts)
        total += std::accumulate(row.begin(), row.end(), std::uint64_t{0});
    CHECK(total == 8);
    const KindId file = 3;  // kKnownKinds' order
    REQUIRE(store.kinds().info(file).name == "file");
    CHECK(timeline.counts[file][0] == 1);
    CHECK(timeline.counts[store.events().back().kind][9] == 1);

    // A run too short for the virtual clock to move falls back to sequence numbers.
    std::vector<std::string> same_time;
    for (const char* line : kLog) {
        std::string s = line;
        s.replace(s.find("\"time_ns\":"), s.find(",\"pid\"") - s.find("\"time_ns\":"), "\"time_ns\":7");
        same_time.push_back(s);
    }
    const EventStore flat = store_of(same_time);
    const TimeAxis seq_axis(flat, 8);
    CHECK(seq_axis.uses_seq());
    CHECK(seq_axis.first() == 1);
    CHECK(seq_axis.last() == 8);
    for (std::uint32_t i = 0; i < 8; ++i)
        CHECK(seq_axis.bin(flat.events()[i]) == i);
}

TEST_CASE("report aggregate: pages faulted in per process") {
    const EventStore store = hand_written_store();
    const TimeAxis axis(store, 10);
    const PageCurves curves = build_page_curves(store, axis);
    REQUIRE(curves.curves.size() == 2);
    CHECK(curves.processes_left_out == 0);
    const PageCurve& p2 = curves.curves[0];  // the most pages first
    CHECK(store.processes()[p2.process].pid == 2);
    CHECK(p2.peak == 4);
    CHECK(p2.values == std::vector<std::int64_t>{1, 2, 2, 3, 3, 3, 3, 3, 3, 4});
    const PageCurve& p3 = curves.curves[1];
    CHECK(p3.peak == 2);  // the SIGSEGV fault maps nothing
    CHECK(p3.values == std::vector<std::int64_t>{-1, -1, -1, -1, 1, 2, 2, -1, -1, -1});
    CHECK(build_page_curves(store, axis, 1).processes_left_out == 1);
}

TEST_CASE("report aggregate: heat map bands and cells") {
    const EventStore store = hand_written_store();
    const HeatMap map = build_heat_map(store, HeatMapLimits{.time_bins = 10, .max_bands = 12, .max_rows = 40});
    CHECK(map.bins == 10);
    REQUIRE(map.bands.size() == 4);
    CHECK(map.bands[0].label == "(no mapping)");  // address order, lowest first
    CHECK(map.bands[1].label == "/bin/prog");
    CHECK(map.bands[2].label == "[heap]");
    CHECK(map.bands[2].first_page == 0x600000);
    CHECK(map.bands[2].last_page == 0x601000);
    CHECK(map.bands[2].rows == 2);  // never more rows than pages
    CHECK(map.bands[2].weight == 4);
    CHECK(map.bands[3].label == "[stack]");
    CHECK(map.events_shown == 8);
    std::uint64_t total = 0;
    for (const auto& cell : map.cells) {
        CHECK(cell.row < map.rows);
        CHECK(cell.bin < map.bins);
        total += cell.count;
    }
    CHECK(total == 8);

    const HeatMap two = build_heat_map(store, HeatMapLimits{.time_bins = 10, .max_bands = 2, .max_rows = 40});
    REQUIRE(two.bands.size() == 2);
    CHECK(two.bands[0].label == "/bin/prog");
    CHECK(two.bands[1].label == "[heap]");
    CHECK(two.events_shown == 6);
}

TEST_CASE("report aggregate: VMA layouts merge a growing heap") {
    const EventStore store = hand_written_store();
    const VmaLayouts layouts = build_vma_layouts(store);
    REQUIRE(layouts.processes.size() == 2);
    const auto& p2 = layouts.processes[0].vmas;
    REQUIRE(p2.size() == 3);
    CHECK(p2[0].name == "/bin/prog");
    CHECK(p2[1].name == "[heap]");
    CHECK(p2[1].start == 0x600000);
    CHECK(p2[1].end == 0x604000);
    CHECK(p2[1].faults == 3);
    CHECK(p2[2].name == "[stack]");
    CHECK(layouts.processes[1].vmas.size() == 2);  // the unmapped fault has no VMA

    const VmaLayouts capped = build_vma_layouts(store, LayoutLimits{.max_processes = 1, .max_vmas = 1});
    REQUIRE(capped.processes.size() == 1);
    CHECK(capped.processes_left_out == 1);
    CHECK(capped.processes[0].vmas.size() == 1);
    CHECK(capped.processes[0].vmas[0].name == "[heap]");
    CHECK(capped.processes[0].vmas_left_out == 2);
}

TEST_CASE("report aggregate: unknown kinds are counted and leave the curves alone") {
    std::vector<std::string> lines{std::begin(kLog), std::end(kLog)};
    lines.push_back(R"({"seq":9,"time_ns":9000,"pid":2,"comm":"prog","page":4194304,"kind":"balloon-inflate","major":false,"vma":null})");
    const EventStore store = store_of(lines);
    CHECK(store.kinds().size() == store.kinds().known_count() + 1);
    const auto rows = summarize_processes(store);
    CHECK(of_kind(store, rows[0].counts.by_kind, "balloon-inflate") == 1);
    const PageCurves curves = build_page_curves(store, TimeAxis(store, 10));
    CHECK(curves.curves[0].peak == 4);
}

TEST_CASE("report aggregate: reclaim events are known kinds, not faults, and take pages out of the curve") {
    std::vector<std::string> lines{std::begin(kLog), std::end(kLog)};
    const EventStore before = store_of(lines);
    const auto rows_before = summarize_processes(before);
    lines.push_back(R"({"seq":9,"time_ns":9000,"pid":2,"comm":"prog","page":4194304,"kind":"page-out","major":false,"vma":null,"frame":7,"policy":"clock","swap_slot":1})");
    lines.push_back(R"({"seq":10,"time_ns":9500,"pid":2,"comm":"prog","page":0,"kind":"oom-kill","major":false,"vma":null,"frame":-1,"victim":{"pid":2,"comm":"prog","pages":3}})");
    const EventStore store = store_of(lines);
    CHECK(store.kinds().size() == store.kinds().known_count());
    const auto rows = summarize_processes(store);
    CHECK(of_kind(store, rows[0].counts.by_kind, "page-out") == 1);
    CHECK(of_kind(store, rows[0].counts.by_kind, "oom-kill") == 1);
    CHECK(rows[0].counts.events == rows_before[0].counts.events + 2);
    CHECK(rows[0].counts.minor == rows_before[0].counts.minor);
    CHECK(rows[0].counts.major == rows_before[0].counts.major);
    CHECK(rows[0].counts.signals == rows_before[0].counts.signals);
    const PageCurves curves = build_page_curves(store, TimeAxis(store, 10));
    const PageCurves curves_before = build_page_curves(before, TimeAxis(store, 10));
    CHECK(curves.curves[0].peak == curves_before.curves[0].peak);
    // The page that went out is no longer counted at the end.
    auto last_value = [](const PageCurve& c) {
        std::int64_t last = kNoValue;
        for (const std::int64_t v : c.values)
            if (v != kNoValue)
                last = v;
        return last;
    };
    CHECK(last_value(curves_before.curves[0]) == 4);
    CHECK(last_value(curves.curves[0]) == 3);
    // It is in swap now (it has a slot): a second, swapped curve for the process.
    REQUIRE(curves.curves.size() == curves_before.curves.size() + 1);
    CHECK(curves.curves[1].process == curves.curves[0].process);
    CHECK(curves.curves[1].state == PageState::Swapped);
    CHECK(last_value(curves.curves[1]) == 1);
    CHECK(curves.curves[1].peak == 1);
}

TEST_CASE("report aggregate: tables and the page") {
    const EventStore store = hand_written_store();
    const ReportData data = build_report(store);
    const std::string processes = format_process_table(store, data);
    CHECK(processes.find("prog->child") != std::string::npos);
    CHECK(processes.find("file 1, demand-zero 2") == std::string::npos);  // most first
    CHECK(processes.find("demand-zero 2, ") != std::string::npos);
    CHECK(format_vma_table(store, data).find("[heap]") != std::string::npos);
    CHECK(format_duration(2211000) == "2.211 ms");

    const std::string page = render_html_page("t <&>", page_data_json(store, data, PageSource{"dir", 2, 0}));
    CHECK(page.find("@FAULTLINE_") == std::string::npos);
    CHECK(page.find("<title>t &lt;&amp;&gt;</title>") != std::string::npos);
    CHECK(page.find("\"comm\":\"prog->child\"") != std::string::npos);
    CHECK(page.find("src=\"http") == std::string::npos);
    CHECK(page.find("<script src") == std::string::npos);
}

TEST_CASE("report aggregate: the page stays small whatever the logs hold") {
    // 3,000 processes, 40 long-named VMAs each, 60 made-up kinds, pages all over the place.
    EventStore store;
    std::uint64_t state = 88172645463325252ull;
    auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    for (std::uint64_t seq = 1; seq <= 150000; ++seq) {
        FaultRecord r;
        r.seq = seq;
        r.time_ns = seq * 10 + next() % 10;
        r.pid = static_cast<int>(2 + next() % 3000);
        r.comm = "p" + std::to_string(r.pid % 7) + std::string(300, 'c');
        const std::uint64_t vma = next() % 40;
        r.vma = VmaRecord{vma << 32, (vma << 32) + (1ull << 30), "rw-p", "/lib/" + std::string(300, 'n') + std::to_string(vma)};
        r.page = r.vma->start + (next() % (1ull << 18)) * kPageSize;
        r.kind = next() % 2 ? "demand-zero" : "made-up-" + std::to_string(next() % 60);
        store.add(r);
    }
    store.finish();
    CHECK(store.kinds().size() == store.kinds().known_count() + kMaxUnknownKinds + 1);
    const ReportData data = build_report(store);
    const std::string json = page_data_json(store, data, PageSource{"dir", 3000, 0});
    const std::string page = render_html_page("big", json);
    INFO("page bytes: " << page.size());
    CHECK(page.size() < 2u << 20);
    CHECK(json.find("\"processes_left_out\":2800") != std::string::npos);
    CHECK(json.find(std::string(161, 'n')) == std::string::npos);  // names are clipped
}

TEST_CASE("report page data: names keep their end") {
    CHECK(clip_name("/usr/lib/libc.so.6", 100) == "/usr/lib/libc.so.6");
    CHECK(clip_name("/usr/lib/libc.so.6", 12) == "\u2026libc.so.6");
    CHECK(clip_name("\u00e9\u00e9\u00e9\u00e9", 6) == "\u2026\u00e9");  // never half a character
}
