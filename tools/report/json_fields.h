// Reading the fields of a log line's JSON object, with the messages the reader prints
// ("missing field \"kind\"", "field \"pid\" is not a non-negative integer"). Shared by
// the fault-log and the access-sample parsers.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "tools/report/json_value.h"

namespace tools::report {

using FieldProblem = std::unexpected<std::string>;

FieldProblem missing_field(std::string_view field);
FieldProblem wrong_type(std::string_view field, std::string_view want);

// A non-negative integer that fits 64 bits (JSON numbers keep exact integers).
std::expected<std::uint64_t, std::string> unsigned_field(const JsonValue& object, std::string_view field);
std::expected<std::string, std::string> string_field(const JsonValue& object, std::string_view field);
// A process id: a non-negative integer that fits an int.
std::expected<int, std::string> pid_field(const JsonValue& object, std::string_view field);

}  // namespace tools::report
