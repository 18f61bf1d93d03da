// The page cache and file mappings: one frame per file page shared by every mapping,
// copy-on-write for private mappings, Dirty-bit write-back for shared ones, truncation,
// coherence with write(2), and the shrinker. Also the fault classifier (FaultKind).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "os/mm/address_space.h"
#include "os/mm/page_cache.h"

namespace {

using namespace os::mm;
constexpr std::uint64_t P = kPageSize;

class CountingMmu : public MmuNotifier {
public:
    int flushes = 0;
    std::vector<std::pair<PhysAddr, std::uint64_t>> invalidations;
    void flush_tlb() override { ++flushes; }
    void invalidate_code(PhysAddr paddr, std::uint64_t length) override { invalidations.emplace_back(paddr, length); }
};

// A temporary file of `pages` pages whose byte i is (i % 251) + 1.
class TempFile {
public:
    explicit TempFile(std::uint64_t bytes) {
        char tmpl[] = "/tmp/faultline-pagecache-XXXXXX";
        fd = ::mkstemp(tmpl);
        path = tmpl;
        std::vector<std::uint8_t> data(bytes);
        for (std::size_t i = 0; i < data.size(); ++i)
            data[i] = static_cast<std::uint8_t>(i % 251 + 1);
        REQUIRE(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
    }
    ~TempFile() {
        ::close(fd);
        ::unlink(path.c_str());
    }
    std::vector<std::uint8_t> read_back(std::uint64_t offset, std::uint64_t n) const {
        std::vector<std::uint8_t> out(n);
        REQUIRE(::pread(fd, out.data(), n, static_cast<off_t>(offset)) == static_cast<ssize_t>(n));
        return out;
    }
    int fd = -1;
    std::string path;
};

struct Machine {
    PhysicalMemory pmem{4096 * P};
    CountingMmu mmu;
    PageCache cache{pmem};
    Machine() { pmem.set_mmu_notifier(&mmu); }
};

std::shared_ptr<CachedFile> cached(Machine& m, const TempFile& f, bool writable) {
    auto file = m.cache.get(f.fd, f.path);
    REQUIRE(file);
    if (writable)
        (*file)->adopt_write_fd(::dup(f.fd));
    return *file;
}

VirtAddr map_file(AddressSpace& as, const std::shared_ptr<CachedFile>& file, std::uint64_t length, bool shared,
                  std::uint64_t offset = 0, std::uint32_t prot = kProtRead | kProtWrite) {
    MapRequest req;
    req.length = length;
    req.prot = prot;
    req.vm_flags = shared ? static_cast<std::uint32_t>(kVmShared) : 0u;
    req.file = file;
    req.file_offset = offset;
    req.name = file->path();
    auto a = as.map(req);
    REQUIRE(a);
    return *a;
}

std::uint64_t kind(const AddressSpace& as, FaultKind k) { return as.fault_counters().by_kind[static_cast<int>(k)]; }

Pfn frame_of(AddressSpace& as, VirtAddr va) {
    const Pte* pte = as.page_table().lookup(va);
    REQUIRE(pte);
    return pte_pfn(*pte);
}

}  // namespace

TEST_CASE("PageCache: one frame per file page, shared by every mapping and every address space") {
    Machine m;
    TempFile f(3 * P);
    auto file = cached(m, f, false);
    AddressSpace a(m.pmem, &m.mmu), b(m.pmem, &m.mmu);
    const VirtAddr va = map_file(a, file, 3 * P, true);
    const VirtAddr vb = map_file(b, file, 3 * P, false);
    REQUIRE(a.translate(va + P, Access::Read));
    REQUIRE(b.translate(vb + P, Access::Read));
    CHECK(frame_of(a, va + P) == frame_of(b, vb + P));
    // Page 1, and by fault-around pages 0 and 2, which the host's page cache has (the test
    // just wrote the file), mapped alike in both.
    CHECK(file->cached_pages() == 3);
    CHECK(frame_of(a, va) == frame_of(b, vb));
    const FrameInfo& info = m.pmem.info(frame_of(a, va + P));
    CHECK(info.mapcount == 2);
    CHECK(info.refcount == 3);  // the cache and two PTEs
    CHECK(kind(a, FaultKind::FilePage) == 1);      // read from the file: major
    CHECK(kind(b, FaultKind::PageCacheHit) == 1);  // already cached: minor
    CHECK(a.fault_counters().major == 1);
    CHECK(b.fault_counters().major == 0);
    // A second get() of the same file returns the same cached file.
    CHECK(m.cache.get(f.fd, f.path).value() == file);
}

TEST_CASE("PageCache: private mappings copy on the first write and never reach the file") {
    Machine m;
    TempFile f(2 * P);
    auto file = cached(m, f, false);
    AddressSpace as(m.pmem, &m.mmu);
    const VirtAddr va = map_file(as, file, 2 * P, false);
    auto r = as.translate(va, Access::Read);
    REQUIRE(r);
    CHECK((r->perms & kTransWrite) == 0);
    const Pfn cache_frame = frame_of(as, va);
    const std::uint8_t x = 0xee;
    REQUIRE(as.copy_to_user(va, &x, 1));
    CHECK(frame_of(as, va) != cache_frame);
    CHECK(kind(as, FaultKind::CowCopy) == 1);
    CHECK(static_cast<std::uint8_t>(*m.pmem.frame_data(cache_frame)) == 1);  // the cached page is untouched
    // A write fault on an untouched private page copies at once.
    REQUIRE(as.copy_to_user(va + P, &x, 1));
    CHECK(m.pmem.info(frame_of(as, va + P)).use == FrameUse::Anonymous);
    CHECK(as.unmap(va, 2 * P));
    CHECK(f.read_back(0, 1)[0] == 1);
    CHECK(f.read_back(P, 1)[0] == static_cast<std::uint8_t>(P % 251 + 1));
}

TEST_CASE("PageCache: shared stores reach the file on msync, munmap and exit, not before") {
    Machine m;
    TempFile f(2 * P);
    auto file = cached(m, f, true);
    const std::uint8_t hello[5] = {'h', 'e', 'l', 'l', 'o'};
    {
        AddressSpace as(m.pmem, &m.mmu);
        const VirtAddr va = map_file(as, file, 2 * P, true);
        REQUIRE(as.copy_to_user(va + 10, hello, 5));
        CHECK((*as.page_table().lookup(va) & kPteDirty) != 0);
        CHECK(f.read_back(10, 5) != std::vector<std::uint8_t>(hello, hello + 5));
        // read(2) of the file sees it already: the cached page is read.
        std::vector<std::byte> buf(5);
        CHECK(file->read(10, buf).value() == 5);
        CHECK(std::memcmp(buf.data(), hello, 5) == 0);

        const int flushes = m.mmu.flushes;
        REQUIRE(as.sync_range(va, 2 * P));
        CHECK(f.read_back(10, 5) == std::vector<std::uint8_t>(hello, hello + 5));
        CHECK((*as.page_table().lookup(va) & kPteDirty) == 0);
        CHECK(m.mmu.flushes > flushes);  // clean again: the TLB must forget write permission

        // A store after msync makes it dirty again; munmap writes it back.
        REQUIRE(as.copy_to_user(va + P, hello, 5));
        REQUIRE(as.unmap(va + P, P));
        CHECK(f.read_back(P, 5) == std::vector<std::uint8_t>(hello, hello + 5));

        // And exit (the address space going away) writes back what is left.
        REQUIRE(as.copy_to_user(va + 100, hello, 5));
    }
    CHECK(f.read_back(100, 5) == std::vector<std::uint8_t>(hello, hello + 5));
}

TEST_CASE("PageCache: write(2) updates cached pages that mappings see") {
    Machine m;
    TempFile f(P);
    auto file = cached(m, f, false);
    AddressSpace as(m.pmem, &m.mmu);
    const VirtAddr va = map_file(as, file, P, true);
    REQUIRE(as.translate(va, Access::Read));
    const char text[] = "written";
    REQUIRE(::pwrite(f.fd, text, 7, 200) == 7);
    file->update_after_write(200, std::as_bytes(std::span(text, 7)));
    char back[7];
    REQUIRE(as.copy_from_user(back, va + 200, 7));
    CHECK(std::memcmp(back, text, 7) == 0);
}

TEST_CASE("PageCache: write(2) or truncation into a page the CPU executed discards its translated code") {
    // A program file rewritten in place and run again (cp over a binary, a compiler's
    // output): translated blocks are keyed by address and frame, so the old code would run.
    Machine m;
    TempFile f(3 * P);
    auto file = cached(m, f, false);
    AddressSpace as(m.pmem, &m.mmu);
    const VirtAddr va = map_file(as, file, 3 * P, false, 0, kProtRead | kProtExec);
    REQUIRE(as.translate(va, Access::Execute));
    REQUIRE(as.translate(va + P, Access::Read));  // executable too: the CPU may run it later
    REQUIRE(as.translate(va + 2 * P, Access::Read));
    const Pfn text = frame_of(as, va);
    const Pfn second = frame_of(as, va + P);
    as.unmap(va, 3 * P);
    m.mmu.invalidations.clear();
    const char bytes[] = "\x90\x90";
    REQUIRE(::pwrite(f.fd, bytes, 2, 16) == 2);
    file->update_after_write(16, std::as_bytes(std::span(bytes, 2)));
    REQUIRE(m.mmu.invalidations.size() == 1);
    CHECK(m.mmu.invalidations[0] == std::make_pair(pfn_to_phys(text), P));
    REQUIRE(::ftruncate(f.fd, P + 100) == 0);
    file->truncate(P + 100);  // the tail of the second page is zeroed in place
    REQUIRE(m.mmu.invalidations.size() == 2);
    CHECK(m.mmu.invalidations[1] == std::make_pair(pfn_to_phys(second), P));
}

TEST_CASE("PageCache: write(2) into pages never mapped executable invalidates nothing") {
    Machine m;
    TempFile f(P);
    auto file = cached(m, f, false);
    AddressSpace as(m.pmem, &m.mmu);
    const VirtAddr va = map_file(as, file, P, true);
    REQUIRE(as.translate(va, Access::Read));
    const char text[] = "data";
    REQUIRE(::pwrite(f.fd, text, 4, 0) == 4);
    file->update_after_write(0, std::as_bytes(std::span(text, 4)));
    CHECK(m.mmu.invalidations.empty());
}

TEST_CASE("PageCache: truncation unmaps pages beyond the new end; touching them is SIGBUS") {
    Machine m;
    TempFile f(3 * P);
    auto file = cached(m, f, true);
    AddressSpace as(m.pmem, &m.mmu);
    const VirtAddr va = map_file(as, file, 3 * P, true);
    for (int i = 0; i < 3; ++i)
        REQUIRE(as.translate(va + i * P, Access::Read));
    REQUIRE(::ftruncate(f.fd, static_cast<off_t>(P + 10)) == 0);
    file->truncate(P + 10);
    CHECK(file->cached_pages() == 2);
    const Pte* gone = as.page_table().lookup(va + 2 * P);
    CHECK((gone == nullptr || *gone == 0));
    auto beyond = as.translate(va + 2 * P, Access::Read);
    REQUIRE_FALSE(beyond);
    CHECK(beyond.error() == FaultError::BusError);
    // The tail of the new last page reads as zeros.
    std::uint8_t tail[16];
    REQUIRE(as.copy_from_user(tail, va + P + 10, sizeof(tail)));
    CHECK(std::all_of(std::begin(tail), std::end(tail), [](std::uint8_t b) { return b == 0; }));
}

TEST_CASE("PageCache: the shrinker drops clean unmapped pages when frames run out") {
    PhysicalMemory pmem(64 * P);
    PageCache cache(pmem);
    TempFile f(40 * P);
    auto file = cache.get(f.fd, f.path).value();
    bool major = false;
    for (std::uint64_t i = 0; i < 40; ++i)
        REQUIRE(file->get_page(i, &major));
    CHECK(file->cached_pages() == 40);
    // Nothing maps these pages: allocation beyond the free frames takes them back.
    std::vector<Pfn> taken;
    while (auto pfn = pmem.allocate(FrameUse::Anonymous))
        taken.push_back(*pfn);
    CHECK(file->cached_pages() == 0);
    CHECK(taken.size() > 50);
    for (Pfn p : taken)
        pmem.put(p);
}

TEST_CASE("PageCache: a mapped page is never dropped by the shrinker") {
    PhysicalMemory pmem(64 * P);
    CountingMmu mmu;
    PageCache cache(pmem);
    TempFile f(2 * P);
    auto file = cache.get(f.fd, f.path).value();
    AddressSpace as(pmem, &mmu);
    const VirtAddr va = map_file(as, file, P, true);
    REQUIRE(as.translate(va, Access::Read));
    std::vector<Pfn> taken;
    while (auto pfn = pmem.allocate(FrameUse::Anonymous))
        taken.push_back(*pfn);
    CHECK(file->cached_pages() == 1);
    for (Pfn p : taken)
        pmem.put(p);
}

TEST_CASE("Fault classifier: each kind of fault is counted as what it is") {
    Machine m;
    AddressSpace as(m.pmem, &m.mmu);
    MapRequest anon;
    anon.length = 4 * P;
    anon.prot = kProtRead | kProtWrite;
    const VirtAddr a = as.map(anon).value();
    REQUIRE(as.translate(a, Access::Read));        // zero page
    REQUIRE(as.translate(a, Access::Write));       // copy of the zero page: demand-zero
    REQUIRE(as.translate(a + P, Access::Write));   // demand-zero directly
    CHECK(kind(as, FaultKind::ZeroPage) == 1);
    CHECK(kind(as, FaultKind::DemandZero) == 2);
    CHECK(kind(as, FaultKind::CowCopy) == 0);

    // A private file page written after a read: copy-on-write copy.
    TempFile f(P);
    auto file = cached(m, f, false);
    const VirtAddr fv = map_file(as, file, P, false);
    REQUIRE(as.translate(fv, Access::Read));
    REQUIRE(as.translate(fv, Access::Write));
    CHECK(kind(as, FaultKind::FilePage) == 1);
    CHECK(kind(as, FaultKind::CowCopy) == 1);

    // The stack grows down on a fault below it.
    MapRequest stack;
    stack.addr = kUserTop - 4 * P;
    stack.length = 4 * P;
    stack.prot = kProtRead | kProtWrite;
    stack.vm_flags = kVmGrowsDown | kVmStack;
    stack.placement = Placement::FixedNoReplace;
    REQUIRE(as.map(stack));
    REQUIRE(as.translate(kUserTop - 6 * P, Access::Write));
    CHECK(kind(as, FaultKind::StackGrowth) == 1);

    // Minor and major add up to every resolved fault; errors are counted apart.
    const auto& c = as.fault_counters();
    std::uint64_t kinds = 0;
    for (int k = 0; k < static_cast<int>(FaultKind::Count); ++k)
        if (k != static_cast<int>(FaultKind::StackGrowth))
            kinds += c.by_kind[k];
    CHECK(c.minor + c.major == kinds);
    CHECK_FALSE(as.translate(0x1000, Access::Read));
    CHECK(as.fault_counters().errors == 1);
}
