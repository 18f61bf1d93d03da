// FaultObserver: told about every page fault the fault path resolves (the kernel's fault
// log and statistics listen; os/mm itself keeps only counters).
#pragma once

#include <cstdint>

#include "os/mm/types.h"

namespace os::mm {

class AddressSpace;
struct Vma;
enum class FaultKind : std::uint8_t;

struct FaultRecord {
    const AddressSpace* mm = nullptr;
    VirtAddr address = 0;  // as the access named it (page aligned for a CPU fill)
    Access access = Access::Read;
    FaultKind kind{};
    bool major = false;
    bool stack_growth = false;  // the stack VMA grew down to reach the page
    Pfn frame{};                // the frame the page ended up with
    const Vma* vma = nullptr;
};

// Page reclaim took a page away from one mapping (try_to_unmap_one): what became of it.
enum class UnmapKind : std::uint8_t {
    PageOut,    // an anonymous page whose swap slot must be written (it was dirty)
    Drop,       // no I/O: a clean file page, or an anonymous page whose swap copy is current
    WriteBack,  // a dirty page of a MAP_SHARED file mapping, written to its file
};

struct UnmapRecord {
    const AddressSpace* mm = nullptr;
    VirtAddr address = 0;  // page aligned, in that address space
    const Vma* vma = nullptr;
    Pfn frame{};
    UnmapKind kind = UnmapKind::Drop;
    std::int64_t swap_slot = -1;  // the slot holding the page from now on, or -1
};

class FaultObserver {
public:
    virtual ~FaultObserver() = default;
    virtual void on_fault(const FaultRecord& record) = 0;
    virtual void on_unmap(const UnmapRecord&) {}
};

}  // namespace os::mm
