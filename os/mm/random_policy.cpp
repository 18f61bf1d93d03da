// RANDOM: victims are drawn uniformly from the resident pages, ignoring references; the
// baseline the other policies are measured against. The generator is seeded (std::mt19937_64,
// whose output the C++ standard fixes) and reduced with a plain modulo, so a seed gives the
// same victims on every platform.
#include <algorithm>
#include <random>

#include "os/mm/replacement_policy.h"

namespace os::mm {

namespace {

class RandomPolicy final : public ReplacementPolicy {
public:
    RandomPolicy(std::size_t frames, std::uint64_t seed) : m_slot(frames, kNone), m_rng(seed) {}

    std::string_view name() const override { return "random"; }
    void on_page_added(Pfn pfn) override {
        m_slot[pfn_index(pfn)] = static_cast<std::uint32_t>(m_pages.size());
        m_pages.push_back(pfn);
    }
    void on_page_removed(Pfn pfn) override {
        const std::uint32_t i = m_slot[pfn_index(pfn)];
        if (i == kNone)
            return;
        // Swap-remove: the last page takes the removed one's place.
        m_pages[i] = m_pages.back();
        m_slot[pfn_index(m_pages[i])] = i;
        m_pages.pop_back();
        m_slot[pfn_index(pfn)] = kNone;
    }
    void on_access(Pfn) override {}
    void on_rotate(Pfn) override {}

    std::vector<Pfn> choose_victims(std::size_t n, const ReferenceProbe&, const PageFilter& eligible) override {
        if (eligible) {
            std::vector<Pfn> pages;
            for (Pfn p : m_pages)
                if (eligible(p))
                    pages.push_back(p);
            return draw(pages, n);
        }
        return draw(m_pages, n);
    }
    std::size_t size() const override { return m_pages.size(); }

private:
    // n distinct pages of `pages`, drawn uniformly.
    std::vector<Pfn> draw(const std::vector<Pfn>& pages, std::size_t n) {
        std::vector<Pfn> out;
        n = std::min(n, pages.size());
        while (out.size() < n) {
            const Pfn p = pages[m_rng() % pages.size()];
            if (std::find(out.begin(), out.end(), p) == out.end())
                out.push_back(p);
        }
        return out;
    }

    static constexpr std::uint32_t kNone = ~std::uint32_t{0};
    std::vector<Pfn> m_pages;           // resident pages, in no particular order
    std::vector<std::uint32_t> m_slot;  // each frame's index in m_pages
    std::mt19937_64 m_rng;
};

}  // namespace

std::unique_ptr<ReplacementPolicy> make_random_policy(std::size_t frames, std::uint64_t seed) {
    return std::make_unique<RandomPolicy>(frames, seed);
}

}  // namespace os::mm
