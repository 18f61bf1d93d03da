// What the memory manager needs from the hardware MMU: the emulated CPU caches
// translations (its TLB) and translated code keyed by physical address. os/mm calls this
// interface and never Unicorn directly, so it can be tested without running guest code.
#pragma once

#include <cstdint>

#include "os/mm/types.h"

namespace os::mm {

class MmuNotifier {
public:
    virtual ~MmuNotifier() = default;
    // A PTE lost a permission or was removed: cached translations must be dropped.
    virtual void flush_tlb() = 0;
    // The contents of physical memory that may hold translated code changed behind the
    // CPU's back (a frame that was executable is being reused).
    virtual void invalidate_code(PhysAddr paddr, std::uint64_t length) = 0;
};

}  // namespace os::mm
