// The compressed address axis of a heat map: the busiest AddressRanges become bands
// stacked in address order, and each band's rows cover only the span of pages that were
// active in it (faulted, or touched). Rows go in proportion to the square root of each
// band's span, so that one huge heap does not squeeze the others to nothing; there are at
// most max_rows of them, unless every band is down to the few a label needs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tools/report/address_ranges.h"

namespace tools::report {

struct HeatBand {
    std::string label;           // the range's label
    std::uint64_t first_page = 0;  // the lowest and highest active page in it
    std::uint64_t last_page = 0;
    std::uint32_t first_row = 0;  // row 0 is the lowest address
    std::uint32_t rows = 0;
    std::uint64_t weight = 0;  // how busy it is: faults, or pages touched summed over samples
};

// What happened in one AddressRange.
struct RangeActivity {
    std::uint64_t weight = 0;
    std::uint64_t first_page = ~std::uint64_t{0};
    std::uint64_t last_page = 0;

    // Pages [first_page, last_page] were active, adding `weight`.
    void add(std::uint64_t first, std::uint64_t last, std::uint64_t w) {
        weight += w;
        first_page = first < first_page ? first : first_page;
        last_page = last > last_page ? last : last_page;
    }
};

class AddressBands {
public:
    // activity[i] belongs to ranges[i]; ranges without weight get no band.
    AddressBands(const AddressRanges& ranges, const std::vector<RangeActivity>& activity, std::size_t max_bands,
                 std::uint32_t max_rows);

    const std::vector<HeatBand>& bands() const { return m_bands; }
    std::uint32_t rows() const { return m_rows; }
    // The band of range i, or -1 when it was not among the busiest.
    std::int64_t band_of_range(std::size_t range) const { return m_band_of_range[range]; }
    // The row of `page`, which lies in the band's [first_page, last_page].
    std::uint32_t row_of(std::size_t band, std::uint64_t page) const;
    // The pages of one row of a band: [first, last].
    std::pair<std::uint64_t, std::uint64_t> row_pages(std::size_t band, std::uint32_t row) const;
    // Calls fn(row, pages) for the rows that the band's pages [first, last] fall in.
    void for_each_row(std::size_t band, std::uint64_t first, std::uint64_t last,
                      const std::function<void(std::uint32_t, std::uint64_t)>& fn) const;

private:
    std::vector<HeatBand> m_bands;  // in address order
    std::vector<std::int64_t> m_band_of_range;
    std::uint32_t m_rows = 0;
};

}  // namespace tools::report
