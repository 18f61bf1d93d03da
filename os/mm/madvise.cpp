// madvise() (Linux mm/madvise.c).
//
// Every advice Linux 6.1 accepts on a kernel with KSM and transparent huge pages is
// accepted, with Linux's checks. Advice that sets a VMA flag (NORMAL, RANDOM, SEQUENTIAL,
// DONTFORK, DOFORK, WIPEONFORK, KEEPONFORK, DONTDUMP, DODUMP, MERGEABLE, UNMERGEABLE,
// HUGEPAGE, NOHUGEPAGE) splits and merges VMAs as Linux does; fork() reads DONTFORK and
// WIPEONFORK, nothing reads the others yet (no core dumps, no KSM, no huge pages). What acts:
//   DONTNEED, DONTNEED_LOCKED  private pages are dropped (anonymous memory reads zero, a
//                              private file mapping the file again); shared pages stay in
//                              their object, so only their PTEs go
//   FREE                       checked, then nothing: Linux frees lazily, only under memory
//                              pressure; faultline's reclaim swaps such pages like any other,
//                              so the contents stay as they would on an idle Linux machine
//   REMOVE                     punches a hole in the shared file (or shared anonymous
//                              object): the range reads zero afterwards
//   WILLNEED                   reads a file mapping's pages into the page cache
//   POPULATE_READ/WRITE        faults the pages in, reporting failures
//   COLD, PAGEOUT              checked, then nothing (reclaim goes by its replacement policy)
//   COLLAPSE                   checked as Linux checks whether a VMA could hold huge pages,
//                              then nothing
// MADV_HWPOISON and MADV_SOFT_OFFLINE need CONFIG_MEMORY_FAILURE, MADV_GUARD_INSTALL and
// GUARD_REMOVE Linux 6.13: EINVAL, as for any unknown advice.
#include <algorithm>

#include "os/mm/address_space.h"
#include "os/mm/shared_anon.h"
#include "os/mm/mman.h"

