// Swap and page reclaim (os/mm/page_reclaim.h, swap.h, vmscan.cpp): memory filled with a
// known pattern reads back byte for byte after heavy swapping (private anonymous, shared
// copy-on-write between forked address spaces, shared anonymous, shared file), under every
// policy; swap entries through fork, mremap, munmap, mprotect and MADV_DONTNEED; the swap
// cache; mlock; out of memory; and every frame and swap slot given back at the end.
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <span>

#include "os/fs/procfs.h"
#include "os/fs/procfs_internal.h"
#include "os/mm/mman.h"
#include "os/mm/oom_kill.h"
#include "tests/unit/swap_fixture.h"

namespace {

using namespace swap_test;
namespace abi = os::mm::abi;

constexpr VirtAddr kA = 0x1000'0000;
constexpr VirtAddr kB = 0x5000'0000;
constexpr std::uint64_t k16MiB = 16ull << 20 >> 12;   // frames
constexpr std::uint64_t k256MiB = 256ull << 20 >> 12;  // swap pages

std::uint64_t major_faults(const AddressSpace& as) { return as.fault_counters().major; }

// Swaps out the page mapped at `va` now (reclaim of that one page).
void swap_out(SwapMachine& m, AddressSpace& as, VirtAddr va) {
    const Pte pte = pte_of(as, va);
    REQUIRE(pte_present(pte));
    REQUIRE(m.reclaim.reclaim_page(pte_pfn(pte)));
}

}  // namespace

TEST_CASE("swap: 64 MiB of private anonymous memory in 16 MiB of RAM reads back exactly, under every policy") {
    const std::string policy = GENERATE(as<std::string>{}, "clock", "fifo", "random", "lru");
    CAPTURE(policy);
    SwapMachine m(k16MiB, swap_config(k256MiB, policy));
    const std::uint64_t free_before = m.pmem.free_frame_count();
    constexpr std::uint64_t kPages = 4 * k16MiB;
    {
        AddressSpace as(m.pmem, &m.mmu);
        map_at(as, kA, kPages * P);
        for (std::uint64_t i = 0; i < kPages; ++i)
            fill_page(as, kA + i * P, 1, i);
        for (std::uint64_t i = 0; i < kPages; ++i)
            REQUIRE(check_page(as, kA + i * P, 1, i) == "");
        // Backwards, so that every policy has pages to bring back.
        for (std::uint64_t i = kPages; i-- > 0;)
            REQUIRE(check_page(as, kA + i * P, 1, i) == "");
        CHECK(fault_count(as, FaultKind::SwapIn) > kPages / 2);
        CHECK(major_faults(as) == fault_count(as, FaultKind::SwapIn));
        CHECK(m.reclaim.stats().anon_written > kPages / 2);
        CHECK(m.swap().area().pages_written() == m.reclaim.stats().anon_written);
        CHECK(m.swap().area().pages_read() == fault_count(as, FaultKind::SwapIn));
        CHECK(as.resident_pages() + as.swap_pages() == kPages);
        CHECK(as.resident_pages() <= k16MiB);
        // kswapd kept the free frames around the watermarks.
        CHECK(m.pmem.free_frame_count() >= m.reclaim.watermarks().min);
        CHECK(check_mm_consistency(m.pmem, {&as}) == "");
    }
    CHECK(m.pmem.free_frame_count() == free_before);
    CHECK(swap_used(m) == 0);
    CHECK(m.swap().cache().pages() == 0);
}

