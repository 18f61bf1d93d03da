#include "tools/report/json_fields.h"

#include <limits>

namespace tools::report {

FieldProblem missing_field(std::string_view field) {
    return FieldProblem("missing field \"" + std::string(field) + "\"");
}

FieldProblem wrong_type(std::string_view field, std::string_view want) {
    return FieldProblem("field \"" + std::string(field) + "\" is not " + std::string(want));
}

std::expected<std::uint64_t, std::string> unsigned_field(const JsonValue& object, std::string_view field) {
    const JsonValue* value = object.find(field);
    if (!value)
        return missing_field(field);
    const JsonNumber* number = value->as_number();
    if (!number || !number->is_integer || number->negative)
        return wrong_type(field, "a non-negative integer");
    return number->magnitude;
}

std::expected<std::string, std::string> string_field(const JsonValue& object, std::string_view field) {
    const JsonValue* value = object.find(field);
    if (!value)
        return missing_field(field);
    const std::string* text = value->as_string();
    if (!text)
        return wrong_type(field, "a string");
    return *text;
}

std::expected<int, std::string> pid_field(const JsonValue& object, std::string_view field) {
    auto pid = unsigned_field(object, field);
    if (!pid)
        return FieldProblem(std::move(pid.error()));
    if (*pid > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
        return wrong_type(field, "a process id");
    return static_cast<int>(*pid);
}

}  // namespace tools::report
