// faultline report's working-set side on a small hand-written log: which period each sample
// covers, the per-process numbers and lines, the heat map's compressed address axis and
// cells, and the page's JSON (bounded, or a hint when there are no samples).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tools/report/access_store.h"
#include "tools/report/address_bands.h"
#include "tools/report/event_store.h"
#include "tools/report/page_data.h"
#include "tools/report/page_working_set.h"
#include "tools/report/report_data.h"
#include "tools/report/summary_tables.h"

using namespace tools::report;

namespace {

// pid 2 runs /bin/prog (0x400000-0x402000) with a heap (0x600000-0x608000); pid 3 is forked
// at 3.5 us and faults on the heap.
constexpr const char* kFaults[] = {
    R"({"seq":1,"time_ns":0,"pid":2,"comm":"prog","page":4194304,"kind":"file","vma":{"start":4194304,"end":4202496,"perms":"r-xp","name":"/bin/prog"}})",
    R"({"seq":2,"time_ns":100,"pid":2,"comm":"prog","page":6291456,"kind":"demand-zero","vma":{"start":6291456,"end":6324224,"perms":"rw-p","name":"[heap]"}})",
    R"({"seq":3,"time_ns":200,"pid":2,"comm":"prog","page":140737488347136,"kind":"demand-zero","vma":{"start":140737488216064,"end":140737488351232,"perms":"rw-p","name":"[stack]"}})",
    R"({"seq":33,"time_ns":3500,"pid":3,"comm":"prog","page":6291456,"kind":"cow-copy","vma":{"start":6291456,"end":6324224,"perms":"rw-p","name":"[heap]"}})",
};

// Period 1 us. pid 2's third sample is 50 ns late; its last one is the partial period at
// its exit. pid 3's only sample touches 0x7000000, which no fault named.
constexpr const char* kSamples[] = {
    R"({"seq":10,"time_ns":1000,"pid":2,"comm":"prog","period_ns":1000,"pages":6,"runs":[[4194304,2],[6291456,4]]})",
    R"({"seq":20,"time_ns":2000,"pid":2,"comm":"prog","period_ns":1000,"pages":8,"runs":[[6291456,8]]})",
    R"({"seq":30,"time_ns":3050,"pid":2,"comm":"prog","period_ns":1000,"pages":1,"runs":[[4194304,1]]})",
    R"({"seq":35,"time_ns":4000,"pid":3,"comm":"child","period_ns":1000,"pages":3,"runs":[[6291456,1],[117440512,2]]})",
    R"({"seq":40,"time_ns":4300,"pid":2,"comm":"prog","period_ns":1000,"pages":0,"runs":[]})",
};

EventStore fault_store() {
    EventStore store;
    for (const char* line : kFaults)
        store.add(parse_fault_record(line).value());
    store.finish();
    return store;
}

AccessStore access_store(const EventStore& faults) {
    AccessStore access;
    for (auto it = std::rbegin(kSamples); it != std::rend(kSamples); ++it)  // any order: seq decides
        access.add(parse_access_record(*it).value());
    access.finish(faults);
    return access;
}

}  // namespace

TEST_CASE("report working set: the period each sample covers, and the axis") {
    const EventStore faults = fault_store();
    const AccessStore access = access_store(faults);
    REQUIRE(access.samples().size() == 5);
    CHECK(access.period_ns() == 1000);
    std::vector<std::uint64_t> from;
    for (const auto& s : access.samples())
        from.push_back(s.from_ns);
    // pid 3's first sample starts at its first fault, not a period before.
    CHECK(from == std::vector<std::uint64_t>{0, 1000, 2000, 3500, 3050});
    CHECK(access.runs(access.samples()[3]).size() == 2);

    const SampleAxis axis(access, 200);
    CHECK(axis.bins() == 4);
    CHECK(axis.first_ns() == 0);
    CHECK(axis.bin_ns() == 1000);
    std::vector<std::uint32_t> bins;
    for (const auto& s : access.samples())
        bins.push_back(axis.bin(s));
    CHECK(bins == std::vector<std::uint32_t>{0, 1, 2, 3, 3});  // the late sample stays in its period

    const SampleAxis coarse(access, 3);
    CHECK(coarse.periods_per_bin() == 2);
    CHECK(coarse.bins() == 2);
    CHECK(coarse.bin_ns() == 2000);
    CHECK(coarse.bin(access.samples()[2]) == 1);
}

