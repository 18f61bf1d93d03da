#include "tools/report/address_ranges.h"

#include <algorithm>
#include <map>

#include "tools/report/summary.h"

namespace tools::report {

namespace {

// Sorted and merged: overlapping spans always, touching ones too when `touching`.
std::vector<AddressSpan> merged(std::vector<AddressSpan> spans, bool touching) {
    std::sort(spans.begin(), spans.end());
    std::vector<AddressSpan> out;
    for (const AddressSpan& s : spans) {
        if (!out.empty() && (s.start < out.back().end || (touching && s.start == out.back().end))) {
            out.back().end = std::max(out.back().end, s.end);
            continue;
        }
        out.push_back(s);
    }
    return out;
}

}  // namespace

AddressRanges::AddressRanges(const EventStore& store) {
    std::vector<AddressSpan> spans;
    for (const auto& vma : store.vmas())
        spans.push_back({vma.start, std::max(vma.end, vma.start + 1)});
    for (const auto& e : store.events())
        if (e.vma == kNoVma)
            spans.push_back({e.page, e.page > ~std::uint64_t{0} - kPageSize ? ~std::uint64_t{0} : e.page + kPageSize});
    for (const AddressSpan& s : merged(std::move(spans), false))
        m_ranges.push_back(AddressRange{s.start, s.end, {}});
    if (m_ranges.empty())
        return;

    // Label each range with its busiest VMA.
    std::vector<std::map<std::uint32_t, std::uint64_t>> faults_by_vma(m_ranges.size());
    for (const auto& e : store.events())
        ++faults_by_vma[index_of(e.page)][e.vma];
    for (std::size_t i = 0; i < m_ranges.size(); ++i) {
        const auto& counts = faults_by_vma[i];
        auto busiest = std::max_element(counts.begin(), counts.end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
        m_ranges[i].label = busiest == counts.end() ? std::string(kNoVmaSeenName) : display_name(store, busiest->first);
    }
}

void AddressRanges::add_uncovered(std::vector<AddressSpan> spans) {
    std::vector<AddressRange> added;
    std::size_t next = 0;  // the first range that may overlap the span
    for (AddressSpan s : merged(std::move(spans), true)) {
        while (next < m_ranges.size() && m_ranges[next].end <= s.start)
            ++next;
        for (std::size_t i = next; i < m_ranges.size() && m_ranges[i].start < s.end && s.start < s.end; ++i) {
            if (s.start < m_ranges[i].start)
                added.push_back(AddressRange{s.start, m_ranges[i].start, std::string(kNoVmaSeenName)});
            s.start = std::max(s.start, m_ranges[i].end);
        }
        if (s.start < s.end)
            added.push_back(AddressRange{s.start, s.end, std::string(kNoVmaSeenName)});
    }
    m_ranges.insert(m_ranges.end(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
    std::sort(m_ranges.begin(), m_ranges.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
}

std::size_t AddressRanges::index_of(std::uint64_t address) const {
    auto it = std::upper_bound(m_ranges.begin(), m_ranges.end(), address,
                               [](std::uint64_t a, const AddressRange& r) { return a < r.start; });
    return it == m_ranges.begin() ? 0 : static_cast<std::size_t>(it - m_ranges.begin() - 1);
}

void AddressRanges::for_each_piece(std::uint64_t start, std::uint64_t end,
                                   const std::function<void(std::size_t, std::uint64_t, std::uint64_t)>& fn) const {
    for (std::size_t i = index_of(start); i < m_ranges.size() && m_ranges[i].start < end; ++i) {
        const std::uint64_t lo = std::max(start, m_ranges[i].start), hi = std::min(end, m_ranges[i].end);
        if (lo < hi)
            fn(i, lo, hi);
    }
}

}  // namespace tools::report
