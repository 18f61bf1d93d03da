#include "os/mm/address_space.h"

#include <algorithm>
#include <cstring>


namespace os::mm {

using linux_abi::Errno;

AddressSpace::AddressSpace(PhysicalMemory& pmem, MmuNotifier* mmu)
    : m_pmem(pmem), m_mmu(mmu), m_page_table(pmem) {}

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
    // page stays in the cache either way.
    (void)vma.file->write_back(vma.file_offset_of(va) >> kPageShift);
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

// Removes every PTE in [start, end) and drops the frames they held, then frees page
// tables that no longer map anything (Linux zap_page_range + free_pgtables).
void AddressSpace::zap_range(VirtAddr start, VirtAddr end) {
    bool any = false;
    m_page_table.for_each_pte(start, end, [&](VirtAddr, Pte& pte) {
        if (pte_has_frame(pte)) {
            Pfn pfn = pte_pfn(pte);
            if (!m_pmem.is_zero_frame(pfn)) {
                --m_pmem.info(pfn).mapcount;
                m_pmem.put(pfn);
                --m_resident_pages;
            }
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

namespace {

bool can_merge(const Vma& a, const Vma& b) {
    if (a.end != b.start || a.prot != b.prot || a.flags != b.flags || a.name != b.name || a.file != b.file)
        return false;
    return !a.file || a.file_offset + a.size() == b.file_offset;
}

}  // namespace

// Merges `vma` with compatible neighbours (Linux vma_merge); returns the surviving VMA.
Vma* AddressSpace::try_merge(Vma* vma) {
    if (Vma* next = m_vmas.next(vma); next && can_merge(*vma, *next)) {
        VirtAddr end = next->end;
        m_vmas.remove(next);
        m_vmas.set_range(vma, vma->start, end);
    }
    if (Vma* prev = m_vmas.prev(vma); prev && can_merge(*prev, *vma)) {
        VirtAddr end = vma->end;
        m_vmas.remove(vma);
        m_vmas.set_range(prev, prev->start, end);
        return prev;
    }
    return vma;
}

KResult<VirtAddr> AddressSpace::find_free_range(VirtAddr hint, std::uint64_t length) const {
    if (length == 0 || length > kUserTop - kMmapMinAddr)
        return err(Errno::enomem);
    if (hint) {
        VirtAddr a = page_round_down(hint);
        if (a >= kMmapMinAddr && a <= kUserTop - length && !m_vmas.find_overlap(a, a + length))
            return a;
    }
    if (auto a = m_vmas.find_free_topdown(length, kMmapMinAddr, kMmapBase))
        return *a;
    // Linux falls back to a bottom-up search over the whole user range.
    if (auto a = m_vmas.find_free_bottomup(length, kMmapMinAddr, kUserTop))
        return *a;
    return err(Errno::enomem);
}

KResult<VirtAddr> AddressSpace::map(const MapRequest& req) {
    const std::uint64_t length = page_round_up(req.length);
    if (length == 0 || length < req.length)
        return err(Errno::enomem);
    VirtAddr addr = req.addr;
    switch (req.placement) {
    case Placement::Fixed:
    case Placement::FixedNoReplace:
        if (!page_aligned(addr))
            return err(Errno::einval);
        if (addr > kUserTop || length > kUserTop - addr)
            return err(Errno::enomem);
        if (req.placement == Placement::FixedNoReplace && m_vmas.find_overlap(addr, addr + length))
            return err(Errno::eexist);
        TRY_VOID(unmap(addr, length));
        break;
    case Placement::Hint:
        addr = TRY(find_free_range(addr, length));
        break;
    }
    auto vma = std::make_unique<Vma>();
    vma->start = addr;
    vma->end = addr + length;
    vma->prot = req.prot;
    vma->flags = req.vm_flags;
    vma->file = req.file;
    vma->file_offset = req.file_offset;
    vma->name = req.name;
    Vma* inserted = m_vmas.insert(std::move(vma));
    if (!inserted)
        return err(Errno::enomem);
    if (req.file)
        note_file_mapped(req.file);
    try_merge(inserted);
    return addr;
}

KResult<void> AddressSpace::unmap(VirtAddr start, std::uint64_t length) {
    if (!page_aligned(start) || start >= kUserTop)
        return err(Errno::einval);
    length = page_round_up(length);
    if (length == 0 || length > kUserTop - start)
        return err(Errno::einval);
    const VirtAddr end = start + length;
    if (!m_vmas.find_overlap(start, end))
        return {};
    split_at(start);
    split_at(end);
    while (Vma* v = m_vmas.find_overlap(start, end)) {
        zap_vma_range(*v, v->start, v->end);
        m_vmas.remove(v);
    }
    forget_unmapped_files();
    return {};
}

// Rewrites the PTEs of `vma` for its (new) protection.
void AddressSpace::change_pte_protection(const Vma& vma) {
    const bool accessible = (vma.prot & (kProtRead | kProtWrite | kProtExec)) != 0;
    m_page_table.for_each_pte(vma.start, vma.end, [&](VirtAddr, Pte& pte) {
        if (!pte_has_frame(pte))
            return;
        Pte keep = pte & (kPteAddrMask | kPteAccessed | kPteDirty | kPteSoftCow);
        if (!accessible) {
            pte = keep | kPteSoftProtNone;
            return;
        }
        Pte e = keep | kPtePresent | kPteUser;
        if (vma.writable() && !(pte & kPteSoftCow) && !m_pmem.is_zero_frame(pte_pfn(pte)))
            e |= kPteWritable;
        if (!vma.executable())
            e |= kPteNoExec;
        pte = e;
    });
    if (m_mmu)
        m_mmu->flush_tlb();
}

KResult<void> AddressSpace::protect(VirtAddr start, std::uint64_t length, std::uint32_t prot) {
    if (!page_aligned(start))
        return err(Errno::einval);
    if (prot & ~(kProtRead | kProtWrite | kProtExec))
        return err(Errno::einval);
    {
        // A shared mapping of a file opened read-only can never become writable (Linux
        // checks VM_MAYWRITE): EACCES, and nothing changes.
        const std::uint64_t len = page_round_up(length);
        for (Vma* v = m_vmas.find_vma(start); v && len && v->start < start + len; v = m_vmas.next(v))
            if ((prot & kProtWrite) && (v->flags & kVmWriteForbidden))
                return err(Errno::eacces);
    }
    length = page_round_up(length);
    if (length == 0)
        return {};
    if (start >= kUserTop || length > kUserTop - start)
        return err(Errno::enomem);
    const VirtAddr end = start + length;
    // Linux: ENOMEM when any part of the range is not mapped, and nothing is changed.
    VirtAddr cursor = start;
    for (Vma* v = m_vmas.find_vma(start); cursor < end; v = m_vmas.next(v)) {
        if (!v || v->start > cursor)
            return err(Errno::enomem);
        cursor = v->end;
    }
    split_at(start);
    split_at(end);
    for (Vma* v = m_vmas.find_vma(start); v && v->start < end;) {
        v->prot = prot;
        change_pte_protection(*v);
        Vma* merged = try_merge(v);
        v = m_vmas.next(merged);
    }
    return {};
}

KResult<void> AddressSpace::discard(VirtAddr start, std::uint64_t length) {
    if (start >= kUserTop || length > kUserTop - start)
        return err(Errno::einval);
    const VirtAddr end = start + length;
    bool hole = false;
    VirtAddr cursor = start;
    for (Vma* v = m_vmas.find_vma(start); v && v->start < end; v = m_vmas.next(v)) {
        if (v->flags & kVmLocked)
            return err(Errno::einval);
        hole |= v->start > cursor;
        // Shared memory keeps its contents in the shared object, so only private pages go.
        if (!v->is_shared())
            zap_range(std::max(start, v->start), std::min(end, v->end));
        cursor = v->end;
    }
    if (hole || cursor < end)
        return err(Errno::enomem);
    return {};
}

KResult<void> AddressSpace::sync_range(VirtAddr start, std::uint64_t length) {
    if (!page_aligned(start))
        return err(Errno::einval);
    length = page_round_up(length);
    if (start >= kUserTop || length > kUserTop - start)
        return err(Errno::enomem);
    const VirtAddr end = start + length;
    bool hole = false;
    bool cleaned = false;
    VirtAddr cursor = start;
    for (Vma* v = m_vmas.find_vma(start); v && v->start < end; v = m_vmas.next(v)) {
        hole |= v->start > cursor;
        cursor = v->end;
        if (!v->file || !v->is_shared())
            continue;
        m_page_table.for_each_pte(std::max(start, v->start), std::min(end, v->end), [&](VirtAddr va, Pte& pte) {
            cleaned |= (pte & kPteDirty) != 0;
            write_back_if_dirty(*v, va, pte);
        });
    }
    // The TLB may still allow writes to pages that are clean again: they must come back
    // through the fault path to be marked dirty.
    if (cleaned && m_mmu)
        m_mmu->flush_tlb();
    if (hole || cursor < end)
        return err(Errno::enomem);
    return {};
}

void AddressSpace::zap_file_pages(const CachedFile* file, std::uint64_t first_index) {
    const std::uint64_t cut = first_index << kPageShift;
    for (const Vma& v : m_vmas) {
        if (v.file.get() != file || v.file_offset + v.size() <= cut)
            continue;
        const VirtAddr from = cut > v.file_offset ? v.start + (cut - v.file_offset) : v.start;
        zap_range(from, v.end);
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
        VirtAddr limit = next->start;
        if (next->flags & kVmGrowsDown)
            limit = limit > kStackGuardGap ? limit - kStackGuardGap : 0;
        if (new_top + kPageSize > limit)
            return m_brk;
    }
    Vma* heap = m_vmas.find_containing(old_top - 1);
    if (heap && (heap->flags & kVmHeap) && heap->end == old_top) {
        m_vmas.set_range(heap, heap->start, new_top);
    } else {
        MapRequest req;
        req.addr = old_top;
        req.length = new_top - old_top;
        req.prot = kProtRead | kProtWrite;
        req.vm_flags = kVmHeap;
        req.placement = Placement::FixedNoReplace;
        req.name = "[heap]";
        if (!map(req))
            return m_brk;
    }
    m_brk = requested;
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
        auto t = translate(page_round_down(cur), access);
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
        auto t = translate(page_round_down(cur), Access::Read);
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
