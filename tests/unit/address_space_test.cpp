#include <fcntl.h>
#include <sys/stat.h>
// Tests for os::mm::AddressSpace through its public API: the fault path (zero page, demand
// zero, Accessed/Dirty, NX, errors, stack growth, out of memory), mmap/munmap/mprotect/
// madvise/brk, the kernel's accessors for guest memory, and that teardown leaks no frame.
// No guest code runs: the MMU is a fake that counts what it is asked to do.
#include "os/mm/address_space.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "os/mm/page_cache.h"

namespace {

// A file as the page cache holds it (without a PageCache: the test owns it directly).
std::optional<std::shared_ptr<os::mm::CachedFile>> open_cached(os::mm::PhysicalMemory& pmem, const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    struct stat st {};
    ::fstat(fd, &st);
    return std::make_shared<os::mm::CachedFile>(
        pmem, fd, path, os::mm::FileIdentity{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)});
}


using linux_abi::Errno;
using os::mm::Access;
using os::mm::AddressSpace;
using os::mm::FaultError;
using os::mm::FaultKind;
using os::mm::FrameUse;
using os::mm::kPageSize;
using os::mm::kProtExec;
using os::mm::kProtNone;
using os::mm::kProtRead;
using os::mm::kProtWrite;
using os::mm::kPteAccessed;
using os::mm::kPteDirty;
using os::mm::kPteNoExec;
using os::mm::kPtePresent;
using os::mm::kPteWritable;
using os::mm::kTransExec;
using os::mm::kTransRead;
using os::mm::kTransWrite;
using os::mm::kUserTop;
using os::mm::MapRequest;
using os::mm::PhysAddr;
using os::mm::PhysicalMemory;
using os::mm::Placement;
using os::mm::Pte;
using os::mm::VirtAddr;
using os::mm::Vma;

constexpr std::uint64_t P = kPageSize;
constexpr std::uint32_t kRW = kProtRead | kProtWrite;

class CountingNotifier final : public os::mm::MmuNotifier {
public:
    void flush_tlb() override { ++flushes; }
    void invalidate_code(PhysAddr paddr, std::uint64_t length) override { invalidations.emplace_back(paddr, length); }

    int flushes = 0;
    std::vector<std::pair<PhysAddr, std::uint64_t>> invalidations;
};

// Declaration order is destruction order reversed: the address space goes first.
struct Env {
    // The kernel registers itself with PhysicalMemory too (code invalidation on frame reuse).
    explicit Env(std::uint64_t frames = 4096) : pmem(frames * P), as(pmem, &mmu) { pmem.set_mmu_notifier(&mmu); }
    PhysicalMemory pmem;
    CountingNotifier mmu;
    AddressSpace as;
};

VirtAddr map_anon(AddressSpace& as, VirtAddr addr, std::uint64_t length, std::uint32_t prot,
                  Placement placement = Placement::FixedNoReplace, std::uint32_t flags = 0) {
    MapRequest req;
    req.addr = addr;
    req.length = length;
    req.prot = prot;
    req.vm_flags = flags;
    req.placement = placement;
    auto r = as.map(req);
    REQUIRE(r.has_value());
    return *r;
}

Pte pte_of(const AddressSpace& as, VirtAddr va) {
    // const lookup through the public page table accessor
    const Pte* p = const_cast<AddressSpace&>(as).page_table().lookup(va);
    return p ? *p : 0;
}

PhysAddr zero_paddr(const PhysicalMemory& pmem) { return os::mm::pfn_to_phys(pmem.zero_frame()); }

bool all_zero(const std::byte* p, std::size_t n) {
    return std::all_of(p, p + n, [](std::byte b) { return b == std::byte{0}; });
}

std::vector<std::uint8_t> read_user(AddressSpace& as, VirtAddr va, std::uint64_t n) {
    std::vector<std::uint8_t> out(n, 0xee);
    REQUIRE(as.copy_from_user(out.data(), va, n));
    return out;
}

void fill_user(AddressSpace& as, VirtAddr va, std::uint64_t n, std::uint8_t value) {
    std::vector<std::uint8_t> buf(n, value);
    REQUIRE(as.copy_to_user(va, buf.data(), n));
}

std::vector<std::pair<VirtAddr, VirtAddr>> vma_ranges(const AddressSpace& as) {
    std::vector<std::pair<VirtAddr, VirtAddr>> out;
    for (const Vma& v : as.vmas())
        out.emplace_back(v.start, v.end);
    return out;
}

std::uint64_t kind_count(const AddressSpace& as, FaultKind k) {
    return as.fault_counters().by_kind[static_cast<int>(k)];
}

// A scratch directory removed at scope exit.
struct TempDir {
    TempDir() {
        static std::atomic<int> counter{0};
        path = std::filesystem::temp_directory_path() /
               ("faultline-as-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::filesystem::path path;
};

}  // namespace

TEST_CASE("AddressSpace read fault maps the shared zero frame read-only; write gets a fresh frame") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr a = map_anon(as, 0, 4 * P, kRW, Placement::Hint);
    REQUIRE(as.resident_pages() == 0);

    auto r = as.translate(a, Access::Read);
    REQUIRE(r.has_value());
    CHECK(r->paddr == zero_paddr(e.pmem));
    CHECK(r->perms == kTransRead);  // no write (copy-on-write), no exec (not PROT_EXEC)
    CHECK(as.resident_pages() == 0);
    CHECK(kind_count(as, FaultKind::ZeroPage) == 1);
    Pte pte = pte_of(as, a);
    CHECK((pte & kPtePresent) != 0);
    CHECK((pte & kPteWritable) == 0);
    CHECK((pte & kPteAccessed) != 0);
    CHECK((pte & kPteDirty) == 0);
    CHECK(read_user(as, a, P) == std::vector<std::uint8_t>(P, 0));

