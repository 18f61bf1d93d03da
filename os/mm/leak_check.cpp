#include "os/mm/leak_check.h"

#include "os/mm/swap.h"

namespace os::mm {

MemoryInUse memory_in_use(const PhysicalMemory& pmem) {
    const PhysicalMemoryStats s = pmem.stats();
    MemoryInUse m;
    m.total_frames = s.total_frames;
    // Offline frames (--pressure) are free frames withheld from the free list.
    m.frames = s.total_frames - s.free_frames - s.frames_by_use[static_cast<int>(FrameUse::Reserved)] -
               s.frames_by_use[static_cast<int>(FrameUse::Offline)];
    const SwapTotals swap = swap_totals(pmem);
    m.total_swap_slots = swap.total_pages;
    m.swap_slots = swap.total_pages - swap.free_pages;
    return m;
}

}  // namespace os::mm
