// Working-set sampling (DAMON's idea, with the hardware's Accessed bit as the probe): which
// pages were touched since the last sample.
#include "os/mm/address_space.h"

namespace os::mm {

std::vector<PageRun> AddressSpace::take_young_pages() {
    std::vector<PageRun> runs;
    bool cleared = false;
    for (const Vma* v = m_vmas.first(); v; v = m_vmas.next(v)) {
        m_page_table.for_each_pte(v->start, v->end, [&](VirtAddr va, Pte& pte) {
            if (!pte_present(pte) || !(pte & kPteAccessed))
                return;
            pte &= ~kPteAccessed;
            cleared = true;
            if (!runs.empty() && runs.back().start + (runs.back().pages << kPageShift) == va)
                ++runs.back().pages;
            else
                runs.push_back(PageRun{va, 1});
        });
    }
    // The CPU must walk again to set Accessed: forget its cached translations.
    if (cleared)
        flush_tlb();
    return runs;
}

}  // namespace os::mm