namespace os::mm {

using linux_abi::Errno;
using namespace abi;

namespace {

bool advice_valid(int advice) {
    switch (advice) {
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_FREE:
    case MADV_REMOVE:
    case MADV_DONTFORK:
    case MADV_DOFORK:
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE:
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
    case MADV_DONTNEED_LOCKED:
    case MADV_COLLAPSE:
        return true;
    default:
        return false;
    }
}

constexpr std::uint64_t kHugePageSize = 2ull << 20;

// hugepage_vma_check() as MADV_COLLAPSE asks it, for anonymous memory: a VMA that has had
// pages, is not NOHUGEPAGE and can hold an aligned huge page.
bool could_collapse(const Vma& v) {
    if (!v.is_anonymous() || v.is_shared() || !v.anon_vma || (v.flags & kVmNoHugePage))
        return false;
    const VirtAddr aligned = (v.end - kHugePageSize) & ~(kHugePageSize - 1);
    return v.end >= kHugePageSize && aligned >= v.start && aligned + kHugePageSize <= v.end;
}

}  // namespace

KResult<void> AddressSpace::discard(VirtAddr start, std::uint64_t length) { return advise(start, length, MADV_DONTNEED); }

// Drops the pages of the shared anonymous object behind `vma` that [start, end) maps: from
// every VMA that maps them, in every address space, and from the object (shmem's hole
// punching).
KResult<void> AddressSpace::zap_shared_anon(const Vma& vma, VirtAddr start, VirtAddr end) {
    const std::uint64_t first = vma.linear_page_index(start);
    const std::uint64_t last = first + ((end - start) >> kPageShift);
    SharedAnonObject* object = shared_anon_object(vma);
    if (!object)
        return {};
    object->mappings().for_each([&](const Vma& v) {
        const std::uint64_t lo = std::max(first, v.anon_pgoff);
        const std::uint64_t hi = std::min(last, v.anon_pgoff + (v.size() >> kPageShift));
        if (lo < hi)
            v.mm->zap_range(v.address_of_index(lo), v.address_of_index(hi - 1) + kPageSize);
    });
    object->remove_pages(first, last);
    return {};
}

// do_madvise() with madvise_walk_vmas() and madvise_vma_behavior().
KResult<void> AddressSpace::advise(VirtAddr start, std::uint64_t len_in, int advice) {
    if (!advice_valid(advice))
        return err(Errno::einval);
    if (!page_aligned(start))
        return err(Errno::einval);
    const std::uint64_t len = (len_in + kPageSize - 1) & kPageMask;
    if (len_in && !len)
        return err(Errno::einval);  // rounded up from a small negative number to zero
    const VirtAddr end = start + len;
    if (end < start)
        return err(Errno::einval);
    if (end == start)
        return {};

    // Holes are skipped but reported as ENOMEM at the end.
    bool unmapped = false;
    for (Vma* vma = m_vmas.find_vma(start);; vma = m_vmas.find_vma(start)) {
        if (!vma)
            return err(Errno::enomem);
        if (start < vma->start) {
            unmapped = true;
            start = vma->start;
            if (start >= end)
                break;
        }
        const VirtAddr tmp = std::min(vma->end, end);
        std::uint32_t flags = vma->flags;
        switch (advice) {
        case MADV_REMOVE: {
            if (vma->flags & kVmLocked)
                return err(Errno::einval);
            if (!vma->file && !vma->is_shared())
                return err(Errno::einval);
            // Linux 6.1 asked for a writable shared mapping; 6.18 (vma_is_shared_maywrite)
            // for one that could be made writable, and faultline follows that.
            if (!vma->is_shared() || (vma->flags & kVmWriteForbidden))
                return err(Errno::eacces);
            if (vma->file)
                TRY_VOID(vma->file->punch_hole(vma->file_offset_of(start), tmp - start));
            else
                TRY_VOID(zap_shared_anon(*vma, start, tmp));
            break;
        }
        case MADV_WILLNEED:
            if (vma->file)
                vma->file->read_ahead(vma->file_offset_of(start) >> kPageShift, (tmp - start) >> kPageShift);
            break;
        case MADV_COLD:
        case MADV_PAGEOUT:
            if (vma->flags & kVmLocked)
                return err(Errno::einval);
            break;
        case MADV_DONTNEED:
        case MADV_DONTNEED_LOCKED:
        case MADV_FREE:
            if ((vma->flags & kVmLocked) && advice != MADV_DONTNEED_LOCKED)
                return err(Errno::einval);
            if (advice == MADV_FREE) {
                if (!vma->is_anonymous() || vma->is_shared())
                    return err(Errno::einval);
                break;
            }
            // Shared memory keeps its contents in the shared object; a shared file mapping's
            // dirty pages reach the file on the way out.
            if (!vma->is_shared())
                zap_range(start, tmp);
            else if (vma->file)
                zap_vma_range(*vma, start, tmp);
            break;
        case MADV_POPULATE_READ:
        case MADV_POPULATE_WRITE: {
            const bool write = advice == MADV_POPULATE_WRITE;
            if (write ? !vma->writable() : !vma->readable())
                return err(Errno::einval);
            for (VirtAddr va = start; va < tmp; va += kPageSize) {
                if (auto t = translate(va, write ? Access::Write : Access::Read, Requester::Kernel); !t)
                    return err(t.error() == FaultError::OutOfMemory ? Errno::enomem : Errno::efault);
            }
            break;
        }
        case MADV_COLLAPSE:
            if (!could_collapse(*vma))
                return err(Errno::einval);
            break;
        case MADV_NORMAL: flags &= ~(kVmSeqRead | kVmRandRead); break;
        case MADV_SEQUENTIAL: flags = (flags & ~kVmRandRead) | kVmSeqRead; break;
        case MADV_RANDOM: flags = (flags & ~kVmSeqRead) | kVmRandRead; break;
        case MADV_DONTFORK: flags |= kVmDontCopy; break;
        case MADV_DOFORK: flags &= ~kVmDontCopy; break;
        case MADV_WIPEONFORK:
            if (vma->file || vma->is_shared())
                return err(Errno::einval);
            flags |= kVmWipeOnFork;
            break;
        case MADV_KEEPONFORK: flags &= ~kVmWipeOnFork; break;
        case MADV_DONTDUMP: flags |= kVmDontDump; break;
        case MADV_DODUMP: flags &= ~kVmDontDump; break;
        case MADV_MERGEABLE:
            // ksm_madvise() ignores the advice for shared memory.
            if (!(flags & kVmShared))
                flags |= kVmMergeable;
            break;
        case MADV_UNMERGEABLE: flags &= ~kVmMergeable; break;
        case MADV_HUGEPAGE: flags = (flags & ~kVmNoHugePage) | kVmHugePage; break;
        case MADV_NOHUGEPAGE: flags = (flags & ~kVmHugePage) | kVmNoHugePage; break;
        }
        VirtAddr next = tmp;
        if (flags != vma->flags) {
            // madvise_update_vma(): a split refused for the map count is EAGAIN here.
            auto prev = modify_vma(vma, start, tmp, vma->prot, flags);
            if (!prev)
                return err(prev.error() == Errno::enomem ? Errno::eagain : prev.error());
            next = std::max(tmp, (*prev)->end);
        }
        start = next;
        if (start >= end)
            break;
    }
    if (unmapped)
        return err(Errno::enomem);
    return {};
}

}  // namespace os::mm
