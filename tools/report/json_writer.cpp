#include "tools/report/json_writer.h"

#include <fmt/format.h>

#include <cmath>

namespace tools::report {

void JsonWriter::before_value() {
    if (m_after_key) {
        m_after_key = false;
        return;
    }
    if (!m_has_items.empty()) {
        if (m_has_items.back())
            m_out += ',';
        m_has_items.back() = true;
    }
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    m_out += '{';
    m_has_items.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    m_out += '}';
    m_has_items.pop_back();
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    m_out += '[';
    m_has_items.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    m_out += ']';
    m_has_items.pop_back();
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    before_value();
    write_string(name);
    m_out += ':';
    m_after_key = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    before_value();
    write_string(s);
    return *this;
}

void JsonWriter::write_string(std::string_view s) {
    m_out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': m_out += "\\\""; break;
        case '\\': m_out += "\\\\"; break;
        case '\n': m_out += "\\n"; break;
        case '<': m_out += "\\u003c"; break;
        default:
            if (c < 0x20)
                fmt::format_to(std::back_inserter(m_out), "\\u{:04x}", c);
            else
                m_out += ch;
        }
    }
    m_out += '"';
}

JsonWriter& JsonWriter::value(std::uint64_t n) {
    before_value();
    fmt::format_to(std::back_inserter(m_out), "{}", n);
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) {
    before_value();
    fmt::format_to(std::back_inserter(m_out), "{}", n);
    return *this;
}

JsonWriter& JsonWriter::value(double d) {
    if (!std::isfinite(d))
        return null();
    before_value();
    fmt::format_to(std::back_inserter(m_out), "{}", d);
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    before_value();
    m_out += b ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    m_out += "null";
    return *this;
}

std::string hex_address(std::uint64_t address) { return fmt::format("{:#x}", address); }

}  // namespace tools::report
