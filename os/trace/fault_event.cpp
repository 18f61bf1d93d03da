#include "os/trace/fault_event.h"

#include <fmt/format.h>

#include <charconv>

namespace os::trace {

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    // Runs of characters that need no escape are appended whole.
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(s.substr(run, i - run));
        run = i + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default: fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        }
    }
    out.append(s.substr(run));
    out += '"';
}

namespace {

// Decimal digits, as fmt's "{}" writes them. (A fault log gets a line per fault: fmt's
// format-string parsing cost more than everything else about the line together.)
template <class Int>
void append_number(std::string& out, Int v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, r.ptr);
}

// `"key":` followed by a number (`text` is the literal `,"key":`).
template <class Int>
void append_field(std::string& out, std::string_view text, Int v) {
    out += text;
    append_number(out, v);
}

}  // namespace

std::string to_json_line(const FaultEvent& e) {
    std::string out;
    out.reserve(320);
    append_field(out, "{\"seq\":", e.seq);
    append_field(out, ",\"time_ns\":", e.time_ns);
    append_field(out, ",\"pid\":", e.pid);
    append_field(out, ",\"tid\":", e.tid);
    out += ",\"comm\":";
    append_json_string(out, e.comm);
    append_field(out, ",\"address\":", e.address);
    append_field(out, ",\"page\":", e.page);
    append_field(out, ",\"rip\":", e.rip);
    out += ",\"instruction\":";
    append_json_string(out, e.instruction);
    out += ",\"access\":";
    append_json_string(out, e.access);
    out += ",\"kind\":";
    append_json_string(out, e.kind);
    out += e.major ? ",\"major\":true" : ",\"major\":false";
    out += e.by_kernel ? ",\"by\":\"kernel\"" : ",\"by\":\"user\"";
    if (e.has_vma) {
        append_field(out, ",\"vma\":{\"start\":", e.vma_start);
        append_field(out, ",\"end\":", e.vma_end);
        out += ",\"perms\":";
        append_json_string(out, e.vma_perms);
        out += ",\"name\":";
        append_json_string(out, e.vma_name);
        out += '}';
    } else {
        out += ",\"vma\":null";
    }
    append_field(out, ",\"frame\":", e.frame);
    out += "}\n";
    return out;
}

}  // namespace os::trace
