// CLOCK (second chance): the resident pages form a circle with a hand. A victim is wanted:
// the page under the hand is taken if it has not been referenced since the hand last passed;
// if it has, it loses its reference and the hand moves on (its second chance). A new page
// goes just behind the hand, so it is the last one the hand reaches, and starts referenced
// (the fault referenced it), as in Stallings' and Tanenbaum's presentations.
//
// "Referenced" is the policy's own use bit (set by on_page_added, on_access and on_rotate)
// or the page's Accessed bits, which the probe reads and clears as the hand passes: Linux's
// page_referenced() on the inactive list.
#include <algorithm>

#include "os/mm/frame_list.h"
#include "os/mm/replacement_policy.h"

namespace os::mm {

namespace {

class ClockPolicy final : public ReplacementPolicy {
public:
    explicit ClockPolicy(std::size_t frames) : m_ring(frames), m_use(frames, 0) {}

    std::string_view name() const override { return "clock"; }
    void on_page_added(Pfn pfn) override {
        if (m_hand) {
            m_ring.insert_before(*m_hand, pfn);
        } else {
            m_ring.push_back(pfn);
            m_hand = pfn;
        }
        m_use[pfn_index(pfn)] = 1;
    }
    void on_page_removed(Pfn pfn) override {
        if (!m_ring.contains(pfn))
            return;
        if (m_hand == pfn)
            m_hand = m_ring.size() > 1 ? std::optional<Pfn>(m_ring.next_circular(pfn)) : std::nullopt;
        m_ring.erase(pfn);
        m_use[pfn_index(pfn)] = 0;
    }
    void on_access(Pfn pfn) override { m_use[pfn_index(pfn)] = 1; }
    void on_rotate(Pfn pfn) override { m_use[pfn_index(pfn)] = 1; }

    std::vector<Pfn> choose_victims(std::size_t n, const ReferenceProbe& referenced,
                                    const PageFilter& eligible) override {
        std::vector<Pfn> out;
        // Two revolutions clear every use bit; beyond that only the victims would repeat.
        for (std::size_t scanned = 0; m_hand && out.size() < n && scanned < 2 * m_ring.size() + 1; ++scanned) {
            const Pfn page = *m_hand;
            m_hand = m_ring.next_circular(page);
            if (eligible && !eligible(page))
                continue;  // the hand passes it, its use bit as it was
            std::uint8_t& use = m_use[pfn_index(page)];
            // Both sources are consulted (and cleared), whatever the first said.
            const bool hardware = referenced && referenced(page);
            if (use || hardware) {
                use = 0;
                continue;
            }
            if (std::find(out.begin(), out.end(), page) == out.end())
                out.push_back(page);
        }
        return out;
    }
    std::size_t size() const override { return m_ring.size(); }

private:
    FrameList m_ring;            // circular: the frame after the last is the first
    std::optional<Pfn> m_hand;   // the next frame to examine
    std::vector<std::uint8_t> m_use;
};

}  // namespace

std::unique_ptr<ReplacementPolicy> make_clock_policy(std::size_t frames) {
    return std::make_unique<ClockPolicy>(frames);
}

}  // namespace os::mm
