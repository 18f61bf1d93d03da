#include "os/mm/address_space.h"

#include <algorithm>
#include <cstring>

#include "os/mm/anon_vma.h"
#include "os/mm/rmap.h"
#include "os/mm/shared_anon.h"
#include "os/mm/swap.h"

namespace os::mm {

using linux_abi::Errno;

AddressSpace::AddressSpace(PhysicalMemory& pmem, MmuNotifier* mmu)
    : m_pmem(pmem), m_mmu(mmu), m_vmas(this), m_page_table(pmem) {}

AddressSpace::~AddressSpace() {
    // exit_mmap: shared file pages written back, every frame released.
    for (const Vma& v : m_vmas)
        zap_vma_range(v, v.start, v.end);
    zap_range(0, kUserTop);
    for (const auto& file : m_mapped_files)
        file->remove_mapper(this);
    // The page table and the VMA tree free themselves.
}

void AddressSpace::note_file_mapped(const std::shared_ptr<CachedFile>& file) {
    if (m_mapped_files.insert(file).second)
        file->add_mapper(this);
}

void AddressSpace::forget_unmapped_files() {
    for (auto it = m_mapped_files.begin(); it != m_mapped_files.end();) {
        bool still_mapped = false;
        for (const Vma& v : m_vmas)
            still_mapped |= v.file == *it;
        if (still_mapped) {
            ++it;
        } else {
            (*it)->remove_mapper(this);
            it = m_mapped_files.erase(it);
        }
    }
}

void AddressSpace::write_back_if_dirty(const Vma& vma, VirtAddr va, Pte& pte) {
    if (!vma.file || !vma.is_shared() || !pte_has_frame(pte) || !(pte & kPteDirty))
        return;
    // An error cannot be reported from here (Linux records it for the next fsync); the
    // page stays in the cache either way, marked dirty so that reclaim does not drop it.
    if (!vma.file->write_back(vma.file_offset_of(va) >> kPageShift))
        m_pmem.info(pte_pfn(pte)).dirty = true;
    pte &= ~kPteDirty;
}

void AddressSpace::zap_vma_range(const Vma& vma, VirtAddr start, VirtAddr end) {
    if (vma.file && vma.is_shared())
        m_page_table.for_each_pte(start, end, [&](VirtAddr va, Pte& pte) { write_back_if_dirty(vma, va, pte); });
    zap_range(start, end);
}

std::uint64_t AddressSpace::mapped_bytes() const {
    std::uint64_t total = 0;
    for (const Vma& v : m_vmas)
        total += v.size();
    return total;
}

// Removes every PTE in [start, end) and drops the frames and swap slots they held, then
// frees page tables that no longer map anything (Linux zap_page_range + free_pgtables).
void AddressSpace::zap_range(VirtAddr start, VirtAddr end) {
    bool any = false;
    m_page_table.for_each_pte(start, end, [&](VirtAddr, Pte& pte) {
        if (pte_has_frame(pte)) {
            Pfn pfn = pte_pfn(pte);
            if (!m_pmem.is_zero_frame(pfn)) {
                // A swap-cache page stays with its other users (a shared anonymous object,
                // other PTEs): the slot no longer holds what this PTE wrote.
                if (pte & kPteDirty)
                    m_pmem.info(pfn).dirty |= m_pmem.info(pfn).swap_cache;
                drop_mapping(pfn);
                --m_resident_pages;
            }
        } else if (is_swap_pte(pte)) {
            m_pmem.swap()->free_swap_and_cache(pte_to_swp_entry(pte));
            --m_swap_entries;
        }
        pte = 0;
        any = true;
    });
    if (!any)
        return;
    if (m_mmu)
        m_mmu->flush_tlb();
    m_page_table.free_empty_tables(start, end);
}

// Makes `addr` a VMA boundary if a VMA straddles it.
void AddressSpace::split_at(VirtAddr addr) {
    Vma* v = m_vmas.find_containing(addr);
    if (v && v->start != addr)
        m_vmas.split(v, addr);
}

KResult<Vma*> AddressSpace::split_checked(Vma* vma, VirtAddr at) {
    if (m_vmas.size() >= kMaxMapCount)
        return err(Errno::enomem);
    return m_vmas.split(vma, at);
}

// is_mergeable_vma() + is_mergeable_anon_vma() + the offset check of can_vma_merge_after().
bool AddressSpace::can_merge(const Vma& a, const Vma& b) const {
    if (a.end != b.start || a.prot != b.prot || a.flags != b.flags || a.name != b.name || a.file != b.file ||
        a.origin != b.origin)
        return false;
    if (a.anon_vma && b.anon_vma && a.anon_vma != b.anon_vma)
        return false;
    if (a.file)
        return a.file_offset + a.size() == b.file_offset;
    return a.anon_pgoff + (a.size() >> kPageShift) == b.anon_pgoff;
}

// vma_merge(): both neighbours when all three are compatible (and the outer two's
// anon_vmas agree), else the previous one, else the next one.
Vma* AddressSpace::try_merge(Vma* vma) {
    Vma* prev = m_vmas.prev(vma);
    Vma* next = m_vmas.next(vma);
    const bool with_prev = prev && can_merge(*prev, *vma);
    bool with_next = next && can_merge(*vma, *next);
    if (with_prev && with_next && prev->anon_vma && next->anon_vma && prev->anon_vma != next->anon_vma)
        with_next = false;
    if (!with_prev && !with_next)
        return vma;
    Vma* keep = with_prev ? prev : vma;
    AnonVma* anon_vma = keep->anon_vma;
    VirtAddr end = keep->end;
    if (with_prev) {
        anon_vma = anon_vma ? anon_vma : vma->anon_vma;
        end = vma->end;
    }
    if (with_next) {
        anon_vma = anon_vma ? anon_vma : next->anon_vma;
        end = next->end;
    }
    // Before the others leave the tree: they may hold the anon_vma's last reference.
    anon_vma_assign(*keep, anon_vma);
    if (with_prev)
        m_vmas.remove(vma);
    if (with_next)
        m_vmas.remove(next);
    m_vmas.set_range(keep, keep->start, end);
    return keep;
}

KResult<Vma*> AddressSpace::modify_vma(Vma* vma, VirtAddr start, VirtAddr end, std::uint32_t prot,
                                       std::uint32_t flags) {
    if (vma->prot == prot && vma->flags == flags)
        return vma;
    const bool prot_changed = vma->prot != prot;
    const bool split_low = start != vma->start;
    const bool split_high = end != vma->end;
    if (split_low != split_high) {
        // Linux first tries to hand the piece to the neighbour it touches (vma_merge cases
        // 4 and 5): no split, so no new VMA and no map-count limit.
        Vma piece = *vma;
        piece.start = start;
        piece.end = end;
        piece.prot = prot;
        piece.flags = flags;
        piece.file_offset += start - vma->start;
        piece.anon_pgoff += (start - vma->start) >> kPageShift;
        if (!split_low) {
            if (Vma* prev = m_vmas.prev(vma); prev && can_merge(*prev, piece)) {
                m_vmas.set_range(vma, end, vma->end);
                m_vmas.set_range(prev, prev->start, end);
                anon_vma_assign(*prev, prev->anon_vma ? prev->anon_vma : vma->anon_vma);
                if (prot_changed)
                    change_pte_protection(*prev, start, end);
                return prev;
            }
        } else if (Vma* next = m_vmas.next(vma); next && can_merge(piece, *next)) {
            m_vmas.set_range(vma, vma->start, start);
            m_vmas.set_range(next, start, next->end);
            anon_vma_assign(*next, next->anon_vma ? next->anon_vma : vma->anon_vma);
            if (prot_changed)
                change_pte_protection(*next, start, end);
            return next;
        }
    }
    if (split_low)
        vma = TRY(split_checked(vma, start));
    if (split_high)
        TRY(split_checked(vma, end));
    vma->prot = prot;
    vma->flags = flags;
    if (prot_changed)
        change_pte_protection(*vma, vma->start, vma->end);
    return try_merge(vma);
}

namespace {

// vm_start_gap(): a growing stack keeps kStackGuardGap below it free.
VirtAddr start_gap(const Vma& v) {
    if (!(v.flags & kVmGrowsDown))
        return v.start;
    return v.start > AddressSpace::kStackGuardGap ? v.start - AddressSpace::kStackGuardGap : 0;
}

}  // namespace

KResult<VirtAddr> AddressSpace::find_free_range(VirtAddr hint, std::uint64_t length) const {
    if (length == 0)
        return err(Errno::enomem);
    return get_unmapped_area(hint, length, Placement::Hint);
}

KResult<VirtAddr> AddressSpace::get_unmapped_area(VirtAddr addr, std::uint64_t length, Placement placement,
                                                  bool below_2g) const {
    if (length > kUserTop)
        return err(Errno::enomem);
    if (placement != Placement::Hint) {
        if (addr > kUserTop - length)
            return err(Errno::enomem);
        if (!page_aligned(addr))
            return err(Errno::einval);
        return addr;
    }
    if (length == 0)
        return err(Errno::enomem);
    // round_hint_to_min()
    if (addr) {
        addr = page_round_down(addr);
        if (addr < kMmapMinAddr)
            addr = kMmapMinAddr;
    }
    // A range is usable when nothing overlaps it and it ends below the next VMA's gap.
    auto usable = [&](VirtAddr a) {
        const Vma* next = m_vmas.find_vma(a);
        return !next || a + length <= start_gap(*next);
    };
    // Bottom-up (arch_get_unmapped_area): the lowest usable range in [low, high).
    auto bottom_up = [&](VirtAddr low, VirtAddr high) -> std::optional<VirtAddr> {
        while (auto a = m_vmas.find_free_bottomup(length, low, high)) {
            if (usable(*a))
                return a;
            low = m_vmas.find_vma(*a)->end;  // too close to a growing stack: past it
        }
        return std::nullopt;
    };
    if (below_2g) {
        // MAP_32BIT (find_start_end without randomization)
        if (length > k32BitHigh)
            return err(Errno::enomem);
        if (addr && k32BitHigh - length >= addr && usable(addr))
            return addr;
        if (auto a = bottom_up(k32BitLow, k32BitHigh))
            return *a;
        return err(Errno::enomem);
    }
    if (addr && addr <= kUserTop - length && usable(addr))
        return addr;
    // arch_get_unmapped_area_topdown(): the highest usable range below mmap_base.
    VirtAddr high = kMmapBase;
    while (auto a = m_vmas.find_free_topdown(length, kMmapMinAddr, high)) {
        if (usable(*a))
            return *a;
        high = start_gap(*m_vmas.find_vma(*a));  // below the growing stack's guard gap
    }
    // "A failed mmap() very likely causes application failure, so fall back to the
    // bottom-up function here."
    if (auto a = bottom_up(kMmapLegacyBase, kUserTop))
        return *a;
    return err(Errno::enomem);
}

KResult<VirtAddr> AddressSpace::map(const MapRequest& req) {
    const std::uint64_t length = page_round_up(req.length);
    if (length == 0 || length < req.length)
        return err(Errno::enomem);
    if (m_vmas.size() > kMaxMapCount)
        return err(Errno::enomem);
    const VirtAddr addr = TRY(get_unmapped_area(req.addr, length, req.placement, req.below_2g));
    if (addr < kMmapMinAddr && !req.low_addresses_allowed)
        return err(Errno::eperm);
    if (req.placement == Placement::FixedNoReplace && m_vmas.find_overlap(addr, addr + length))
        return err(Errno::eexist);
    std::uint32_t flags = req.vm_flags | m_def_flags;
    if ((flags & kVmLocked) && req.lock_limit != kNoLockLimit && locked_bytes() + length > req.lock_limit)
        return err(Errno::eagain);
    if (req.placement == Placement::Fixed)
        TRY_VOID(unmap(addr, length));
    // accountable_mapping(): private writable memory is committed.
    if (!(flags & (kVmShared | kVmNoReserve)) && (req.prot & kProtWrite))
        flags |= kVmAccount;
    auto vma = std::make_unique<Vma>();
    vma->start = addr;
    vma->end = addr + length;
    vma->prot = req.prot;
    vma->flags = flags;
    vma->file = req.file;
    vma->file_offset = req.file_offset;
    vma->name = req.name;
    vma->origin = req.origin;
    if (!req.file) {
        // Private anonymous memory is numbered by its address (for anon_vma's rmap); a
        // shared anonymous mapping is a new object of its own, of its length, mapped from
        // file_offset (0 for MAP_ANONYMOUS, the offset given for /dev/zero).
        if (flags & kVmShared) {
            vma->anon_pgoff = req.file_offset >> kPageShift;
            vma->origin = std::make_shared<SharedAnonObject>(m_pmem, length >> kPageShift);
        } else {
            vma->anon_pgoff = req.origin ? req.file_offset >> kPageShift : addr >> kPageShift;
        }
    }
    Vma* inserted = m_vmas.insert(std::move(vma));
    if (!inserted)
        return err(Errno::enomem);
    if (req.file)
        note_file_mapped(req.file);
    try_merge(inserted);
    return addr;
}

KResult<void> AddressSpace::unmap(VirtAddr start, std::uint64_t length) {
    if (!page_aligned(start) || start > kUserTop || length > kUserTop - start)
        return err(Errno::einval);
    const VirtAddr end = start + page_round_up(length);
    if (end == start)
        return err(Errno::einval);
    Vma* first = m_vmas.find_overlap(start, end);
    if (!first)
        return {};
    // Unmapping the middle of a VMA adds one: refused at the limit (do_mas_align_munmap).
    if (first->start < start && end < first->end && m_vmas.size() >= kMaxMapCount)
        return err(Errno::enomem);
    split_at(start);
    split_at(end);
    while (Vma* v = m_vmas.find_overlap(start, end)) {
        zap_vma_range(*v, v->start, v->end);
        m_vmas.remove(v);
    }
    forget_unmapped_files();
    return {};
}

bool AddressSpace::may_write_in_place(const Vma& vma, Pte pte) const {
    if (vma.is_shared())
        return true;
    const Pfn pfn = pte_pfn(pte);
    return !(pte & kPteSoftCow) && !m_pmem.is_zero_frame(pfn) && m_pmem.info(pfn).rmap == RmapKind::Anon;
}

// Rewrites the PTEs of [start, end) for `vma`'s (new) protection.
void AddressSpace::change_pte_protection(const Vma& vma, VirtAddr start, VirtAddr end) {
    const bool accessible = (vma.prot & (kProtRead | kProtWrite | kProtExec)) != 0;
    m_page_table.for_each_pte(start, end, [&](VirtAddr, Pte& pte) {
        if (!pte_has_frame(pte))
            return;
        Pte keep = pte & (kPteAddrMask | kPteAccessed | kPteDirty | kPteSoftCow);
        if (!accessible) {
            pte = keep | kPteSoftProtNone;
            return;
        }
        Pte e = keep | kPtePresent | kPteUser;
        if (vma.writable() && may_write_in_place(vma, pte))
            e |= kPteWritable;
        if (!vma.executable())
            e |= kPteNoExec;
        pte = e;
    });
    if (m_mmu)
        m_mmu->flush_tlb();
}

// do_mprotect_pkey() and mprotect_fixup().
KResult<void> AddressSpace::protect(VirtAddr start, std::uint64_t length, std::uint32_t prot, std::uint64_t grows) {
    constexpr std::uint64_t kGrowsDown = 0x01000000, kGrowsUp = 0x02000000;  // PROT_GROWSDOWN/UP
    if (grows == (kGrowsDown | kGrowsUp) || (grows & ~(kGrowsDown | kGrowsUp)))
        return err(Errno::einval);
    if (!page_aligned(start))
        return err(Errno::einval);
    if (length == 0)
        return {};
    VirtAddr end = start + page_round_up(length);
    if (end <= start)
        return err(Errno::enomem);
    if (prot & ~(kProtRead | kProtWrite | kProtExec))
        return err(Errno::einval);
    Vma* vma = m_vmas.find_vma(start);
    if (!vma)
        return err(Errno::enomem);
    if (grows & kGrowsDown) {
        if (vma->start >= end)
            return err(Errno::enomem);
        start = vma->start;
        if (!(vma->flags & kVmGrowsDown))
            return err(Errno::einval);
    } else {
        if (vma->start > start)
            return err(Errno::enomem);
        if (grows & kGrowsUp)
            return err(Errno::einval);  // x86 has no VM_GROWSUP mappings
    }
    for (VirtAddr nstart = start;;) {
        // VM_MAYWRITE / VM_MAYEXEC
        if (((prot & kProtWrite) && (vma->flags & kVmWriteForbidden)) ||
            ((prot & kProtExec) && (vma->flags & kVmExecForbidden)))
            return err(Errno::eacces);
        std::uint32_t flags = vma->flags;
        if (prot & kProtWrite) {
            // Making private memory writable commits it; read-only again keeps the charge...
            if (!(flags & (kVmAccount | kVmShared | kVmNoReserve)) && !vma->writable())
                flags |= kVmAccount;
        } else if ((flags & kVmAccount) && vma->is_anonymous() && !vma->is_shared() && !vma->anon_vma) {
            // ...except for anonymous memory that never had a page (Linux >= 6.8; 6.1 kept
            // it, so read-only neighbours did not merge again).
            flags &= ~kVmAccount;
        }
        const VirtAddr tmp = std::min(vma->end, end);
        Vma* prev = TRY(modify_vma(vma, nstart, tmp, prot, flags));
        nstart = std::max(tmp, prev->end);
        if (nstart >= end)
            return {};
        vma = m_vmas.next(prev);
        if (!vma || vma->start != nstart)
            return err(Errno::enomem);
    }
}

// The loop of sys_msync().
KResult<void> AddressSpace::sync_range(VirtAddr start, std::uint64_t length, std::uint64_t ms_flags) {
    constexpr std::uint64_t kMsAsync = 1, kMsInvalidate = 2, kMsSync = 4;
    if (!page_aligned(start))
        return err(Errno::einval);
    const VirtAddr end = start + page_round_up(length);
    if (end < start)
        return err(Errno::enomem);
    if (end == start)
        return {};
    bool unmapped = false;
    bool cleaned = false;
    KResult<void> result;
    for (Vma* vma = m_vmas.find_vma(start);; vma = m_vmas.next(vma)) {
        if (!vma) {
            result = err(Errno::enomem);
            break;
        }
        if (start < vma->start) {
            // A hole: with MS_ASYNC alone there is nothing to do but say so.
            if (ms_flags == kMsAsync || vma->start >= end) {
                result = err(Errno::enomem);
                break;
            }
            start = vma->start;
            unmapped = true;
        }
        if ((ms_flags & kMsInvalidate) && (vma->flags & kVmLocked)) {
            result = err(Errno::ebusy);
            break;
        }
        if ((ms_flags & kMsSync) && vma->file && vma->is_shared()) {
            m_page_table.for_each_pte(start, std::min(end, vma->end), [&](VirtAddr va, Pte& pte) {
                cleaned |= (pte & kPteDirty) != 0;
                write_back_if_dirty(*vma, va, pte);
            });
        }
        start = vma->end;
        if (start >= end)
            break;
    }
    // The TLB may still allow writes to pages that are clean again: they must come back
    // through the fault path to be marked dirty.
    if (cleaned && m_mmu)
        m_mmu->flush_tlb();
    if (!result)
        return result;
    if (unmapped)
        return err(Errno::enomem);
    return {};
}

void AddressSpace::zap_file_pages(const CachedFile* file, std::uint64_t first_index) {
    zap_file_range(file, first_index, ~std::uint64_t{0} >> kPageShift, true);
}

void AddressSpace::zap_file_range(const CachedFile* file, std::uint64_t first, std::uint64_t last, bool even_cows) {
    for (const Vma& v : m_vmas) {
        if (v.file.get() != file || first >= last)
            continue;
        const std::uint64_t vfirst = v.file_offset >> kPageShift;
        const std::uint64_t vlast = vfirst + (v.size() >> kPageShift);
        const std::uint64_t lo = std::max(first, vfirst), hi = std::min(last, vlast);
        if (lo >= hi)
            continue;
        const VirtAddr from = v.start + ((lo - vfirst) << kPageShift);
        const VirtAddr to = v.start + ((hi - vfirst) << kPageShift);
        if (even_cows) {
            zap_range(from, to);
            continue;
        }
        // Only the pages that are the cache's own frames (a private copy is not the file's).
        for (VirtAddr va = from; va < to; va += kPageSize) {
            const Pte* pte = m_page_table.lookup(va);
            if (!pte || !pte_has_frame(*pte))
                continue;
            auto cached = file->find_page(v.file_offset_of(va) >> kPageShift);
            if (cached && *cached == pte_pfn(*pte))
                zap_range(va, va + kPageSize);
        }
    }
}

VirtAddr AddressSpace::brk(VirtAddr requested) {
    // Beyond kUserTop, page_round_up() below would wrap to a small address.
    if (requested < m_start_brk || requested > kUserTop)
        return m_brk;
    const VirtAddr old_top = page_round_up(m_brk);
    const VirtAddr new_top = page_round_up(requested);
    if (new_top == old_top) {
        m_brk = requested;
        return m_brk;
    }
    if (requested < m_brk) {
        if (!unmap(new_top, old_top - new_top))
            return m_brk;
        m_brk = requested;
        return m_brk;
    }
    // Growing: the new heap must keep a page (and the stack's guard gap) from the next VMA.
    if (new_top > kUserTop)
        return m_brk;
    if (const Vma* next = m_vmas.find_vma(old_top)) {
        if (new_top + kPageSize > start_gap(*next))
            return m_brk;
    }
    // do_brk_flags(): the new pages merge into the heap VMA below them when it still has
    // the flags a new one would get (not after mprotect, say), as Linux expands it.
    MapRequest req;
    req.addr = old_top;
    req.length = new_top - old_top;
    req.prot = kProtRead | kProtWrite;
    req.vm_flags = kVmHeap;
    req.placement = Placement::FixedNoReplace;
    req.name = "[heap]";
    if (!map(req))
        return m_brk;
    m_brk = requested;
    // mlockall(MCL_FUTURE): the new heap is locked and faulted in.
    if (m_def_flags & kVmLocked)
        (void)populate(old_top, new_top - old_top, true);
    return m_brk;
}

// Visits the pages of [va, va+n) as the guest would access them, faulting pages in as
// needed; fn(host_pointer, offset_in_buffer, chunk_length).
template <class Fn>
KResult<void> AddressSpace::for_each_user_page(VirtAddr va, std::uint64_t n, Access access, Fn&& fn) {
    if (n == 0)
        return {};
    if (va >= kUserTop || n > kUserTop - va)
        return err(Errno::efault);
    std::uint64_t done = 0;
    while (done < n) {
        const VirtAddr cur = va + done;
        auto t = translate(page_round_down(cur), access, Requester::Kernel);
        if (!t)
            return err(Errno::efault);
        const std::uint64_t chunk = std::min<std::uint64_t>(n - done, kPageSize - page_offset(cur));
        fn(m_pmem.phys_data(t->paddr + page_offset(cur)), done, chunk);
        done += chunk;
    }
    return {};
}

KResult<void> AddressSpace::copy_to_user(VirtAddr dst, const void* src, std::uint64_t n) {
    const auto* s = static_cast<const std::byte*>(src);
    return for_each_user_page(dst, n, Access::Write,
                              [&](std::byte* host, std::uint64_t off, std::uint64_t len) { std::memcpy(host, s + off, len); });
}

KResult<void> AddressSpace::clear_user(VirtAddr dst, std::uint64_t n) {
    return for_each_user_page(dst, n, Access::Write,
                              [&](std::byte* host, std::uint64_t, std::uint64_t len) { std::memset(host, 0, len); });
}

KResult<void> AddressSpace::copy_from_user(void* dst, VirtAddr src, std::uint64_t n) {
    auto* d = static_cast<std::byte*>(dst);
    return for_each_user_page(src, n, Access::Read,
                              [&](std::byte* host, std::uint64_t off, std::uint64_t len) { std::memcpy(d + off, host, len); });
}

KResult<std::string> AddressSpace::copy_string_from_user(VirtAddr src, std::uint64_t max) {
    std::string out;
    VirtAddr cur = src;
    while (out.size() < max) {
        if (cur >= kUserTop)
            return err(Errno::efault);
        auto t = translate(page_round_down(cur), Access::Read, Requester::Kernel);
        if (!t)
            return err(Errno::efault);
        const std::uint64_t chunk = std::min<std::uint64_t>(max - out.size(), kPageSize - page_offset(cur));
        const char* p = reinterpret_cast<const char*>(m_pmem.phys_data(t->paddr + page_offset(cur)));
        const void* nul = std::memchr(p, 0, chunk);
        if (nul) {
            out.append(p, static_cast<const char*>(nul) - p);
            return out;
        }
        out.append(p, chunk);
        cur += chunk;
    }
    return err(Errno::enametoolong);
}

std::uint64_t AddressSpace::peek(VirtAddr src, void* dst, std::uint64_t n) const {
    auto* d = static_cast<std::byte*>(dst);
    std::uint64_t done = 0;
    while (done < n) {
        const VirtAddr cur = src + done;
        const Pte* pte = m_page_table.lookup(cur);
        if (cur >= kUserTop || !pte || !pte_present(*pte))
            break;
        const std::uint64_t chunk = std::min<std::uint64_t>(n - done, kPageSize - page_offset(cur));
        std::memcpy(d + done, m_pmem.phys_data((*pte & kPteAddrMask) + page_offset(cur)), chunk);
        done += chunk;
    }
    return done;
}

}  // namespace os::mm