TEST_CASE("report working set: per process, and a line per process") {
    const EventStore faults = fault_store();
    const AccessStore access = access_store(faults);
    const auto rows = summarize_working_sets(access);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].pid == 2);
    CHECK(rows[0].samples == 4);
    CHECK(rows[0].total_pages == 15);
    CHECK(rows[0].max_pages == 8);
    CHECK(rows[0].mean_pages() == Approx(3.75));
    CHECK(rows[0].distinct_pages == 10);  // 2 of the binary, 8 of the heap
    CHECK(rows[0].first_ns == 1000);
    CHECK(rows[0].last_ns == 4300);
    CHECK(rows[1].pid == 3);
    CHECK(rows[1].comm == "child");
    CHECK(rows[1].distinct_pages == 3);

    const SampleAxis axis(access, 200);
    const WorkingSetLines lines = build_working_set_lines(access, axis, 12);
    REQUIRE(lines.lines.size() == 2);
    CHECK(lines.lines[0].pid == 2);  // the most pages first
    CHECK(lines.lines[0].values == std::vector<std::int64_t>{6, 8, 1, 0});
    CHECK(lines.lines[0].peak == 8);
    CHECK(lines.lines[1].values == std::vector<std::int64_t>{kNoSample, kNoSample, kNoSample, 3});
    const WorkingSetLines one = build_working_set_lines(access, axis, 1);
    CHECK(one.lines.size() == 1);
    CHECK(one.processes_left_out == 1);

    // Two periods a bin: the values are sums; the page divides by periods_per_bin.
    const WorkingSetLines coarse = build_working_set_lines(access, SampleAxis(access, 2), 12);
    CHECK(coarse.lines[0].values == std::vector<std::int64_t>{14, 1});
}

TEST_CASE("report working set: address ranges take in what no fault named") {
    const EventStore faults = fault_store();
    AddressRanges ranges(faults);
    REQUIRE(ranges.size() == 3);
    CHECK(ranges[0].label == "/bin/prog");
    CHECK(ranges[1].label == "[heap]");
    CHECK(ranges[2].label == "[stack]");
    // Overlapping the binary and the heap, and two touching spans past them.
    ranges.add_uncovered({{0x3ff000, 0x401000}, {0x402000, 0x600000}, {0x7000000, 0x7001000}, {0x7001000, 0x7002000}});
    REQUIRE(ranges.size() == 6);
    CHECK(ranges[0].start == 0x3ff000);
    CHECK(ranges[0].end == 0x400000);
    CHECK(ranges[0].label == kNoVmaSeenName);
    CHECK(ranges[2].start == 0x402000);  // the gap between the binary and the heap
    CHECK(ranges[2].end == 0x600000);
    CHECK(ranges[4].start == 0x7000000);  // touching spans merge
    CHECK(ranges[4].end == 0x7002000);
    std::vector<std::size_t> pieces;
    ranges.for_each_piece(0x3ff000, 0x601000, [&](std::size_t i, std::uint64_t, std::uint64_t) { pieces.push_back(i); });
    CHECK(pieces == std::vector<std::size_t>{0, 1, 2, 3});
}

TEST_CASE("report working set: a run spread over the rows it crosses") {
    const EventStore faults = fault_store();
    const AddressRanges ranges(faults);
    std::vector<RangeActivity> activity(ranges.size());
    activity[1].add(0x600000, 0x609000, 10);  // 10 pages of heap in 3 rows: 4, 3 and 3 pages
    const AddressBands bands(ranges, activity, 12, 3);
    REQUIRE(bands.bands().size() == 1);
    CHECK(bands.band_of_range(0) == -1);
    CHECK(bands.band_of_range(1) == 0);
    CHECK(bands.rows() == 3);
    CHECK(bands.row_pages(0, 0) == std::pair<std::uint64_t, std::uint64_t>{0x600000, 0x603000});
    CHECK(bands.row_pages(0, 1) == std::pair<std::uint64_t, std::uint64_t>{0x604000, 0x606000});
    CHECK(bands.row_pages(0, 2) == std::pair<std::uint64_t, std::uint64_t>{0x607000, 0x609000});
    for (std::uint64_t page = 0x600000; page <= 0x609000; page += kPageSize) {
        const std::uint32_t row = bands.row_of(0, page);
        CHECK(bands.row_pages(0, row).first <= page);
        CHECK(page <= bands.row_pages(0, row).second);
    }
    std::vector<std::pair<std::uint32_t, std::uint64_t>> rows;
    bands.for_each_row(0, 0x602000, 0x608000, [&](std::uint32_t row, std::uint64_t n) { rows.emplace_back(row, n); });
    CHECK(rows == std::vector<std::pair<std::uint32_t, std::uint64_t>>{{0, 2}, {1, 3}, {2, 2}});
}