TEST_CASE("swap: copy-on-write pages of forked address spaces survive heavy swapping on every side") {
    SwapMachine m(k16MiB, swap_config(k256MiB));
    const std::uint64_t free_before = m.pmem.free_frame_count();
    constexpr std::uint64_t kPages = 2 * k16MiB;
    {
        auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
        map_at(*parent, kA, kPages * P);
        for (std::uint64_t i = 0; i < kPages; ++i)
            fill_page(*parent, kA + i * P, 1, i);
        auto child1 = parent->fork(nullptr);
        auto child2 = parent->fork(nullptr);
        REQUIRE(child1);
        REQUIRE(child2);
        // Each side writes its own share of the pages; the rest stays shared.
        auto seed_of = [](int who, std::uint64_t i) -> std::uint64_t {
            if (who == 1 && i % 2 == 0)
                return 2;
            if (who == 2 && i % 3 == 0)
                return 3;
            if (who == 0 && i % 5 == 1)
                return 4;
            return 1;
        };
        AddressSpace* sides[] = {parent.get(), child1.get(), child2.get()};
        for (int who = 0; who < 3; ++who)
            for (std::uint64_t i = 0; i < kPages; ++i)
                if (seed_of(who, i) != 1)
                    fill_page(*sides[who], kA + i * P, seed_of(who, i), i);
        for (int round = 0; round < 2; ++round)
            for (int who = 0; who < 3; ++who)
                for (std::uint64_t i = 0; i < kPages; ++i)
                    REQUIRE(check_page(*sides[who], kA + i * P, seed_of(who, i), i) == "");
        std::uint64_t cache_hits = 0;
        for (AddressSpace* as : sides)
            cache_hits += fault_count(*as, FaultKind::SwapCacheHit);
        // Pages shared by several processes came back once and were found by the others.
        CHECK(cache_hits > 0);
        CHECK(m.swap().swap_cache_hits() == cache_hits);
        CHECK(check_mm_consistency(m.pmem, {parent.get(), child1.get(), child2.get()}) == "");
        parent.reset();
        for (std::uint64_t i = 0; i < kPages; ++i)
            REQUIRE(check_page(*child2, kA + i * P, seed_of(2, i), i) == "");
        CHECK(check_mm_consistency(m.pmem, {child1.get(), child2.get()}) == "");
    }
    CHECK(m.pmem.free_frame_count() == free_before);
    CHECK(swap_used(m) == 0);
}

TEST_CASE("swap: shared anonymous memory written from two forked address spaces survives swapping") {
    SwapMachine m(k16MiB, swap_config(k256MiB));
    const std::uint64_t free_before = m.pmem.free_frame_count();
    constexpr std::uint64_t kPages = 3 * k16MiB;
    {
        auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
        map_at(*parent, kA, kPages * P, kRW, kVmShared);
        auto child = parent->fork(nullptr);
        // The parent writes the even pages, the child the odd ones; each reads the other's.
        for (std::uint64_t i = 0; i < kPages; ++i)
            fill_page(i % 2 ? *child : *parent, kA + i * P, 5, i);
        for (std::uint64_t i = 0; i < kPages; ++i) {
            REQUIRE(check_page(*parent, kA + i * P, 5, i) == "");
            REQUIRE(check_page(*child, kA + (kPages - 1 - i) * P, 5, kPages - 1 - i) == "");
        }
        CHECK(m.reclaim.stats().shmem_written > kPages / 2);
        CHECK(fault_count(*parent, FaultKind::SwapIn) + fault_count(*child, FaultKind::SwapIn) > 0);
        CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");
        // smaps shows the object's swapped pages in both.
        const std::string smaps = os::fs::procfs::smaps(*child);
        CHECK(smaps.find("Swap:                  0 kB") == std::string::npos);
        parent.reset();
        for (std::uint64_t i = 0; i < kPages; ++i)
            REQUIRE(check_page(*child, kA + i * P, 5, i) == "");
    }
    CHECK(m.pmem.free_frame_count() == free_before);
    CHECK(swap_used(m) == 0);
}

