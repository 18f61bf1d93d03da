// Tests for AddressSpace::remap (mremap): moves carry page-table entries (the frames, with
// their counts, not copies of the contents), shrinking and growing in place, MREMAP_FIXED,
// MREMAP_DONTUNMAP, duplication of shared mappings, the error cases, and how moved VMAs
// merge (anon_pgoff and anon_vma, as Linux).
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "os/mm/address_space.h"
#include "os/mm/mman.h"

namespace {

using namespace os::mm;
using linux_abi::Errno;
namespace abi = os::mm::abi;

constexpr std::uint64_t P = kPageSize;
constexpr std::uint32_t kRW = kProtRead | kProtWrite;

class CountingMmu final : public MmuNotifier {
public:
    void flush_tlb() override { ++flushes; }
    void invalidate_code(PhysAddr, std::uint64_t) override {}
    int flushes = 0;
};

struct Env {
    explicit Env(std::uint64_t frames = 4096) : pmem(frames * P), as(pmem, &mmu) { pmem.set_mmu_notifier(&mmu); }
    PhysicalMemory pmem;
    CountingMmu mmu;
    AddressSpace as;
};

VirtAddr map_at(AddressSpace& as, VirtAddr addr, std::uint64_t length, std::uint32_t prot = kRW,
                std::uint32_t flags = 0) {
    MapRequest req;
    req.addr = addr;
    req.length = length;
    req.prot = prot;
    req.vm_flags = flags;
    req.placement = Placement::FixedNoReplace;
    auto r = as.map(req);
    REQUIRE(r.has_value());
    return *r;
}

Pte pte_of(AddressSpace& as, VirtAddr va) {
    const Pte* p = as.page_table().lookup(va);
    return p ? *p : 0;
}

// Writes a distinct byte to every page: page i of [va, va + pages*P) holds i + tag.
void stamp(AddressSpace& as, VirtAddr va, std::uint64_t pages, std::uint8_t tag) {
    for (std::uint64_t i = 0; i < pages; ++i) {
        std::vector<std::uint8_t> buf(P, static_cast<std::uint8_t>(i + tag));
        REQUIRE(as.copy_to_user(va + i * P, buf.data(), P));
    }
}

std::uint8_t byte_at(AddressSpace& as, VirtAddr va) {
    std::uint8_t b = 0xee;
    REQUIRE(as.copy_from_user(&b, va, 1));
    return b;
}

std::vector<std::pair<VirtAddr, VirtAddr>> ranges(const AddressSpace& as) {
    std::vector<std::pair<VirtAddr, VirtAddr>> out;
    for (const Vma& v : as.vmas())
        out.emplace_back(v.start, v.end);
    return out;
}

using Ranges = std::vector<std::pair<VirtAddr, VirtAddr>>;

}  // namespace

