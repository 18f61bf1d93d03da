// The fault kinds the report knows: how each is drawn and what it does to the page it
// names. Adding a kind is one row in kKnownKinds (fault_kinds.cpp); a kind the table does not know is still
// counted and drawn, in grey, and leaves the page curves alone.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tools::report {

// What a process's page is after the event, for the page curves (page_curves.h). A new
// state needs a curve label in kPageStateLabels too. A reclaim event whose page went to swap
// (it has a swap slot) makes the page Swapped instead of its kind's page_after.
enum class PageState : std::uint8_t { Absent, Resident, Swapped, Count };

struct PageStateInfo {
    std::string_view key;    // JSON name of the curve
    std::string_view label;  // as the page shows it
};

// One per PageState except Absent, which is not drawn.
inline constexpr PageStateInfo kPageStateLabels[] = {
    {"absent", ""},
    {"resident", "pages faulted in"},
    {"swapped", "pages in swap"},
};

struct KindInfo {
    std::string_view name;    // as the fault log writes it
    std::string_view colour;  // CSS colour
    std::optional<PageState> page_after;  // nullopt: the event leaves the page as it was
    bool is_signal = false;               // the fault became a signal
    bool is_reclaim = false;              // page reclaim or the OOM killer, not a fault
};

using KindId = std::uint16_t;

// Beyond this many unknown kind names (a corrupt log), the rest count as kOtherKinds.
inline constexpr std::size_t kMaxUnknownKinds = 24;
inline constexpr std::string_view kOtherKinds = "(other kinds)";

// Kind names to ids: the known kinds first, in kKnownKinds' order (the order the plots
// stack them in), then unknown ones in the order they were first seen.
class KindTable {
public:
    KindTable();

    KindId intern(std::string_view name);
    const KindInfo& info(KindId id) const { return m_kinds[id]; }
    std::size_t size() const { return m_kinds.size(); }
    std::size_t known_count() const { return m_known; }

private:
    std::vector<KindInfo> m_kinds;
    std::vector<std::unique_ptr<std::string>> m_unknown_names;  // storage for their names
    std::size_t m_known = 0;
};

}  // namespace tools::report
