// The --pressure and --limit grammars (tools/faultline/pressure_spec.h, limit_spec.h): what
// each accepted spec means, and that each error names the step and the word at fault.
#include <catch2/catch.hpp>

#include "tools/faultline/limit_spec.h"
#include "tools/faultline/pressure_spec.h"

namespace {

using os::mm::PressureAction;
using os::mm::PressureClock;
using os::mm::PressureStep;
constexpr std::uint64_t kMs = 1'000'000;
constexpr std::uint64_t kNever = ~std::uint64_t{0};

std::vector<PressureStep> parse(std::string_view text) {
    auto steps = tools::parse_pressure_spec(text);
    INFO(text);
    REQUIRE(steps);
    return *steps;
}

std::string error_of(std::string_view text) {
    auto steps = tools::parse_pressure_spec(text);
    INFO(text);
    REQUIRE_FALSE(steps);
    return steps.error();
}

}  // namespace

TEST_CASE("pressure spec: once, at a time or after a fault count") {
    const auto steps = parse("at 50ms ram 8M; at 200ms ram 64M ;after 5000 faults ram 16M");
    REQUIRE(steps.size() == 3);
    CHECK(steps[0].clock == PressureClock::Time);
    CHECK(steps[0].first == 50 * kMs);
    CHECK(steps[0].period == 0);
    CHECK(steps[0].action == PressureAction::SetRam);
    CHECK(steps[0].frames == 2048);
    CHECK(steps[0].text == "at 50ms ram 8M");
    CHECK(steps[1].first == 200 * kMs);
    CHECK(steps[1].frames == 16384);
    CHECK(steps[2].clock == PressureClock::Faults);
    CHECK(steps[2].first == 5000);
    CHECK(steps[2].frames == 4096);
    CHECK(steps[2].text == "after 5000 faults ram 16M");
    // "at" and "after" are the same; 0 needs no unit.
    CHECK(parse("after 0 ram 2M")[0].first == 0);
    CHECK(parse("at 1 fault ram 2M")[0].clock == PressureClock::Faults);
}

TEST_CASE("pressure spec: periodic steps, with from and until, clauses in any order") {
    auto s = parse("every 10ms steal 16 until 100ms")[0];
    CHECK(s.clock == PressureClock::Time);
    CHECK(s.first == 10 * kMs);
    CHECK(s.period == 10 * kMs);
    CHECK(s.until == 100 * kMs);
    CHECK(s.action == PressureAction::Steal);
    CHECK(s.frames == 16);
    s = parse("steal 16 frames every 2000 faults from 500 faults")[0];
    CHECK(s.clock == PressureClock::Faults);
    CHECK(s.first == 500);
    CHECK(s.period == 2000);
    CHECK(s.until == kNever);
    s = parse("give 64K every 1s")[0];
    CHECK(s.action == PressureAction::Give);
    CHECK(s.frames == 16);
    // Sizes are rounded up to frames; a plain number is frames.
    CHECK(parse("at 1ms steal 5K")[0].frames == 2);
    CHECK(parse("at 1ms steal 3 pages")[0].frames == 3);
}

TEST_CASE("pressure spec: lines, comments and blank steps") {
    const auto steps = parse("# a schedule\n\nat 1ms ram 8M   # squeeze\r\n;;  at 2ms ram 16M; \n# end\n");
    REQUIRE(steps.size() == 2);
    CHECK(steps[1].text == "at 2ms ram 16M");
}

