#include "tools/report/sample_axis.h"

#include <algorithm>

namespace tools::report {

SampleAxis::SampleAxis(const AccessStore& store, std::uint32_t max_bins)
    : m_period_ns(std::max<std::uint64_t>(store.period_ns(), 1)) {
    if (store.empty())
        return;
    std::uint64_t first = ~std::uint64_t{0}, last = 0;
    for (const StoredSample& s : store.samples()) {
        first = std::min(first, period(s));
        last = std::max(last, period(s));
    }
    const std::uint64_t periods = last - first + 1;
    max_bins = std::max<std::uint32_t>(max_bins, 1);
    m_first_period = first;
    m_periods_per_bin = (periods + max_bins - 1) / max_bins;
    m_bins = static_cast<std::uint32_t>((periods + m_periods_per_bin - 1) / m_periods_per_bin);
}

std::uint64_t SampleAxis::period(const StoredSample& s) const {
    const std::uint64_t middle = s.from_ns + (s.time_ns - s.from_ns) / 2;
    return middle / m_period_ns;
}

std::uint32_t SampleAxis::bin(const StoredSample& s) const {
    const std::uint64_t p = std::max(period(s), m_first_period) - m_first_period;
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(p / m_periods_per_bin, m_bins - 1));
}

}  // namespace tools::report