TEST_CASE("swap: a MAP_SHARED file mapping twice the size of RAM is written back under pressure and read again") {
    constexpr std::uint64_t kPages = 2 * k16MiB;
    TempFile tf(kPages);
    SwapMachine m(k16MiB, swap_config(16));
    const std::uint64_t free_before = m.pmem.free_frame_count();
    {
        auto got = m.cache.get(tf.fd, tf.path);
        REQUIRE(got);
        std::shared_ptr<CachedFile> file = *got;
        file->adopt_write_fd(::dup(tf.fd));
        AddressSpace as(m.pmem, &m.mmu);
        map_at(as, kA, kPages * P, kRW, kVmShared, file);
        for (std::uint64_t i = 0; i < kPages; ++i)
            fill_page(as, kA + i * P, 9, i);
        // Written back as reclaim took the pages: the file has most of them already.
        CHECK(m.reclaim.stats().file_written > kPages / 2);
        for (std::uint64_t i = 0; i < kPages; ++i)
            REQUIRE(check_page(as, kA + i * P, 9, i) == "");
        CHECK(fault_count(as, FaultKind::FilePage) > kPages);  // read again from the file
        // A forked child shares the mapping: its writes reach the parent and the file.
        auto child = as.fork(nullptr);
        REQUIRE(child);
        for (std::uint64_t i = 0; i < kPages; i += 3)
            fill_page(*child, kA + i * P, 10, i);
        for (std::uint64_t i = 0; i < kPages; ++i)
            REQUIRE(check_page(as, kA + i * P, i % 3 ? 9 : 10, i) == "");
        CHECK(as.swap_pages() == 0);
        CHECK(swap_used(m) == 0);  // file pages never go to swap
        CHECK(check_mm_consistency(m.pmem, {&as, child.get()}) == "");
    }
    // The mapping is gone (its dirty pages written back): the file holds the pattern.
    std::vector<std::uint8_t> buf(P);
    for (std::uint64_t i = 0; i < kPages; ++i) {
        REQUIRE(::pread(tf.fd, buf.data(), P, static_cast<off_t>(i * P)) == static_cast<ssize_t>(P));
        for (std::uint64_t j = 0; j < P; j += 97)
            REQUIRE(buf[j] == pattern(i % 3 ? 9 : 10, i, j));
    }
    m.cache.shrink(~std::uint64_t{0});
    CHECK(m.pmem.free_frame_count() == free_before);
}

TEST_CASE("swap: the Dirty bit of any one mapping, or of a mapping since zapped, makes reclaim write the page") {
    SwapMachine m(1024, swap_config(64));
    auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
    map_at(*parent, kA, P, kRW, kVmShared);
    fill_page(*parent, kA, 1, 0);
    auto child = parent->fork(nullptr);
    swap_out(m, *parent, kA);
    CHECK(m.swap().area().pages_written() == 1);
    // Both map it again, clean: it is in the swap cache, and its slot holds it.
    CHECK(check_page(*parent, kA, 1, 0) == "");
    CHECK(fault_count(*parent, FaultKind::SwapIn) == 1);
    CHECK(check_page(*child, kA, 1, 0) == "");
    swap_out(m, *parent, kA);
    CHECK(m.swap().area().pages_written() == 1);  // clean: dropped
    CHECK(m.reclaim.stats().clean_dropped == 1);
    // Only the child's PTE sees a write.
    CHECK(read_byte(*parent, kA) == pattern(1, 0, 0));
    write_byte(*child, kA + 100, 0xC1);
    swap_out(m, *parent, kA);
    CHECK(m.swap().area().pages_written() == 2);
    CHECK(read_byte(*parent, kA + 100) == 0xC1);
    // The child writes, then unmaps the page (it stays in its object): the write must
    // still reach the slot.
    write_byte(*child, kA + 200, 0xC2);
    REQUIRE(child->unmap(kA, P));
    swap_out(m, *parent, kA);
    CHECK(m.swap().area().pages_written() == 3);
    CHECK(read_byte(*parent, kA + 200) == 0xC2);
    CHECK(read_byte(*parent, kA + 100) == 0xC1);
    CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");

    // A MAP_SHARED file page written only through the child's mapping is written back.
    TempFile tf(2);
    auto got = m.cache.get(tf.fd, tf.path);
    REQUIRE(got);
    (*got)->adopt_write_fd(::dup(tf.fd));
    map_at(*parent, kB, 2 * P, kRW, kVmShared, *got);
    CHECK(read_byte(*parent, kB) == file_byte(0));
    auto child2 = parent->fork(nullptr);
    write_byte(*child2, kB + 1, 0xF1);
    CHECK(!(pte_of(*parent, kB) & kPteDirty));
    swap_out(m, *parent, kB);
    CHECK(m.reclaim.stats().file_written == 1);
    CHECK(tf.byte_at(1) == 0xF1);
    CHECK(read_byte(*parent, kB + 1) == 0xF1);
    CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get(), child2.get()}) == "");
}

