// What the machine's memory still holds once nothing should hold anything (Linux checks
// the same of one mm in check_mm(): "BUG: Bad rss-counter state"). When the last process
// has exited and the kernel has let go of its page cache, every frame but the kernel's
// own reserved ones (the zero frame, the boot frame) must be free (or offline, under
// --pressure), and every swap slot
// too: anything else is a leak in the memory manager.
#pragma once

#include <cstdint>

#include "os/mm/physical_memory.h"

namespace os::mm {

struct MemoryInUse {
    std::uint64_t frames = 0;        // page tables, anonymous and page-cache frames
    std::uint64_t total_frames = 0;  // the machine's, reserved ones included
    std::uint64_t swap_slots = 0;    // slots with a user or a swap-cache page
    std::uint64_t total_swap_slots = 0;
    bool empty() const { return frames == 0 && swap_slots == 0; }
};

// Counts them (a pass over the frame table).
MemoryInUse memory_in_use(const PhysicalMemory& pmem);

}  // namespace os::mm
