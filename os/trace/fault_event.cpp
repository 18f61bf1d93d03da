#include "os/trace/fault_event.h"

#include <charconv>
#include <cstring>

namespace os::trace {

namespace {

// Writes one line into a buffer sized beforehand for the worst case, without a capacity
// check per piece. (A fault log gets a line per fault: fmt's format-string parsing and
// std::string's appends cost more than everything else about the line together.)
class LineWriter {
public:
    explicit LineWriter(std::size_t capacity) : m_out(capacity, '\0'), m_p(m_out.data()) {}

    // At most 6 bytes per character (\u00XX) and the quotes.
    static std::size_t json_string_bound(std::string_view s) { return 6 * s.size() + 2; }
    static constexpr std::size_t kNumberBound = 20;

    void literal(std::string_view s) {
        std::memcpy(m_p, s.data(), s.size());
        m_p += s.size();
    }
    template <class Int>
    void number(Int v) {
        m_p = std::to_chars(m_p, m_p + kNumberBound, v).ptr;
    }
    void json_string(std::string_view s) {
        *m_p++ = '"';
        for (const char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            if (c >= 0x20 && c != '"' && c != '\\') {
                *m_p++ = ch;
                continue;
            }
            *m_p++ = '\\';
            switch (c) {
            case '"': *m_p++ = '"'; break;
            case '\\': *m_p++ = '\\'; break;
            case '\n': *m_p++ = 'n'; break;
            case '\t': *m_p++ = 't'; break;
            default: {
                static constexpr char kHex[] = "0123456789abcdef";
                literal("u00");
                *m_p++ = kHex[c >> 4];
                *m_p++ = kHex[c & 15];
            }
            }
        }
        *m_p++ = '"';
    }
    std::string finish() && {
        m_out.resize(static_cast<std::size_t>(m_p - m_out.data()));
        return std::move(m_out);
    }

private:
    std::string m_out;
    char* m_p;
};

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    LineWriter w(LineWriter::json_string_bound(s));
    w.json_string(s);
    out += std::move(w).finish();
}

std::string to_json_line(const FaultEvent& e) {
    // Every literal below, the 10 numbers, and the strings escaped at their longest.
    constexpr std::size_t kFixed = 320 + 10 * LineWriter::kNumberBound;
    LineWriter w(kFixed + LineWriter::json_string_bound(e.comm) + LineWriter::json_string_bound(e.instruction) +
                 LineWriter::json_string_bound(e.access) + LineWriter::json_string_bound(e.kind) +
                 LineWriter::json_string_bound(e.vma_perms) + LineWriter::json_string_bound(e.vma_name));
    w.literal("{\"seq\":");
    w.number(e.seq);
    w.literal(",\"time_ns\":");
    w.number(e.time_ns);
    w.literal(",\"pid\":");
    w.number(e.pid);
    w.literal(",\"tid\":");
    w.number(e.tid);
    w.literal(",\"comm\":");
    w.json_string(e.comm);
    w.literal(",\"address\":");
    w.number(e.address);
    w.literal(",\"page\":");
    w.number(e.page);
    w.literal(",\"rip\":");
    w.number(e.rip);
    w.literal(",\"instruction\":");
    w.json_string(e.instruction);
    w.literal(",\"access\":");
    w.json_string(e.access);
    w.literal(",\"kind\":");
    w.json_string(e.kind);
    w.literal(e.major ? ",\"major\":true" : ",\"major\":false");
    w.literal(e.by_kernel ? ",\"by\":\"kernel\"" : ",\"by\":\"user\"");
    if (e.has_vma) {
        w.literal(",\"vma\":{\"start\":");
        w.number(e.vma_start);
        w.literal(",\"end\":");
        w.number(e.vma_end);
        w.literal(",\"perms\":");
        w.json_string(e.vma_perms);
        w.literal(",\"name\":");
        w.json_string(e.vma_name);
        w.literal("}");
    } else {
        w.literal(",\"vma\":null");
    }
    w.literal(",\"frame\":");
    w.number(e.frame);
    w.literal("}\n");
    return std::move(w).finish();
}

}  // namespace os::trace
