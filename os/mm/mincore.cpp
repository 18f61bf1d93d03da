// mincore(): which pages are resident (Linux mm/mincore.c do_mincore).
//
// A page is resident when its PTE holds a frame (the shared zero frame and PROT_NONE pages
// included, as on Linux). A swapped-out page is resident only while the swap cache still
// has it (mincore_pte_range() asks the swap cache for a swap entry). For a page with no PTE, a file mapping reports whether the page
// cache holds the page, whoever mapped or read it (mincore_page(); the host's page cache
// counts, see CachedFile::cached()); shared anonymous memory
// whether another mapping of the same object has it; private anonymous memory 0. Linux
// reveals page-cache residency only to a process that could open the file for writing;
// for other files every page reads as resident.
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "os/mm/address_space.h"
#include "os/mm/shared_anon.h"
#include "os/mm/swap.h"

namespace os::mm {

using linux_abi::Errno;

KResult<std::uint64_t> AddressSpace::residency(VirtAddr start, std::uint64_t pages, std::uint8_t* vec) {
    const Vma* vma = m_vmas.find_containing(start);
    if (!vma)
        return err(Errno::enomem);
    const VirtAddr end = pages > (vma->end - start) >> kPageShift ? vma->end : start + (pages << kPageShift);
    const std::uint64_t n = (end - start) >> kPageShift;
    // can_do_mincore()
    if (vma->file && !vma->file->may_reveal_residency()) {
        std::fill(vec, vec + n, std::uint8_t{1});
        return n;
    }
    std::vector<std::uint8_t> cached;
    if (vma->file)
        cached = vma->file->cached(vma->file_offset_of(start) >> kPageShift, n);
    for (std::uint64_t i = 0; i < n; ++i) {
        const VirtAddr va = start + (i << kPageShift);
        const Pte* pte = m_page_table.lookup(va);
        std::uint8_t resident = 0;
        if (pte && pte_has_frame(*pte))
            resident = 1;
        else if (pte && is_swap_pte(*pte))
            resident = m_pmem.swap()->cache().lookup(pte_to_swp_entry(*pte)).has_value();
        else if (vma->file)
            resident = cached[i];
        else if (vma->is_shared())
            resident = shared_anon_object(*vma)->find_page(vma->linear_page_index(va)).has_value();
        vec[i] = resident;
    }
    return n;
}

}  // namespace os::mm
