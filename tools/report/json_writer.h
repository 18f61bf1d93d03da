// JsonWriter: builds compact JSON text for the page. Strings escape '<' (so no "</script>"
// or "<!--" can appear), and the text can sit inside a <script> element as it is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tools::report {

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(std::uint64_t n);
    JsonWriter& value(std::int64_t n);
    JsonWriter& value(std::uint32_t n) { return value(std::uint64_t{n}); }
    JsonWriter& value(int n) { return value(std::int64_t{n}); }
    JsonWriter& value(double d);
    JsonWriter& value(bool b);
    JsonWriter& null();

    // key(name).value(v) in one call.
    template <class T>
    JsonWriter& field(std::string_view name, const T& v) {
        return key(name).value(v);
    }

    const std::string& text() const { return m_out; }

private:
    void before_value();
    void write_string(std::string_view s);

    std::string m_out;
    std::vector<bool> m_has_items;  // one per open object or array
    bool m_after_key = false;
};

// "0x7ffffffde000"
std::string hex_address(std::uint64_t address);

}  // namespace tools::report