    const int flushes_before = e.mmu.flushes;
    const auto free_before = e.pmem.free_frame_count();
    auto w = as.translate(a, Access::Write);
    REQUIRE(w.has_value());
    CHECK(w->paddr != zero_paddr(e.pmem));
    CHECK(os::mm::page_aligned(w->paddr));
    CHECK(w->perms == (kTransRead | kTransWrite));
    CHECK(as.resident_pages() == 1);
    CHECK(e.pmem.free_frame_count() == free_before - 1);
    CHECK(e.pmem.info(os::mm::phys_to_pfn(w->paddr)).use == FrameUse::Anonymous);
    CHECK(all_zero(e.pmem.phys_data(w->paddr), P));
    // The read-only zero-page translation may be cached by the CPU: it must be dropped.
    CHECK(e.mmu.flushes > flushes_before);
    pte = pte_of(as, a);
    CHECK((pte & kPteWritable) != 0);
    CHECK((pte & kPteAccessed) != 0);
    CHECK((pte & kPteDirty) != 0);
    CHECK((pte & kPteNoExec) != 0);

    // Writing the new frame leaves the shared zero frame zero.
    fill_user(as, a, P, 0x5a);
    CHECK(all_zero(e.pmem.frame_data(e.pmem.zero_frame()), P));
    CHECK(read_user(as, a, P) == std::vector<std::uint8_t>(P, 0x5a));

    // A read-only touch of another page: Accessed, not Dirty, still the zero frame.
    auto r2 = as.translate(a + 2 * P, Access::Read);
    REQUIRE(r2.has_value());
    CHECK(r2->paddr == zero_paddr(e.pmem));
    pte = pte_of(as, a + 2 * P);
    CHECK((pte & kPteAccessed) != 0);
    CHECK((pte & kPteDirty) == 0);
    CHECK(as.resident_pages() == 1);
    // An untouched page has no PTE at all.
    CHECK((pte_of(as, a + 3 * P) & kPtePresent) == 0);
}

TEST_CASE("AddressSpace grants write in a translation only once the PTE is dirty") {
    Env e;
    AddressSpace& as = e.as;
    // A shared anonymous page gets a writable frame on a read fault, but not a dirty one.
    const VirtAddr a = map_anon(as, 0, 2 * P, kRW, Placement::Hint, os::mm::kVmShared);

    auto r = as.translate(a, Access::Read);
    REQUIRE(r.has_value());
    CHECK(r->paddr != zero_paddr(e.pmem));
    Pte pte = pte_of(as, a);
    REQUIRE((pte & kPteWritable) != 0);
    CHECK((pte & kPteAccessed) != 0);
    CHECK((pte & kPteDirty) == 0);
    // Writable PTE, clean page: the TLB must not get write permission, or the first write
    // would never come back to set Dirty.
    CHECK(r->perms == kTransRead);

    const auto minor = as.fault_counters().minor;
    const auto resident = as.resident_pages();
    auto w = as.translate(a, Access::Write);
    REQUIRE(w.has_value());
    CHECK(w->paddr == r->paddr);  // the same frame: no copy for a shared page
    CHECK(w->perms == (kTransRead | kTransWrite));
    CHECK((pte_of(as, a) & kPteDirty) != 0);
    CHECK(as.fault_counters().minor == minor);  // no fault: the PTE already allowed it
    CHECK(as.resident_pages() == resident);

    // Once dirty, a read fill carries write permission too.
    auto r2 = as.translate(a, Access::Read);
    REQUIRE(r2.has_value());
    CHECK(r2->perms == (kTransRead | kTransWrite));
}

TEST_CASE("AddressSpace private file mapping: read fill, clean then dirty, EOF and SIGBUS") {
    TempDir dir;
    const std::string path = (dir.path / "data.bin").string();
    std::vector<std::uint8_t> content(2 * P + 100);
    for (std::size_t i = 0; i < content.size(); ++i)
        content[i] = static_cast<std::uint8_t>(i % 251 + 1);
    {
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
    }
    Env e;
    auto file = open_cached(e.pmem, path);
    REQUIRE(file.has_value());
    AddressSpace& as = e.as;
    MapRequest req;
    req.length = 4 * P;
    req.prot = kRW;
    req.file = *file;
    req.name = path;
    const VirtAddr a = as.map(req).value();

    auto r = as.translate(a + P, Access::Read);
    REQUIRE(r.has_value());
    CHECK(r->perms == kTransRead);
    CHECK(std::memcmp(e.pmem.phys_data(r->paddr), content.data() + P, P) == 0);
    CHECK(kind_count(as, FaultKind::FilePage) == 1);
    CHECK(as.fault_counters().major == 1);
    CHECK((pte_of(as, a + P) & kPteDirty) == 0);

    // The read mapped the page-cache frame write-protected; the first write copies it
    // (copy-on-write), leaving the cached page as the file has it.
    auto w = as.translate(a + P, Access::Write);
    REQUIRE(w.has_value());
    CHECK(w->paddr != r->paddr);
    CHECK(w->perms == (kTransRead | kTransWrite));
    CHECK((pte_of(as, a + P) & kPteDirty) != 0);
    CHECK(kind_count(as, FaultKind::CowCopy) == 1);
    CHECK(std::memcmp(e.pmem.phys_data(w->paddr), content.data() + P, P) == 0);

    // Private: a write changes the guest's copy, never the host file.
    fill_user(as, a + P, 16, 0);
    CHECK(std::memcmp(e.pmem.phys_data(r->paddr), content.data() + P, P) == 0);
    {
        std::ifstream in(path, std::ios::binary);
        std::vector<char> back(content.size());
        in.read(back.data(), static_cast<std::streamsize>(back.size()));
        CHECK(std::memcmp(back.data(), content.data(), content.size()) == 0);
    }

    // The partial last page reads as zeros past end of file; a page wholly beyond it is SIGBUS.
    auto last = read_user(as, a + 2 * P, P);
    CHECK(std::equal(last.begin(), last.begin() + 100, content.begin() + 2 * P));
    CHECK(std::all_of(last.begin() + 100, last.end(), [](std::uint8_t b) { return b == 0; }));
    auto beyond = as.translate(a + 3 * P, Access::Read);
    REQUIRE_FALSE(beyond.has_value());
    CHECK(beyond.error() == FaultError::BusError);

    // file_offset selects the page: offset P maps file page 1 at the start.
    MapRequest req2 = req;
    req2.file_offset = P;
    req2.length = P;
    const VirtAddr b = as.map(req2).value();
    CHECK(read_user(as, b, P) == std::vector<std::uint8_t>(content.begin() + P, content.begin() + 2 * P));
}

