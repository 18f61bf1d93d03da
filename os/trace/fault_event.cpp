#include "os/trace/fault_event.h"

#include <fmt/format.h>

namespace os::trace {

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20)
                fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
            else
                out += ch;
        }
    }
    out += '"';
}

std::string to_json_line(const FaultEvent& e) {
    std::string out;
    out.reserve(320);
    fmt::format_to(std::back_inserter(out), "{{\"seq\":{},\"time_ns\":{},\"pid\":{},\"tid\":{},\"comm\":", e.seq,
                   e.time_ns, e.pid, e.tid);
    append_json_string(out, e.comm);
    fmt::format_to(std::back_inserter(out), ",\"address\":{},\"page\":{},\"rip\":{},\"instruction\":", e.address,
                   e.page, e.rip);
    append_json_string(out, e.instruction);
    out += ",\"access\":";
    append_json_string(out, e.access);
    out += ",\"kind\":";
    append_json_string(out, e.kind);
    fmt::format_to(std::back_inserter(out), ",\"major\":{},\"by\":\"{}\"", e.major, e.by_kernel ? "kernel" : "user");
    if (e.has_vma) {
        fmt::format_to(std::back_inserter(out), ",\"vma\":{{\"start\":{},\"end\":{},\"perms\":", e.vma_start,
                       e.vma_end);
        append_json_string(out, e.vma_perms);
        out += ",\"name\":";
        append_json_string(out, e.vma_name);
        out += '}';
    } else {
        out += ",\"vma\":null";
    }
    fmt::format_to(std::back_inserter(out), ",\"frame\":{}}}\n", e.frame);
    return out;
}

}  // namespace os::trace
