// The address axis the heat maps share: the VMAs of every process that the fault logs
// name, merged where they overlap, plus the pages of faults outside any VMA; each range is
// labelled with the name of the VMA that had the most faults in it. The working-set map
// adds the addresses its samples touched that no range covers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tools/report/event_store.h"

namespace tools::report {

// The label of a range that only access samples touched (no fault named a VMA there).
inline constexpr std::string_view kNoVmaSeenName = "(no VMA in the fault log)";

struct AddressRange {
    std::uint64_t start = 0;  // [start, end)
    std::uint64_t end = 0;
    std::string label;
};

struct AddressSpan {
    std::uint64_t start = 0;  // [start, end)
    std::uint64_t end = 0;
    auto operator<=>(const AddressSpan&) const = default;
};

class AddressRanges {
public:
    explicit AddressRanges(const EventStore& store);

    // Adds ranges for the parts of `spans` that no range covers yet (touching parts merge).
    void add_uncovered(std::vector<AddressSpan> spans);

    std::size_t size() const { return m_ranges.size(); }
    const AddressRange& operator[](std::size_t i) const { return m_ranges[i]; }
    // The range holding `address`, or the nearest one below it (0 when none is).
    std::size_t index_of(std::uint64_t address) const;
    // Calls fn(range, start, end) for each part of [start, end) that a range covers.
    void for_each_piece(std::uint64_t start, std::uint64_t end,
                        const std::function<void(std::size_t, std::uint64_t, std::uint64_t)>& fn) const;

private:
    std::vector<AddressRange> m_ranges;  // in address order, not overlapping
};

}  // namespace tools::report