TEST_CASE("mremap moves page-table entries: the same frames, counts unchanged, nothing copied") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr a = map_at(as, 0x1000'0000, 4 * P);
    map_at(as, a + 4 * P, P, kProtRead);  // the next page is taken: growing must move
    stamp(as, a, 4, 0x40);
    std::vector<Pfn> frames;
    for (int i = 0; i < 4; ++i)
        frames.push_back(pte_pfn(pte_of(as, a + i * P)));
    const auto free_before = e.pmem.free_frame_count();
    const auto resident_before = as.resident_pages();
    const int flushes_before = e.mmu.flushes;

    const VirtAddr b = as.remap(a, 4 * P, 16 * P, abi::MREMAP_MAYMOVE).value();
    REQUIRE(b != a);
    for (int i = 0; i < 4; ++i) {
        const Pte pte = pte_of(as, b + i * P);
        REQUIRE(pte_present(pte));
        CHECK(pte_pfn(pte) == frames[i]);  // the frame itself moved
        CHECK(e.pmem.info(frames[i]).refcount == 1);
        CHECK(e.pmem.info(frames[i]).mapcount == 1);
        CHECK(byte_at(as, b + i * P) == 0x40 + i);
        CHECK(pte_of(as, a + i * P) == 0);  // and left its old place
    }
    // Only page-table frames may have been taken; no page was copied or freed.
    CHECK(as.resident_pages() == resident_before);
    CHECK(e.pmem.free_frame_count() + 3 >= free_before);
    CHECK(e.mmu.flushes > flushes_before);
    CHECK(as.translate(a, Access::Read).error() == FaultError::MapError);
    // The grown tail is fresh anonymous memory.
    CHECK(byte_at(as, b + 10 * P) == 0);
    CHECK(as.vmas().find_containing(b)->end == b + 16 * P);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("mremap shrinks in place, grows in place into free pages, refuses to grow into a neighbour") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr a = map_at(as, 0x2000'0000, 8 * P);
    stamp(as, a, 8, 1);
    const auto free_before = e.pmem.free_frame_count();
    CHECK(as.remap(a, 8 * P, 3 * P, 0).value() == a);
    CHECK(e.pmem.free_frame_count() == free_before + 5);
    CHECK(ranges(as) == Ranges{{a, a + 3 * P}});

    // Growing in place keeps the frames where they are.
    const Pfn first = pte_pfn(pte_of(as, a));
    CHECK(as.remap(a, 3 * P, 6 * P, 0).value() == a);
    CHECK(pte_pfn(pte_of(as, a)) == first);
    CHECK(ranges(as) == Ranges{{a, a + 6 * P}});
    CHECK(byte_at(as, a + 2 * P) == 3);
    CHECK(byte_at(as, a + 5 * P) == 0);

    // A neighbour with other protection: no room without moving.
    map_at(as, a + 6 * P, P, kProtRead);
    CHECK(as.remap(a, 6 * P, 7 * P, 0).error() == Errno::enomem);
    // Only a range that ends the VMA can grow in place.
    map_at(as, a + 9 * P, 2 * P);
    CHECK(as.remap(a + 9 * P, P, 3 * P, 0).error() == Errno::enomem);
    // Growing up to a compatible neighbour merges with it (Linux's vma_merge_extend).
    CHECK(as.remap(a + 9 * P, 2 * P, 3 * P, 0).value() == a + 9 * P);
    map_at(as, a + 13 * P, 2 * P);
    CHECK(as.remap(a + 9 * P, 3 * P, 4 * P, 0).value() == a + 9 * P);
    CHECK(as.vmas().find_containing(a + 9 * P)->end == a + 15 * P);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("mremap argument and range errors, as Linux reports them") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr a = map_at(as, 0x3000'0000, 4 * P);
    map_at(as, a + 4 * P, 4 * P, kProtRead);
    using namespace abi;
    CHECK(as.remap(a, P, P, 8, 0).error() == Errno::einval);                        // unknown flag
    CHECK(as.remap(a, P, P, MREMAP_FIXED, a + 64 * P).error() == Errno::einval);   // FIXED needs MAYMOVE
    CHECK(as.remap(a, P, P, MREMAP_DONTUNMAP, 0).error() == Errno::einval);        // so does DONTUNMAP
    CHECK(as.remap(a, P, 2 * P, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, 0).error() == Errno::einval);  // no resize
    CHECK(as.remap(a + 1, P, P, 0, 0).error() == Errno::einval);
    CHECK(as.remap(a, P, 0, MREMAP_MAYMOVE, 0).error() == Errno::einval);
    CHECK(as.remap(a, P, ~std::uint64_t{0}, MREMAP_MAYMOVE, 0).error() == Errno::einval);  // rounds to 0
    CHECK(as.remap(a, P, kUserTop + P, MREMAP_MAYMOVE, 0).error() == Errno::einval);
    CHECK(as.remap(a, 0, P, MREMAP_MAYMOVE, 0).error() == Errno::einval);  // duplicating private memory
    CHECK(as.remap(a + 64 * P, P, 2 * P, MREMAP_MAYMOVE, 0).error() == Errno::efault);  // nothing there
    CHECK(as.remap(a, 6 * P, 7 * P, MREMAP_MAYMOVE, 0).error() == Errno::efault);       // two VMAs
    CHECK(as.remap(a, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, a + 2 * P).error() == Errno::einval);  // overlap
    CHECK(as.remap(a, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, a + 64 * P + 1).error() == Errno::einval);
    CHECK(as.remap(a, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, kUserTop).error() == Errno::einval);
    // A shrink may cross VMAs in the part it unmaps; the same length is a no-op.
    CHECK(as.remap(a, 8 * P, 8 * P, 0, 0).value() == a);
    CHECK(as.remap(a, 8 * P, 2 * P, 0, 0).value() == a);
    CHECK(ranges(as) == Ranges{{a, a + 2 * P}});
    // Below mmap_min_addr only with CAP_SYS_RAWIO.
    RemapLimits user;
    user.low_addresses_allowed = false;
    CHECK(as.remap(a, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, 0x1000, user).error() == Errno::eperm);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("mremap MREMAP_FIXED replaces the target; a move that does not resize may span several VMAs") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr a = map_at(as, 0x4000'0000, 2 * P);
    const VirtAddr t = map_at(as, 0x4100'0000, 4 * P, kProtRead);
    stamp(as, a, 2, 7);
    const auto free_before = e.pmem.free_frame_count();
    REQUIRE(as.translate(t, Access::Read));  // a zero page in the target
    CHECK(as.remap(a, 2 * P, 2 * P, abi::MREMAP_MAYMOVE | abi::MREMAP_FIXED, t + P).value() == t + P);
    CHECK(byte_at(as, t + P) == 7);
    CHECK(byte_at(as, t + 2 * P) == 8);
    CHECK(ranges(as) == Ranges{{t, t + P}, {t + P, t + 3 * P}, {t + 3 * P, t + 4 * P}});
    CHECK(as.vmas().find_containing(t + P)->prot == kRW);
    CHECK(e.pmem.free_frame_count() + 2 >= free_before);

    // Linux 6.17+: [b, b + 5P) holds two private anonymous VMAs with a gap; both move,
    // keeping the gap.
    const VirtAddr b = map_at(as, 0x4200'0000, 2 * P);
    map_at(as, b + 3 * P, 2 * P, kProtRead);
    stamp(as, b, 2, 0x20);
    const VirtAddr to = 0x4300'0000;
    CHECK(as.remap(b, 5 * P, 5 * P, abi::MREMAP_MAYMOVE | abi::MREMAP_FIXED, to).value() == to);
    CHECK(ranges(as).back() == std::pair<VirtAddr, VirtAddr>{to + 3 * P, to + 5 * P});
    CHECK(as.vmas().find_containing(to + 2 * P) == nullptr);
    CHECK(byte_at(as, to + P) == 0x21);
    CHECK(as.vmas().find_overlap(b, b + 5 * P) == nullptr);
    // ...but the range must start in a VMA.
    CHECK(as.remap(to - P, 3 * P, 3 * P, abi::MREMAP_MAYMOVE | abi::MREMAP_FIXED, b).error() == Errno::efault);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("mremap MREMAP_DONTUNMAP leaves the old range mapped and empty, unlocked") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr a = map_at(as, 0x5000'0000, 4 * P, kRW, kVmLocked);
    stamp(as, a, 4, 0x30);
    const Pfn f0 = pte_pfn(pte_of(as, a));
    const VirtAddr b = as.remap(a, 4 * P, 4 * P, abi::MREMAP_MAYMOVE | abi::MREMAP_DONTUNMAP, 0).value();
    REQUIRE(b != a);
    CHECK(pte_pfn(pte_of(as, b)) == f0);
    CHECK(byte_at(as, b + 3 * P) == 0x33);
    const Vma* old = as.vmas().find_containing(a);
    REQUIRE(old);
    CHECK(old->end == a + 4 * P);
    CHECK((old->flags & kVmLocked) == 0);
    CHECK(old->anon_vma == 0);  // all of it moved: its anon_vma went with the pages
    CHECK((as.vmas().find_containing(b)->flags & kVmLocked) != 0);
    CHECK(byte_at(as, a + P) == 0);  // private anonymous: the old range reads zero

    // Shared memory stays one object: the old range sees the moved pages.
    const VirtAddr s = map_at(as, 0x5100'0000, 2 * P, kRW, kVmShared);
    stamp(as, s, 2, 0x50);
    const VirtAddr s2 = as.remap(s, 2 * P, 2 * P, abi::MREMAP_MAYMOVE | abi::MREMAP_DONTUNMAP, 0).value();
    CHECK(byte_at(as, s2 + P) == 0x51);
    CHECK(byte_at(as, s + P) == 0x51);
    CHECK(pte_pfn(pte_of(as, s + P)) == pte_pfn(pte_of(as, s2 + P)));
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("mremap of a shared mapping with old_len 0 duplicates it; its object ends where it was made") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr s = map_at(as, 0x6000'0000, 2 * P, kRW, kVmShared);
    stamp(as, s, 2, 0x60);
    const VirtAddr d = as.remap(s, 0, 2 * P, abi::MREMAP_MAYMOVE, 0).value();
    REQUIRE(d != s);
    CHECK(as.vmas().find_containing(s) != nullptr);  // the original stays
    CHECK(byte_at(as, d + P) == 0x61);
    std::uint8_t x = 0x99;
    REQUIRE(as.copy_to_user(d, &x, 1));
    CHECK(byte_at(as, s) == 0x99);
    // Growing a mapping of the object does not grow the object: beyond it is SIGBUS.
    const VirtAddr g = as.remap(d, 2 * P, 4 * P, abi::MREMAP_MAYMOVE, 0).value();
    CHECK(as.vmas().find_containing(g)->end == g + 4 * P);
    CHECK(byte_at(as, g + P) == 0x61);
    CHECK(as.translate(g + 2 * P, Access::Read).error() == FaultError::BusError);
    CHECK(as.translate(s + 2 * P, Access::Read).error() == FaultError::MapError);
}

TEST_CASE("mremap: a moved VMA merges where Linux merges it (anon_pgoff and anon_vma)") {
    Env e;
    AddressSpace& as = e.as;
    using namespace abi;
    // Never touched: its pgoff follows it, so it merges with its new neighbours.
    const VirtAddr a = map_at(as, 0x7000'0000, 4 * P);
    map_at(as, 0x7100'0000, 2 * P);
    map_at(as, 0x7100'0000 + 6 * P, 2 * P);
    CHECK(as.remap(a, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, 0x7100'0000 + 2 * P).has_value());
    CHECK(ranges(as) == Ranges{{0x7100'0000, 0x7100'0000 + 8 * P}});

    // Touched: it keeps its pgoff, so next to fresh memory it stays apart...
    const VirtAddr b = map_at(as, 0x7200'0000, 4 * P);
    stamp(as, b, 1, 1);
    map_at(as, 0x7300'0000 + 4 * P, 2 * P);
    CHECK(as.remap(b, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, 0x7300'0000).has_value());
    CHECK(as.vmas().find_containing(0x7300'0000)->end == 0x7300'0000 + 4 * P);
    // ...and merges again where it came from.
    const VirtAddr c = map_at(as, 0x7400'0000, 8 * P);
    stamp(as, c, 8, 1);
    CHECK(as.remap(c, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, 0x7500'0000).has_value());
    CHECK(ranges(as).size() == 5);
    CHECK(as.remap(0x7500'0000, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, c).value() == c);
    CHECK(as.vmas().find_containing(c)->end == c + 8 * P);
    CHECK(byte_at(as, c + 6 * P) == 7);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("mremap of a locked mapping faults in what it grows; RLIMIT_MEMLOCK is EAGAIN") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr a = map_at(as, 0x7800'0000, 2 * P, kRW, kVmLocked);
    RemapLimits limits;
    limits.lock_limit = 4 * P;
    CHECK(as.remap(a, 2 * P, 8 * P, abi::MREMAP_MAYMOVE, 0, limits).error() == Errno::eagain);
    const auto resident = as.resident_pages();
    CHECK(as.remap(a, 2 * P, 4 * P, abi::MREMAP_MAYMOVE, 0, limits).value() == a);
    CHECK(as.resident_pages() == resident + 2);
}

TEST_CASE("mremap MREMAP_DONTUNMAP of untouched memory next to where it goes merges with it, and succeeds") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr a = map_at(as, 0x7a00'0000, 4 * P);
    // The moved part takes the pgoff of its new place, right after the old VMA's end.
    CHECK(as.remap(a + 2 * P, 2 * P, 2 * P, abi::MREMAP_MAYMOVE | abi::MREMAP_FIXED | abi::MREMAP_DONTUNMAP, a + 4 * P)
              .value() == a + 4 * P);
    CHECK(ranges(as) == Ranges{{a, a + 6 * P}});
    CHECK(as.vmas().check_invariants() == "");
}
