// The pressure schedule (os/mm/pressure_schedule.h): when steps fall due, in what order, how
// periodic steps repeat and stop, and the RAM size each step asks for.
#include <catch2/catch.hpp>

#include "os/mm/pressure_schedule.h"

namespace {

using namespace os::mm;

PressureStep step(PressureClock clock, std::uint64_t first, PressureAction action, std::uint64_t frames,
                  std::uint64_t period = 0, std::uint64_t until = ~std::uint64_t{0}) {
    PressureStep s;
    s.clock = clock;
    s.first = first;
    s.period = period;
    s.until = until;
    s.action = action;
    s.frames = frames;
    return s;
}

// (index of the step, when) for each occurrence.
std::vector<std::pair<std::size_t, std::uint64_t>> occurrences(PressureSchedule& s, std::uint64_t now,
                                                               std::uint64_t faults) {
    std::vector<std::pair<std::size_t, std::uint64_t>> out;
    for (const DuePressureStep& d : s.take_due(now, faults))
        out.emplace_back(static_cast<std::size_t>(d.step - s.steps().data()), d.at);
    return out;
}

using Occ = std::vector<std::pair<std::size_t, std::uint64_t>>;

}  // namespace

TEST_CASE("pressure schedule: one-shot steps fall due once, in time order, ties in the order written") {
    PressureSchedule s({step(PressureClock::Time, 50, PressureAction::SetRam, 100),
                        step(PressureClock::Time, 20, PressureAction::SetRam, 200),
                        step(PressureClock::Time, 50, PressureAction::Steal, 1)});
    CHECK(s.next(PressureClock::Time) == 20u);
    CHECK_FALSE(s.next(PressureClock::Faults));
    CHECK(occurrences(s, 19, 0).empty());
    CHECK(occurrences(s, 20, 0) == Occ{{1, 20}});
    CHECK(s.next(PressureClock::Time) == 50u);
    CHECK(occurrences(s, 1000, 0) == Occ{{0, 50}, {2, 50}});
    CHECK_FALSE(s.next(PressureClock::Time));
    CHECK(occurrences(s, 5000, 0).empty());
}

TEST_CASE("pressure schedule: periodic steps repeat up to until, each missed occurrence once") {
    PressureSchedule s({step(PressureClock::Time, 10, PressureAction::Steal, 16, 10, 45),
                        step(PressureClock::Time, 5, PressureAction::Give, 16, 10)});
    CHECK(occurrences(s, 10, 0) == Occ{{1, 5}, {0, 10}});
    CHECK(s.next(PressureClock::Time) == 15u);
    // Late: everything due since is returned, in time order.
    CHECK(occurrences(s, 41, 0) == Occ{{1, 15}, {0, 20}, {1, 25}, {0, 30}, {1, 35}, {0, 40}});
    CHECK(occurrences(s, 100, 0) == Occ{{1, 45}, {1, 55}, {1, 65}, {1, 75}, {1, 85}, {1, 95}});
    CHECK(s.next(PressureClock::Time) == 105u);  // the first step ended at 40 (50 > until)
}

TEST_CASE("pressure schedule: fault-counted steps, after the time steps of the same call") {
    PressureSchedule s({step(PressureClock::Faults, 1000, PressureAction::SetRam, 1, 500, 2000),
                        step(PressureClock::Time, 7, PressureAction::SetRam, 2)});
    CHECK(s.next(PressureClock::Faults) == 1000u);
    CHECK(occurrences(s, 0, 999).empty());
    CHECK(occurrences(s, 7, 1000) == Occ{{1, 7}, {0, 1000}});
    CHECK(occurrences(s, 7, 2600) == Occ{{0, 1500}, {0, 2000}});
    CHECK_FALSE(s.next(PressureClock::Faults));
}

TEST_CASE("pressure schedule: a step whose until comes before its first never falls due") {
    PressureSchedule s({step(PressureClock::Time, 10, PressureAction::Steal, 1, 10, 5)});
    CHECK_FALSE(s.next(PressureClock::Time));
    CHECK(occurrences(s, 100, 0).empty());
}

TEST_CASE("pressure schedule: the RAM each action asks for, within the floor and the ceiling") {
    const auto set = step(PressureClock::Time, 0, PressureAction::SetRam, 300);
    CHECK(pressure_target(set, 1000, 256, 1000) == 300);
    CHECK(pressure_target(step(PressureClock::Time, 0, PressureAction::SetRam, 100), 1000, 256, 1000) == 256);
    CHECK(pressure_target(step(PressureClock::Time, 0, PressureAction::SetRam, 5000), 1000, 256, 1000) == 1000);
    const auto steal = step(PressureClock::Time, 0, PressureAction::Steal, 100);
    CHECK(pressure_target(steal, 1000, 256, 1000) == 900);
    CHECK(pressure_target(steal, 300, 256, 1000) == 256);
    const auto give = step(PressureClock::Time, 0, PressureAction::Give, 100);
    CHECK(pressure_target(give, 500, 256, 1000) == 600);
    CHECK(pressure_target(give, 950, 256, 1000) == 1000);
    CHECK(pressure_target(step(PressureClock::Time, 0, PressureAction::Give, ~std::uint64_t{0}), 500, 256, 1000) ==
          1000);
}