TEST_CASE("AddressSpace execute permission follows PROT_EXEC; the PTE has NX otherwise") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr rw = map_anon(as, 0x400000, 2 * P, kRW);
    const VirtAddr rx = map_anon(as, 0x500000, 2 * P, kProtRead | kProtExec);
    const VirtAddr rwx = map_anon(as, 0x600000, 2 * P, kRW | kProtExec);

    auto x = as.translate(rw, Access::Execute);
    REQUIRE_FALSE(x.has_value());
    CHECK(x.error() == FaultError::AccessError);
    auto r = as.translate(rw, Access::Read);
    REQUIRE(r.has_value());
    CHECK((r->perms & kTransExec) == 0);
    CHECK((pte_of(as, rw) & kPteNoExec) != 0);
    REQUIRE(as.translate(rw + P, Access::Write));
    CHECK((pte_of(as, rw + P) & kPteNoExec) != 0);
    CHECK_FALSE(as.translate(rw + P, Access::Execute).has_value());

    auto ex = as.translate(rx, Access::Execute);
    REQUIRE(ex.has_value());
    CHECK((ex->perms & kTransExec) != 0);
    CHECK((ex->perms & kTransRead) != 0);
    CHECK((ex->perms & kTransWrite) == 0);
    CHECK((pte_of(as, rx) & kPteNoExec) == 0);
    auto rr = as.translate(rx + P, Access::Read);
    REQUIRE(rr.has_value());
    CHECK(rr->perms == (kTransRead | kTransExec));
    CHECK_FALSE(as.translate(rx, Access::Write).has_value());

    // RWX: a written page executes; its frame is remembered as having held code, so that
    // reusing it after munmap invalidates the translated blocks keyed by its address.
    REQUIRE(as.translate(rwx, Access::Write));
    auto wx = as.translate(rwx, Access::Execute);
    REQUIRE(wx.has_value());
    CHECK(wx->perms == (kTransRead | kTransWrite | kTransExec));
    const auto pfn = os::mm::phys_to_pfn(wx->paddr);
    CHECK(e.pmem.info(pfn).had_exec_mapping);
    REQUIRE(as.unmap(rwx, 2 * P));
    REQUIRE(e.mmu.invalidations.empty());
    const VirtAddr again = map_anon(as, 0x700000, P, kRW);
    auto w = as.translate(again, Access::Write);
    REQUIRE(w.has_value());
    CHECK(w->paddr == wx->paddr);  // LIFO reuse of the freed frame
    REQUIRE(e.mmu.invalidations.size() == 1);
    CHECK(e.mmu.invalidations[0] == std::make_pair(wx->paddr, P));
}