TEST_CASE("report working set: the heat map") {
    const EventStore faults = fault_store();
    const AccessStore access = access_store(faults);
    const SampleAxis axis(access, 200);
    const WorkingSetMap map = build_working_set_map(access, faults, axis);
    CHECK(map.bins == 4);
    REQUIRE(map.bands.size() == 3);  // the stack was never touched
    CHECK(map.bands[0].label == "/bin/prog");
    CHECK(map.bands[0].weight == 3);
    CHECK(map.bands[1].label == "[heap]");
    CHECK(map.bands[1].first_page == 0x600000);
    CHECK(map.bands[1].last_page == 0x607000);
    CHECK(map.bands[1].weight == 13);
    CHECK(map.bands[2].label == kNoVmaSeenName);
    CHECK(map.rows == 12);  // one page a row: never more rows than pages
    CHECK(map.row_pages == std::vector<std::uint64_t>(12, 1));
    CHECK(map.touches == 18);
    CHECK(map.touches_shown == 18);
    const auto at = [&](std::uint32_t row, std::uint32_t bin) { return map.touched[row * map.bins + bin]; };
    const std::uint32_t heap = map.bands[1].first_row;
    CHECK(at(heap, 0) == 1);
    CHECK(at(heap, 1) == 1);
    CHECK(at(heap, 2) == 0);
    CHECK(at(heap, 3) == 1);  // pid 3
    CHECK(at(heap + 7, 1) == 1);
    CHECK(at(heap + 7, 0) == 0);
    CHECK(at(map.bands[0].first_row, 2) == 1);

    // Fewer rows than pages: every page touch still lands in exactly one row.
    const WorkingSetMap small = build_working_set_map(access, faults, axis, {.max_bands = 2, .max_rows = 4});
    REQUIRE(small.bands.size() == 2);
    CHECK(small.bands[0].label == "/bin/prog");
    CHECK(small.bands[1].label == "[heap]");
    CHECK(small.touches_shown == 16);
    std::uint64_t sum = 0;
    for (auto n : small.touched)
        sum += n;
    CHECK(sum == 16);
}

TEST_CASE("report working set: levels, tables and the page") {
    CHECK(touch_level(0, 1, 1) == 0);
    CHECK(touch_level(1, 1, 1) == kLevels);
    CHECK(touch_level(3, 1, 1) == kLevels);  // several processes can touch a page each
    CHECK(touch_level(1, 4, 1) == 9);        // a quarter, rounded up
    CHECK(touch_level(1, 1000, 1) == 1);     // anything touched shows
    CHECK(touch_level(2, 1, 2) == kLevels);

    const EventStore faults = fault_store();
    const AccessStore access = access_store(faults);
    const ReportData data = build_report(faults, access);
    CHECK(data.working_set.samples == 5);
    const std::string table = format_working_set_table(data);
    CHECK(table.find("prog") != std::string::npos);
    CHECK(table.find("3.8") != std::string::npos);  // pid 2's mean

    const std::string json = page_data_json(faults, data, PageSource{"dir", 2, 0, 2, 1});
    CHECK(json.find("\"access_files\":2") != std::string::npos);
    CHECK(json.find("\"access_malformed_lines\":1") != std::string::npos);
    CHECK(json.find("\"working_set\":{\"samples\":5,") != std::string::npos);
    CHECK(json.find("\"levels\":[\"") != std::string::npos);
    CHECK(json.find("\"values\":[null,null,null,3]") != std::string::npos);

    // No access files: null, and the page says how to get them.
    const std::string none = page_data_json(faults, build_report(faults), PageSource{"dir", 2, 0});
    CHECK(none.find("\"working_set\":null") != std::string::npos);
}

TEST_CASE("report working set: the page stays small whatever the samples hold") {
    // 2,000 processes, 50,000 samples of up to 60 runs spread over 40 VMAs of 1 GiB.
    std::uint64_t state = 88172645463325252ull;
    auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    EventStore faults;
    for (std::uint64_t vma = 0; vma < 40; ++vma) {
        FaultRecord r;
        r.seq = vma;
        r.pid = 2;
        r.vma = VmaRecord{vma << 32, (vma << 32) + (1ull << 30), "rw-p", "/lib/" + std::string(300, 'n')};
        r.page = r.vma->start;
        r.kind = "file";
        faults.add(r);
    }
    faults.finish();
    AccessStore access;
    for (std::uint64_t seq = 100; seq < 50100; ++seq) {
        AccessRecord r;
        r.seq = seq;
        r.time_ns = seq * 100;
        r.pid = static_cast<int>(2 + next() % 2000);
        r.comm = std::string(300, 'c');
        r.period_ns = 1000;
        const std::uint64_t vma = next() % 40;
        std::uint64_t at = (vma << 32) + (next() % 1024) * kPageSize;
        for (std::uint64_t n = next() % 60; n > 0; --n) {
            const std::uint64_t pages = 1 + next() % 8;
            r.runs.push_back(PageRun{at, pages});
            r.pages += pages;
            at += (pages + 1 + next() % 4096) * kPageSize;
        }
        access.add(r);
    }
    access.finish(faults);
    const ReportData data = build_report(faults, access);
    CHECK(data.working_set.axis.bins() <= 200);
    CHECK(data.working_set.map.rows <= 200);
    const std::string json = page_data_json(faults, data, PageSource{"dir", 1, 0, 2000, 0});
    INFO("page data bytes: " << json.size());
    CHECK(json.size() < 1u << 20);
    CHECK(json.find("\"processes_left_out\":1800") != std::string::npos);
    CHECK(json.find(std::string(161, 'c')) == std::string::npos);  // names are clipped
}