TEST_CASE("swap: clean file pages are dropped and read again; without swap, anonymous memory stays") {
    constexpr std::uint64_t kPages = 2 * 1024;
    TempFile tf(kPages);
    ReclaimConfig config;  // no swap
    PhysicalMemory pmem(1024 * P);
    CountingMmu mmu;
    pmem.set_mmu_notifier(&mmu);
    PageCache cache(pmem);
    PageReclaim reclaim(pmem, &cache, config);
    CHECK(reclaim.swap() == nullptr);
    CHECK(pmem.swap() == nullptr);
    {
        auto file = cache.get(tf.fd, tf.path);
        REQUIRE(file);
        AddressSpace as(pmem, &mmu);
        map_at(as, kA, kPages * P, kProtRead, 0, *file);
        map_at(as, kB, 256 * P);
        for (std::uint64_t i = 0; i < 256; ++i)
            write_byte(as, kB + i * P, static_cast<std::uint8_t>(i));
        for (int round = 0; round < 2; ++round)
            for (std::uint64_t i = 0; i < kPages; ++i)
                REQUIRE(read_byte(as, kA + i * P + 5) == file_byte(i * P + 5));
        // Read again from the file on the second pass (a fault maps the 15 pages around it
        // that are cached, so it is one major fault per 16 pages each time).
        CHECK(fault_count(as, FaultKind::FilePage) >= 2 * kPages / 16);
        CHECK(reclaim.stats().file_dropped > kPages);
        // The anonymous pages were never taken.
        for (std::uint64_t i = 0; i < 256; ++i) {
            CHECK(pte_present(pte_of(as, kB + i * P)));
            CHECK(read_byte(as, kB + i * P) == static_cast<std::uint8_t>(i));
        }
        CHECK(reclaim.stats().anon_written == 0);
        CHECK(check_mm_consistency(pmem, {&as}) == "");
    }
}

TEST_CASE("swap: a swapped-out page keeps its slot in the PTE, comes back on a read, and a clean one is not written again") {
    SwapMachine m(1024, swap_config(64));
    AddressSpace as(m.pmem, &m.mmu);
    map_at(as, kA, 4 * P);
    for (int i = 0; i < 4; ++i)
        fill_page(as, kA + i * P, 3, i);
    swap_out(m, as, kA + P);
    const Pte pte = pte_of(as, kA + P);
    REQUIRE(is_swap_pte(pte));
    CHECK(!pte_has_frame(pte));
    CHECK(pte_to_swp_entry(pte).offset == 1);  // the lowest slot
    CHECK(m.swap().area().swap_count(pte_to_swp_entry(pte)) == 1);
    CHECK(as.resident_pages() == 3);
    CHECK(as.swap_pages() == 1);
    CHECK(m.swap().area().pages_written() == 1);
    CHECK(m.swap().cache().pages() == 0);
    CHECK(os::fs::procfs::detail::mm_counters(as).swap_entries == 1);
    CHECK(os::fs::procfs::smaps(as).find("Swap:                  4 kB") != std::string::npos);
    std::uint8_t vec[4] = {};
    REQUIRE(as.residency(kA, 4, vec).value() == 4);
    CHECK(vec[0] == 1);
    CHECK(vec[1] == 0);  // mincore: swapped out

    // A read swaps it in (major); the page stays in the swap cache, clean, its slot kept.
    CHECK(check_page(as, kA + P, 3, 1) == "");
    CHECK(fault_count(as, FaultKind::SwapIn) == 1);
    CHECK(major_faults(as) == 1);
    CHECK(as.swap_pages() == 0);
    CHECK(m.swap().cache().pages() == 1);
    CHECK(swap_used(m) == 1);
    REQUIRE(as.residency(kA, 4, vec).value() == 4);
    CHECK(vec[1] == 1);
    CHECK(check_mm_consistency(m.pmem, {&as}) == "");

    // Reclaimed again unwritten: dropped, not written (the slot has it).
    swap_out(m, as, kA + P);
    CHECK(m.swap().area().pages_written() == 1);
    CHECK(m.reclaim.stats().clean_dropped == 1);
    CHECK(check_page(as, kA + P, 3, 1) == "");
    CHECK(fault_count(as, FaultKind::SwapIn) == 2);

    // Written after the swap-in: the PTE's Dirty bit makes reclaim write it again.
    write_byte(as, kA + P + 10, 0x55);
    swap_out(m, as, kA + P);
    CHECK(m.swap().area().pages_written() == 2);
    CHECK(read_byte(as, kA + P + 10) == 0x55);
    CHECK(read_byte(as, kA + P + 11) == pattern(3, 1, 11));

    // A write fault swaps in and takes the page out of the swap cache (the slot is freed).
    swap_out(m, as, kA + 2 * P);
    write_byte(as, kA + 2 * P, 0x66);
    CHECK(read_byte(as, kA + 2 * P + 1) == pattern(3, 2, 1));
    CHECK(m.swap().cache().pages() == 1);  // page 1 only
    CHECK(check_mm_consistency(m.pmem, {&as}) == "");
}

