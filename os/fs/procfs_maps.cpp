// /proc/pid/maps and /proc/pid/smaps (Linux 6.1 fs/proc/task_mmu.c), and the mm_struct
// counters that status, statm and stat print. Every number comes from the VMAs, the page
// table and the frame table: nothing is estimated.
#include <sys/sysmacros.h>

#include <algorithm>
#include <cstdio>

#include "os/fs/procfs.h"
#include "os/fs/root.h"
#include "os/fs/procfs_internal.h"
#include "os/mm/page_cache.h"
#include "os/mm/shared_anon.h"
#include "os/mm/swap.h"

namespace os::fs::procfs {

using namespace os::mm;

namespace detail {

std::uint64_t linux_vm_flags(const Vma& v) {
    std::uint64_t f = VM_MAYREAD;
    if (v.prot & kProtRead)
        f |= VM_READ;
    if (v.prot & kProtWrite)
        f |= VM_WRITE;
    if (v.prot & kProtExec)
        f |= VM_EXEC;
    if (!(v.flags & kVmWriteForbidden))
        f |= VM_MAYWRITE;
    if (!(v.flags & kVmExecForbidden))
        f |= VM_MAYEXEC;
    if (v.is_shared()) {
        f |= VM_MAYSHARE;
        if (!(v.flags & kVmWriteForbidden))
            f |= VM_SHARED;
    }
    static constexpr struct {
        std::uint32_t ours;
        std::uint64_t theirs;
    } kFlags[] = {
        {kVmGrowsDown, VM_GROWSDOWN}, {kVmLocked, VM_LOCKED},       {kVmLockOnFault, VM_LOCKONFAULT},
        {kVmSeqRead, VM_SEQ_READ},    {kVmRandRead, VM_RAND_READ},  {kVmDontCopy, VM_DONTCOPY},
        {kVmAccount, VM_ACCOUNT},     {kVmNoReserve, VM_NORESERVE}, {kVmSync, VM_SYNC},
        {kVmWipeOnFork, VM_WIPEONFORK}, {kVmDontDump, VM_DONTDUMP}, {kVmHugePage, VM_HUGEPAGE},
        {kVmNoHugePage, VM_NOHUGEPAGE}, {kVmMergeable, VM_MERGEABLE},
    };
    for (const auto& m : kFlags)
        if (v.flags & m.ours)
            f |= m.theirs;
    return f;
}

void put_dec(std::string& out, std::string_view prefix, std::uint64_t v, int width) {
    out += prefix;
    char buf[24];
    const int n = std::snprintf(buf, sizeof(buf), "%*llu", width, static_cast<unsigned long long>(v));
    out.append(buf, static_cast<std::size_t>(n));
}

void put_dec_signed(std::string& out, std::string_view prefix, std::int64_t v) {
    out += prefix;
    out += std::to_string(v);
}

void put_hex(std::string& out, std::string_view prefix, std::uint64_t v, int width) {
    out += prefix;
    char buf[24];
    const int n = std::snprintf(buf, sizeof(buf), "%0*llx", width, static_cast<unsigned long long>(v));
    out.append(buf, static_cast<std::size_t>(n));
}

}  // namespace detail

using namespace detail;

namespace {

// What a mapped frame is to Linux's counters.
enum class PageKind : std::uint8_t { Anon, File, Shmem };

bool is_shared_anonymous(const Vma& v) { return v.is_anonymous() && v.is_shared(); }

PageKind kind_of(const Vma& v, const FrameInfo& f) {
    if (is_shared_anonymous(v))
        return PageKind::Shmem;  // Linux backs MAP_SHARED|MAP_ANONYMOUS with shmem
    return f.use == FrameUse::Anonymous ? PageKind::Anon : PageKind::File;
}

// Calls fn(pte, frame_info) for every page of `v` with a frame behind it (present, or kept
// under PROT_NONE, which Linux counts too), except the shared zero frame: Linux's
// vm_normal_page() does not return it, so it is in nobody's RSS.
template <class Fn>
void for_each_mapped_frame(AddressSpace& mm, const Vma& v, Fn&& fn) {
    const PhysicalMemory& pmem = mm.physical_memory();
    mm.page_table().for_each_pte(v.start, v.end, [&](VirtAddr, Pte& pte) {
        if (!pte_has_frame(pte))
            return;
        const Pfn pfn = pte_pfn(pte);
        if (pmem.is_zero_frame(pfn) || !pmem.valid(pfn))
            return;
        fn(pte, pmem.info(pfn));
    });
}

// Linux's struct mem_size_stats (bytes; the pss fields carry kPssShift extra bits).
constexpr unsigned kPssShift = 12;
struct MemSizeStats {
    std::uint64_t resident = 0, shared_clean = 0, shared_dirty = 0, private_clean = 0, private_dirty = 0;
    std::uint64_t referenced = 0, anonymous = 0, lazyfree = 0, swap = 0, swap_pss = 0;
    std::uint64_t pss = 0, pss_dirty = 0, pss_locked = 0;
};

// smaps_account() + smaps_page_accumulate() for one 4 KiB page.
void account(MemSizeStats& mss, const FrameInfo& f, PageKind kind, bool young, bool dirty, bool locked) {
    constexpr std::uint64_t size = kPageSize;
    if (kind == PageKind::Anon)
        mss.anonymous += size;  // LazyFree stays 0: MADV_FREE frees at once here
    mss.resident += size;
    if (young)
        mss.referenced += size;
    // A frame only this mapping holds is private whole; otherwise the PTEs mapping it share
    // it (a page-cache page mapped once is still private: the cache's reference is not a
    // mapping).
    std::uint64_t pss = size << kPssShift;
    bool is_private = true;
    if (f.refcount != 1) {
        if (f.mapcount >= 2)
            pss /= f.mapcount;
        is_private = f.mapcount < 2;
    }
    mss.pss += pss;
    if (locked)
        mss.pss_locked += pss;
    if (dirty) {
        mss.pss_dirty += pss;
        (is_private ? mss.private_dirty : mss.shared_dirty) += size;
    } else {
        (is_private ? mss.private_clean : mss.shared_clean) += size;
    }
}

// Swap: a private mapping's swap entries, each sharing its page with the other holders of
// its slot for SwapPss (smaps_pte_entry()); a shared anonymous mapping's swapped-out object
// pages in its range (shmem_swap_usage(), no SwapPss).
void account_swap(MemSizeStats& mss, AddressSpace& mm, const Vma& v) {
    if (const SharedAnonObject* object = shared_anon_object(v)) {
        const std::uint64_t first = v.linear_page_index(v.start);
        mss.swap += object->swapped_pages_in(first, first + (v.size() >> kPageShift)) * kPageSize;
        return;
    }
    if (mm.swap_pages() == 0)
        return;
    const Swap* swap = mm.physical_memory().swap();
    mm.page_table().for_each_pte(v.start, v.end, [&](VirtAddr, Pte& pte) {
        if (!is_swap_pte(pte))
            return;
        const std::uint64_t users = swap->area().swap_count(pte_to_swp_entry(pte));
        mss.swap += kPageSize;
        mss.swap_pss += (kPageSize << kPssShift) / std::max<std::uint64_t>(users, 1);
    });
}

MemSizeStats gather(AddressSpace& mm, const Vma& v) {
    MemSizeStats mss;
    const bool locked = (v.flags & kVmLocked) != 0;
    for_each_mapped_frame(mm, v, [&](const Pte& pte, const FrameInfo& f) {
        account(mss, f, kind_of(v, f), (pte & kPteAccessed) != 0, (pte & kPteDirty) != 0, locked);
    });
    account_swap(mss, mm, v);
    return mss;
}

// Paths in maps escape newlines as octal (seq_file_path with "\n").
std::string escape_path(const std::string& path) {
    std::string out;
    out.reserve(path.size());
    for (char ch : path) {
        if (ch == '\n')
            out += "\\012";
        else
            out += ch;
    }
    return out;
}

struct MapLine {
    unsigned major = 0, minor = 0;
    std::uint64_t inode = 0;
    std::uint64_t pgoff_bytes = 0;
    std::string name;
};

// show_map_vma()'s device, inode, offset and name.
MapLine describe(const AddressSpace& mm, const Vma& v, const Root* root) {
    MapLine l;
    if (v.file) {
        const FileIdentity id = v.file->identity();
        l.major = ::gnu_dev_major(id.device);
        l.minor = ::gnu_dev_minor(id.device);
        l.inode = id.inode;
        l.pgoff_bytes = v.file_offset;
        l.name = escape_path(root ? root->guest_path(v.file->path()) : v.file->path());
        return l;
    }
    if (is_shared_anonymous(v)) {
        // The shmem file shmem_zero_setup() gives it: device 00:01, the offset into the object
        // (vm_pgoff). Its inode number is made up from the object's identity, so every piece
        // of one mapping shows the same.
        l.minor = 1;
        l.inode = (reinterpret_cast<std::uintptr_t>(v.origin.get()) >> 4) & 0xffffffff;
        l.pgoff_bytes = v.anon_pgoff << kPageShift;
        l.name = "/dev/zero (deleted)";
        return l;
    }
    // [heap]: Linux's rule (vm_start <= brk && vm_end >= start_brk), as it works out on a
    // Linux that randomizes the brk base (its default), where the brk area never adjoins the
    // bss: faultline does not randomize, and its bss ends exactly at start_brk.
    if (v.start >= mm.brk_start() && v.start <= mm.current_brk() && v.end >= mm.brk_start()) {
        l.name = "[heap]";
    } else if ((v.flags & kVmStack) ||
               (mm.layout.start_stack && v.start <= mm.layout.start_stack && v.end >= mm.layout.start_stack)) {
        l.name = "[stack]";
    } else if (v.name != "[heap]" && v.name != "[stack]") {
        l.name = v.name;  // special mappings of the future ([vdso], [anon:...]); empty now
    }
    return l;
}

}  // namespace

std::string vma_name(const AddressSpace& mm, const Vma& vma, const Root* root) { return describe(mm, vma, root).name; }

namespace {

void show_map_vma(std::string& out, const AddressSpace& mm, const Vma& v, std::uint64_t flags, const Root* root) {
    const MapLine l = describe(mm, v, root);
    const std::size_t line_start = out.size();
    put_hex(out, "", v.start, 8);
    put_hex(out, "-", v.end, 8);
    out += ' ';
    out += (flags & VM_READ) ? 'r' : '-';
    out += (flags & VM_WRITE) ? 'w' : '-';
    out += (flags & VM_EXEC) ? 'x' : '-';
    out += (flags & VM_MAYSHARE) ? 's' : 'p';
    put_hex(out, " ", l.pgoff_bytes, 8);
    put_hex(out, " ", l.major, 2);
    put_hex(out, ":", l.minor, 2);
    put_dec(out, " ", l.inode);
    out += ' ';
    if (!l.name.empty()) {
        // seq_setwidth(25 + sizeof(void *) * 6 - 1) then seq_pad(' '): the name starts in
        // column 74 (73 characters before it) unless the numbers are wider.
        constexpr std::size_t kWidth = 25 + 8 * 6 - 1;
        const std::size_t used = out.size() - line_start;
        if (used < kWidth)
            out.append(kWidth - used, ' ');
        out += ' ';
        out += l.name;
    }
    out += '\n';
}

void put_kb_line(std::string& out, std::string_view label, std::uint64_t bytes) {
    put_dec(out, label, bytes >> 10, 8);
    out += " kB\n";
}

// show_smap_vma_flags(): two-letter mnemonics in bit order, each followed by a space.
void show_vm_flags(std::string& out, std::uint64_t flags) {
    // Linux 6.1's table (VM_LOCKONFAULT got its "lf" only in 6.2).
    static constexpr struct {
        std::uint64_t bit;
        const char* name;
    } kMnemonics[] = {
        {VM_READ, "rd"},          {VM_WRITE, "wr"},         {VM_EXEC, "ex"},          {VM_SHARED, "sh"},
        {VM_MAYREAD, "mr"},       {VM_MAYWRITE, "mw"},      {VM_MAYEXEC, "me"},       {VM_MAYSHARE, "ms"},
        {VM_GROWSDOWN, "gd"},     {VM_LOCKED, "lo"},        {VM_SEQ_READ, "sr"},      {VM_RAND_READ, "rr"},
        {VM_DONTCOPY, "dc"},      {VM_ACCOUNT, "ac"},       {VM_NORESERVE, "nr"},     {VM_SYNC, "sf"},
        {VM_WIPEONFORK, "wf"},    {VM_DONTDUMP, "dd"},      {VM_HUGEPAGE, "hg"},      {VM_NOHUGEPAGE, "nh"},
        {VM_MERGEABLE, "mg"},
    };
    out += "VmFlags: ";
    for (const auto& m : kMnemonics) {
        if (flags & m.bit) {
            out += m.name;
            out += ' ';
        }
    }
    out += '\n';
}

}  // namespace

std::string maps(AddressSpace& mm, const Root* root) {
    std::string out;
    for (const Vma& v : mm.vmas())
        show_map_vma(out, mm, v, linux_vm_flags(v), root);
    return out;
}

std::string smaps(AddressSpace& mm, const Root* root) {
    std::string out;
    for (const Vma& v : mm.vmas()) {
        const std::uint64_t flags = linux_vm_flags(v);
        const MemSizeStats mss = gather(mm, v);
        show_map_vma(out, mm, v, flags, root);
        put_kb_line(out, "Size:           ", v.size());
        put_kb_line(out, "KernelPageSize: ", kPageSize);
        put_kb_line(out, "MMUPageSize:    ", kPageSize);
        put_kb_line(out, "Rss:            ", mss.resident);
        put_kb_line(out, "Pss:            ", mss.pss >> kPssShift);
        put_kb_line(out, "Pss_Dirty:      ", mss.pss_dirty >> kPssShift);
        put_kb_line(out, "Shared_Clean:   ", mss.shared_clean);
        put_kb_line(out, "Shared_Dirty:   ", mss.shared_dirty);
        put_kb_line(out, "Private_Clean:  ", mss.private_clean);
        put_kb_line(out, "Private_Dirty:  ", mss.private_dirty);
        put_kb_line(out, "Referenced:     ", mss.referenced);
        put_kb_line(out, "Anonymous:      ", mss.anonymous);
        put_kb_line(out, "LazyFree:       ", mss.lazyfree);
        put_kb_line(out, "AnonHugePages:  ", 0);
        put_kb_line(out, "ShmemPmdMapped: ", 0);
        put_kb_line(out, "FilePmdMapped:  ", 0);
        put_kb_line(out, "Shared_Hugetlb: ", 0);
        put_dec(out, "Private_Hugetlb: ", 0, 7);
        out += " kB\n";
        put_kb_line(out, "Swap:           ", mss.swap);
        put_kb_line(out, "SwapPss:        ", mss.swap_pss >> kPssShift);
        put_kb_line(out, "Locked:         ", mss.pss_locked >> kPssShift);
        // No transparent huge pages: no VMA is eligible.
        out += "THPeligible:    0\n";
        show_vm_flags(out, flags);
    }
    return out;
}

namespace detail {

MmCounters mm_counters(AddressSpace& mm) {
    MmCounters c;
    for (const Vma& v : mm.vmas()) {
        const std::uint64_t pages = v.size() >> kPageShift;
        const std::uint64_t flags = linux_vm_flags(v);
        c.total_vm += pages;
        if (flags & VM_LOCKED)
            c.locked_vm += pages;
        if (is_exec_mapping(flags))
            c.exec_vm += pages;
        else if (is_stack_mapping(flags))
            c.stack_vm += pages;
        else if (is_data_mapping(flags))
            c.data_vm += pages;
        for_each_mapped_frame(mm, v, [&](const Pte&, const FrameInfo& f) {
            switch (kind_of(v, f)) {
            case PageKind::Anon: ++c.anon; break;
            case PageKind::File: ++c.file; break;
            case PageKind::Shmem: ++c.shmem; break;
            }
        });
    }
    c.swap_entries = mm.swap_pages();
    c.hiwater_vm = std::max(c.total_vm, mm.peak_mapped_bytes() >> kPageShift);
    c.hiwater_rss = std::max(c.rss(), mm.peak_resident_pages());
    const std::uint64_t tables = mm.page_table().table_frames();
    c.pgtables_bytes = (tables > 0 ? tables - 1 : 0) * kPageSize;
    return c;
}

}  // namespace detail

}  // namespace os::fs::procfs
