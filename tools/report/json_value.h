// JsonValue: a small JSON reader for the fault log's lines. It accepts any JSON value
// (so a field added to the schema later does not break old reports) and fails with a
// message naming the column instead of throwing: a log cut short by a crash, or garbage,
// must never stop a report.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tools::report {

class JsonValue;
using JsonObject = std::vector<std::pair<std::string, JsonValue>>;
using JsonArray = std::vector<JsonValue>;

// Numbers keep their exact integer value when they have no fraction or exponent
// (addresses and sequence numbers do not fit a double's 53 bits in general).
struct JsonNumber {
    bool is_integer = false;
    bool negative = false;
    std::uint64_t magnitude = 0;  // |value| when is_integer
    double value = 0;
};

class JsonValue {
public:
    using Storage = std::variant<std::monostate, bool, JsonNumber, std::string, JsonObject, JsonArray>;

    JsonValue() = default;
    explicit JsonValue(Storage storage) : m_storage(std::move(storage)) {}

    bool is_null() const { return std::holds_alternative<std::monostate>(m_storage); }
    const bool* as_bool() const { return std::get_if<bool>(&m_storage); }
    const JsonNumber* as_number() const { return std::get_if<JsonNumber>(&m_storage); }
    const std::string* as_string() const { return std::get_if<std::string>(&m_storage); }
    const JsonObject* as_object() const { return std::get_if<JsonObject>(&m_storage); }
    const JsonArray* as_array() const { return std::get_if<JsonArray>(&m_storage); }

    // The member `key` of an object (the first one if repeated), or nullptr.
    const JsonValue* find(std::string_view key) const;

private:
    Storage m_storage;
};

// Parses exactly one JSON value (surrounding whitespace allowed). The error names the
// 1-based column where the text stopped making sense.
std::expected<JsonValue, std::string> parse_json(std::string_view text);

}  // namespace tools::report
