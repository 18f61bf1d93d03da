// SampleAxis: the x axis of the working-set plots. It counts sampling periods from the
// first one sampled, grouped so that there are at most `max_bins` columns; a sample goes
// in the column that holds the middle of the period it covers (AccessStore::finish), so a
// sample taken a little late, or the shorter last one of a process, is not pushed into
// the next period.
#pragma once

#include <cstdint>

#include "tools/report/access_store.h"

namespace tools::report {

class SampleAxis {
public:
    SampleAxis() = default;
    SampleAxis(const AccessStore& store, std::uint32_t max_bins);

    std::uint64_t period_ns() const { return m_period_ns; }
    std::uint64_t periods_per_bin() const { return m_periods_per_bin; }
    std::uint64_t bin_ns() const { return m_period_ns * m_periods_per_bin; }
    std::uint64_t first_ns() const { return m_first_period * m_period_ns; }  // where bin 0 starts
    std::uint32_t bins() const { return m_bins; }
    // The bin of a sample: 0 .. bins()-1.
    std::uint32_t bin(const StoredSample& s) const;

private:
    std::uint64_t period(const StoredSample& s) const;

    std::uint64_t m_period_ns = 1;
    std::uint64_t m_periods_per_bin = 1;
    std::uint64_t m_first_period = 0;
    std::uint32_t m_bins = 1;
};

}  // namespace tools::report
