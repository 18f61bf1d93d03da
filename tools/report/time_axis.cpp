#include "tools/report/time_axis.h"

#include <algorithm>

namespace tools::report {

TimeAxis::TimeAxis(const EventStore& store, std::uint32_t bins) : m_bins(std::max<std::uint32_t>(bins, 1)) {
    const auto& events = store.events();
    if (events.empty())
        return;
    auto [lo, hi] = std::minmax_element(events.begin(), events.end(),
                                        [](const auto& a, const auto& b) { return a.time_ns < b.time_ns; });
    m_uses_seq = lo->time_ns == hi->time_ns;
    m_first = m_uses_seq ? events.front().seq : lo->time_ns;
    m_last = m_uses_seq ? events.back().seq : hi->time_ns;
}

std::uint32_t TimeAxis::bin(const StoredEvent& e) const {
    const std::uint64_t span = m_last - m_first;
    if (span == 0)
        return 0;
    const std::uint64_t at = std::clamp(position(e), m_first, m_last) - m_first;
    // at * bins / span without overflow: positions are at most 2^64.
    const auto b = static_cast<std::uint32_t>(static_cast<unsigned __int128>(at) * m_bins / (span + 1));
    return std::min(b, m_bins - 1);
}

}  // namespace tools::report
