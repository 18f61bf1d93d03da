// mlock, munlock, mlockall and population (Linux mm/mlock.c, mm/gup.c __mm_populate).
//
// Locking is a VMA flag (kVmLocked, with kVmLockOnFault for mlock2(MLOCK_ONFAULT)): setting
// it on part of a VMA splits it, clearing it lets the pieces merge again, exactly as
// mprotect does with the protection. Page reclaim (os/mm/page_reclaim.h) never takes a page
// a locked VMA maps; besides that, what locking changes that a program can see is the VMA
// layout, MADV_DONTNEED/FREE being refused, msync(MS_INVALIDATE) being EBUSY, and the pages
// being faulted in at once (populate), swapped-out ones included.
#include <algorithm>

#include "os/mm/address_space.h"
#include "os/mm/mman.h"

namespace os::mm {

using linux_abi::Errno;

std::uint64_t AddressSpace::locked_bytes() const {
    std::uint64_t total = 0;
    for (const Vma& v : m_vmas)
        if (v.flags & kVmLocked)
            total += v.size();
    return total;
}

std::uint64_t AddressSpace::locked_bytes_in(VirtAddr start, std::uint64_t length) const {
    const VirtAddr end = start + length;
    std::uint64_t total = 0;
    for (const Vma* v = m_vmas.find_vma(start); v && v->start < end; v = m_vmas.next(v))
        if (v->flags & kVmLocked)
            total += std::min(end, v->end) - std::max(start, v->start);
    return total;
}

// apply_vma_lock_flags() with mlock_fixup().
KResult<void> AddressSpace::lock_range(VirtAddr start, std::uint64_t length, std::uint32_t lock_flags) {
    const VirtAddr end = start + length;
    if (end < start)
        return err(Errno::einval);
    if (end == start)
        return {};
    Vma* vma = m_vmas.find_containing(start);
    if (!vma)
        return err(Errno::enomem);
    for (VirtAddr nstart = start;;) {
        const std::uint32_t flags = (vma->flags & ~kVmLockedMask) | lock_flags;
        const VirtAddr tmp = std::min(vma->end, end);
        Vma* prev = TRY(modify_vma(vma, nstart, tmp, vma->prot, flags));
        nstart = std::max(tmp, prev->end);
        if (nstart >= end)
            return {};
        vma = m_vmas.next(prev);
        if (!vma || vma->start != nstart)
            return err(Errno::enomem);
    }
}

// apply_mlockall_flags(): errors on single VMAs (the map-count limit) are ignored.
void AddressSpace::lock_all(std::uint64_t mcl_flags) {
    m_def_flags &= ~kVmLockedMask;
    if (mcl_flags & abi::MCL_FUTURE) {
        m_def_flags |= kVmLocked;
        if (mcl_flags & abi::MCL_ONFAULT)
            m_def_flags |= kVmLockOnFault;
        if (!(mcl_flags & abi::MCL_CURRENT))
            return;
    }
    std::uint32_t to_add = 0;
    if (mcl_flags & abi::MCL_CURRENT) {
        to_add |= kVmLocked;
        if (mcl_flags & abi::MCL_ONFAULT)
            to_add |= kVmLockOnFault;
    }
    for (Vma* vma = m_vmas.first(); vma;) {
        const VirtAddr end = vma->end;
        const std::uint32_t flags = (vma->flags & ~kVmLockedMask) | to_add;
        auto merged = modify_vma(vma, vma->start, vma->end, vma->prot, flags);
        vma = m_vmas.find_vma(merged ? std::max(end, (*merged)->end) : end);
    }
}

// __mm_populate()
KResult<void> AddressSpace::populate(VirtAddr start, std::uint64_t length, bool ignore_errors) {
    const VirtAddr end = start + length;
    for (VirtAddr nstart = start; nstart < end;) {
        const Vma* vma = m_vmas.find_vma(nstart);
        if (!vma || vma->start >= end)
            break;
        nstart = std::max(nstart, vma->start);
        const VirtAddr nend = std::min(end, vma->end);
        auto r = populate_vma(*vma, nstart, nend);
        if (!r && !ignore_errors)
            return r;
        nstart = nend;
    }
    return {};
}

// populate_vma_page_range() through __get_user_pages(): write faults for private writable
// mappings (to break copy-on-write; shared ones would only be dirtied), read faults
// otherwise; an inaccessible mapping fails at once (no FOLL_FORCE for PROT_NONE).
KResult<void> AddressSpace::populate_vma(const Vma& vma, VirtAddr start, VirtAddr end) {
    if (vma.flags & kVmLockOnFault)
        return {};
    if (!(vma.prot & (kProtRead | kProtWrite | kProtExec)))
        return err(Errno::efault);
    const Access access = (vma.writable() && !vma.is_shared()) ? Access::Write : Access::Read;
    for (VirtAddr va = start; va < end; va += kPageSize) {
        if (auto t = translate(va, access, Requester::Kernel); !t)
            return err(t.error() == FaultError::OutOfMemory ? Errno::enomem : Errno::efault);
    }
    return {};
}

}  // namespace os::mm
