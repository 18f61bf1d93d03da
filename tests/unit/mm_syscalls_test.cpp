// Tests for the memory operations behind the syscalls besides mremap (mremap_test.cpp): where
// VMAs split and merge (as /proc/self/maps shows on Linux), mlock/munlock/mlockall and
// population, mincore, madvise, msync, mprotect's VM_ACCOUNT and PROT_GROWSDOWN, the
// vm.max_map_count limit, MAP_32BIT placement and the guard gap of hints, and fault-around.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "os/mm/address_space.h"
#include "os/mm/mman.h"
#include "os/mm/page_cache.h"

namespace {

using namespace os::mm;
using linux_abi::Errno;
namespace abi = os::mm::abi;

constexpr std::uint64_t P = kPageSize;
constexpr std::uint32_t kRW = kProtRead | kProtWrite;

class NullMmu final : public MmuNotifier {
public:
    void flush_tlb() override {}
    void invalidate_code(PhysAddr, std::uint64_t) override {}
};

struct Env {
    explicit Env(std::uint64_t frames = 8192) : pmem(frames * P), as(pmem, &mmu) { pmem.set_mmu_notifier(&mmu); }
    PhysicalMemory pmem;
    NullMmu mmu;
    AddressSpace as;
};

VirtAddr map_at(AddressSpace& as, VirtAddr addr, std::uint64_t length, std::uint32_t prot = kRW,
                std::uint32_t flags = 0, std::shared_ptr<CachedFile> file = nullptr, std::uint64_t offset = 0,
                std::shared_ptr<const void> origin = nullptr) {
    MapRequest req;
    req.addr = addr;
    req.length = length;
    req.prot = prot;
    req.vm_flags = flags;
    req.placement = Placement::Fixed;
    req.file = std::move(file);
    req.file_offset = offset;
    req.origin = std::move(origin);
    auto r = as.map(req);
    REQUIRE(r.has_value());
    return *r;
}

using Ranges = std::vector<std::pair<VirtAddr, VirtAddr>>;

Ranges ranges(const AddressSpace& as) {
    Ranges out;
    for (const Vma& v : as.vmas())
        out.emplace_back(v.start, v.end);
    return out;
}

void write_byte(AddressSpace& as, VirtAddr va, std::uint8_t b) { REQUIRE(as.copy_to_user(va, &b, 1)); }

std::uint8_t read_byte(AddressSpace& as, VirtAddr va) {
    std::uint8_t b = 0xee;
    REQUIRE(as.copy_from_user(&b, va, 1));
    return b;
}

// mincore's vector for `pages` pages from `va`, VMA after VMA as the syscall asks, up to the
// first unmapped page.
std::string residency(AddressSpace& as, VirtAddr va, std::uint64_t pages) {
    std::string out;
    while (pages) {
        std::vector<std::uint8_t> vec(pages, 9);
        auto n = as.residency(va, pages, vec.data());
        if (!n)
            break;
        for (std::uint64_t i = 0; i < *n; ++i)
            out += static_cast<char>('0' + vec[i]);
        pages -= *n;
        va += *n * P;
    }
    return out;
}

// A temporary file of `pages` pages, written (so the host's page cache has it), as a
// CachedFile.
struct TempFile {
    explicit TempFile(PhysicalMemory& pmem, std::uint64_t pages) {
        char tmpl[] = "/tmp/faultline-mm-test-XXXXXX";
        const int fd = ::mkstemp(tmpl);
        REQUIRE(fd >= 0);
        path = tmpl;
        std::vector<std::uint8_t> data(pages * P);
        for (std::size_t i = 0; i < data.size(); ++i)
            data[i] = static_cast<std::uint8_t>(i / P + 1);
        REQUIRE(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
        struct stat st {};
        ::fstat(fd, &st);
        file = std::make_shared<CachedFile>(
            pmem, fd, path, FileIdentity{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)});
    }
    ~TempFile() { ::unlink(path.c_str()); }
    std::string path;
    std::shared_ptr<CachedFile> file;
};

}  // namespace

