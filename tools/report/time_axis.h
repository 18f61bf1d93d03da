// TimeAxis: the x axis every plot shares, cut into equal bins. It is virtual time; when
// every event has the same time (a run too short for the clock to move) it falls back to
// the event sequence number, so the plots still spread out.
#pragma once

#include <cstdint>
#include <string_view>

#include "tools/report/event_store.h"

namespace tools::report {

class TimeAxis {
public:
    TimeAxis(const EventStore& store, std::uint32_t bins);

    std::uint32_t bins() const { return m_bins; }
    bool uses_seq() const { return m_uses_seq; }
    std::uint64_t first() const { return m_first; }
    std::uint64_t last() const { return m_last; }
    std::string_view label() const { return m_uses_seq ? "event sequence number" : "virtual time"; }

    // The event's position on the axis (time_ns or seq).
    std::uint64_t position(const StoredEvent& e) const { return m_uses_seq ? e.seq : e.time_ns; }
    // The bin an event falls in: 0 .. bins()-1.
    std::uint32_t bin(const StoredEvent& e) const;

private:
    std::uint32_t m_bins = 1;
    bool m_uses_seq = false;
    std::uint64_t m_first = 0;
    std::uint64_t m_last = 0;
};

}  // namespace tools::report
