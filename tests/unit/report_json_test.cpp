// faultline report's input side: the small JSON reader, a fault-log line as a FaultRecord,
// and the JSON writer the page's data goes through.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "tools/report/fault_record.h"
#include "tools/report/json_value.h"
#include "tools/report/json_writer.h"

using namespace tools::report;

namespace {

// The example line of the README's "Fault logs" section.
constexpr const char* kReadmeLine =
    R"({"seq":2,"time_ns":0,"pid":2,"tid":2,"comm":"busybox","address":6205440,"page":6205440,"rip":4260608,)"
    R"("instruction":"push r15","access":"write","kind":"demand-zero","major":false,"by":"user",)"
    R"("vma":{"start":6180864,"end":6209536,"perms":"rw-p","name":""},"frame":28})";

}  // namespace

TEST_CASE("report json: values, exact integers, escapes") {
    auto v = parse_json(R"( {"a":18446744073709551615,"b":-3,"c":1.5e3,"s":"x\"\\\u00e9\ud83d\ude00","t":true,"n":null,"l":[1,{}]} )");
    REQUIRE(v);
    const JsonNumber* a = v->find("a")->as_number();
    REQUIRE(a);
    CHECK(a->is_integer);
    CHECK(a->magnitude == 18446744073709551615ull);
    CHECK(v->find("b")->as_number()->negative);
    CHECK_FALSE(v->find("c")->as_number()->is_integer);
    CHECK(v->find("c")->as_number()->value == 1500.0);
    CHECK(*v->find("s")->as_string() == "x\"\\\xc3\xa9\xf0\x9f\x98\x80");
    CHECK(*v->find("t")->as_bool());
    CHECK(v->find("n")->is_null());
    CHECK(v->find("l")->as_array()->size() == 2);
    CHECK(v->find("missing") == nullptr);
}

TEST_CASE("report json: errors name the column and never throw") {
    for (const char* bad : {"", "{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "\"open", "tru", "{\"a\":1} x", "-", "\x01",
                            "{\"a\":\"\x01\"}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}"}) {
        auto v = parse_json(bad);
        INFO(bad);
        REQUIRE_FALSE(v);
        CHECK(v.error().starts_with("column "));
    }
    CHECK(parse_json("[1 2]").error() == "column 4: expected ',' or ']'");
    // Deep nesting is refused, not a stack overflow.
    const std::string deep(100000, '[');
    auto v = parse_json(deep);
    REQUIRE_FALSE(v);
    CHECK(v.error().find("nested too deeply") != std::string::npos);
}

TEST_CASE("report record: the README's example line") {
    auto r = parse_fault_record(kReadmeLine);
    REQUIRE(r);
    CHECK(r->seq == 2);
    CHECK(r->time_ns == 0);
    CHECK(r->pid == 2);
    CHECK(r->comm == "busybox");
    CHECK(r->page == 6205440);
    CHECK(r->access == "write");
    CHECK(r->kind == "demand-zero");
    CHECK_FALSE(r->major);
    CHECK_FALSE(r->by_kernel);
    REQUIRE(r->vma);
    CHECK(r->vma->start == 6180864);
    CHECK(r->vma->end == 6209536);
    CHECK(r->vma->perms == "rw-p");
    CHECK(r->vma->name.empty());
}

TEST_CASE("report record: null vma, unknown fields, and what is refused") {
    auto r = parse_fault_record(
        R"({"seq":9,"time_ns":5,"pid":3,"comm":"x","page":0,"kind":"segv-maperr","major":false,"by":"kernel","vma":null,"new_field":[1,2]})");
    REQUIRE(r);
    CHECK_FALSE(r->vma);
    CHECK(r->by_kernel);

    CHECK(parse_fault_record("[1,2]").error() == "not a JSON object");
    CHECK(parse_fault_record(R"({"seq":1,"time_ns":0,"pid":2,"page":0})").error() == "missing field \"kind\"");
    CHECK(parse_fault_record(R"({"seq":-1,"time_ns":0,"pid":2,"page":0,"kind":"file"})").error() ==
          "field \"seq\" is not a non-negative integer");
    CHECK(parse_fault_record(R"({"seq":1,"time_ns":0,"pid":2,"page":0,"kind":"file","vma":7})").error() ==
          "field \"vma\" is not an object or null");
    CHECK(parse_fault_record(R"({"seq":1,"time_ns":0,"pid":2,"page":0,"kind":"file","vma":{"start":9,"end":1}})")
              .error() == "vma: end is below start");
    CHECK_FALSE(parse_fault_record(std::string(kReadmeLine).substr(0, 120)));  // cut short by a crash
}

TEST_CASE("report json writer: commas, nesting, and '<' kept out of <script>") {
    JsonWriter w;
    w.begin_object().field("a", 1).key("b").begin_array().value("x</script>").value(true).null().end_array();
    w.field("c", std::uint64_t{18446744073709551615ull}).key("d").begin_object().end_object().end_object();
    CHECK(w.text() == R"({"a":1,"b":["x\u003c/script>",true,null],"c":18446744073709551615,"d":{}})");
    auto back = parse_json(w.text());
    REQUIRE(back);
    CHECK(*back->find("b")->as_array()->front().as_string() == "x</script>");
    CHECK(hex_address(0x7ffffffde000) == "0x7ffffffde000");
}

TEST_CASE("report record: 20,000 mutated lines parse or fail, never crash") {
    std::mt19937 rng(1234);
    const std::string line = kReadmeLine;
    const std::string alphabet = "{}[]\":,.-+eE0123456789 \\ntrufalsebyuvma\x01\xff";
    int parsed = 0, unexplained = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string s = line;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng() % (s.size() + 1);
            switch (rng() % 3) {
            case 0: s.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
            case 1:
                if (at < s.size())
                    s.erase(at, 1 + rng() % 8);
                break;
            default:
                if (at < s.size())
                    s[at] = alphabet[rng() % alphabet.size()];
            }
        }
        auto r = parse_fault_record(s);
        if (r)
            ++parsed;
        else if (r.error().empty())
            ++unexplained;
    }
    CHECK(unexplained == 0);
    CHECK(parsed > 0);  // some edits land in values and keep the line valid
}
