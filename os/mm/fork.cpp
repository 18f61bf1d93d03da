// fork() of an address space: Linux's dup_mmap() (kernel/fork.c) and copy_page_range()
// (mm/memory.c).
//
// The child gets copies of the parent's VMAs and of its page-table entries, never of its
// pages: a private page becomes copy-on-write in both address spaces (write-protected and
// marked kPteSoftCow, so that mprotect cannot make it writable again), and the first write
// on either side goes through do_wp_page, which copies it or, once the other side no longer
// maps it, reuses it. Shared pages stay shared with the permissions they have. Every frame
// gains one reference and one mapping per PTE copied; the zero frame is not counted. A
// PTE holding a swap entry is copied as it is, and its swap slot gains a user.
//
// The child's VMAs join the same reverse-map lists as the parent's (its anon_vmas and
// shared objects: os/mm/rmap.h), as in Linux before 2.6.34, so a page can be found in every
// process that maps it.
#include <cassert>
#include <memory>
#include <new>

#include "os/mm/address_space.h"
#include "os/mm/swap.h"

namespace os::mm {

namespace {

constexpr unsigned kPtesPerTable = 512;
constexpr std::uint64_t kTableSpan = kPtesPerTable * kPageSize;  // what one leaf table maps

}  // namespace

std::unique_ptr<AddressSpace> AddressSpace::fork(MmuNotifier* child_mmu) {
    std::unique_ptr<AddressSpace> child;
    try {
        child = std::make_unique<AddressSpace>(m_pmem, child_mmu);
    } catch (const std::bad_alloc&) {
        return nullptr;  // no frame for the child's root table
    }
    child->m_start_brk = m_start_brk;
    child->m_brk = m_brk;
    child->m_stack_limit = m_stack_limit;
    child->layout = layout;
    // mm->def_flags is not inherited (mlockall(MCL_FUTURE) holds for this process only).

    bool write_protected = false;
    bool ok = true;
    for (const Vma& vma : m_vmas) {
        if (vma.flags & kVmDontCopy)
            continue;
        auto copy = std::make_unique<Vma>(vma);  // insert() resets the links
        copy->flags &= ~kVmLockedMask;           // locks are not inherited
        // VM_WIPEONFORK: a clean slate, with an anon_vma of its own from its first fault.
        const bool wipe = (vma.flags & kVmWipeOnFork) != 0;
        if (wipe)
            copy->anon_vma = nullptr;
        [[maybe_unused]] Vma* inserted = child->m_vmas.insert(std::move(copy));
        assert(inserted);
        if (vma.file)
            child->note_file_mapped(vma.file);
        if (!wipe && !copy_page_range(*child, vma, write_protected)) {
            ok = false;
            break;
        }
    }
    // Parent PTEs lost write permission: cached translations may still grant it. Once for
    // the whole copy, not per page.
    if (write_protected)
        flush_tlb();
    if (!ok)
        return nullptr;  // the child's teardown gives back everything it holds
    return child;
}

// copy_page_range() for one VMA: walks only the page tables the parent has (a VMA of
// gigabytes with a few resident pages costs a few tables), allocating the child's tables as
// it finds entries to copy.
bool AddressSpace::copy_page_range(AddressSpace& child, const Vma& vma, bool& write_protected) {
    // is_cow_mapping(): private mappings may always be written (VM_MAYWRITE), so every
    // private page is copy-on-write.
    const bool cow = !vma.is_shared();
    Pte* dst_table = nullptr;
    VirtAddr dst_table_base = 1;  // no leaf table starts here
    bool ok = true;
    m_page_table.for_each_pte(vma.start, vma.end, [&](VirtAddr va, Pte& src) {
        if (!ok)
            return;
        // The child's table first: allocating it may run reclaim, which may swap out the
        // very page `src` maps, so `src` is read only afterwards.
        const VirtAddr table_base = va & ~(kTableSpan - 1);
        if (table_base != dst_table_base) {
            Pte* pte = child.m_page_table.walk(va, Alloc::Yes);
            if (!pte) {
                ok = false;
                return;
            }
            dst_table = pte - ((va >> kPageShift) & (kPtesPerTable - 1));
            dst_table_base = table_base;
        }
        Pte& dst = dst_table[(va >> kPageShift) & (kPtesPerTable - 1)];
        if (src == 0)
            return;
        if (is_swap_pte(src)) {
            // copy_nonpresent_pte(): the child holds the slot too (swap_duplicate).
            m_pmem.swap()->swap_duplicate(pte_to_swp_entry(src));
            child.note_swap_entry();
            dst = src;
            return;
        }
        assert(pte_has_frame(src));
        // copy_present_pte()
        const Pfn pfn = pte_pfn(src);
        if (!m_pmem.is_zero_frame(pfn)) {
            m_pmem.get(pfn);
            ++m_pmem.info(pfn).mapcount;
            child.add_resident_page();
            if (cow) {
                write_protected |= (src & kPteWritable) != 0;
                src = (src & ~kPteWritable) | kPteSoftCow;
            }
        }
        // The child's entry is old, and a shared page is clean in it: the parent's PTE still
        // says whether the page must be written back.
        Pte pte = src & ~kPteAccessed;
        if (vma.is_shared())
            pte &= ~kPteDirty;
        dst = pte;
    });
    return ok;
}

}  // namespace os::mm