TEST_CASE("swap: fork shares swap entries; the first reader swaps in, the second hits the swap cache") {
    SwapMachine m(1024, swap_config(64));
    auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
    map_at(*parent, kA, 2 * P);
    fill_page(*parent, kA, 7, 0);
    fill_page(*parent, kA + P, 7, 1);
    swap_out(m, *parent, kA);
    auto child = parent->fork(nullptr);
    REQUIRE(child);
    const SwapEntry e = pte_to_swp_entry(pte_of(*child, kA));
    CHECK(pte_of(*child, kA) == pte_of(*parent, kA));
    CHECK(m.swap().area().swap_count(e) == 2);
    CHECK(child->swap_pages() == 1);
    CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");

    CHECK(check_page(*child, kA, 7, 0) == "");
    CHECK(fault_count(*child, FaultKind::SwapIn) == 1);
    CHECK(check_page(*parent, kA, 7, 0) == "");
    CHECK(fault_count(*parent, FaultKind::SwapCacheHit) == 1);
    CHECK(fault_count(*parent, FaultKind::SwapIn) == 0);
    CHECK(major_faults(*parent) == 0);
    CHECK(frame_of(*parent, kA) == frame_of(*child, kA));
    CHECK(m.swap().swap_cache_hits() == 1);
    // Shared: neither may write it in place.
    CHECK(!(pte_of(*parent, kA) & kPteWritable));
    CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");

    // Copy-on-write after swap-in: the parent's write copies; the child keeps the original.
    write_byte(*parent, kA, 0xAA);
    CHECK(fault_count(*parent, FaultKind::CowCopy) == 1);
    CHECK(read_byte(*child, kA) == pattern(7, 0, 0));
    CHECK(read_byte(*parent, kA) == 0xAA);
    // The child, alone now with the page, reuses it (the swap cache lets go of it).
    write_byte(*child, kA + 1, 0xBB);
    CHECK(fault_count(*child, FaultKind::CowReuse) == 1);
    CHECK(m.swap().cache().pages() == 0);
    CHECK(swap_used(m) == 0);
    CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");
}

TEST_CASE("swap: a write to a page shared through swap swaps it in and copies it, one major fault") {
    SwapMachine m(1024, swap_config(64));
    auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
    map_at(*parent, kA, P);
    fill_page(*parent, kA, 8, 0);
    auto child = parent->fork(nullptr);
    swap_out(m, *parent, kA);  // both PTEs get the swap entry
    CHECK(is_swap_pte(pte_of(*parent, kA)));
    CHECK(is_swap_pte(pte_of(*child, kA)));
    const std::uint64_t minor = child->fault_counters().minor;
    write_byte(*child, kA, 0x11);
    CHECK(major_faults(*child) == 1);
    CHECK(child->fault_counters().minor == minor);
    CHECK(fault_count(*child, FaultKind::CowCopy) == 0);  // counted as the swap-in it began as
    CHECK(check_page(*parent, kA, 8, 0) == "");
    CHECK(fault_count(*parent, FaultKind::SwapCacheHit) == 1);
    CHECK(read_byte(*child, kA) == 0x11);
    CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");
    child.reset();
    parent.reset();
    CHECK(swap_used(m) == 0);
    CHECK(m.swap().cache().pages() == 0);
}

