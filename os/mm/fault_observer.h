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

class FaultObserver {
public:
    virtual ~FaultObserver() = default;
    virtual void on_fault(const FaultRecord& record) = 0;
};

}  // namespace os::mm
