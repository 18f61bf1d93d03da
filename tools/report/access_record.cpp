#include "tools/report/access_record.h"

#include <string>

#include "tools/report/event_store.h"
#include "tools/report/json_fields.h"

namespace tools::report {

namespace {

using Problem = FieldProblem;

// Page numbers are below 2^52; a run must end below 2^64, so that its end is a number.
constexpr std::uint64_t kPageNumbers = std::uint64_t{1} << 52;

std::expected<PageRun, std::string> page_run(const JsonValue& value, std::size_t index) {
    const std::string which = "runs[" + std::to_string(index) + "]";
    const JsonArray* pair = value.as_array();
    if (!pair || pair->size() != 2)
        return Problem(which + " is not a [page address, page count] pair");
    const JsonNumber* start = (*pair)[0].as_number();
    const JsonNumber* pages = (*pair)[1].as_number();
    if (!start || !start->is_integer || start->negative || !pages || !pages->is_integer || pages->negative)
        return Problem(which + " is not a pair of non-negative integers");
    if (start->magnitude % kPageSize != 0)
        return Problem(which + ": " + std::to_string(start->magnitude) + " is not a page address");
    if (pages->magnitude == 0 || pages->magnitude >= kPageNumbers - start->magnitude / kPageSize)
        return Problem(which + ": a page count of " + std::to_string(pages->magnitude) +
                       (pages->magnitude == 0 ? "" : " reaches the top of the address space"));
    return PageRun{start->magnitude, pages->magnitude};
}

std::expected<std::vector<PageRun>, std::string> runs_field(const JsonValue& object) {
    const JsonValue* value = object.find("runs");
    if (!value)
        return missing_field("runs");
    const JsonArray* array = value->as_array();
    if (!array)
        return wrong_type("runs", "an array");
    std::vector<PageRun> runs;
    runs.reserve(array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
        auto run = page_run((*array)[i], i);
        if (!run)
            return Problem(std::move(run.error()));
        if (!runs.empty() && run->start < runs.back().start + runs.back().pages * kPageSize)
            return Problem("runs[" + std::to_string(i) + "] overlaps or precedes the run before it");
        runs.push_back(*run);
    }
    return runs;
}

}  // namespace

std::expected<AccessRecord, std::string> parse_access_record(std::string_view line) {
    auto json = parse_json(line);
    if (!json)
        return Problem(std::move(json.error()));
    if (!json->as_object())
        return Problem("not a JSON object");
    AccessRecord record;
    auto seq = unsigned_field(*json, "seq");
    if (!seq)
        return Problem(std::move(seq.error()));
    auto time = unsigned_field(*json, "time_ns");
    if (!time)
        return Problem(std::move(time.error()));
    auto pid = pid_field(*json, "pid");
    if (!pid)
        return Problem(std::move(pid.error()));
    auto period = unsigned_field(*json, "period_ns");
    if (!period)
        return Problem(std::move(period.error()));
    if (*period == 0)
        return wrong_type("period_ns", "a period (it is 0)");
    auto pages = unsigned_field(*json, "pages");
    if (!pages)
        return Problem(std::move(pages.error()));
    auto runs = runs_field(*json);
    if (!runs)
        return Problem(std::move(runs.error()));
    std::uint64_t sum = 0;
    for (const PageRun& r : *runs)
        sum += r.pages;  // runs are disjoint pages below 2^52: no overflow
    if (sum != *pages)
        return Problem("field \"pages\" is " + std::to_string(*pages) + ", the runs hold " + std::to_string(sum));

    record.seq = *seq;
    record.time_ns = *time;
    record.pid = *pid;
    record.period_ns = *period;
    record.pages = *pages;
    record.runs = std::move(*runs);
    if (auto comm = string_field(*json, "comm"))
        record.comm = std::move(*comm);
    return record;
}

}  // namespace tools::report