TEST_CASE("swap: MADV_DONTNEED, munmap and exit free swap slots; mremap moves them; mprotect keeps them") {
    SwapMachine m(1024, swap_config(64));
    const std::uint64_t free_before = m.pmem.free_frame_count();
    {
        AddressSpace as(m.pmem, &m.mmu);
        map_at(as, kA, 8 * P);
        for (int i = 0; i < 8; ++i) {
            fill_page(as, kA + i * P, 4, i);
            swap_out(m, as, kA + i * P);
        }
        CHECK(swap_used(m) == 8);
        // MADV_DONTNEED: the slots go, the memory reads zero.
        REQUIRE(as.advise(kA, 2 * P, abi::MADV_DONTNEED));
        CHECK(swap_used(m) == 6);
        CHECK(read_byte(as, kA) == 0);
        // munmap
        REQUIRE(as.unmap(kA + 2 * P, P));
        CHECK(swap_used(m) == 5);
        CHECK(as.swap_pages() == 5);
        // mremap moves the entries; they come back at the new address.
        REQUIRE(as.remap(kA + 3 * P, 2 * P, 2 * P, abi::MREMAP_MAYMOVE | abi::MREMAP_FIXED, kB).value() == kB);
        CHECK(is_swap_pte(pte_of(as, kB)));
        CHECK(swap_used(m) == 5);
        CHECK(check_page(as, kB + P, 4, 4) == "");
        // mprotect: PROT_NONE keeps the entry, denies access; RW again brings it back.
        REQUIRE(as.protect(kA + 5 * P, 3 * P, kProtNone));
        CHECK(is_swap_pte(pte_of(as, kA + 5 * P)));
        std::uint8_t b = 0;
        CHECK(as.translate(kA + 5 * P, Access::Read).error() == FaultError::AccessError);
        CHECK(!as.copy_from_user(&b, kA + 5 * P, 1));
        REQUIRE(as.protect(kA + 5 * P, 3 * P, kProtRead));
        CHECK(check_page(as, kA + 5 * P, 4, 5) == "");
        CHECK(!try_write(as, kA + 5 * P, 1));
        REQUIRE(as.protect(kA + 5 * P, 3 * P, kRW));
        write_byte(as, kA + 6 * P, 0x42);
        CHECK(check_page(as, kA + 7 * P, 4, 7) == "");
        CHECK(check_mm_consistency(m.pmem, {&as}) == "");
        // MREMAP_DONTUNMAP moves a swap entry out and leaves an empty range behind.
        swap_out(m, as, kA + 6 * P);
        REQUIRE(as.remap(kA + 6 * P, P, P, abi::MREMAP_MAYMOVE | abi::MREMAP_DONTUNMAP | abi::MREMAP_FIXED,
                         kB + 16 * P)
                    .value() == kB + 16 * P);
        CHECK(read_byte(as, kB + 16 * P) == 0x42);
        CHECK(read_byte(as, kA + 6 * P) == 0);
        CHECK(check_mm_consistency(m.pmem, {&as}) == "");
    }
    // exit
    CHECK(swap_used(m) == 0);
    CHECK(m.pmem.free_frame_count() == free_before);
}

TEST_CASE("swap: mlocked pages are never swapped out, however hard reclaim runs") {
    SwapMachine m(1024, swap_config(4096));
    AddressSpace as(m.pmem, &m.mmu);
    map_at(as, kA, 128 * P);
    REQUIRE(as.lock_range(kA, 128 * P, kVmLocked));
    REQUIRE(as.populate(kA, 128 * P, false));
    for (int i = 0; i < 128; ++i)
        fill_page(as, kA + i * P, 6, i);
    CHECK(!m.reclaim.reclaim_page(frame_of(as, kA)));
    // A child maps the same pages unlocked (locks are not inherited): still locked pages.
    auto child = as.fork(nullptr);
    CHECK(!m.reclaim.reclaim_page(frame_of(*child, kA + P)));
    map_at(as, kB, 3000 * P);
    for (int i = 0; i < 3000; ++i)
        write_byte(as, kB + i * P, 1);
    CHECK(m.reclaim.stats().anon_written > 1000);
    for (int i = 0; i < 128; ++i) {
        REQUIRE(pte_present(pte_of(as, kA + i * P)));
        REQUIRE(check_page(as, kA + i * P, 6, i) == "");
    }
    CHECK(check_mm_consistency(m.pmem, {&as, child.get()}) == "");
}

TEST_CASE("swap: a page the fault path holds across an allocation is not reclaimed under it") {
    // One frame short: every copy-on-write copy reclaims, and the page being copied must
    // be left alone (pinned).
    ReclaimConfig config = swap_config(256, "fifo");
    config.watermarks = Watermarks{4, 8, 12};
    SwapMachine m(64, config);
    auto parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
    map_at(*parent, kA, 128 * P);
    for (int i = 0; i < 128; ++i)
        fill_page(*parent, kA + i * P, 2, i);
    auto child = parent->fork(nullptr);
    for (int i = 0; i < 128; ++i) {
        write_byte(*child, kA + i * P, 0x99);
        REQUIRE(read_byte(*child, kA + i * P + 1) == pattern(2, i, 1));
    }
    for (int i = 0; i < 128; ++i)
        REQUIRE(check_page(*parent, kA + i * P, 2, i) == "");
    CHECK(check_mm_consistency(m.pmem, {parent.get(), child.get()}) == "");
}

