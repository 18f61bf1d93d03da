// Shared by the fork, reverse-map and fork-property tests: a machine (physical memory, page
// cache, counting MMU), mapping and access helpers, and check_mm_consistency(), which
// recomputes every frame's counts and reverse map from the page tables and compares.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "os/mm/address_space.h"
#include "os/mm/anon_vma.h"
#include "os/mm/page_cache.h"
#include "os/mm/rmap.h"
#include "os/mm/shared_anon.h"
#include "os/mm/swap.h"

namespace fork_test {

using namespace os::mm;
constexpr std::uint64_t P = kPageSize;
constexpr std::uint32_t kRW = kProtRead | kProtWrite;

class CountingMmu final : public MmuNotifier {
public:
    void flush_tlb() override { ++flushes; }
    void invalidate_code(PhysAddr, std::uint64_t) override {}
    int flushes = 0;
};

struct Machine {
    explicit Machine(std::uint64_t frames = 4096) : pmem(frames * P) { pmem.set_mmu_notifier(&mmu); }
    PhysicalMemory pmem;
    CountingMmu mmu;
    PageCache cache{pmem};
};

// A temporary file of `pages` pages; byte i holds file_byte(i).
inline std::uint8_t file_byte(std::uint64_t offset) { return static_cast<std::uint8_t>(offset % 251 + 1); }

class TempFile {
public:
    explicit TempFile(std::uint64_t pages) {
        char tmpl[] = "/tmp/faultline-fork-XXXXXX";
        fd = ::mkstemp(tmpl);
        REQUIRE(fd >= 0);
        path = tmpl;
        std::vector<std::uint8_t> data(pages * P);
        for (std::size_t i = 0; i < data.size(); ++i)
            data[i] = file_byte(i);
        REQUIRE(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
    }
    ~TempFile() {
        ::close(fd);
        ::unlink(path.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    std::uint8_t byte_at(std::uint64_t offset) const {
        std::uint8_t b = 0;
        REQUIRE(::pread(fd, &b, 1, static_cast<off_t>(offset)) == 1);
        return b;
    }
    int fd = -1;
    std::string path;
};

inline std::shared_ptr<CachedFile> cached(Machine& m, const TempFile& f, bool writable) {
    auto file = m.cache.get(f.fd, f.path);
    REQUIRE(file);
    if (writable)
        (*file)->adopt_write_fd(::dup(f.fd));
    return *file;
}

inline VirtAddr map_at(AddressSpace& as, VirtAddr addr, std::uint64_t length, std::uint32_t prot = kRW,
                       std::uint32_t flags = 0, std::shared_ptr<CachedFile> file = nullptr,
                       std::uint64_t offset = 0) {
    MapRequest req;
    req.addr = addr;
    req.length = length;
    req.prot = prot;
    req.vm_flags = flags;
    req.placement = Placement::Fixed;
    req.file = std::move(file);
    req.file_offset = offset;
    auto r = as.map(req);
    REQUIRE(r.has_value());
    return *r;
}

inline bool try_write(AddressSpace& as, VirtAddr va, std::uint8_t value) {
    return as.copy_to_user(va, &value, 1).has_value();
}
inline void write_byte(AddressSpace& as, VirtAddr va, std::uint8_t value) { REQUIRE(try_write(as, va, value)); }
inline std::uint8_t read_byte(AddressSpace& as, VirtAddr va) {
    std::uint8_t b = 0xee;
    REQUIRE(as.copy_from_user(&b, va, 1));
    return b;
}
inline Pte pte_of(AddressSpace& as, VirtAddr va) {
    const Pte* p = as.page_table().lookup(va);
    return p ? *p : 0;
}
inline Pfn frame_of(AddressSpace& as, VirtAddr va) { return pte_pfn(pte_of(as, va)); }
inline std::uint64_t fault_count(const AddressSpace& as, FaultKind k) {
    return as.fault_counters().by_kind[static_cast<int>(k)];
}

using Mapping = std::pair<const AddressSpace*, VirtAddr>;

// Every PTE of `pfn`, as the reverse map finds it.
inline std::set<Mapping> rmap_of(PhysicalMemory& pmem, Pfn pfn) {
    std::set<Mapping> out;
    for_each_mapping(pmem, pfn, [&](AddressSpace& mm, Vma&, VirtAddr va, Pte& pte) {
        CHECK(pte_pfn(pte) == pfn);
        out.emplace(&mm, va);
    });
    return out;
}

// Recomputes from the page tables of `mms` (all the address spaces there are) what every
// frame's mapcount, refcount and reverse map must be, and what each address space's
// resident count and each AnonVma's reference count must be; with swap, what every slot's
// count must be (PTEs and shared anonymous objects holding it) and that the swap cache and
// the slots' cache flags agree. Returns "" when all agree.
inline std::string check_mm_consistency(PhysicalMemory& pmem, const std::vector<AddressSpace*>& mms) {
    std::map<Pfn, std::set<Mapping>> mapped;
    std::map<const AnonVma*, std::uint64_t> vma_refs, frame_refs;
    std::map<std::uint64_t, std::uint64_t> slot_users;  // by swap offset
    std::set<const SharedAnonObject*> objects;
    std::string error;
    auto fail = [&](const std::string& msg) {
        if (error.empty())
            error = msg;
    };
    for (AddressSpace* mm : mms) {
        std::uint64_t resident = 0, swapped = 0;
        for (Vma& v : mm->vmas()) {
            if (const SharedAnonObject* o = shared_anon_object(v))
                objects.insert(o);
            if (v.mm != mm)
                fail("a VMA does not name its address space");
            if (v.anon_vma) {
                ++vma_refs[v.anon_vma];
                if (!v.anon_vma_node.linked())
                    fail("a VMA with an anon_vma is not on its list");
            }
            if (shared_anon_object(v) && !v.shared_node.linked())
                fail("a shared anonymous VMA is not on its object's list");
            mm->page_table().for_each_pte(v.start, v.end, [&](VirtAddr va, Pte& pte) {
                if (is_swap_pte(pte)) {
                    ++swapped;
                    ++slot_users[pte_to_swp_entry(pte).offset];
                    if (!pmem.swap() || v.is_shared() || !v.anon_vma)
                        fail("a swap entry outside a private mapping with an anon_vma");
                    return;
                }
                if (!pte_has_frame(pte))
                    return fail("a PTE without a frame");
                const Pfn pfn = pte_pfn(pte);
                if (pmem.is_zero_frame(pfn)) {
                    if (pte & kPteWritable)
                        fail("the zero frame is mapped writable");
                    return;
                }
                ++resident;
                mapped[pfn].emplace(mm, va);
                const FrameInfo& f = pmem.info(pfn);
                if (v.is_shared() && v.is_anonymous()) {
                    if (f.rmap != RmapKind::SharedAnon || f.mapping != shared_anon_object(v) ||
                        f.index != v.linear_page_index(va))
                        fail("a shared anonymous page's rmap does not match its VMA");
                } else if (f.rmap == RmapKind::Anon) {
                    if (f.anon_vma != v.anon_vma || f.index != v.linear_page_index(va))
                        fail("an anonymous page's anon_vma or index does not match its VMA");
                } else if (f.rmap == RmapKind::File) {
                    if (f.mapping != v.file.get() || f.index != v.linear_page_index(va))
                        fail("a file page's rmap does not match its VMA");
                } else {
                    fail("a mapped frame with no rmap");
                }
                if ((pte & kPteWritable) && !v.is_shared() && (f.rmap != RmapKind::Anon || f.mapcount != 1))
                    fail("a private PTE is writable on a frame it does not own");
            });
        }
        if (resident != mm->resident_pages())
            fail("resident_pages " + std::to_string(mm->resident_pages()) + " but " + std::to_string(resident) +
                 " PTEs hold frames");
        if (swapped != mm->swap_pages())
            fail("swap_pages " + std::to_string(mm->swap_pages()) + " but " + std::to_string(swapped) +
                 " PTEs hold swap entries");
    }
    for (const SharedAnonObject* o : objects)
        for (const auto& [pgoff, e] : o->swapped())
            ++slot_users[e.offset];
    for (std::uint64_t i = 0; i < pmem.frame_count(); ++i) {
        const Pfn pfn = static_cast<Pfn>(i);
        const FrameInfo& f = pmem.info(pfn);
        if (f.use != FrameUse::Anonymous && f.use != FrameUse::File)
            continue;
        const auto it = mapped.find(pfn);
        const std::uint64_t ptes = it == mapped.end() ? 0 : it->second.size();
        if (f.mapcount != ptes)
            fail("frame " + std::to_string(i) + ": mapcount " + std::to_string(f.mapcount) + " but " +
                 std::to_string(ptes) + " PTEs map it");
        // The page cache, a shared anonymous object and the swap cache hold a reference on
        // their pages.
        const bool object_ref = f.rmap == RmapKind::File || f.rmap == RmapKind::SharedAnon;
        if (f.refcount != f.mapcount + (object_ref ? 1 : 0) + (f.swap_cache ? 1 : 0))
            fail("frame " + std::to_string(i) + ": refcount " + std::to_string(f.refcount) + " with mapcount " +
                 std::to_string(f.mapcount) + (f.swap_cache ? " in the swap cache" : ""));
        const bool slot_held = f.swap_cache && slot_users.contains(f.swap.offset);
        if (!object_ref && ptes == 0 && !slot_held)
            fail("frame " + std::to_string(i) + ": a private anonymous frame nothing maps (leaked)");
        if (f.swap_cache && (!pmem.swap() || pmem.swap()->cache().lookup(f.swap) != pfn))
            fail("frame " + std::to_string(i) + ": in the swap cache, which does not have it");
        if (f.rmap == RmapKind::Anon)
            ++frame_refs[f.anon_vma];
        if (ptes && rmap_of(pmem, pfn) != it->second)
            fail("frame " + std::to_string(i) + ": the reverse map finds other PTEs than the page tables hold");
    }
    for (const auto& [av, vmas] : vma_refs) {
        const std::uint64_t refs = vmas + (frame_refs.contains(av) ? frame_refs.at(av) : 0);
        if (av->refcount() != refs)
            fail("an AnonVma has " + std::to_string(av->refcount()) + " references, expected " + std::to_string(refs));
        if (av->vmas().size() != vmas)
            fail("an AnonVma lists " + std::to_string(av->vmas().size()) + " VMAs, " + std::to_string(vmas) +
                 " name it");
    }
    for (const auto& [av, frames] : frame_refs)
        if (!vma_refs.contains(av))
            fail("anonymous frames belong to an AnonVma no VMA names");
    if (const Swap* swap = pmem.swap()) {
        const SwapArea& area = swap->area();
        std::uint64_t used = 0;
        for (std::uint64_t offset = 1; offset <= area.total_slots(); ++offset) {
            const SwapEntry e{area.type(), offset};
            const std::uint64_t users = slot_users.contains(offset) ? slot_users.at(offset) : 0;
            if (area.swap_count(e) != users)
                fail("swap slot " + std::to_string(offset) + ": count " + std::to_string(area.swap_count(e)) +
                     " but " + std::to_string(users) + " PTEs and objects hold it");
            if (area.has_cache(e) != swap->cache().lookup(e).has_value())
                fail("swap slot " + std::to_string(offset) + ": the cache flag and the swap cache disagree");
            if (area.has_cache(e) && users == 0 && pmem.info(*swap->cache().lookup(e)).refcount == 1)
                fail("swap slot " + std::to_string(offset) + ": a cached page nothing can reach (leaked)");
            used += area.swap_count(e) != 0 || area.has_cache(e);
        }
        if (used != area.used_slots())
            fail("the swap area counts " + std::to_string(area.used_slots()) + " slots in use, " +
                 std::to_string(used) + " are");
    }
    return error;
}

}  // namespace fork_test
