// mremap(): resizing and moving mappings (Linux mm/mremap.c).
//
// A move never copies page contents: the page-table entries themselves move to the new
// range (move_page_tables), so every frame keeps its refcount and mapcount and the
// Accessed/Dirty bits travel with it; the TLB is flushed because the old translations
// are gone. The VMA moves with its anon_vma and its pgoff (anonymous memory that never had
// a page gets a pgoff matching its new address instead, so that it can merge there), and
// is merged with its new neighbours where Linux would merge it.
//
// The argument checks and their order are those of Linux 6.18 (check_mremap_params,
// check_prep_vma), which differ from 6.1 only in that a new length beyond user space is
// EINVAL at once rather than ENOMEM later, and in that a move that does not resize
// (MREMAP_FIXED, old_len == new_len) may span several private anonymous VMAs with gaps
// between them, as 6.17 allowed: each moves to the same offset in the new range.
#include <algorithm>
#include <vector>

#include "os/mm/address_space.h"
#include "os/mm/anon_vma.h"
#include "os/mm/mman.h"

namespace os::mm {

using linux_abi::Errno;

namespace {

enum class RemapType { NoResize, Shrink, Expand };

// The page offset of `addr` in the object `vma` maps: vm_pgoff + the offset into the VMA.
std::uint64_t pgoff_of(const Vma& vma, VirtAddr addr) {
    const std::uint64_t base = vma.file ? vma.file_offset >> kPageShift : vma.anon_pgoff;
    return base + ((addr - vma.start) >> kPageShift);
}

// PAGE_ALIGN() as Linux computes it: wraps to 0 for lengths within a page of 2^64.
constexpr std::uint64_t page_align(std::uint64_t n) { return (n + kPageSize - 1) & kPageMask; }

}  // namespace

KResult<VirtAddr> AddressSpace::remap(VirtAddr addr, std::uint64_t old_len, std::uint64_t new_len,
                                      std::uint64_t flags, VirtAddr new_addr, const RemapLimits& limits) {
    using namespace abi;
    // check_mremap_params()
    if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
        return err(Errno::einval);
    if (!page_aligned(addr))
        return err(Errno::einval);
    old_len = page_align(old_len);
    new_len = page_align(new_len);
    // A zero old_len is the "duplicate a shared mapping" special case; a zero new_len is
    // nonsense.
    if (new_len == 0 || new_len > kUserTop)
        return err(Errno::einval);
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
        if (new_addr > kUserTop - new_len || !page_aligned(new_addr))
            return err(Errno::einval);
        if (!(flags & MREMAP_MAYMOVE))
            return err(Errno::einval);
        if ((flags & MREMAP_DONTUNMAP) && old_len != new_len)
            return err(Errno::einval);
        if (addr + old_len > new_addr && new_addr + new_len > addr)
            return err(Errno::einval);  // the old and new ranges overlap
        // Both ranges may be split in three before anything is unmapped.
        if (m_vmas.size() + 2 >= kMaxMapCount - 3)
            return err(Errno::enomem);
    }

    if (!(flags & MREMAP_FIXED) || old_len != new_len)
        return remap_one(m_vmas.find_containing(addr), addr, old_len, new_len, flags, new_addr, limits);

    // A move without resizing (remap_move): every VMA in [addr, addr + old_len) moves to
    // the same offset in the new range. Several are allowed only for private anonymous
    // memory (other mappings may have their own placement rules); the range must start in
    // a VMA.
    const VirtAddr start = addr, end = addr + old_len;
    VirtAddr target = new_addr, last_end = 0;
    std::optional<VirtAddr> result;
    for (Vma* vma = m_vmas.find_vma(start); vma && vma->start < end;) {
        if (!result && start < vma->start)
            return err(Errno::efault);
        const VirtAddr from = std::max(vma->start, start);
        const std::uint64_t len = std::min(end, vma->end) - from;
        const std::uint64_t gap = result ? vma->start - last_end : 0;
        last_end = vma->end;
        if (!vma->is_anonymous() || vma->is_shared()) {
            if (result || vma->end < end)
                return err(Errno::efault);
        }
        const VirtAddr moved = TRY(remap_one(vma, from, len, len, flags, target + gap, limits));
        if (!result)
            result = moved;
        target = moved + len;
        // Done at the range's end: the VMA there may be the moved one, merged with what the
        // move left behind (MREMAP_DONTUNMAP of memory that never had a page).
        if (last_end >= end)
            break;
        vma = m_vmas.find_vma(last_end);
    }
    if (!result)
        return err(Errno::efault);
    return *result;
}

