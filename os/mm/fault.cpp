// The page-fault path, named as Linux names it (mm/memory.c):
//   translate -> handle_mm_fault -> handle_pte_fault
//     -> do_anonymous_page | do_file_page | do_swap_page | do_wp_page
//
// Any frame allocation may run page reclaim (os/mm/page_reclaim.h), which can take pages
// from this and every other address space. A frame the fault path still needs across an
// allocation is pinned with a reference of its own (reclaim leaves frames with unexpected
// references alone), and a PTE is read after the allocations that precede it.
#include <algorithm>
#include <cassert>
#include <cstring>
#include <vector>

#include "os/mm/address_space.h"
#include "os/mm/anon_vma.h"
#include "os/mm/rmap.h"
#include "os/mm/shared_anon.h"
#include "os/mm/swap.h"

namespace os::mm {

const char* fault_error_name(FaultError e) {
    switch (e) {
    case FaultError::MapError: return "SEGV_MAPERR";
    case FaultError::AccessError: return "SEGV_ACCERR";
    case FaultError::BusError: return "SIGBUS";
    case FaultError::OutOfMemory: return "out of memory";
    }
    return "?";
}

std::expected<Translation, FaultError> AddressSpace::translate(VirtAddr va, Access access, Requester by) {
    // The walk looks only at bits 12..47: a non-canonical address such as
    // 0xffff'0000'0001'0000 would alias the user page at 0x10000.
    if (va >= kUserTop) {
        ++m_faults.errors;
        return std::unexpected(FaultError::MapError);
    }
    // At most two rounds: the walk, and the walk again after the fault was resolved.
    for (int round = 0; round < 2; ++round) {
        Pte* pte = m_page_table.walk(va, Alloc::No);
        if (pte && pte_present(*pte)) {
            Pte e = *pte;
            bool ok = access == Access::Read || (access == Access::Write && (e & kPteWritable)) ||
                      (access == Access::Execute && !(e & kPteNoExec));
            if (ok) {
                // The CPU sets Accessed on every fill and Dirty on a write. Write permission
                // goes into the TLB only once the page is dirty, so the first write after a
                // read fill comes back here to set Dirty.
                e |= kPteAccessed;
                if (access == Access::Write)
                    e |= kPteDirty;
                *pte = e;
                Translation t{e & kPteAddrMask, kTransRead};
                if ((e & kPteWritable) && (e & kPteDirty))
                    t.perms |= kTransWrite;
                if (!(e & kPteNoExec)) {
                    t.perms |= kTransExec;
                    m_pmem.info(pte_pfn(e)).had_exec_mapping = true;
                }
                return t;
            }
        }
        if (round == 1)
            break;
        m_stack_grew = false;
        const std::uint64_t faults_before = m_faults.minor + m_faults.major;
        m_cpu_fill_page = by == Requester::Cpu ? page_round_down(va) : kNoPage;
        auto r = handle_mm_fault(va, access);
        m_cpu_fill_page = kNoPage;
        if (!r) {
            ++m_faults.errors;
            return std::unexpected(r.error());
        }
        FaultObserver* observer = m_pmem.fault_observer();
        if (observer && m_faults.minor + m_faults.major != faults_before) {
            const Pte* resolved = m_page_table.lookup(page_round_down(va));
            observer->on_fault(FaultRecord{this, va, access, m_last_kind, m_last_major, m_stack_grew,
                                           resolved ? pte_pfn(*resolved) : Pfn{}, m_vmas.find_vma(va)});
        }
    }
    // A resolved fault always yields a permitted PTE; getting here is a bug in the resolver.
    return std::unexpected(FaultError::AccessError);
}

// Finds the VMA, checks the access against it, and resolves the PTE.
std::expected<void, FaultError> AddressSpace::handle_mm_fault(VirtAddr va, Access access) {
    Vma* vma = m_vmas.find_vma(va);
    if (!vma)
        return std::unexpected(FaultError::MapError);
    if (vma->start > va) {
        if (!(vma->flags & kVmGrowsDown) || !expand_stack(*vma, va))
            return std::unexpected(FaultError::MapError);
    }
    bool allowed = false;
    switch (access) {
    case Access::Read: allowed = (vma->prot & (kProtRead | kProtWrite | kProtExec)) != 0; break;
    case Access::Write: allowed = vma->writable(); break;
    case Access::Execute: allowed = vma->executable(); break;
    }
    if (!allowed)
        return std::unexpected(FaultError::AccessError);
    Pte* pte = m_page_table.walk(va, Alloc::Yes);
    if (!pte)
        return std::unexpected(FaultError::OutOfMemory);
    return handle_pte_fault(*vma, va, access, *pte);
}

std::expected<void, FaultError> AddressSpace::handle_pte_fault(Vma& vma, VirtAddr va, Access access, Pte& pte) {
    if (is_swap_pte(pte))
        return do_swap_page(vma, va, access, pte);
    if (!pte_has_frame(pte))
        return vma.is_anonymous() ? do_anonymous_page(vma, va, access, pte) : do_file_page(vma, va, access, pte);
    if (!pte_present(pte)) {
        // PROT_NONE page whose VMA now allows access (protection changed): restore it.
        pte = (pte & ~kPteSoftProtNone) | kPtePresent;
    }
    if (access == Access::Write && !(pte & kPteWritable))
        return do_wp_page(vma, va, pte);
    // Present and permitted after all (another path fixed it up): nothing to do.
    return {};
}

Pte AddressSpace::leaf_flags(const Vma& vma, bool writable_now) const {
    Pte flags = kPtePresent | kPteUser | kPteAccessed;
    if (writable_now)
        flags |= kPteWritable | kPteDirty;
    if (!vma.executable())
        flags |= kPteNoExec;
    return flags;
}

void AddressSpace::count(FaultKind kind, bool major) {
    if (kind != FaultKind::StackGrowth) {
        m_last_kind = kind;
        m_last_major = major;
    }
    ++m_faults.by_kind[static_cast<int>(kind)];
    if (major)
        ++m_faults.major;
    else
        ++m_faults.minor;
}

// anon_vma_prepare() with find_mergeable_anon_vma(): a neighbour that could merge with
// `vma` but for its protection lends its anon_vma (next first, then previous); otherwise a
// new one (the only allocation on the fault path, once per VMA, not per page).
void AddressSpace::anon_vma_prepare(Vma& vma) {
    if (vma.anon_vma)
        return;
    auto compatible = [](const Vma& a, const Vma& b) {  // anon_vma_compatible(a, b), a below b
        return a.end == b.start && a.file == b.file && a.origin == b.origin && a.flags == b.flags &&
               (a.file ? a.file_offset + a.size() == b.file_offset
                       : a.anon_pgoff + (a.size() >> kPageShift) == b.anon_pgoff);
    };
    if (const Vma* next = m_vmas.next(&vma); next && next->anon_vma && compatible(vma, *next))
        anon_vma_assign(vma, next->anon_vma);
    else if (const Vma* prev = m_vmas.prev(&vma); prev && prev->anon_vma && compatible(*prev, vma))
        anon_vma_assign(vma, prev->anon_vma);
    else
        anon_vma_assign(vma, AnonVma::create());
}

// Untouched anonymous memory: a read maps the shared zero frame copy-on-write; a write
// gets a fresh zeroed frame. Shared anonymous memory maps its object's page (shmem_fault),
// which another mapping of it, in this or another address space, may have made already.
std::expected<void, FaultError> AddressSpace::do_anonymous_page(Vma& vma, VirtAddr va, Access access, Pte& pte) {
    if (vma.is_shared())
        return do_shared_anon_page(vma, va, access, pte);
    if (access != Access::Write) {
        pte = make_pte(m_pmem.zero_frame(), leaf_flags(vma, false) | kPteSoftCow);
        count(FaultKind::ZeroPage, false);
        return {};
    }
    anon_vma_prepare(vma);
    auto pfn = m_pmem.allocate(FrameUse::Anonymous);
    if (!pfn)
        return std::unexpected(FaultError::OutOfMemory);
    page_add_new_anon_rmap(m_pmem, *pfn, vma, va);
    m_pmem.info(*pfn).mapcount = 1;
    add_resident_page();
    pte = make_pte(*pfn, leaf_flags(vma, vma.writable()));
    if (access != Access::Write)
        pte &= ~kPteDirty;
    count(FaultKind::DemandZero, false);
    return {};
}

// shmem_fault() for MAP_SHARED|MAP_ANONYMOUS memory: the object's page at the VMA's page
// offset, made on first use; beyond the object's size SIGBUS (shmem's i_size check).
std::expected<void, FaultError> AddressSpace::do_shared_anon_page(Vma& vma, VirtAddr va, Access access, Pte& pte) {
    SharedAnonObject* object = shared_anon_object(vma);
    const std::uint64_t pgoff = vma.linear_page_index(va);
    if (!object || pgoff >= object->size_pages())
        return std::unexpected(FaultError::BusError);
    ShmemFault how = ShmemFault::Found;
    auto pfn = object->get_page(pgoff, &how);
    if (!pfn)
        return std::unexpected(pfn.error());
    if (how == ShmemFault::Found)
        m_pmem.mark_page_accessed(*pfn);
    m_pmem.get(*pfn);
    ++m_pmem.info(*pfn).mapcount;
    add_resident_page();
    pte = make_pte(*pfn, leaf_flags(vma, vma.writable()));
    if (access != Access::Write)
        pte &= ~kPteDirty;
    switch (how) {
    case ShmemFault::Allocated: count(FaultKind::DemandZero, false); break;
    case ShmemFault::Found: count(FaultKind::PageCacheHit, false); break;
    case ShmemFault::SwapIn: count(FaultKind::SwapIn, true); break;
    case ShmemFault::SwapCacheHit: count(FaultKind::SwapCacheHit, false); break;
    }
    return {};
}

// Linux's fault-around (do_read_fault -> do_fault_around -> filemap_map_pages): a read
// fault on a file mapping also maps the pages around it, within the 64 KiB-aligned window
// (fault_around_bytes), the page table and the VMA, that the page cache already holds and
// that lie within the file. Nothing is read for them that is not cached, and they count as
// no fault.
void AddressSpace::fault_around(const Vma& vma, VirtAddr va) {
    constexpr std::uint64_t kWindow = 16 * kPageSize;
    constexpr std::uint64_t kTableSpan = 512 * kPageSize;
    const VirtAddr from = std::max(va & ~(kWindow - 1), vma.start);
    const VirtAddr to = std::min({(from & ~(kTableSpan - 1)) + kTableSpan, vma.end, from + kWindow});
    if (to - from <= kPageSize)
        return;
    const std::uint64_t first = vma.file_offset_of(from) >> kPageShift;
    const std::uint64_t count = (to - from) >> kPageShift;
    const std::uint64_t file_pages = page_round_up(vma.file->size()) >> kPageShift;
    const std::vector<std::uint8_t> cached = vma.file->cached(first, count);
    for (std::uint64_t i = 0; i < count; ++i) {
        const VirtAddr a = from + (i << kPageShift);
        if (a == page_round_down(va) || !cached[i] || first + i >= file_pages)
            continue;
        Pte* pte = m_page_table.walk(a, Alloc::No);  // the faulting page's table
        if (!pte || *pte != 0)
            continue;
        bool major = false;
        auto page = vma.file->get_page(first + i, &major);
        if (!page)
            break;
        m_pmem.get(*page);
        ++m_pmem.info(*page).mapcount;
        add_resident_page();
        if (vma.is_shared())
            *pte = make_pte(*page, leaf_flags(vma, vma.writable())) & ~kPteDirty;
        else
            *pte = make_pte(*page, leaf_flags(vma, false) | kPteSoftCow);
    }
}

// A file page comes from the page cache (read from the file on a miss: a major fault).
// A shared mapping maps the cached frame itself, writable if the VMA is, with Dirty telling
// write-back which pages changed. A private mapping maps it write-protected, so the first
// write copies it (do_wp_page); a write fault copies straight away (Linux do_cow_fault).
std::expected<void, FaultError> AddressSpace::do_file_page(Vma& vma, VirtAddr va, Access access, Pte& pte) {
    bool major = false;
    auto page = vma.file->get_page(vma.file_offset_of(va) >> kPageShift, &major);
    if (!page)
        return std::unexpected(page.error());
    const FaultKind kind = major ? FaultKind::FilePage : FaultKind::PageCacheHit;
    if (!major)
        m_pmem.mark_page_accessed(*page);
    if (!vma.is_shared() && access == Access::Write) {
        anon_vma_prepare(vma);
        m_pmem.get(*page);  // pinned: the allocation may reclaim the page-cache page
        auto copy = m_pmem.allocate(FrameUse::Anonymous, Fill::CallerOverwrites);
        if (copy)
            std::memcpy(m_pmem.frame_data(*copy), m_pmem.frame_data(*page), kPageSize);
        m_pmem.put(*page);
        if (!copy)
            return std::unexpected(FaultError::OutOfMemory);
        page_add_new_anon_rmap(m_pmem, *copy, vma, va);
        m_pmem.info(*copy).mapcount = 1;
        add_resident_page();
        pte = make_pte(*copy, leaf_flags(vma, true));
        count(kind, major);
        return {};
    }
    m_pmem.get(*page);
    ++m_pmem.info(*page).mapcount;
    add_resident_page();
    if (vma.is_shared()) {
        pte = make_pte(*page, leaf_flags(vma, vma.writable()));
        if (access != Access::Write)
            pte &= ~kPteDirty;
    } else {
        pte = make_pte(*page, leaf_flags(vma, false) | kPteSoftCow);
    }
    count(kind, major);
    if (access != Access::Write) {
        // Reading the pages around may allocate, and reclaim must not take this one back
        // before the access it was faulted in for.
        m_pmem.get(*page);
        fault_around(vma, va);
        m_pmem.put(*page);
    }
    return {};
}

// A write to a present, write-protected page of a writable VMA. A shared mapping's page is
// the object's own: it just becomes writable (wp_page_shared). A private mapping's page is
// copy-on-write (wp_page_copy), unless it can be reused (wp_can_reuse_anon_folio): an
// anonymous page this PTE alone maps and nothing else holds, as after a fork once the other
// side has copied it or exited. Page-cache pages and the zero frame are always copied.
std::expected<void, FaultError> AddressSpace::do_wp_page(Vma& vma, VirtAddr va, Pte& pte, CountFault counted) {
    if (vma.is_shared()) {
        pte = (pte & ~kPteSoftCow) | kPteWritable | kPteDirty | kPteAccessed;
        return {};
    }
    const Pfn old = pte_pfn(pte);
    const bool zero = m_pmem.is_zero_frame(old);
    if (!zero && can_reuse_anon_page(old)) {
        pte = (pte & ~kPteSoftCow) | kPteWritable | kPteDirty | kPteAccessed;
        if (counted == CountFault::Yes)
            count(FaultKind::CowReuse, false);
        return {};
    }
    anon_vma_prepare(vma);
    // The copy overwrites the whole frame; a copy of the zero frame must be zeroed.
    if (!zero)
        m_pmem.get(old);  // pinned: the allocation may run reclaim, which must leave it alone
    auto pfn = m_pmem.allocate(FrameUse::Anonymous, zero ? Fill::Zero : Fill::CallerOverwrites);
    if (!pfn) {
        if (!zero)
            m_pmem.put(old);
        return std::unexpected(FaultError::OutOfMemory);
    }
    page_add_new_anon_rmap(m_pmem, *pfn, vma, va);
    if (!zero) {
        std::memcpy(m_pmem.frame_data(*pfn), m_pmem.frame_data(old), kPageSize);
        drop_mapping(old);
        m_pmem.put(old);
    } else {
        add_resident_page();
    }
    m_pmem.info(*pfn).mapcount = 1;
    pte = make_pte(*pfn, leaf_flags(vma, true));
    // The old translation (read-only, old frame) may be cached: drop it. Not when the CPU
    // is filling this very page: the entry it installs next replaces the cached one (QEMU's
    // tlb_set_page drops any translation of the page first), and a full flush for every
    // copy-on-write fault cost three times the fault itself. Executable pages still flush:
    // the CPU also finds translated code by virtual address (tb_jmp_cache), which only a
    // flush forgets.
    const bool refilled_next = m_cpu_fill_page == page_round_down(va) && !vma.executable();
    if (m_mmu && !refilled_next)
        m_mmu->flush_tlb();
    if (counted == CountFault::Yes)
        count(zero ? FaultKind::DemandZero : FaultKind::CowCopy, false);
    return {};
}

bool AddressSpace::can_reuse_anon_page(Pfn pfn) {
    const FrameInfo& f = m_pmem.info(pfn);
    if (f.rmap != RmapKind::Anon || f.mapcount != 1)
        return false;
    // wp_can_reuse_anon_folio(): a swap-cache page whose slot no other PTE holds leaves the
    // cache (the write makes the slot stale); one whose slot others hold is shared.
    if (f.swap_cache && !m_pmem.swap()->try_to_free_swap(pfn))
        return false;
    return f.refcount == 1;
}

void AddressSpace::drop_mapping(Pfn pfn) {
    FrameInfo& f = m_pmem.info(pfn);
    --f.mapcount;
    if (f.swap_cache && f.mapcount == 0)
        m_pmem.swap()->free_swap_cache(pfn);
    m_pmem.put(pfn);
}

// do_swap_page(): a PTE holding a swap entry. The page comes from the swap cache (a minor
// fault: another PTE holding the entry swapped it in, or reclaim kept it there) or is read
// from its slot into a frame that joins the swap cache (a major fault). This PTE lets go
// of the slot. When no other PTE holds the slot and nothing else maps the page, the page is
// this process's alone and is mapped writable if the VMA is (a write fault also takes it
// out of the swap cache, as the slot is about to be stale; a read leaves it there, clean, so
// that reclaim can drop it again without writing). Otherwise it is shared copy-on-write with
// whoever else holds it, and a write fault goes on to copy it (do_wp_page), counted once.
std::expected<void, FaultError> AddressSpace::do_swap_page(Vma& vma, VirtAddr va, Access access, Pte& pte) {
    Swap* swap = m_pmem.swap();
    const SwapEntry entry = pte_to_swp_entry(pte);
    assert(swap && swap->area().valid(entry));
    bool major = false;
    auto page = swap->swapin(entry, FrameUse::Anonymous, &major);
    if (!page)
        return std::unexpected(page.error());
    FrameInfo& f = m_pmem.info(*page);
    if (f.rmap == RmapKind::None) {
        // Just read: the page is anon_vma's page at this index, wherever else it is mapped
        // (fork and mremap keep both).
        anon_vma_prepare(vma);
        page_add_new_anon_rmap(m_pmem, *page, vma, va);
    } else {
        m_pmem.mark_page_accessed(*page);
    }
    assert(f.rmap == RmapKind::Anon && f.anon_vma == vma.anon_vma && f.index == vma.linear_page_index(va));
    swap->swap_free(entry);
    --m_swap_entries;
    const bool exclusive = f.mapcount == 0 && swap->area().swap_count(entry) == 0;
    m_pmem.get(*page);
    ++f.mapcount;
    add_resident_page();
    if (exclusive) {
        const bool write = access == Access::Write;
        if (write)
            swap->try_to_free_swap(*page);
        pte = make_pte(*page, leaf_flags(vma, vma.writable()));
        if (!write)
            pte &= ~kPteDirty;
    } else {
        pte = make_pte(*page, leaf_flags(vma, false) | kPteSoftCow);
    }
    count(major ? FaultKind::SwapIn : FaultKind::SwapCacheHit, major);
    if (!exclusive && access == Access::Write)
        return do_wp_page(vma, va, pte, CountFault::No);
    return {};
}

// Grows a VM_GROWSDOWN VMA down to cover `va`, within RLIMIT_STACK and keeping the stack
// guard gap above the previous VMA (Linux expand_downwards).
bool AddressSpace::expand_stack(Vma& vma, VirtAddr va) {
    const VirtAddr new_start = page_round_down(va);
    if (vma.end - new_start > m_stack_limit)
        return false;
    if (const Vma* prev = m_vmas.prev(&vma)) {
        if (new_start < prev->end || new_start - prev->end < kStackGuardGap)
            return false;
    }
    m_vmas.set_range(&vma, new_start, vma.end);
    count(FaultKind::StackGrowth, false);
    m_stack_grew = true;
    // Counted as a kind of its own; the page itself is then faulted in as usual.
    --m_faults.minor;
    return true;
}

}  // namespace os::mm
