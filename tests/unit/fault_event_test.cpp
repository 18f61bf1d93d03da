// A fault log line (os/trace/fault_event.h): exact text, JSON escapes, the fault that has
// no VMA and no frame.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <random>
#include <string>
#include <vector>

#include "os/trace/fault_event.h"

using os::trace::FaultEvent;

TEST_CASE("fault event: one JSON line with every field in order") {
    FaultEvent e;
    e.seq = 18446744073709551615ull;
    e.time_ns = 4000;
    e.pid = 2;
    e.tid = 3;
    e.comm = "touch_pages";
    e.address = 6205441;
    e.page = 6205440;
    e.rip = 4260608;
    e.instruction = "mov byte ptr [rax], 0x01";
    e.access = "write";
    e.kind = "demand-zero";
    e.major = false;
    e.has_vma = true;
    e.vma_start = 6180864;
    e.vma_end = 6209536;
    e.vma_perms = "rw-p";
    e.vma_name = "[heap]";
    e.frame = 28;
    CHECK(os::trace::to_json_line(e) ==
          "{\"seq\":18446744073709551615,\"time_ns\":4000,\"pid\":2,\"tid\":3,\"comm\":\"touch_pages\","
          "\"address\":6205441,\"page\":6205440,\"rip\":4260608,\"instruction\":\"mov byte ptr [rax], 0x01\","
          "\"access\":\"write\",\"kind\":\"demand-zero\",\"major\":false,\"by\":\"user\","
          "\"vma\":{\"start\":6180864,\"end\":6209536,\"perms\":\"rw-p\",\"name\":\"[heap]\"},\"frame\":28}\n");
}

TEST_CASE("fault event: a signal has no VMA and frame -1; kernel accesses and major faults say so") {
    FaultEvent e;
    e.comm = "x";
    e.access = "read";
    e.kind = "segv-maperr";
    e.major = true;
    e.by_kernel = true;
    e.frame = -1;
    CHECK(os::trace::to_json_line(e) ==
          "{\"seq\":0,\"time_ns\":0,\"pid\":0,\"tid\":0,\"comm\":\"x\",\"address\":0,\"page\":0,\"rip\":0,"
          "\"instruction\":\"\",\"access\":\"read\",\"kind\":\"segv-maperr\",\"major\":true,\"by\":\"kernel\","
          "\"vma\":null,\"frame\":-1}\n");
}

TEST_CASE("fault event: strings are escaped as JSON") {
    std::string out;
    os::trace::append_json_string(out, std::string_view("a\"b\\c\nd\te\x01" "f\x1fg/h\xc3\xa9", 17));
    CHECK(out == "\"a\\\"b\\\\c\\nd\\te\\u0001f\\u001fg/h\xc3\xa9\"");
    out.clear();
    os::trace::append_json_string(out, "");
    CHECK(out == "\"\"");
    out.clear();
    os::trace::append_json_string(out, "\"");
    CHECK(out == "\"\\\"\"");
}

TEST_CASE("fault event: numbers are written as std::to_string writes them") {
    std::vector<std::uint64_t> values = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 18446744073709551615ull};
    for (std::uint64_t p = 10; p <= 1000000000000000000ull; p *= 10) {
        values.push_back(p - 1);
        values.push_back(p);
        values.push_back(p + 1);
    }
    values.push_back(10000000000000000000ull);
    values.push_back(9999999999999999999ull);
    for (std::uint64_t v = 1; v; v <<= 1) {
        values.push_back(v - 1);
        values.push_back(v);
    }
    for (const std::uint64_t v : values) {
        FaultEvent e;
        e.seq = v;
        e.frame = static_cast<std::int64_t>(v);
        e.pid = static_cast<int>(v);
        const std::string line = os::trace::to_json_line(e);
        INFO(v);
        CHECK(line.starts_with("{\"seq\":" + std::to_string(v) + ",\"time_ns\":0,\"pid\":" +
                               std::to_string(static_cast<int>(v)) + ","));
        CHECK(line.ends_with(",\"frame\":" + std::to_string(static_cast<std::int64_t>(v)) + "}\n"));
        CHECK(line.size() <= os::trace::json_line_bound(e));
    }
}

TEST_CASE("fault event: written in place, the line is the same and within its bound") {
    FaultEvent e;
    const std::string nasty(300, '\x01');
    e.comm = nasty;
    e.instruction = "mov \"a\"";
    e.has_vma = true;
    e.vma_name = nasty;
    e.frame = -9223372036854775807ll - 1;
    e.pid = -2147483647 - 1;
    std::string buf(os::trace::json_line_bound(e) + 1, '#');
    char* end = os::trace::write_json_line(e, buf.data());
    const std::string line = os::trace::to_json_line(e);
    CHECK(std::string(buf.data(), end) == line);
    CHECK(buf.back() == '#');
    CHECK(line.ends_with(",\"frame\":-9223372036854775808}\n"));
    CHECK(line.find("\"pid\":-2147483648,") != std::string::npos);
}

TEST_CASE("fault event: escaping eight characters at a time gives the character-wise result") {
    const auto reference = [](std::string_view s) {
        std::string out = "\"";
        for (const char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            if (c == '"' || c == '\\')
                out += std::string("\\") + ch;
            else if (c == '\n')
                out += "\\n";
            else if (c == '\t')
                out += "\\t";
            else if (c < 0x20)
                out += fmt::format("\\u{:04x}", c);
            else
                out += ch;
        }
        return out + "\"";
    };
    std::mt19937 rng(3);
    const std::string alphabet = std::string("abc /[]+*_-09\"\\\n\t\x01\x1f\x20\x7f\x80\xff\xc3\xa9", 26);  // with the NUL
    for (int iter = 0; iter < 20000; ++iter) {
        std::string s(rng() % 40, 'x');
        const int mode = static_cast<int>(rng() % 3);  // plain, one special somewhere, anything
        for (auto& c : s)
            c = mode == 2 ? alphabet[rng() % alphabet.size()] : static_cast<char>('a' + rng() % 26);
        if (mode == 1 && !s.empty())
            s[rng() % s.size()] = alphabet[13 + rng() % 13];
        std::string out;
        os::trace::append_json_string(out, s);
        INFO(iter);
        REQUIRE(out == reference(s));
    }
}
