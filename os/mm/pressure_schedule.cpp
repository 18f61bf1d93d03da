#include "os/mm/pressure_schedule.h"

#include <algorithm>
#include <tuple>

namespace os::mm {

PressureSchedule::PressureSchedule(std::vector<PressureStep> steps) : m_steps(std::move(steps)) {
    for (const PressureStep& s : m_steps)
        m_next.push_back(s.first <= s.until ? std::optional<std::uint64_t>(s.first) : std::nullopt);
}

std::optional<std::uint64_t> PressureSchedule::next(PressureClock clock) const {
    std::optional<std::uint64_t> earliest;
    for (std::size_t i = 0; i < m_steps.size(); ++i)
        if (m_steps[i].clock == clock && m_next[i] && (!earliest || *m_next[i] < *earliest))
            earliest = m_next[i];
    return earliest;
}

std::vector<DuePressureStep> PressureSchedule::take_due(std::uint64_t now_ns, std::uint64_t faults) {
    struct Occurrence {
        PressureClock clock;
        std::uint64_t at;
        std::size_t index;
    };
    std::vector<Occurrence> due;
    for (std::size_t i = 0; i < m_steps.size(); ++i) {
        const PressureStep& s = m_steps[i];
        const std::uint64_t now = s.clock == PressureClock::Time ? now_ns : faults;
        while (m_next[i] && *m_next[i] <= now) {
            due.push_back(Occurrence{s.clock, *m_next[i], i});
            const std::uint64_t at = *m_next[i];
            if (s.period == 0 || s.until - at < s.period)  // (at <= until always)
                m_next[i].reset();
            else
                m_next[i] = at + s.period;
        }
    }
    std::sort(due.begin(), due.end(), [](const Occurrence& a, const Occurrence& b) {
        return std::tie(a.clock, a.at, a.index) < std::tie(b.clock, b.at, b.index);
    });
    std::vector<DuePressureStep> out;
    out.reserve(due.size());
    for (const Occurrence& o : due)
        out.push_back(DuePressureStep{&m_steps[o.index], o.at});
    return out;
}

std::uint64_t pressure_target(const PressureStep& step, std::uint64_t current, std::uint64_t floor,
                              std::uint64_t ceiling) {
    std::uint64_t target = current;
    switch (step.action) {
    case PressureAction::SetRam: target = step.frames; break;
    case PressureAction::Steal: target = current > step.frames ? current - step.frames : 0; break;
    case PressureAction::Give: target = current + std::min(step.frames, ceiling); break;
    }
    return std::clamp(target, floor, std::max(floor, ceiling));
}

}  // namespace os::mm
