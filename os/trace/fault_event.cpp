#include "os/trace/fault_event.h"

#include <array>
#include <bit>
#include <cstring>

namespace os::trace {

namespace {

// "00" "01" ... "99": two digits per table lookup.
constexpr auto kDigitPairs = [] {
    std::array<char, 200> t{};
    for (int i = 0; i < 100; ++i) {
        t[2 * i] = static_cast<char>('0' + i / 10);
        t[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
    return t;
}();

constexpr auto kPowersOf10 = [] {
    std::array<std::uint64_t, 20> t{};
    std::uint64_t p = 1;
    for (auto& v : t) {
        v = p;
        p *= 10;
    }
    return t;
}();

// How many decimal digits `v` has: from its bit width (log10(2) ~ 1233/4096), corrected by
// one comparison.
int decimal_length(std::uint64_t v) {
    const int bits = 64 - std::countl_zero(v | 1);
    const int guess = (bits * 1233) >> 12;  // floor(log10(2^bits)), at most one too large
    return guess + 1 - ((v | 1) < kPowersOf10[static_cast<std::size_t>(guess)]);
}

// Writes one line into memory sized beforehand for the worst case, without a capacity
// check per piece. (A fault log gets a line per fault: fmt's format-string parsing and
// std::string's appends cost more than everything else about the line together.)
class LineWriter {
public:
    explicit LineWriter(char* out) : m_p(out) {}

    // At most 6 bytes per character (\u00XX) and the quotes.
    static std::size_t json_string_bound(std::string_view s) { return 6 * s.size() + 2; }
    static constexpr std::size_t kNumberBound = 20;

    char* end() const { return m_p; }

    void literal(std::string_view s) {
        std::memcpy(m_p, s.data(), s.size());
        m_p += s.size();
    }
    void number(std::uint64_t v) {
        const int n = decimal_length(v);
        char* q = m_p + n;
        m_p = q;
        // Four digits per division, then pairs.
        while (v >= 10000) {
            const auto r = static_cast<std::uint32_t>(v % 10000);
            v /= 10000;
            q -= 4;
            std::memcpy(q, &kDigitPairs[(r / 100) * 2], 2);
            std::memcpy(q + 2, &kDigitPairs[(r % 100) * 2], 2);
        }
        auto w = static_cast<std::uint32_t>(v);
        if (w >= 100) {
            q -= 2;
            std::memcpy(q, &kDigitPairs[(w % 100) * 2], 2);
            w /= 100;
        }
        if (w >= 10)
            std::memcpy(q - 2, &kDigitPairs[w * 2], 2);
        else
            q[-1] = static_cast<char>('0' + w);
    }
    void number(std::int64_t v) {
        if (v < 0) {
            *m_p++ = '-';
            number(std::uint64_t{0} - static_cast<std::uint64_t>(v));
        } else {
            number(static_cast<std::uint64_t>(v));
        }
    }
    void number(int v) { number(static_cast<std::int64_t>(v)); }
    void json_string(std::string_view s) {
        *m_p++ = '"';
        const char* c = s.data();
        const char* const end = c + s.size();
        // Eight characters at a time while none needs an escape (the usual case).
        while (end - c >= 8) {
            std::uint64_t word;
            std::memcpy(&word, c, 8);
            if (needs_escape(word))
                break;
            std::memcpy(m_p, c, 8);
            m_p += 8;
            c += 8;
        }
        for (; c != end; ++c)
            character(static_cast<unsigned char>(*c));
        *m_p++ = '"';
    }

private:
    // Whether any byte of `w` is a control character, '"' or '\\' (bytes >= 0x80 are not).
    static bool needs_escape(std::uint64_t w) {
        constexpr std::uint64_t kOnes = 0x0101010101010101ull;
        constexpr std::uint64_t kHigh = 0x8080808080808080ull;
        const auto has_zero = [](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
        const std::uint64_t below_space = (w - 0x20 * kOnes) & ~w & kHigh;
        return (below_space | has_zero(w ^ ('"' * kOnes)) | has_zero(w ^ ('\\' * kOnes))) != 0;
    }
    void character(unsigned char c) {
        if (c >= 0x20 && c != '"' && c != '\\') {
            *m_p++ = static_cast<char>(c);
            return;
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

    char* m_p;
};

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    const std::size_t old = out.size();
    out.resize_and_overwrite(old + LineWriter::json_string_bound(s), [&](char* p, std::size_t) {
        LineWriter w(p + old);
        w.json_string(s);
        return static_cast<std::size_t>(w.end() - p);
    });
}

std::size_t json_line_bound(const FaultEvent& e) {
    // Every literal below, the 10 numbers, and the strings escaped at their longest.
    constexpr std::size_t kFixed = 420 + 14 * LineWriter::kNumberBound;
    return kFixed + LineWriter::json_string_bound(e.comm) + LineWriter::json_string_bound(e.instruction) +
           LineWriter::json_string_bound(e.access) + LineWriter::json_string_bound(e.kind) +
           LineWriter::json_string_bound(e.vma_perms) + LineWriter::json_string_bound(e.vma_name) +
           LineWriter::json_string_bound(e.policy) + LineWriter::json_string_bound(e.victim_comm);
}

char* write_json_line(const FaultEvent& e, char* out) {
    LineWriter w(out);
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
    if (!e.policy.empty()) {
        w.literal(",\"policy\":");
        w.json_string(e.policy);
    }
    if (e.swap_slot >= 0) {
        w.literal(",\"swap_slot\":");
        w.number(e.swap_slot);
    }
    if (e.victim_pid) {
        w.literal(",\"victim\":{\"pid\":");
        w.number(e.victim_pid);
        w.literal(",\"comm\":");
        w.json_string(e.victim_comm);
        w.literal(",\"pages\":");
        w.number(e.victim_pages);
        w.literal("}");
    }
    w.literal("}\n");
    return w.end();
}

std::string to_json_line(const FaultEvent& e) {
    std::string out;
    out.resize_and_overwrite(json_line_bound(e), [&](char* p, std::size_t) {
        return static_cast<std::size_t>(write_json_line(e, p) - p);
    });
    return out;
}

}  // namespace os::trace
