#include "tools/report/address_bands.h"

#include <algorithm>
#include <cmath>

namespace tools::report {

namespace {

std::uint64_t span_pages(const HeatBand& b) { return (b.last_page - b.first_page) / kPageSize + 1; }

// Rows in proportion to the square root of each band's page span, enough for a label,
// never more than its pages; then the biggest bands give rows back until the total is
// within max_rows (rounding and the minimum can overshoot it).
std::uint32_t assign_rows(std::vector<HeatBand>& bands, std::uint32_t max_rows) {
    const std::uint64_t least = std::max<std::uint64_t>(3, max_rows / (4 * std::max<std::size_t>(bands.size(), 1)));
    double total = 0;
    for (const auto& band : bands)
        total += std::sqrt(static_cast<double>(span_pages(band)));
    std::vector<std::uint64_t> rows(bands.size()), fewest(bands.size());
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < bands.size(); ++i) {
        const std::uint64_t pages = span_pages(bands[i]);
        const double share = total > 0 ? std::sqrt(static_cast<double>(pages)) / total : 1;
        fewest[i] = std::max<std::uint64_t>(std::min(pages, least), 1);
        rows[i] = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::lround(share * max_rows)), fewest[i], pages);
        sum += rows[i];
    }
    while (sum > max_rows) {
        std::size_t widest = 0;
        for (std::size_t i = 1; i < rows.size(); ++i)
            if (rows[i] - fewest[i] > rows[widest] - fewest[widest])
                widest = i;
        if (rows[widest] == fewest[widest])
            break;
        const std::uint64_t give = std::min(sum - max_rows, rows[widest] - fewest[widest]);
        rows[widest] -= std::max<std::uint64_t>(1, give / 2);
        sum -= std::max<std::uint64_t>(1, give / 2);
    }
    std::uint32_t next = 0;
    for (std::size_t i = 0; i < bands.size(); ++i) {
        bands[i].first_row = next;
        bands[i].rows = static_cast<std::uint32_t>(rows[i]);
        next += bands[i].rows;
    }
    return next;
}

// ceil(a * b / c) without overflow.
std::uint64_t mul_div_up(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
    const auto p = static_cast<unsigned __int128>(a) * b;
    return static_cast<std::uint64_t>((p + c - 1) / c);
}

}  // namespace

AddressBands::AddressBands(const AddressRanges& ranges, const std::vector<RangeActivity>& activity,
                           std::size_t max_bands, std::uint32_t max_rows)
    : m_band_of_range(ranges.size(), -1) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < ranges.size(); ++i)
        if (activity[i].weight > 0)
            order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return activity[a].weight > activity[b].weight; });
    if (order.size() > max_bands)
        order.resize(max_bands);
    std::sort(order.begin(), order.end());  // address order
    for (std::size_t i : order) {
        m_band_of_range[i] = static_cast<std::int64_t>(m_bands.size());
        const RangeActivity& a = activity[i];
        m_bands.push_back(HeatBand{ranges[i].label, a.first_page, a.last_page, 0, 0, a.weight});
    }
    m_rows = assign_rows(m_bands, max_rows);
}

std::uint32_t AddressBands::row_of(std::size_t band, std::uint64_t page) const {
    const HeatBand& b = m_bands[band];
    const std::uint64_t offset = (std::clamp(page, b.first_page, b.last_page) - b.first_page) / kPageSize;
    return b.first_row + static_cast<std::uint32_t>(static_cast<unsigned __int128>(offset) * b.rows / span_pages(b));
}

std::pair<std::uint64_t, std::uint64_t> AddressBands::row_pages(std::size_t band, std::uint32_t row) const {
    const HeatBand& b = m_bands[band];
    const std::uint64_t k = row - b.first_row;
    // Page offset o is in row k when k <= o * rows / span < k + 1.
    const std::uint64_t lo = mul_div_up(k, span_pages(b), b.rows);
    const std::uint64_t hi = mul_div_up(k + 1, span_pages(b), b.rows) - 1;
    return {b.first_page + lo * kPageSize, b.first_page + hi * kPageSize};
}

void AddressBands::for_each_row(std::size_t band, std::uint64_t first, std::uint64_t last,
                                const std::function<void(std::uint32_t, std::uint64_t)>& fn) const {
    const HeatBand& b = m_bands[band];
    first = std::max(first, b.first_page);
    last = std::min(last, b.last_page);
    if (first > last)
        return;
    for (std::uint32_t row = row_of(band, first), end = row_of(band, last); row <= end; ++row) {
        const auto [lo, hi] = row_pages(band, row);
        const std::uint64_t from = std::max(lo, first), to = std::min(hi, last);
        if (from <= to)
            fn(row, (to - from) / kPageSize + 1);
    }
}

}  // namespace tools::report