TEST_CASE("swap: with no frame and no swap slot left, the fault fails, the OOM notifier runs, and the largest process is chosen") {
    ReclaimConfig config = swap_config(32);
    config.watermarks = Watermarks{2, 4, 6};
    SwapMachine m(64, config);
    int ooms = 0;
    m.reclaim.set_oom_notifier([&] { ++ooms; });
    auto small = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
    AddressSpace big(m.pmem, &m.mmu);
    map_at(*small, kA, 8 * P);
    for (int i = 0; i < 8; ++i)
        write_byte(*small, kA + i * P, 1);
    map_at(big, kA, 256 * P);
    std::uint64_t written = 0;
    while (written < 256 && try_write(big, kA + written * P, 2))
        ++written;
    CHECK(written < 256);
    CHECK(written > 32);  // RAM and swap were used first
    CHECK(ooms >= 1);
    CHECK(m.reclaim.stats().failed_allocations >= 1);
    CHECK(m.swap().area().free_slots() == 0);
    CHECK(big.translate(kA + written * P, Access::Write).error() == FaultError::OutOfMemory);
    CHECK(check_mm_consistency(m.pmem, {small.get(), &big}) == "");

    const OomCandidate candidates[] = {{small.get(), 0, false}, {&big, 0, false}};
    const std::uint64_t total = oom_total_pages(m.pmem);
    CHECK(total == 64 + 31);
    CHECK(select_bad_process(candidates, total) == 1u);
    CHECK(*oom_badness(candidates[1], total) >= static_cast<std::int64_t>(big.resident_pages() + big.swap_pages()));

    // Once a process is gone, what was written comes back, swap full or not: a page swapped
    // in gives its slot to the next one out.
    small.reset();
    for (std::uint64_t i = 0; i < written; ++i)
        REQUIRE(read_byte(big, kA + i * P) == 2);
    CHECK(check_mm_consistency(m.pmem, {&big}) == "");
}

TEST_CASE("oom_badness: resident, swap and page-table pages, shifted by oom_score_adj; -1000 exempt; ties to the last") {
    PhysicalMemory pmem(1024 * P);
    AddressSpace a(pmem, nullptr), b(pmem, nullptr);
    map_at(a, kA, 16 * P);
    map_at(b, kA, 16 * P);
    for (int i = 0; i < 10; ++i)
        write_byte(a, kA + i * P, 1);
    for (int i = 0; i < 4; ++i)
        write_byte(b, kA + i * P, 1);
    const std::uint64_t total = 2000;
    const std::int64_t tables = 3;  // PDPT, PD and PT (the PML4 is not counted)
    CHECK(oom_badness({&a, 0, false}, total) == 10 + tables);
    CHECK(oom_badness({&b, 0, false}, total) == 4 + tables);
    CHECK(oom_badness({&b, 500, false}, total) == 4 + tables + 500 * 2);
    CHECK(oom_badness({&a, -1000, false}, total) == std::nullopt);
    CHECK(oom_badness({&a, 0, true}, total) == std::nullopt);
    CHECK(oom_badness({nullptr, 0, false}, total) == std::nullopt);
    OomCandidate c1[] = {{&a, 0, false}, {&b, 0, false}};
    CHECK(select_bad_process(c1, total) == 0u);
    OomCandidate c2[] = {{&a, 0, false}, {&b, 10, false}};
    CHECK(select_bad_process(c2, total) == 1u);
    OomCandidate c3[] = {{&a, -1000, false}, {&b, 0, true}};
    CHECK(select_bad_process(c3, total) == std::nullopt);
    OomCandidate c4[] = {{&a, 0, false}, {&a, 0, false}};
    CHECK(select_bad_process(c4, total) == 1u);
    // /proc/pid/oom_score: (1000 + points * 1000 / total) * 2 / 3
    CHECK(oom_score({&a, 0, false}, total) == (1000 + 13 * 1000 / 2000) * 2 / 3);
    CHECK(oom_score({&a, -1000, false}, total) == 0);
}

