// When a copy-on-write fault flushes the CPU's TLB. A fault the CPU takes while filling its
// TLB entry for the page needs no flush (the entry it installs next replaces the stale one),
// unless the page may hold code (translated code is also found by virtual address); a
// fault taken by faultline's own access to user memory always flushes, since nothing
// refreshes the CPU's entry afterwards.
#include "tests/unit/fork_fixture.h"

namespace {

using namespace fork_test;
using Requester = AddressSpace::Requester;

constexpr VirtAddr kA = 0x1000'0000;

struct Forked {
    explicit Forked(std::uint32_t prot) {
        map_at(*parent, kA, 2 * P, prot);
        write_byte(*parent, kA, 0x11);
        write_byte(*parent, kA + P, 0x22);
        child = parent->fork(&child_mmu);
        REQUIRE(child);
    }
    Machine m;
    std::unique_ptr<AddressSpace> parent = std::make_unique<AddressSpace>(m.pmem, &m.mmu);
    CountingMmu child_mmu;
    std::unique_ptr<AddressSpace> child;
};

}  // namespace

TEST_CASE("cow tlb: the CPU's own write fault on a data page copies without a flush") {
    Forked f(kRW);
    const Pfn shared = frame_of(*f.child, kA);
    auto t = f.child->translate(kA, Access::Write, Requester::Cpu);
    REQUIRE(t);
    CHECK(f.child_mmu.flushes == 0);
    CHECK(frame_of(*f.child, kA) != shared);
    CHECK((t->perms & kTransWrite) != 0);
    CHECK(t->paddr == pfn_to_phys(frame_of(*f.child, kA)));
    CHECK(fault_count(*f.child, FaultKind::CowCopy) == 1);
    CHECK(read_byte(*f.child, kA) == 0x11);
    CHECK(read_byte(*f.parent, kA) == 0x11);
    CHECK(check_mm_consistency(f.m.pmem, {f.parent.get(), f.child.get()}) == "");
}

TEST_CASE("cow tlb: faultline's own write to a copy-on-write page flushes") {
    Forked f(kRW);
    write_byte(*f.child, kA + P, 0x33);  // copy_to_user: Requester::Kernel
    CHECK(f.child_mmu.flushes == 1);
    CHECK(read_byte(*f.parent, kA + P) == 0x22);
    auto t = f.child->translate(kA, Access::Write, Requester::Kernel);
    REQUIRE(t);
    CHECK(f.child_mmu.flushes == 2);
}

TEST_CASE("cow tlb: a write fault on an executable page flushes even for the CPU") {
    Forked f(kRW | kProtExec);
    REQUIRE(f.child->translate(kA, Access::Write, Requester::Cpu));
    CHECK(f.child_mmu.flushes == 1);
    CHECK(fault_count(*f.child, FaultKind::CowCopy) == 1);
}

TEST_CASE("cow tlb: the first write after a read of untouched memory (zero frame) needs no flush") {
    Machine m;
    AddressSpace as(m.pmem, &m.mmu);
    map_at(as, kA, P);
    REQUIRE(as.translate(kA, Access::Read, Requester::Cpu));
    CHECK(m.pmem.is_zero_frame(frame_of(as, kA)));
    const int flushes = m.mmu.flushes;
    REQUIRE(as.translate(kA, Access::Write, Requester::Cpu));
    CHECK(m.mmu.flushes == flushes);
    CHECK(!m.pmem.is_zero_frame(frame_of(as, kA)));
    CHECK(fault_count(as, FaultKind::DemandZero) == 1);
}
