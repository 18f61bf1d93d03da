#include "tools/report/fault_record.h"

#include "tools/report/json_fields.h"

namespace tools::report {

namespace {

using Problem = FieldProblem;

std::expected<std::optional<VmaRecord>, std::string> vma_field(const JsonValue& object) {
    const JsonValue* value = object.find("vma");
    if (!value || value->is_null())
        return std::optional<VmaRecord>();
    if (!value->as_object())
        return wrong_type("vma", "an object or null");
    VmaRecord vma;
    auto start = unsigned_field(*value, "start");
    auto end = unsigned_field(*value, "end");
    if (!start || !end)
        return Problem("vma: " + (start ? end.error() : start.error()));
    if (*end < *start)
        return Problem("vma: end is below start");
    vma.start = *start;
    vma.end = *end;
    if (auto perms = string_field(*value, "perms"))
        vma.perms = std::move(*perms);
    if (auto name = string_field(*value, "name"))
        vma.name = std::move(*name);
    return vma;
}

}  // namespace

std::expected<FaultRecord, std::string> parse_fault_record(std::string_view line) {
    auto json = parse_json(line);
    if (!json)
        return Problem(std::move(json.error()));
    if (!json->as_object())
        return Problem("not a JSON object");
    FaultRecord record;
    auto seq = unsigned_field(*json, "seq");
    if (!seq)
        return Problem(std::move(seq.error()));
    auto time = unsigned_field(*json, "time_ns");
    if (!time)
        return Problem(std::move(time.error()));
    auto pid = pid_field(*json, "pid");
    if (!pid)
        return Problem(std::move(pid.error()));
    auto page = unsigned_field(*json, "page");
    if (!page)
        return Problem(std::move(page.error()));
    auto kind = string_field(*json, "kind");
    if (!kind)
        return Problem(std::move(kind.error()));
    if (kind->empty())
        return wrong_type("kind", "a fault kind");
    auto vma = vma_field(*json);
    if (!vma)
        return Problem(std::move(vma.error()));

    record.seq = *seq;
    record.time_ns = *time;
    record.pid = *pid;
    record.page = *page;
    record.kind = std::move(*kind);
    record.vma = std::move(*vma);
    if (auto comm = string_field(*json, "comm"))
        record.comm = std::move(*comm);
    if (auto access = string_field(*json, "access"))
        record.access = std::move(*access);
    if (const JsonValue* major = json->find("major"); major && major->as_bool())
        record.major = *major->as_bool();
    if (auto by = string_field(*json, "by"))
        record.by_kernel = *by == "kernel";
    if (json->find("swap_slot"))
        record.to_swap = unsigned_field(*json, "swap_slot").has_value();
    return record;
}

}  // namespace tools::report