TEST_CASE("swap: watermarks follow Linux's min_free_kbytes, capped for tiny machines, and kswapd keeps them") {
    const Watermarks w16 = Watermarks::for_frames(4096);  // 16 MiB: sqrt(16 * 16384) = 512 KiB
    CHECK(w16.min == 128);
    CHECK(w16.low == 160);
    CHECK(w16.high == 192);
    const Watermarks w1g = Watermarks::for_frames(262144);  // 1 GiB: 4096 KiB
    CHECK(w1g.min == 1024);
    const Watermarks tiny = Watermarks::for_frames(64);
    CHECK(tiny.min == 4);
    CHECK(tiny.low == 5);
    CHECK(tiny.high == 6);
    SwapMachine m(1024, swap_config(4096));
    AddressSpace as(m.pmem, &m.mmu);
    map_at(as, kA, 2048 * P);
    for (int i = 0; i < 2048; ++i)
        write_byte(as, kA + i * P, 1);
    CHECK(m.reclaim.stats().kswapd_runs > 0);
    CHECK(m.pmem.free_frame_count() >= m.reclaim.watermarks().min);
    // /proc/meminfo and the swap totals.
    const SwapTotals t = swap_totals(m.pmem);
    CHECK(t.total_pages == 4095);
    CHECK(t.total_pages - t.free_pages == swap_used(m));
    AddressSpace* all[] = {&as};
    const std::string meminfo = os::fs::procfs::meminfo(m.pmem, m.cache, all);
    CHECK(meminfo.find("SwapTotal:         16380 kB") != std::string::npos);
}

TEST_CASE("swap: page reclaim set up after pages exist adopts them, and unregisters when it goes") {
    PhysicalMemory pmem(512 * P);
    CountingMmu mmu;
    pmem.set_mmu_notifier(&mmu);
    PageCache cache(pmem);
    AddressSpace as(pmem, &mmu);
    map_at(as, kA, 1024 * P);
    for (int i = 0; i < 100; ++i)
        fill_page(as, kA + i * P, 12, i);
    {
        PageReclaim reclaim(pmem, &cache, swap_config(2048, "fifo"));
        CHECK(reclaim.policy().size() == 100);
        CHECK(pmem.swap() == reclaim.swap());
        CHECK(reclaim.reclaim_pages(10) == 10);
        CHECK(as.swap_pages() == 10);
        // FIFO: the oldest pages went first.
        CHECK(is_swap_pte(pte_of(as, kA)));
        CHECK(is_swap_pte(pte_of(as, kA + 9 * P)));
        CHECK(pte_present(pte_of(as, kA + 10 * P)));
        for (int i = 0; i < 100; ++i)
            REQUIRE(check_page(as, kA + i * P, 12, i) == "");
        // Swap must outlive what is swapped: bring everything back before it goes.
        CHECK(as.swap_pages() == 0);
        REQUIRE(as.advise(kA, 1024 * P, abi::MADV_DONTNEED));
        CHECK(reclaim.swap()->area().used_slots() == 0);
        CHECK_THROWS_AS(PageReclaim(pmem, &cache, swap_config(0, "optimal")), std::invalid_argument);
    }
    CHECK(pmem.swap() == nullptr);
    CHECK(pmem.watermarks().low == 0);
    fill_page(as, kA, 13, 0);
    CHECK(check_page(as, kA, 13, 0) == "");
}

TEST_CASE("swap: a reclaim round clears Accessed bits page by page but flushes each TLB once") {
    SwapMachine m(1024, swap_config(1024, "lru"));
    AddressSpace as(m.pmem, &m.mmu);
    map_at(as, kA, 256 * P);
    for (int i = 0; i < 256; ++i)
        write_byte(as, kA + i * P, 1);
    REQUIRE((pte_of(as, kA + 100 * P) & kPteAccessed) != 0);
    m.mmu.flushes = 0;
    CHECK(m.reclaim.reclaim_pages(1) == 1);
    // LRU asked every page about its Accessed bit (all set, all cleared)...
    CHECK((pte_of(as, kA + 100 * P) & kPteAccessed) == 0);
    // ...and the TLB was flushed for the round and for the one page unmapped, not 256 times.
    CHECK(m.mmu.flushes <= 2);
}
