// PageTable: one process's x86-64 4-level page table (PML4 -> PDPT -> PD -> PT), stored in
// physical frames in the hardware format, so what the CPU would walk is what we walk.
#pragma once

#include <cstdint>
#include <functional>

#include "os/mm/physical_memory.h"
#include "os/mm/pte.h"
#include "os/mm/types.h"

namespace os::mm {

enum class Alloc : bool { No, Yes };

class PageTable {
public:
    // Allocates the root table. Throws std::bad_alloc when no frame is free.
    explicit PageTable(PhysicalMemory& pmem);
    // Frees every table frame. Leaf entries must already be unmapped by the owner.
    ~PageTable();
    PageTable(const PageTable&) = delete;
    PageTable& operator=(const PageTable&) = delete;

    Pfn root() const { return m_root; }
    // Frames used by the table itself (Linux's "PageTables" in /proc/meminfo).
    std::uint64_t table_frames() const { return m_table_frames; }

    // The leaf PTE mapping `va`, or nullptr when a table on the way is missing. With
    // Alloc::Yes missing tables are created; nullptr then means out of frames.
    Pte* walk(VirtAddr va, Alloc alloc);
    const Pte* lookup(VirtAddr va) const;

    // Calls fn(va, pte) for every non-zero leaf entry in [start, end), in address order,
    // skipping whole missing tables.
    void for_each_pte(VirtAddr start, VirtAddr end, const std::function<void(VirtAddr, Pte&)>& fn);

    // Frees the lower-level tables that map nothing in [start, end) (Linux free_pgtables).
    void free_empty_tables(VirtAddr start, VirtAddr end);

private:
    Pte* table(Pfn pfn) const { return reinterpret_cast<Pte*>(m_pmem.frame_data(pfn)); }
    void for_each_in(Pfn table_pfn, int level, VirtAddr base, VirtAddr start, VirtAddr end,
                     const std::function<void(VirtAddr, Pte&)>& fn);
    bool free_empty_in(Pfn table_pfn, int level, VirtAddr base, VirtAddr start, VirtAddr end);
    void free_table_tree(Pfn table_pfn, int level);

    PhysicalMemory& m_pmem;
    Pfn m_root;
    std::uint64_t m_table_frames = 0;
};

}  // namespace os::mm