TEST_CASE("pressure spec: errors name the step and the word") {
    CHECK(error_of("at 5ms ram 8M; at 6ms stael 16") ==
          "step 'at 6ms stael 16': unknown word 'stael' (expected at, after, every, from, until, ram, steal or give)");
    CHECK(error_of("at 10parsecs ram 8M").find("not '10parsecs'") != std::string::npos);
    CHECK(error_of("at 1000 ram 8M").find("not '1000'") != std::string::npos);
    CHECK(error_of("at ram 8M").find("not 'ram'") != std::string::npos);
    CHECK(error_of("at 5ms ram").find("'ram' needs a size (like 8M), not nothing") != std::string::npos);
    CHECK(error_of("at 5ms ram eight").find("not 'eight'") != std::string::npos);
    CHECK(error_of("at 5ms ram 100K").find("cannot be smaller than 1M") != std::string::npos);
    CHECK(error_of("at 5ms steal 0").find("nothing to steal") != std::string::npos);
    CHECK(error_of("at 5ms give lots").find("not 'lots'") != std::string::npos);
    CHECK(error_of("at 5ms ram 8M steal 1").find("two actions in one step ('ram' and 'steal')") != std::string::npos);
    CHECK(error_of("at 5ms every 1ms ram 8M").find("two times in one step ('at' and 'every')") != std::string::npos);
    CHECK(error_of("at 5ms").find("step 'at 5ms': no action") != std::string::npos);
    CHECK(error_of("ram 8M").find("step 'ram 8M': no time") != std::string::npos);
    CHECK(error_of("at 5ms until 9ms ram 8M").find("'until' goes with 'every', not with 'at'") != std::string::npos);
    CHECK(error_of("every 5ms from 100 faults ram 8M").find("both be times or both be fault counts") !=
          std::string::npos);
    CHECK(error_of("every 0ms ram 8M").find("an interval above 0") != std::string::npos);
    CHECK(error_of("every 99us ram 8M").find("the shortest interval is 100us") != std::string::npos);
    CHECK(error_of("every 10ms until 5ms ram 8M").find("it never happens") != std::string::npos);
    CHECK(error_of("every 10ms from 20ms until 15ms ram 8M").find("it never happens") != std::string::npos);
    CHECK(error_of("").find("no steps") != std::string::npos);
    CHECK(error_of(" ; # nothing").find("no steps") != std::string::npos);
}

TEST_CASE("pressure spec: @FILE") {
    CHECK(tools::expand_at_file("at 1ms ram 8M").value() == "at 1ms ram 8M");
    const auto missing = tools::expand_at_file("@/nonexistent/steps");
    REQUIRE_FALSE(missing);
    CHECK(missing.error() == "cannot read /nonexistent/steps");
}

TEST_CASE("limit spec: by pid or by name, memory.max and memory.high") {
    auto r = tools::parse_limit_spec("2:64M");
    REQUIRE(r);
    CHECK(r->pid == 2);
    CHECK(r->name.empty());
    CHECK(r->limits.max_pages == 16384);
    CHECK(r->limits.high_pages == os::mm::kNoMemcgLimit);
    CHECK(r->text == "2:64M");
    r = tools::parse_limit_spec("gzip:high=4M,max=16M");
    REQUIRE(r);
    CHECK(r->pid == 0);
    CHECK(r->name == "gzip");
    CHECK(r->limits.high_pages == 1024);
    CHECK(r->limits.max_pages == 4096);
    r = tools::parse_limit_spec("a:b:high=8K");  // the last ':' separates
    REQUIRE(r);
    CHECK(r->name == "a:b");
    CHECK(r->limits.max_pages == os::mm::kNoMemcgLimit);
    CHECK(r->limits.high_pages == 2);
}

TEST_CASE("limit spec: errors") {
    auto error_of_limit = [](std::string_view text) {
        auto r = tools::parse_limit_spec(text);
        INFO(text);
        REQUIRE_FALSE(r);
        return r.error();
    };
    CHECK(error_of_limit("sort").find("expected PID:SIZE or NAME:SIZE") != std::string::npos);
    CHECK(error_of_limit("1:8M").find("'1': not a guest's pid") != std::string::npos);
    CHECK(error_of_limit("0:8M").find("not a guest's pid") != std::string::npos);
    CHECK(error_of_limit(":8M").find("expected a pid or a program name") != std::string::npos);
    CHECK(error_of_limit("bin/sort:8M").find("without '/'") != std::string::npos);
    CHECK(error_of_limit("sort:").find("not ''") != std::string::npos);
    CHECK(error_of_limit("sort:8Q").find("not '8Q'") != std::string::npos);
    CHECK(error_of_limit("sort:100").find("less than one page") != std::string::npos);
    CHECK(error_of_limit("sort:low=8M").find("unknown limit 'low=8M'") != std::string::npos);
    CHECK(error_of_limit("sort:max=8M,").find("unknown limit ''") != std::string::npos);
    CHECK(error_of_limit("sort:high=").find("high needs a size") != std::string::npos);
}
