// A fault log line (os/trace/fault_event.h): exact text, JSON escapes, the fault that has
// no VMA and no frame.
#include <catch2/catch.hpp>

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