// check_prep_vma() and mremap_to()/mremap_at() for the VMA containing `addr`.
KResult<VirtAddr> AddressSpace::remap_one(Vma* vma, VirtAddr addr, std::uint64_t old_len, std::uint64_t new_len,
                                          std::uint64_t flags, VirtAddr new_addr, const RemapLimits& limits) {
    using namespace abi;
    if (!vma)
        return err(Errno::efault);
    const bool implies_new_addr = (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0;
    const RemapType type = old_len == new_len  ? RemapType::NoResize
                           : old_len > new_len ? RemapType::Shrink
                                               : RemapType::Expand;
    bool populate_expand = false;
    if (type == RemapType::Expand || implies_new_addr) {
        // Duplicating a private mapping would make an unrelated new one: refused.
        if (old_len == 0 && !vma->is_shared())
            return err(Errno::einval);
        // The (remaining) old range must lie within this one VMA; a shrink may cross VMAs
        // in the part it unmaps.
        const std::uint64_t kept = type == RemapType::Shrink ? new_len : old_len;
        if (kept > vma->end - addr)
            return err(Errno::efault);
        if (new_len != kept) {
            populate_expand = (vma->flags & kVmLocked) != 0;
            const std::uint64_t pgoff = pgoff_of(*vma, addr);
            if (pgoff + (new_len >> kPageShift) < pgoff)
                return err(Errno::einval);
            if ((vma->flags & kVmLocked) && limits.lock_limit != kNoLockLimit &&
                locked_bytes() + (new_len - old_len) > limits.lock_limit)
                return err(Errno::eagain);
        }
    }

    VirtAddr result = 0;
    if (implies_new_addr) {
        // mremap_to()
        if (flags & MREMAP_FIXED) {
            TRY_VOID(unmap(new_addr, new_len));
            // Unmapping the target may have split the VMA the old range is in.
            vma = m_vmas.find_containing(addr);
            if (!vma)
                return err(Errno::efault);
        }
        if (type == RemapType::Shrink) {
            TRY_VOID(unmap(addr + new_len, old_len - new_len));
            old_len = new_len;
            vma = m_vmas.find_containing(addr);
        }
        const VirtAddr to = TRY(get_unmapped_area(new_addr, new_len,
                                                  (flags & MREMAP_FIXED) ? Placement::Fixed : Placement::Hint));
        if (to < kMmapMinAddr && !limits.low_addresses_allowed)
            return err(Errno::eperm);
        result = TRY(move_vma(vma, addr, old_len, new_len, to, flags));
    } else {
        // mremap_at()
        switch (type) {
        case RemapType::NoResize:
            return addr;
        case RemapType::Shrink:
            TRY_VOID(unmap(addr + new_len, old_len - new_len));
            return addr;
        case RemapType::Expand:
            break;
        }
        const std::uint64_t delta = new_len - old_len;
        // Grow in place when the old range ends the VMA and the pages after it are free
        // (vma_expandable()); the extension merges with the next VMA if it now touches a
        // compatible one (vma_merge_extend()).
        const VirtAddr grown_end = vma->end + delta;
        bool in_place = vma->end - addr == old_len && grown_end > vma->end &&
                        !m_vmas.find_overlap(vma->end, grown_end) &&
                        get_unmapped_area(vma->start, grown_end - vma->start, Placement::Fixed).has_value() &&
                        (vma->start >= kMmapMinAddr || limits.low_addresses_allowed);
        if (in_place) {
            m_vmas.set_range(vma, vma->start, grown_end);
            try_merge(vma);
            result = addr;
        } else {
            if (!(flags & MREMAP_MAYMOVE))
                return err(Errno::enomem);
            const VirtAddr to = TRY(get_unmapped_area(0, new_len, Placement::Hint));
            result = TRY(move_vma(vma, addr, old_len, new_len, to, flags));
        }
    }
    // A locked mapping that grew has its new pages faulted in (mm_populate).
    if (populate_expand)
        (void)populate(result + old_len, new_len - old_len, true);
    return result;
}

// move_vma() with copy_vma(): a new VMA for [new_addr, new_addr + new_len) with the old
// one's properties, the page-table entries moved into it, the old range unmapped (unless
// MREMAP_DONTUNMAP).
KResult<VirtAddr> AddressSpace::move_vma(Vma* vma, VirtAddr old_addr, std::uint64_t old_len, std::uint64_t new_len,
                                         VirtAddr new_addr, std::uint64_t flags) {
    // "We'd prefer to avoid failure later on in do_munmap: which may split one vma into
    // three before unmapping."
    if (m_vmas.size() >= kMaxMapCount - 3)
        return err(Errno::enomem);

    auto copy = std::make_unique<Vma>(*vma);  // insert() resets the copied links
    copy->start = new_addr;
    copy->end = new_addr + new_len;
    copy->file_offset = vma->file ? vma->file_offset + (old_addr - vma->start) : vma->file_offset;
    copy->anon_pgoff = vma->anon_pgoff + ((old_addr - vma->start) >> kPageShift);
    // Anonymous memory that never had a page of its own may take the pgoff of its new
    // place, so that it can merge there.
    if (vma->is_anonymous() && !vma->is_shared() && !vma->anon_vma)
        copy->anon_pgoff = new_addr >> kPageShift;
    Vma* moved = m_vmas.insert(std::move(copy));
    if (!moved)
        return err(Errno::enomem);  // the new range is not free: cannot happen

    if (auto r = move_page_tables(old_addr, new_addr, old_len); !r) {
        // Out of frames for the new page tables: nothing moved; drop the new VMA.
        m_vmas.remove(moved);
        return std::unexpected(r.error());
    }

    if (flags & abi::MREMAP_DONTUNMAP) {
        // The old VMA stays, empty, whole: never locked, and with no anon_vma when all of it
        // moved (its pages are gone).
        if (Vma* old = m_vmas.find_containing(old_addr)) {
            old->flags &= ~kVmLockedMask;
            if (old->start == old_addr && old->end == old_addr + old_len)
                anon_vma_assign(*old, nullptr);
        }
    } else {
        // Linux ignores a failure here (a split beyond the map count): the pages have moved.
        (void)unmap(old_addr, old_len);
    }
    if (Vma* v = m_vmas.find_containing(new_addr))
        try_merge(v);
    return new_addr;
}

// move_page_tables(): the non-empty PTEs of [old_addr, old_addr + len) go to the same
// offsets from new_addr. The new page tables are allocated first, so running out of
// frames leaves everything as it was.
KResult<void> AddressSpace::move_page_tables(VirtAddr old_addr, VirtAddr new_addr, std::uint64_t len) {
    if (len == 0)
        return {};
    std::vector<VirtAddr> entries;
    m_page_table.for_each_pte(old_addr, old_addr + len, [&](VirtAddr va, Pte&) { entries.push_back(va); });
    if (entries.empty())
        return {};
    for (VirtAddr va : entries) {
        if (!m_page_table.walk(new_addr + (va - old_addr), Alloc::Yes)) {
            m_page_table.free_empty_tables(new_addr, new_addr + len);
            return err(Errno::enomem);
        }
    }
    // The entries as they are now: allocating the tables may have run reclaim, which turns
    // present entries into swap entries or empty ones. A swap entry moves like any other.
    for (VirtAddr va : entries) {
        Pte* from = m_page_table.walk(va, Alloc::No);
        *m_page_table.walk(new_addr + (va - old_addr), Alloc::No) = *from;
        *from = 0;
    }
    m_page_table.free_empty_tables(old_addr, old_addr + len);
    if (m_mmu)
        m_mmu->flush_tlb();
    return {};
}

}  // namespace os::mm
