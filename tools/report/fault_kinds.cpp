#include "tools/report/fault_kinds.h"

#include <array>

namespace tools::report {

namespace {

constexpr auto R = PageState::Resident;
constexpr auto A = PageState::Absent;

// The kinds os/trace writes (README, "Fault logs"). Every fault that did not become a
// signal leaves its page mapped (reclaim events unmap it), whatever it was before (a cow-reuse proves a page the
// process got from fork is resident, even though the log never saw it arrive).
constexpr std::array kKnownKinds = {
    KindInfo{"zero-page", "#9ecae1", R, false},
    KindInfo{"demand-zero", "#3182bd", R, false},
    KindInfo{"stack-growth", "#6a51a3", R, false},
    KindInfo{"file", "#d62728", R, false},
    KindInfo{"page-cache-hit", "#fd8d3c", R, false},
    KindInfo{"cow-copy", "#31a354", R, false},
    KindInfo{"cow-reuse", "#a1d99b", R, false},
    KindInfo{"swap-in", "#e377c2", R, false},
    KindInfo{"swap-cache-hit", "#f7b6d2", R, false},
    KindInfo{"segv-maperr", "#252525", std::nullopt, true},
    KindInfo{"segv-accerr", "#737373", std::nullopt, true},
    KindInfo{"sigbus", "#8c6d31", std::nullopt, true},
    // Page reclaim takes the page away from the process (to swap, or dropped, or written to
    // its file); the OOM killer ends the process.
    KindInfo{"page-out", "#17becf", A, false, true},
    KindInfo{"drop", "#9edae5", A, false, true},
    KindInfo{"write-back", "#bcbd22", A, false, true},
    KindInfo{"oom-kill", "#000000", std::nullopt, false, true},
};

// Unknown kinds cycle through these.
constexpr std::array<std::string_view, 4> kUnknownColours = {"#bdbdbd", "#969696", "#d9d9d9", "#636363"};

}  // namespace

KindTable::KindTable() : m_kinds(kKnownKinds.begin(), kKnownKinds.end()), m_known(kKnownKinds.size()) {}

KindId KindTable::intern(std::string_view name) {
    for (std::size_t i = 0; i < m_kinds.size(); ++i)
        if (m_kinds[i].name == name)
            return static_cast<KindId>(i);
    if (m_kinds.size() - m_known >= kMaxUnknownKinds && name != kOtherKinds)
        return intern(kOtherKinds);
    const auto& stored = m_unknown_names.emplace_back(std::make_unique<std::string>(name));
    const auto colour = kUnknownColours[(m_kinds.size() - m_known) % kUnknownColours.size()];
    m_kinds.push_back(KindInfo{*stored, colour, std::nullopt, false});
    return static_cast<KindId>(m_kinds.size() - 1);
}

}  // namespace tools::report
