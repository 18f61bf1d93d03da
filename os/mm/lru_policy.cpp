// LRU: the page whose last reference is oldest goes first.
//
// What "exact" means here. The policy orders pages by the last reference it learned of:
//   - every event it is told of is a reference: a page is added (the fault that brought it
//     in) or accessed (a fault that found it resident, mark_page_accessed);
//   - before choosing victims it asks about every page, least recently used first, whether
//     its Accessed bits were set since the last such scan; each page that says yes moves to
//     the most-recently-used end, in scan order.
// When every reference is an event (a reference string run through the policy, as the unit
// tests do) this is exact LRU, and its fault counts are the textbook's. For a program
// running on the emulated CPU, references that hit the TLB leave only an Accessed bit, so
// the order among pages referenced between two reclaim rounds is their previous order:
// exact at the granularity of one reclaim round, the most any policy can know without
// faulting on every access. (Linux's two-list approximation knows less.)
#include "os/mm/frame_list.h"
#include "os/mm/replacement_policy.h"

namespace os::mm {

namespace {

class LruPolicy final : public ReplacementPolicy {
public:
    explicit LruPolicy(std::size_t frames) : m_list(frames) {}

    std::string_view name() const override { return "lru"; }
    void on_page_added(Pfn pfn) override { m_list.push_back(pfn); }
    void on_page_removed(Pfn pfn) override {
        if (m_list.contains(pfn))
            m_list.erase(pfn);
    }
    void on_access(Pfn pfn) override {
        if (m_list.contains(pfn))
            m_list.move_to_back(pfn);
    }
    void on_rotate(Pfn pfn) override { on_access(pfn); }

    std::vector<Pfn> choose_victims(std::size_t n, const ReferenceProbe& referenced,
                                    const PageFilter& eligible) override {
        if (referenced) {
            // One pass over the pages as they were ordered when it began.
            std::vector<Pfn> order;
            order.reserve(m_list.size());
            for (auto p = m_list.front(); p; p = m_list.next(*p))
                if (!eligible || eligible(*p))
                    order.push_back(*p);
            for (Pfn p : order)
                if (referenced(p))
                    m_list.move_to_back(p);
        }
        std::vector<Pfn> out;
        for (auto p = m_list.front(); p && out.size() < n; p = m_list.next(*p))
            if (!eligible || eligible(*p))
                out.push_back(*p);
        return out;
    }
    std::size_t size() const override { return m_list.size(); }

private:
    FrameList m_list;  // least recently used first
};

}  // namespace

std::unique_ptr<ReplacementPolicy> make_lru_policy(std::size_t frames) { return std::make_unique<LruPolicy>(frames); }

}  // namespace os::mm
