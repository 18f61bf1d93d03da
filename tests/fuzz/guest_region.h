// A guest address space for fuzz targets that read guest memory without running guest
// code: kPages read-write anonymous pages at kBase, the fuzzer's image written at the start
// of them. Pages the image does not reach stay not resident (the trace shows them as
// addresses, copy_from_user faults them in as zero pages); the page after the region is
// unmapped (EFAULT).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "os/mm/address_space.h"
#include "os/mm/physical_memory.h"

namespace fuzz {

class NullMmu final : public os::mm::MmuNotifier {
public:
    void flush_tlb() override {}
    void invalidate_code(os::mm::PhysAddr, std::uint64_t) override {}
};

class GuestRegion {
public:
    static constexpr os::mm::VirtAddr kBase = 0x1000'0000;
    static constexpr std::uint64_t kPages = 16;
    static constexpr std::uint64_t kSize = kPages * os::mm::kPageSize;

    explicit GuestRegion(std::span<const std::uint8_t> image) {
        m_pmem.set_mmu_notifier(&m_mmu);
        os::mm::MapRequest req;
        req.addr = kBase;
        req.length = kSize;
        req.prot = os::mm::kProtRead | os::mm::kProtWrite;
        req.placement = os::mm::Placement::Fixed;
        if (!m_mm.map(req))
            std::abort();
        const std::uint64_t n = std::min<std::uint64_t>(image.size(), kSize);
        if (n > 0 && !m_mm.copy_to_user(kBase, image.data(), n))
            std::abort();
    }

    os::mm::AddressSpace& mm() { return m_mm; }

    // An address from 32 fuzzer bits: mostly inside or near the region, and a few that
    // matter at the edges (NULL, the end of user space, addresses that wrap).
    static std::uint64_t address(std::uint32_t v) {
        switch (v >> 28) {
        case 0xf: return 0;
        case 0xe: return os::mm::kUserTop - (v & 0xffff);
        case 0xd: return ~std::uint64_t{0} - (v & 0xffff);
        default: return kBase + (v & 0x1'ffff);  // the region (64 KiB) and as much beyond it
        }
    }

private:
    NullMmu m_mmu;
    os::mm::PhysicalMemory m_pmem{4ull << 20};
    os::mm::AddressSpace m_mm{m_pmem, &m_mmu};
};

}  // namespace fuzz