TEST_CASE("VMA merging: anonymous neighbours merge unless a flag, the protection or the anon_vma differs") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr x = 0x1000'0000;
    map_at(as, x, 4 * P);
    map_at(as, x + 4 * P, 4 * P);
    CHECK(ranges(as) == Ranges{{x, x + 8 * P}});

    // Different VM flags never merge: growsdown, locked, noreserve, shared memory.
    const VirtAddr y = 0x2000'0000;
    map_at(as, y, 4 * P);
    map_at(as, y + 4 * P, 4 * P, kRW, kVmGrowsDown);
    map_at(as, y + 8 * P, 4 * P, kRW, kVmLocked);
    map_at(as, y + 12 * P, 4 * P, kRW, kVmNoReserve);
    map_at(as, y + 16 * P, 4 * P, kRW, kVmShared);
    map_at(as, y + 20 * P, 4 * P, kRW, kVmShared);  // another shared object
    CHECK(as.vmas().size() == 1 + 6);

    // Two touched regions have anon_vmas of their own: filling the gap merges with one.
    const VirtAddr z = 0x3000'0000;
    map_at(as, z, 4 * P);
    write_byte(as, z, 1);
    map_at(as, z + 8 * P, 4 * P);
    write_byte(as, z + 8 * P, 1);
    map_at(as, z + 4 * P, 4 * P);
    CHECK(as.vmas().find_containing(z)->end == z + 8 * P);  // with the previous one
    CHECK(as.vmas().find_containing(z + 8 * P)->start == z + 8 * P);

    // Read-only memory is not committed; writable memory is (VM_ACCOUNT): no merge, until
    // mprotect makes the first writable too.
    const VirtAddr w = 0x4000'0000;
    map_at(as, w, 4 * P, kProtRead);
    map_at(as, w + 4 * P, 4 * P);
    CHECK(as.vmas().find_containing(w)->end == w + 4 * P);
    REQUIRE(as.protect(w, 4 * P, kRW));
    CHECK(as.vmas().find_containing(w)->end == w + 8 * P);
    CHECK((as.vmas().find_containing(w)->flags & kVmAccount) != 0);
    // Back to read-only: untouched anonymous memory drops VM_ACCOUNT again (Linux >= 6.8).
    const VirtAddr r = 0x4100'0000;
    map_at(as, r, 4 * P, kProtRead);
    map_at(as, r + 4 * P, 4 * P);
    REQUIRE(as.protect(r + 4 * P, 4 * P, kProtRead));
    CHECK(as.vmas().find_containing(r)->end == r + 8 * P);
    // A touched one keeps it.
    const VirtAddr t = 0x4200'0000;
    map_at(as, t, 4 * P, kProtRead);
    map_at(as, t + 4 * P, 4 * P);
    write_byte(as, t + 4 * P, 1);
    REQUIRE(as.protect(t + 4 * P, 4 * P, kProtRead));
    CHECK(as.vmas().find_containing(t)->end == t + 4 * P);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("VMA merging: file mappings merge with contiguous offsets through the same open file") {
    Env e;
    AddressSpace& as = e.as;
    TempFile f(e.pmem, 16);
    auto open1 = std::make_shared<const int>(1), open2 = std::make_shared<const int>(2);
    const VirtAddr x = 0x1000'0000;
    map_at(as, x, 4 * P, kProtRead, 0, f.file, 0, open1);
    map_at(as, x + 4 * P, 4 * P, kProtRead, 0, f.file, 4 * P, open1);
    CHECK(ranges(as) == Ranges{{x, x + 8 * P}});
    map_at(as, x + 8 * P, 4 * P, kProtRead, 0, f.file, 0, open1);  // offsets not contiguous
    map_at(as, x + 12 * P, 4 * P, kProtRead, 0, f.file, 4 * P, open2);  // another open
    CHECK(as.vmas().size() == 3);
    // mprotect of the middle and back: the pieces merge again.
    REQUIRE(as.protect(x + 2 * P, 2 * P, kRW));
    CHECK(as.vmas().size() == 5);
    REQUIRE(as.protect(x + 2 * P, 2 * P, kProtRead));
    // Private writable file memory stays committed (VM_ACCOUNT): it does not merge back.
    CHECK(as.vmas().size() == 5);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("mlock splits the VMA and faults the pages in; munlock merges it back; errors") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr x = 0x1000'0000;
    map_at(as, x, 8 * P);
    REQUIRE(as.lock_range(x + 2 * P, 2 * P, kVmLocked));
    CHECK(ranges(as) == Ranges{{x, x + 2 * P}, {x + 2 * P, x + 4 * P}, {x + 4 * P, x + 8 * P}});
    CHECK(as.locked_bytes() == 2 * P);
    CHECK(as.locked_bytes_in(x, 3 * P) == P);
    REQUIRE(as.populate(x + 2 * P, 2 * P, false));
    CHECK(residency(as, x, 8) == "00110000");
    CHECK(as.resident_pages() == 2);  // private writable: write faults, real frames
    REQUIRE(as.lock_range(x + 2 * P, 2 * P, 0));
    CHECK(ranges(as) == Ranges{{x, x + 8 * P}});
    CHECK(as.locked_bytes() == 0);

    // MLOCK_ONFAULT: locked, nothing faulted in.
    REQUIRE(as.lock_range(x + 4 * P, 4 * P, kVmLocked | kVmLockOnFault));
    REQUIRE(as.populate(x + 4 * P, 4 * P, false));
    CHECK(residency(as, x + 4 * P, 4) == "0000");

    // A hole: ENOMEM, with the VMAs before it changed.
    map_at(as, x + 10 * P, 2 * P);
    CHECK(as.lock_range(x, 12 * P, kVmLocked).error() == Errno::enomem);
    CHECK((as.vmas().find_containing(x)->flags & kVmLocked) != 0);
    CHECK((as.vmas().find_containing(x + 10 * P)->flags & kVmLocked) == 0);
    CHECK(as.lock_range(x + 8 * P, P, kVmLocked).error() == Errno::enomem);  // starts in the hole
    CHECK(as.lock_range(x, ~std::uint64_t{0} - x, kVmLocked).has_value() == false);
    // PROT_NONE memory is locked but cannot be faulted in (mlock then says ENOMEM).
    const VirtAddr n = map_at(as, 0x2000'0000, 2 * P, kProtNone);
    REQUIRE(as.lock_range(n, 2 * P, kVmLocked));
    CHECK(as.populate(n, 2 * P, false).error() == Errno::efault);

    // mlockall(MCL_CURRENT | MCL_FUTURE): every VMA, and new ones too; munlockall clears all.
    as.lock_all(abi::MCL_CURRENT | abi::MCL_FUTURE);
    for (const Vma& v : as.vmas())
        CHECK((v.flags & kVmLocked) != 0);
    const VirtAddr later = map_at(as, 0x3000'0000, P);
    CHECK((as.vmas().find_containing(later)->flags & kVmLocked) != 0);
    as.lock_all(0);
    for (const Vma& v : as.vmas())
        CHECK((v.flags & kVmLockedMask) == 0);
    CHECK(as.def_flags() == 0);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("MAP_LOCKED beyond RLIMIT_MEMLOCK is EAGAIN") {
    Env e;
    MapRequest req;
    req.length = 4 * P;
    req.prot = kRW;
    req.vm_flags = kVmLocked;
    req.lock_limit = 2 * P;
    CHECK(e.as.map(req).error() == Errno::eagain);
    req.lock_limit = 4 * P;
    CHECK(e.as.map(req).has_value());
}

TEST_CASE("mincore: frames, the zero page, the page cache, shared anonymous siblings, ENOMEM") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr x = map_at(as, 0x1000'0000, 8 * P);
    REQUIRE(as.translate(x + P, Access::Read));  // zero page: resident too
    write_byte(as, x + 3 * P, 1);
    CHECK(residency(as, x, 8) == "01010000");
    std::vector<std::uint8_t> big(100);
    CHECK(as.residency(x, 100, big.data()).value() == 8);  // stops at the end of the VMA
    std::uint8_t v[4];
    CHECK(as.residency(x + 8 * P, 1, v).error() == Errno::enomem);

    // File pages count when the page cache has them, mapped here or not.
    TempFile f(e.pmem, 8);
    const VirtAddr m = map_at(as, 0x2000'0000, 8 * P, kProtRead, 0, f.file);
    CHECK(residency(as, m, 8) == "11111111");  // just written: the host's page cache has them
    bool major = false;
    REQUIRE(f.file->get_page(2, &major));
    CHECK(f.file->cached(0, 4)[2] == 1);

    // Shared anonymous memory: a page another mapping of the object has is resident.
    const VirtAddr s = map_at(as, 0x3000'0000, 4 * P, kRW, kVmShared);
    write_byte(as, s + P, 5);
    const VirtAddr d = as.remap(s, 0, 4 * P, abi::MREMAP_MAYMOVE).value();
    CHECK(residency(as, d, 4) == "0100");
    CHECK(read_byte(as, d + P) == 5);
}

TEST_CASE("madvise: flag advice splits and merges, DONTNEED drops, FREE keeps, REMOVE zeroes shared memory") {
    Env e;
    AddressSpace& as = e.as;
    using namespace abi;
    const VirtAddr x = map_at(as, 0x1000'0000, 8 * P);
    for (int advice : {MADV_DONTFORK, MADV_RANDOM, MADV_DONTDUMP, MADV_HUGEPAGE, MADV_WIPEONFORK, MADV_MERGEABLE}) {
        INFO("advice " << advice);
        REQUIRE(as.advise(x + 2 * P, 2 * P, advice));
        CHECK(as.vmas().size() == 3);
    }
    for (int advice : {MADV_DOFORK, MADV_NORMAL, MADV_DODUMP, MADV_KEEPONFORK, MADV_UNMERGEABLE})
        REQUIRE(as.advise(x + 2 * P, 2 * P, advice));
    CHECK(as.vmas().size() == 3);  // NOHUGEPAGE is not "no advice": HUGEPAGE stays set
    REQUIRE(as.advise(x + 2 * P, 2 * P, MADV_NOHUGEPAGE));
    CHECK(as.vmas().size() == 3);

    const VirtAddr y = map_at(as, 0x2000'0000, 4 * P);
    write_byte(as, y, 7);
    write_byte(as, y + P, 8);
    REQUIRE(as.advise(y + P, P, MADV_FREE));
    CHECK(read_byte(as, y + P) == 8);  // lazily freed, never reclaimed here
    REQUIRE(as.advise(y, 2 * P, MADV_DONTNEED));
    CHECK(read_byte(as, y) == 0);
    CHECK(as.advise(y, P, 77).error() == Errno::einval);
    CHECK(as.advise(y, P, MADV_HWPOISON).error() == Errno::einval);
    CHECK(as.advise(y + 1, P, MADV_NORMAL).error() == Errno::einval);
    CHECK(as.advise(y, ~std::uint64_t{0}, MADV_NORMAL).error() == Errno::einval);
    CHECK(as.advise(y, 8 * P, MADV_NORMAL).error() == Errno::enomem);  // runs off the end
    CHECK(as.advise(y, P, MADV_REMOVE).error() == Errno::einval);       // private anonymous
    CHECK(as.advise(y, P, MADV_WILLNEED).has_value());

    REQUIRE(as.lock_range(y, P, kVmLocked));
    CHECK(as.advise(y, P, MADV_DONTNEED).error() == Errno::einval);
    CHECK(as.advise(y, P, MADV_DONTNEED_LOCKED).has_value());
    CHECK(as.advise(y, P, MADV_PAGEOUT).error() == Errno::einval);

    const VirtAddr ro = map_at(as, 0x3000'0000, 2 * P, kProtRead);
    CHECK(as.advise(ro, 2 * P, MADV_POPULATE_WRITE).error() == Errno::einval);
    REQUIRE(as.advise(ro, 2 * P, MADV_POPULATE_READ));
    CHECK(residency(as, ro, 2) == "11");

    // MADV_REMOVE on shared memory: the range reads zero in every mapping of the object.
    const VirtAddr s = map_at(as, 0x4000'0000, 4 * P, kRW, kVmShared);
    write_byte(as, s + 2 * P, 9);
    const VirtAddr d = as.remap(s, 0, 4 * P, MREMAP_MAYMOVE).value();
    CHECK(read_byte(as, d + 2 * P) == 9);
    REQUIRE(as.advise(s + 2 * P, P, MADV_REMOVE));
    CHECK(read_byte(as, s + 2 * P) == 0);
    CHECK(read_byte(as, d + 2 * P) == 0);
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("msync: holes, MS_ASYNC, MS_INVALIDATE on locked memory") {
    Env e;
    AddressSpace& as = e.as;
    using namespace abi;
    const VirtAddr x = map_at(as, 0x1000'0000, 2 * P);
    map_at(as, x + 3 * P, 2 * P, kRW, kVmLocked);
    CHECK(as.sync_range(x, 2 * P, MS_SYNC).has_value());
    CHECK(as.sync_range(x, 5 * P, MS_SYNC).error() == Errno::enomem);
    CHECK(as.sync_range(x, 5 * P, MS_ASYNC).error() == Errno::enomem);
    CHECK(as.sync_range(x, 5 * P, MS_INVALIDATE).error() == Errno::ebusy);  // the locked VMA, after the hole
    CHECK(as.sync_range(x, 0, MS_SYNC).has_value());
    CHECK(as.sync_range(x, ~std::uint64_t{0}, MS_SYNC).has_value());  // rounds up to 0
    CHECK(as.sync_range(x + 1, P, MS_SYNC).error() == Errno::einval);
    CHECK(as.sync_range(x + 6 * P, P, MS_SYNC).error() == Errno::enomem);
}

TEST_CASE("mprotect PROT_GROWSDOWN extends the change to the start of a growing VMA") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr x = map_at(as, 0x1000'0000, 8 * P, kRW, kVmGrowsDown);
    map_at(as, 0x2000'0000, 4 * P);
    REQUIRE(as.protect(x + 4 * P, 2 * P, kProtRead, abi::PROT_GROWSDOWN));
    CHECK(ranges(as).front() == std::pair<VirtAddr, VirtAddr>{x, x + 6 * P});
    CHECK(as.vmas().find_containing(x)->prot == kProtRead);
    CHECK(as.protect(0x2000'0000, P, kProtRead, abi::PROT_GROWSDOWN).error() == Errno::einval);
    CHECK(as.protect(0x2000'0000, P, kProtRead, abi::PROT_GROWSUP).error() == Errno::einval);
    CHECK(as.protect(x, P, kProtRead, abi::PROT_GROWSDOWN | abi::PROT_GROWSUP).error() == Errno::einval);
}

TEST_CASE("vm.max_map_count: no mapping, split or unmap may go beyond 65530 VMAs") {
    Env e(64);
    AddressSpace& as = e.as;
    const VirtAddr base = 0x1000'0000;
    // Alternating protections: every page a VMA of its own.
    for (std::size_t i = 0; i < AddressSpace::kMaxMapCount; ++i)
        map_at(as, base + i * P, P, (i & 1) ? kProtRead : kRW);
    REQUIRE(as.vmas().size() == AddressSpace::kMaxMapCount);
    // mmap refuses only when the count is already above the limit (do_mmap's ">").
    const VirtAddr far = 0x5000'0000;
    map_at(as, far, 4 * P);
    REQUIRE(as.vmas().size() == AddressSpace::kMaxMapCount + 1);
    MapRequest more;
    more.addr = 0x6000'0000;
    more.length = P;
    more.prot = kProtRead;
    more.placement = Placement::Fixed;
    CHECK(as.map(more).error() == Errno::enomem);
    // Splits: mprotect, mlock, munmap of a middle part, madvise (EAGAIN).
    CHECK(as.protect(far + P, P, kProtRead).error() == Errno::enomem);
    CHECK(as.lock_range(far + P, P, kVmLocked).error() == Errno::enomem);
    CHECK(as.unmap(far + P, P).error() == Errno::enomem);
    CHECK(as.advise(far + P, P, abi::MADV_DONTFORK).error() == Errno::eagain);
    CHECK(as.remap(far, P, P, abi::MREMAP_MAYMOVE | abi::MREMAP_FIXED, 0x7000'0000).error() == Errno::enomem);
    // What does not add a VMA still works: a piece that merges into its neighbour, and
    // unmapping whole VMAs or an end of one.
    CHECK(as.protect(base + 2 * P, P, kProtRead).has_value());  // joins its read-only neighbours
    CHECK(as.unmap(far + 3 * P, P).has_value());
    CHECK(as.vmas().check_invariants() == "");
}

TEST_CASE("Placement: MAP_32BIT below 2 GiB, hints keep a growing stack's guard gap") {
    Env e;
    AddressSpace& as = e.as;
    const VirtAddr low = as.get_unmapped_area(0, 4 * P, Placement::Hint, true).value();
    CHECK(low >= AddressSpace::k32BitLow);
    CHECK(low + 4 * P <= AddressSpace::k32BitHigh);
    CHECK(as.get_unmapped_area(0, 4ull << 30, Placement::Hint, true).error() == Errno::enomem);

    const VirtAddr stack = map_at(as, 0x4000'0000, 16 * P, kRW, kVmGrowsDown);
    // A hint right below the stack is inside its guard gap: placed elsewhere.
    CHECK(as.get_unmapped_area(stack - P, P, Placement::Hint).value() != stack - P);
    const VirtAddr ok = stack - AddressSpace::kStackGuardGap - P;
    CHECK(as.get_unmapped_area(ok, P, Placement::Hint).value() == ok);
    CHECK(as.get_unmapped_area(kUserTop, P, Placement::Fixed).error() == Errno::enomem);
    CHECK(as.get_unmapped_area(0x5000'0001, P, Placement::Fixed).error() == Errno::einval);
}

TEST_CASE("Fault-around: a read fault maps the cached pages around it within 64 KiB and the VMA") {
    Env e;
    AddressSpace& as = e.as;
    TempFile f(e.pmem, 40);
    const VirtAddr m = map_at(as, 0x1000'0000 + 2 * P, 38 * P, kProtRead, 0, f.file, 2 * P);
    REQUIRE(as.translate(m + 5 * P, Access::Read));
    // The window is 16 pages from the 64 KiB-aligned address below the fault, or from the
    // VMA's start when that is higher (do_fault_around): pages 0..15 of the mapping.
    std::string mapped;
    for (int i = 0; i < 20; ++i) {
        const Pte* pte = as.page_table().lookup(m + i * P);
        mapped += pte && pte_present(*pte) ? '1' : '0';
    }
    CHECK(mapped == "11111111111111110000");
    CHECK(read_byte(as, m + 13 * P) == 16);  // page 13 of the mapping is file page 15
    CHECK(as.fault_counters().minor + as.fault_counters().major == 1);
    // A write fault maps nothing around it.
    const VirtAddr w = map_at(as, 0x2000'0000, 16 * P, kRW, 0, f.file, 0);
    REQUIRE(as.translate(w + 3 * P, Access::Write));
    CHECK(residency(as, w, 16) == "1111111111111111");  // the page cache has them all...
    int present = 0;
    for (int i = 0; i < 16; ++i) {
        const Pte* pte = as.page_table().lookup(w + i * P);
        present += pte && pte_present(*pte);
    }
    CHECK(present == 1);  // ...but only the written one is mapped
}
