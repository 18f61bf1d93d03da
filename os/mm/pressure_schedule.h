// PressureSchedule: memory pressure scripted in advance (--pressure). Each step changes how
// much RAM the machine has (PhysicalMemory::set_online_frames) when its time comes: once,
// or again and again at a fixed interval. A step's points are either times on the kernel's
// clock (os/sched/clock.h: virtual by default, so a schedule is as deterministic as the
// rest of a run) or counts of the page faults the guest's instructions took.
//
// This is the schedule only: which steps are due, and what RAM size each asks for. The
// kernel applies them (os/kernel_pressure.cpp); tools/faultline/pressure_spec.h reads the
// text a user writes.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace os::mm {

// What a step's points count.
enum class PressureClock : std::uint8_t { Time, Faults };

enum class PressureAction : std::uint8_t {
    SetRam,  // the usable RAM becomes `frames`
    Steal,   // `frames` fewer usable frames (a balloon inflating)
    Give,    // `frames` more (deflating), at most the host buffer
};

struct PressureStep {
    PressureClock clock = PressureClock::Time;
    std::uint64_t first = 0;   // the first occurrence: ns since the start, or a fault count
    std::uint64_t period = 0;  // 0: once; otherwise again every `period`...
    std::uint64_t until = std::numeric_limits<std::uint64_t>::max();  // ...up to here
    PressureAction action = PressureAction::SetRam;
    std::uint64_t frames = 0;
    std::string text;  // the step as the user wrote it, for messages
};

// One occurrence of a step that is due.
struct DuePressureStep {
    const PressureStep* step = nullptr;
    std::uint64_t at = 0;  // when it was due (ns or faults, as the step counts)
};

class PressureSchedule {
public:
    PressureSchedule() = default;
    explicit PressureSchedule(std::vector<PressureStep> steps);

    bool empty() const { return m_steps.empty(); }
    const std::vector<PressureStep>& steps() const { return m_steps; }
    // The earliest occurrence still to come among the steps on `clock`.
    std::optional<std::uint64_t> next(PressureClock clock) const;
    // The occurrences due at time `now_ns` and fault count `faults`, in the order they
    // fell due (times before fault counts, then in the order the steps were written); each
    // step moves on to its next occurrence. A periodic step that fell due several times
    // since the last call is returned that many times.
    std::vector<DuePressureStep> take_due(std::uint64_t now_ns, std::uint64_t faults);

private:
    std::vector<PressureStep> m_steps;
    std::vector<std::optional<std::uint64_t>> m_next;  // each step's next occurrence
};

// The usable frames after `step`, from `current`, kept within [floor, ceiling].
std::uint64_t pressure_target(const PressureStep& step, std::uint64_t current, std::uint64_t floor,
                              std::uint64_t ceiling);

}  // namespace os::mm