TEST_CASE("AddressSpace fault errors: unmapped, forbidden, PROT_NONE, beyond user space") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr ro = map_anon(as, 0x400000, P, kProtRead);
    const VirtAddr none = map_anon(as, 0x500000, P, kProtNone);
    const VirtAddr low = map_anon(as, AddressSpace::kMmapMinAddr, P, kRW);
    REQUIRE(as.translate(low, Access::Write));

    auto un = as.translate(0x4000'0000, Access::Read);
    REQUIRE_FALSE(un.has_value());
    CHECK(un.error() == FaultError::MapError);
    CHECK(as.translate(0x401000, Access::Write).error() == FaultError::MapError);  // just above ro
    CHECK(as.translate(0, Access::Read).error() == FaultError::MapError);

    CHECK(as.translate(ro, Access::Write).error() == FaultError::AccessError);
    CHECK(as.translate(ro, Access::Execute).error() == FaultError::AccessError);
    REQUIRE(as.translate(ro, Access::Read));
    // The read mapped the zero frame; a write must still be refused.
    CHECK(as.translate(ro, Access::Write).error() == FaultError::AccessError);

    CHECK(as.translate(none, Access::Read).error() == FaultError::AccessError);
    CHECK(as.translate(none, Access::Write).error() == FaultError::AccessError);
    CHECK(as.translate(none, Access::Execute).error() == FaultError::AccessError);
    CHECK(as.fault_counters().errors >= 8);

    // Kernel and non-canonical addresses never translate, even those whose low 48 bits
    // equal a mapped user page's (the 4-level walk only looks at bits 12..47).
    for (VirtAddr bad : {kUserTop, kUserTop + 0x123, VirtAddr{0x0000'8000'0000'0000} + low,
                         VirtAddr{0xffff'0000'0000'0000} + low, VirtAddr{0x0001'0000'0000'0000} + low, VirtAddr{0xffff'8000'0000'0000},
                         VirtAddr{0xffff'8000'0000'0000} + low, VirtAddr{0xffff'ffff'ff60'0000},
                         VirtAddr{0xffff'ffff'ffff'f000}}) {
        INFO("address " << std::hex << bad);
        for (Access acc : {Access::Read, Access::Write, Access::Execute})
            CHECK_FALSE(as.translate(bad, acc).has_value());
        std::uint8_t b = 0;
        CHECK(as.copy_from_user(&b, bad, 1).error() == Errno::efault);
    }
}

TEST_CASE("AddressSpace grows a VM_GROWSDOWN stack within its limit and guard gap") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr top = 0x7ff0'0000'0000;

    SECTION("growth within the stack limit, refused beyond it") {
        as.set_stack_limit(64 * P);
        CHECK(as.stack_limit() == 64 * P);
        map_anon(as, top - 4 * P, 4 * P, kRW, Placement::FixedNoReplace, os::mm::kVmGrowsDown | os::mm::kVmStack);
        const Vma* stack = as.vmas().find_containing(top - 1);
        REQUIRE(stack);

        REQUIRE(as.translate(top - 5 * P + 8, Access::Write));
        CHECK(stack->start == top - 5 * P);
        CHECK(stack->end == top);
        CHECK(kind_count(as, FaultKind::StackGrowth) == 1);

        REQUIRE(as.translate(top - 20 * P, Access::Read));
        CHECK(stack->start == top - 20 * P);
        CHECK(kind_count(as, FaultKind::StackGrowth) == 2);
        CHECK(as.vmas().size() == 1);

        auto too_far = as.translate(top - 64 * P - 1, Access::Write);
        REQUIRE_FALSE(too_far.has_value());
        CHECK(too_far.error() == FaultError::MapError);
        CHECK(stack->start == top - 20 * P);
        CHECK(kind_count(as, FaultKind::StackGrowth) == 2);

        // Exactly at the limit is allowed.
        REQUIRE(as.translate(top - 64 * P, Access::Write));
        CHECK(stack->start == top - 64 * P);
        CHECK(kind_count(as, FaultKind::StackGrowth) == 3);
        CHECK(as.vmas().check_invariants() == "");
    }

    SECTION("growth keeps the guard gap above the VMA below") {
        map_anon(as, top - 4 * P, 4 * P, kRW, Placement::FixedNoReplace, os::mm::kVmGrowsDown | os::mm::kVmStack);
        const VirtAddr below_end = top - 4 * P - AddressSpace::kStackGuardGap - 8 * P;
        map_anon(as, below_end - P, P, kRW);
        const Vma* stack = as.vmas().find_containing(top - 1);
        REQUIRE(stack);

        // One page inside the gap: refused.
        auto in_gap = as.translate(below_end + AddressSpace::kStackGuardGap - P, Access::Write);
        REQUIRE_FALSE(in_gap.has_value());
        CHECK(in_gap.error() == FaultError::MapError);
        CHECK(stack->start == top - 4 * P);
        CHECK(as.translate(below_end + P, Access::Write).error() == FaultError::MapError);

        // Leaving exactly the gap: allowed.
        REQUIRE(as.translate(below_end + AddressSpace::kStackGuardGap, Access::Write));
        CHECK(stack->start == below_end + AddressSpace::kStackGuardGap);
        CHECK(kind_count(as, FaultKind::StackGrowth) == 1);
    }

    SECTION("an ordinary VMA does not grow") {
        map_anon(as, top - 4 * P, 4 * P, kRW);
        CHECK(as.translate(top - 5 * P, Access::Write).error() == FaultError::MapError);
        CHECK(as.vmas().find_containing(top - 1)->start == top - 4 * P);
        CHECK(kind_count(as, FaultKind::StackGrowth) == 0);
    }
}

TEST_CASE("AddressSpace map places hinted mappings top-down below kMmapBase and merges neighbours") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr a = map_anon(as, 0, 3 * P, kRW, Placement::Hint);
    CHECK(a == AddressSpace::kMmapBase - 3 * P);
    const VirtAddr b = map_anon(as, 0, 2 * P + 1, kRW, Placement::Hint);  // length rounds up
    CHECK(b == a - 3 * P);
    // Adjacent anonymous mappings with equal protection are one VMA.
    REQUIRE(as.vmas().size() == 1);
    CHECK(vma_ranges(as) == std::vector<std::pair<VirtAddr, VirtAddr>>{{b, a + 3 * P}});
    CHECK(as.mapped_bytes() == 6 * P);

    // A different protection is a VMA of its own, directly below.
    const VirtAddr c = map_anon(as, 0, P, kProtRead, Placement::Hint);
    CHECK(c == b - P);
    CHECK(as.vmas().size() == 2);

    // A free hint is honoured; an occupied one is not.
    const VirtAddr h = map_anon(as, 0x5000'0123, P, kRW, Placement::Hint);
    CHECK(h == 0x5000'0000);
    const VirtAddr h2 = map_anon(as, a, P, kRW, Placement::Hint);
    CHECK(h2 != a);
    CHECK(h2 == c - P);

    MapRequest empty;
    empty.prot = kRW;
    CHECK(as.map(empty).error() == Errno::enomem);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("AddressSpace map FixedNoReplace refuses to overlap; Fixed replaces and frees the old frames") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr x = 0x1000'0000;
    map_anon(as, x, 4 * P, kRW);
    fill_user(as, x, 4 * P, 0x77);
    REQUIRE(as.resident_pages() == 4);

    MapRequest req;
    req.addr = x + 3 * P;
    req.length = 2 * P;
    req.prot = kRW;
    req.placement = Placement::FixedNoReplace;
    CHECK(as.map(req).error() == Errno::eexist);
    req.addr = x - P;
    CHECK(as.map(req).error() == Errno::eexist);
    CHECK(vma_ranges(as) == std::vector<std::pair<VirtAddr, VirtAddr>>{{x, x + 4 * P}});
    CHECK(as.resident_pages() == 4);
    CHECK(read_user(as, x, 4 * P) == std::vector<std::uint8_t>(4 * P, 0x77));

    req.placement = Placement::Fixed;
    req.addr = x + 1;
    CHECK(as.map(req).error() == Errno::einval);

    // Fixed over the middle two pages: their frames go back (the page tables stay, as the
    // outer pages still use them), and the new pages read zero.
    const auto free_before = e.pmem.free_frame_count();
    const int flushes_before = e.mmu.flushes;
    req.addr = x + P;
    REQUIRE(as.map(req).value() == x + P);
    CHECK(e.pmem.free_frame_count() == free_before + 2);
    CHECK(as.resident_pages() == 2);
    CHECK(e.mmu.flushes > flushes_before);
    CHECK(read_user(as, x + P, 2 * P) == std::vector<std::uint8_t>(2 * P, 0));
    CHECK(read_user(as, x, P) == std::vector<std::uint8_t>(P, 0x77));
    CHECK(read_user(as, x + 3 * P, P) == std::vector<std::uint8_t>(P, 0x77));
    // Same protection and flags: merged back into one VMA.
    CHECK(vma_ranges(as) == std::vector<std::pair<VirtAddr, VirtAddr>>{{x, x + 4 * P}});

    // Fixed with a different protection splits.
    req.prot = kProtRead;
    req.addr = x + P;
    req.length = P;
    REQUIRE(as.map(req));
    CHECK(as.vmas().size() == 3);
    CHECK(as.translate(x + P, Access::Write).error() == FaultError::AccessError);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("AddressSpace unmap in the middle splits the VMA and frees exactly the hole's frames") {
    Env e;
    AddressSpace& as = e.as;
    const auto baseline = e.pmem.free_frame_count();
    const VirtAddr x = 0x2000'0000;
    map_anon(as, x, 8 * P, kRW);
    for (int i = 0; i < 8; ++i)
        fill_user(as, x + i * P, P, static_cast<std::uint8_t>(i + 1));
    REQUIRE(as.resident_pages() == 8);

    const auto free_before = e.pmem.free_frame_count();
    const int flushes_before = e.mmu.flushes;
    REQUIRE(as.unmap(x + 3 * P, 2 * P));
    CHECK(e.pmem.free_frame_count() == free_before + 2);
    CHECK(e.mmu.flushes > flushes_before);
    CHECK(as.resident_pages() == 6);
    CHECK(vma_ranges(as) == std::vector<std::pair<VirtAddr, VirtAddr>>{{x, x + 3 * P}, {x + 5 * P, x + 8 * P}});
    CHECK(as.translate(x + 3 * P, Access::Read).error() == FaultError::MapError);
    CHECK(as.translate(x + 4 * P, Access::Read).error() == FaultError::MapError);
    for (int i : {0, 1, 2, 5, 6, 7})
        CHECK(read_user(as, x + i * P, P) == std::vector<std::uint8_t>(P, static_cast<std::uint8_t>(i + 1)));

    // Unmapping nothing is fine; bad arguments are EINVAL.
    CHECK(as.unmap(x + 3 * P, P).has_value());
    CHECK(as.unmap(x + 1, P).error() == Errno::einval);
    CHECK(as.unmap(x, 0).error() == Errno::einval);
    CHECK(as.unmap(kUserTop, P).error() == Errno::einval);

    // Unmapping everything gives back the page tables too.
    REQUIRE(as.unmap(x, 8 * P));
    CHECK(as.vmas().empty());
    CHECK(as.resident_pages() == 0);
    CHECK(as.page_table().table_frames() == 1);
    CHECK(e.pmem.free_frame_count() == baseline);
}

TEST_CASE("AddressSpace protect splits and merges VMAs like mprotect") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr x = 0x3000'0000;
    map_anon(as, x, 3 * P, kRW);
    fill_user(as, x, 3 * P, 0x42);
    auto before = as.translate(x + P, Access::Write);
    REQUIRE(before);

    const int flushes_before = e.mmu.flushes;
    REQUIRE(as.protect(x + P, P, kProtRead));
    CHECK(e.mmu.flushes > flushes_before);  // write permission was taken away
    REQUIRE(as.vmas().size() == 3);
    CHECK(vma_ranges(as) ==
          std::vector<std::pair<VirtAddr, VirtAddr>>{{x, x + P}, {x + P, x + 2 * P}, {x + 2 * P, x + 3 * P}});
    CHECK(as.vmas().find_containing(x)->prot == kRW);
    CHECK(as.vmas().find_containing(x + P)->prot == kProtRead);
    CHECK(as.vmas().find_containing(x + 2 * P)->prot == kRW);
    CHECK(as.translate(x + P, Access::Write).error() == FaultError::AccessError);
    auto r = as.translate(x + P, Access::Read);
    REQUIRE(r);
    CHECK(r->paddr == before->paddr);
    CHECK(r->perms == kTransRead);
    CHECK((pte_of(as, x + P) & kPteWritable) == 0);
    CHECK(read_user(as, x + P, P) == std::vector<std::uint8_t>(P, 0x42));
    REQUIRE(as.translate(x, Access::Write));
    REQUIRE(as.translate(x + 2 * P, Access::Write));

    // PROT_NONE keeps the frame but denies access; back to readable, the data is there.
    REQUIRE(as.protect(x + P, P, kProtNone));
    CHECK(as.translate(x + P, Access::Read).error() == FaultError::AccessError);
    CHECK(as.resident_pages() == 3);

    REQUIRE(as.protect(x + P, P, kRW));
    CHECK(vma_ranges(as) == std::vector<std::pair<VirtAddr, VirtAddr>>{{x, x + 3 * P}});
    auto w = as.translate(x + P, Access::Write);
    REQUIRE(w);
    CHECK(w->paddr == before->paddr);
    CHECK(read_user(as, x, 3 * P) == std::vector<std::uint8_t>(3 * P, 0x42));

    // Read-only then writable again on a zero-page mapping stays copy-on-write.
    const VirtAddr z = map_anon(as, 0x3100'0000, P, kRW);
    REQUIRE(as.translate(z, Access::Read));
    REQUIRE(as.protect(z, P, kProtRead));
    REQUIRE(as.protect(z, P, kRW));
    fill_user(as, z, P, 9);
    CHECK(all_zero(e.pmem.frame_data(e.pmem.zero_frame()), P));

    CHECK(as.protect(x + 1, P, kProtRead).error() == Errno::einval);
    CHECK(as.protect(x, P, 0x8).error() == Errno::einval);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("AddressSpace protect over a hole is ENOMEM, with the VMAs before the hole changed as on Linux") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr x = 0x3000'0000;
    map_anon(as, x, 2 * P, kRW);
    map_anon(as, x + 3 * P, 2 * P, kRW | kProtExec);
    fill_user(as, x, 2 * P, 1);
    fill_user(as, x + 3 * P, 2 * P, 2);
    const auto ranges = vma_ranges(as);
    const int flushes = e.mmu.flushes;

    // Starting in the hole, or below the first VMA: nothing is looked at.
    CHECK(as.protect(x + 2 * P, 2 * P, kProtRead).error() == Errno::enomem);
    CHECK(as.protect(x - P, 2 * P, kProtRead).error() == Errno::enomem);
    CHECK(vma_ranges(as) == ranges);
    CHECK(e.mmu.flushes == flushes);

    // mprotect() works VMA by VMA: running off the end changes the part that is mapped...
    CHECK(as.protect(x + 4 * P, 2 * P, kProtRead).error() == Errno::enomem);
    CHECK(vma_ranges(as) ==
          std::vector<std::pair<VirtAddr, VirtAddr>>{{x, x + 2 * P}, {x + 3 * P, x + 4 * P}, {x + 4 * P, x + 5 * P}});
    CHECK(as.vmas().find_containing(x + 4 * P)->prot == kProtRead);
    // ...and a hole in the middle stops it after the VMA before the hole.
    CHECK(as.protect(x + P, 3 * P, kProtRead).error() == Errno::enomem);
    CHECK(as.vmas().find_containing(x)->prot == kRW);
    CHECK(as.vmas().find_containing(x + P)->prot == kProtRead);
    CHECK(as.vmas().find_containing(x + 3 * P)->prot == (kRW | kProtExec));
    CHECK(as.translate(x, Access::Write).has_value());
    CHECK(as.translate(x + P, Access::Write).error() == FaultError::AccessError);
    CHECK(as.translate(x + 3 * P, Access::Write).has_value());
    CHECK(read_user(as, x + P, P) == std::vector<std::uint8_t>(P, 1));
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("AddressSpace discard (MADV_DONTNEED) makes written anonymous pages read zero") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr x = 0x4000'0000;
    map_anon(as, x, 4 * P, kRW);
    fill_user(as, x, 4 * P, 0xcd);
    const auto free_before = e.pmem.free_frame_count();

    REQUIRE(as.discard(x + P, 2 * P));
    CHECK(as.resident_pages() == 2);
    CHECK(e.pmem.free_frame_count() == free_before + 2);
    CHECK(read_user(as, x + P, 2 * P) == std::vector<std::uint8_t>(2 * P, 0));
    CHECK(read_user(as, x, P) == std::vector<std::uint8_t>(P, 0xcd));
    CHECK(read_user(as, x + 3 * P, P) == std::vector<std::uint8_t>(P, 0xcd));
    // The VMA is untouched: the pages can be written again.
    CHECK(as.vmas().size() == 1);
    fill_user(as, x + P, P, 1);

    // A hole: ENOMEM, but the mapped part is still discarded.
    CHECK(as.discard(x + 3 * P, 2 * P).error() == Errno::enomem);
    CHECK(read_user(as, x + 3 * P, P) == std::vector<std::uint8_t>(P, 0));

    // Shared memory keeps its contents.
    const VirtAddr s = map_anon(as, 0x4100'0000, P, kRW, Placement::FixedNoReplace, os::mm::kVmShared);
    fill_user(as, s, P, 0x33);
    REQUIRE(as.discard(s, P));
    CHECK(read_user(as, s, P) == std::vector<std::uint8_t>(P, 0x33));
}

TEST_CASE("AddressSpace brk grows a zeroed [heap], shrinks, and refuses to collide") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr b = 0x1000'0000;
    as.set_brk_start(b);
    CHECK(as.brk_start() == b);
    CHECK(as.brk(0) == b);
    CHECK(as.vmas().empty());

    CHECK(as.brk(b + 3 * P + 100) == b + 3 * P + 100);
    CHECK(as.current_brk() == b + 3 * P + 100);
    const Vma* heap = as.vmas().find_containing(b);
    REQUIRE(heap);
    CHECK(heap->start == b);
    CHECK(heap->end == b + 4 * P);
    CHECK(heap->name == "[heap]");
    CHECK((heap->flags & os::mm::kVmHeap) != 0);
    CHECK(heap->prot == kRW);
    CHECK(heap->is_anonymous());
    CHECK(read_user(as, b, 4 * P) == std::vector<std::uint8_t>(4 * P, 0));

    // Growing within the same page moves only the break.
    CHECK(as.brk(b + 4 * P) == b + 4 * P);
    CHECK(as.vmas().size() == 1);

    fill_user(as, b, 4 * P, 0xab);
    const auto free_before = e.pmem.free_frame_count();
    CHECK(as.brk(b + P) == b + P);
    CHECK(e.pmem.free_frame_count() == free_before + 3);
    CHECK(vma_ranges(as) == std::vector<std::pair<VirtAddr, VirtAddr>>{{b, b + P}});
    CHECK(as.translate(b + 2 * P, Access::Read).error() == FaultError::MapError);

    // Grown again, the released part reads zero; the kept part keeps its data.
    CHECK(as.brk(b + 4 * P) == b + 4 * P);
    CHECK(read_user(as, b + P, 3 * P) == std::vector<std::uint8_t>(3 * P, 0));
    CHECK(read_user(as, b, P) == std::vector<std::uint8_t>(P, 0xab));
    CHECK(as.vmas().size() == 1);

    // Below the start: the old break.
    CHECK(as.brk(b - P) == b + 4 * P);
    CHECK(as.brk(0) == b + 4 * P);

    // Down to the start and up again.
    CHECK(as.brk(b) == b);
    CHECK(as.vmas().empty());
    CHECK(as.brk(b + 2 * P) == b + 2 * P);
    CHECK(read_user(as, b, 2 * P) == std::vector<std::uint8_t>(2 * P, 0));

    // Another mapping above: growth stops a page short of it.
    map_anon(as, b + 16 * P, P, kProtRead);
    CHECK(as.brk(b + 16 * P) == b + 2 * P);
    CHECK(as.brk(b + 20 * P) == b + 2 * P);
    CHECK(as.brk(b + 15 * P + 1) == b + 2 * P);
    CHECK(as.vmas().find_containing(b)->end == b + 2 * P);
    CHECK(as.brk(b + 15 * P) == b + 15 * P);
    CHECK(as.vmas().find_containing(b)->end == b + 15 * P);
    CHECK(as.vmas().size() == 2);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("AddressSpace brk refuses breaks beyond user space") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr b = 0x1000'0000;
    as.set_brk_start(b);
    REQUIRE(as.brk(b + 2 * P) == b + 2 * P);
    for (VirtAddr huge : {kUserTop + P, VirtAddr{0x8000'0000'0000}, ~VirtAddr{0}, ~VirtAddr{0} - P + 2}) {
        INFO("brk(" << std::hex << huge << ")");
        CHECK(as.brk(huge) == b + 2 * P);
        CHECK(as.current_brk() == b + 2 * P);
        CHECK(vma_ranges(as) == std::vector<std::pair<VirtAddr, VirtAddr>>{{b, b + 2 * P}});
        CHECK(as.vmas().check_invariants() == "");
    }
}

TEST_CASE("AddressSpace copy_to_user/copy_from_user/copy_string_from_user") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr x = 0x5000'0000;
    map_anon(as, x, 2 * P, kRW);
    const VirtAddr ro = map_anon(as, 0x5100'0000, P, kProtRead);

    SECTION("round trip across a page boundary") {
        std::vector<std::uint8_t> out(100);
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = static_cast<std::uint8_t>(i * 7 + 3);
        REQUIRE(as.copy_to_user(x + P - 50, out.data(), out.size()));
        std::vector<std::uint8_t> in(100);
        REQUIRE(as.copy_from_user(in.data(), x + P - 50, in.size()));
        CHECK(in == out);
        // The bytes really are on both pages.
        auto p0 = as.translate(x, Access::Read);
        auto p1 = as.translate(x + P, Access::Read);
        REQUIRE((p0 && p1));
        CHECK(std::memcmp(e.pmem.phys_data(p0->paddr + P - 50), out.data(), 50) == 0);
        CHECK(std::memcmp(e.pmem.phys_data(p1->paddr), out.data() + 50, 50) == 0);

        REQUIRE(as.clear_user(x + P - 10, 20));
        CHECK(read_user(as, x + P - 10, 20) == std::vector<std::uint8_t>(20, 0));
        CHECK(read_user(as, x + P - 50, 40) == std::vector<std::uint8_t>(out.begin(), out.begin() + 40));
    }

    SECTION("EFAULT on unmapped memory and on writes to read-only memory") {
        std::uint8_t buf[32] = {1, 2, 3};
        CHECK(as.copy_from_user(buf, 0x6000'0000, 8).error() == Errno::efault);
        CHECK(as.copy_to_user(0x6000'0000, buf, 8).error() == Errno::efault);
        CHECK(as.copy_from_user(buf, x + 2 * P - 16, 32).error() == Errno::efault);  // runs off the end
        CHECK(as.copy_to_user(ro, buf, 8).error() == Errno::efault);
        CHECK(as.clear_user(ro, 8).error() == Errno::efault);
        CHECK(read_user(as, ro, 8) == std::vector<std::uint8_t>(8, 0));
        CHECK(as.copy_from_user(buf, kUserTop - 8, 16).error() == Errno::efault);
        CHECK(as.copy_from_user(buf, x, ~std::uint64_t{0}).error() == Errno::efault);
        CHECK(as.copy_from_user(buf, 0x6000'0000, 0).has_value());  // nothing to copy
    }

    SECTION("strings") {
        const std::string s = "hello, world";
        const VirtAddr at = x + P - 5;  // straddles the boundary
        REQUIRE(as.copy_to_user(at, s.c_str(), s.size() + 1));
        CHECK(as.copy_string_from_user(at, 100).value() == s);
        CHECK(as.copy_string_from_user(at, s.size() + 1).value() == s);  // max counts the NUL
        CHECK(as.copy_string_from_user(at, s.size()).error() == Errno::enametoolong);
        CHECK(as.copy_string_from_user(at, 3).error() == Errno::enametoolong);
        CHECK(as.copy_string_from_user(at + s.size(), 10).value().empty());
        CHECK(as.copy_string_from_user(0x6000'0000, 10).error() == Errno::efault);
        // No NUL before the end of the mapping: the read runs into unmapped memory.
        fill_user(as, x + 2 * P - 8, 8, 'x');
        CHECK(as.copy_string_from_user(x + 2 * P - 8, 100).error() == Errno::efault);
        CHECK(as.copy_string_from_user(x + 2 * P - 8, 8).error() == Errno::enametoolong);
    }

    SECTION("peek reads what is mapped and faults nothing in") {
        std::vector<std::uint8_t> buf(2 * P, 0xee);
        const auto counters = as.fault_counters();
        CHECK(as.peek(x, buf.data(), buf.size()) == 0);
        CHECK(as.resident_pages() == 0);
        CHECK(as.fault_counters().minor == counters.minor);
        CHECK((pte_of(as, x) & kPtePresent) == 0);

        fill_user(as, x, P, 0x61);
        const auto resident = as.resident_pages();
        const auto minor = as.fault_counters().minor;
        CHECK(as.peek(x + 10, buf.data(), buf.size()) == P - 10);  // stops at the untouched page
        CHECK(std::all_of(buf.begin(), buf.begin() + P - 10, [](std::uint8_t b) { return b == 0x61; }));
        CHECK(as.resident_pages() == resident);
        CHECK(as.fault_counters().minor == minor);
        CHECK((pte_of(as, x + P) & kPtePresent) == 0);
        CHECK(as.peek(0x6000'0000, buf.data(), 8) == 0);
        CHECK(as.peek(kUserTop, buf.data(), 8) == 0);
    }
}

TEST_CASE("AddressSpace teardown returns every frame, page tables included") {
    PhysicalMemory pmem(8192 * P);
    CountingNotifier mmu;
    const auto before = pmem.free_frame_count();
    TempDir dir;
    const std::string path = (dir.path / "f").string();
    {
        std::ofstream out(path, std::ios::binary);
        std::vector<char> bytes(3 * P, 'f');
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    {
        AddressSpace as(pmem, &mmu);
        // Written anonymous memory spread over several tables.
        const VirtAddr a = map_anon(as, 0, 600 * P, kRW, Placement::Hint);
        for (std::uint64_t i = 0; i < 600; i += 1)
            REQUIRE(as.translate(a + i * P, Access::Write));
        // Far away regions (other PML4 / PDPT entries); reads of the zero page.
        const VirtAddr lo = map_anon(as, 0x40'0000, 64 * P, kRW);
        for (std::uint64_t i = 0; i < 64; i += 2)
            REQUIRE(as.translate(lo + i * P, Access::Read));
        const VirtAddr mid = map_anon(as, 0x100'0000'0000, 8 * P, kRW | kProtExec);
        fill_user(as, mid, 8 * P, 0x90);
        REQUIRE(as.translate(mid, Access::Execute));
        // PROT_NONE pages keep their frames; teardown must still free them.
        REQUIRE(as.protect(mid + 2 * P, 2 * P, kProtNone));
        // A heap, a stack that grew, a private file mapping that was written.
        as.set_brk_start(0x2000'0000);
        REQUIRE(as.brk(0x2000'0000 + 10 * P) == 0x2000'0000 + 10 * P);
        fill_user(as, 0x2000'0000, 10 * P, 1);
        map_anon(as, kUserTop - 8 * P, 8 * P, kRW, Placement::FixedNoReplace, os::mm::kVmGrowsDown | os::mm::kVmStack);
        fill_user(as, kUserTop - 40 * P, 40 * P, 2);
        auto file = open_cached(pmem, path);
        REQUIRE(file);
        MapRequest req;
        req.length = 3 * P;
        req.prot = kRW;
        req.file = *file;
        const VirtAddr f = as.map(req).value();
        REQUIRE(as.translate(f, Access::Read));
        fill_user(as, f + P, P, 3);

        CHECK(as.resident_pages() > 600);
        CHECK(as.page_table().table_frames() > 5);
        CHECK(pmem.free_frame_count() < before - as.resident_pages());
    }
    CHECK(pmem.free_frame_count() == before);
    const auto s = pmem.stats();
    CHECK(s.frames_by_use[static_cast<int>(FrameUse::Anonymous)] == 0);
    CHECK(s.frames_by_use[static_cast<int>(FrameUse::File)] == 0);
    CHECK(s.frames_by_use[static_cast<int>(FrameUse::PageTable)] == 0);
}

TEST_CASE("AddressSpace running out of frames is FaultError::OutOfMemory, not a crash") {
    PhysicalMemory pmem(64 * P);
    CountingNotifier mmu;
    const auto before = pmem.free_frame_count();
    {
        AddressSpace as(pmem, &mmu);
        const VirtAddr a = map_anon(as, 0x1000'0000, 128 * P, kRW);
        const VirtAddr far = map_anon(as, 0x300'0000'0000, P, kRW);
        std::uint64_t touched = 0;
        std::optional<FaultError> error;
        for (; touched < 128; ++touched) {
            auto t = as.translate(a + touched * P, Access::Write);
            if (!t) {
                error = t.error();
                break;
            }
        }
        REQUIRE(error.has_value());
        CHECK(*error == FaultError::OutOfMemory);
        CHECK(pmem.free_frame_count() == 0);
        // 64 frames: the zero frame, four page tables, and the rest for data.
        CHECK(touched == 64 - 1 - 4);
        CHECK(as.resident_pages() == touched);

        // Still out of memory for the next write, and for a walk that needs new tables.
        CHECK(as.translate(a + touched * P, Access::Write).error() == FaultError::OutOfMemory);
        CHECK(as.translate(far, Access::Read).error() == FaultError::OutOfMemory);
        std::uint8_t byte = 1;
        CHECK(as.copy_to_user(a + 100 * P, &byte, 1).error() == Errno::efault);
        // Reading untouched memory needs no frame: the zero page.
        auto r = as.translate(a + 100 * P, Access::Read);
        REQUIRE(r);
        CHECK(r->paddr == zero_paddr(pmem));
        // Earlier pages are intact and writable.
        REQUIRE(as.copy_to_user(a, &byte, 1));

        // Freeing memory lets faults succeed again.
        REQUIRE(as.discard(a, 4 * P));
        REQUIRE(as.translate(a + 100 * P, Access::Write));
    }
    CHECK(pmem.free_frame_count() == before);
}
