// The reverse map (Linux mm/rmap.c): from a frame to every PTE, in every address space,
// that maps it. Reclaim needs it to age a page (page_referenced) and to take it away from
// everyone who maps it (try_to_unmap) before the frame can be reused.
//
// A frame's FrameInfo says whose page it holds (RmapKind) and its index there:
//   Anon        the AnonVma's VMAs (os/mm/anon_vma.h), at the page's linear index
//   File        the VMAs of the address spaces on the CachedFile's i_mmap
//   SharedAnon  the VMAs on the SharedAnonObject's list (os/mm/vma.h)
// In each candidate VMA that covers the index, the PTE at the index's address maps the
// frame if it holds that frame (a private copy may be there instead).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "os/mm/physical_memory.h"
#include "os/mm/pte.h"
#include "os/mm/types.h"

namespace os::mm {

class AddressSpace;
struct Vma;

// Called for every PTE that maps the frame: present ones and PROT_NONE ones alike. The
// visitor may change the PTE (through AddressSpace's rmap methods, which keep the counts)
// but not the VMAs.
using RmapVisitor = std::function<void(AddressSpace&, Vma&, VirtAddr, Pte&)>;

// --- Recording whose page a frame holds (page_add_new_anon_rmap and friends) ---
// `pfn`, a new private anonymous page about to be mapped at `va` in `vma`, whose anon_vma
// is prepared, belongs to that anon_vma at vma.linear_page_index(va).
void page_add_new_anon_rmap(PhysicalMemory& pmem, Pfn pfn, const Vma& vma, VirtAddr va);

// --- VMAs joining and leaving the lists (VmaTree calls these: Linux's vma_link and
// unlink_anon_vmas/__remove_shared_vm_struct) ---
// `vma`, just inserted in `mm`'s tree, goes on its anon_vma's and shared object's lists.
// With mm null (a VmaTree outside any address space) it goes on none.
void vma_link_rmap(Vma& vma, AddressSpace* mm);
// `vma` leaves its tree: off the lists, and it no longer names an anon_vma.
void vma_unlink_rmap(Vma& vma);

// --- Walking ---
// rmap_walk() for each kind of frame; the uniform one is for_each_mapping().
void rmap_walk_anon(PhysicalMemory& pmem, Pfn pfn, const RmapVisitor& visit);
void rmap_walk_file(PhysicalMemory& pmem, Pfn pfn, const RmapVisitor& visit);
void rmap_walk_shared_anon(PhysicalMemory& pmem, Pfn pfn, const RmapVisitor& visit);
// Every PTE that maps `pfn`, whatever kind of page it holds (nothing for page tables, the
// zero frame and free frames).
void for_each_mapping(PhysicalMemory& pmem, Pfn pfn, const RmapVisitor& visit);

// page_referenced(): how many of the PTEs mapping `pfn` have Accessed set; clears it in
// all of them, and flushes the TLB of each address space where one was set, so that the
// next access sets it again. Reclaim's second chance.
unsigned page_referenced(PhysicalMemory& pmem, Pfn pfn);
// The same without the flushes: each address space where a bit was cleared is added to
// `to_flush` (once), and the caller flushes them before guest code runs again (reclaim
// asks about many pages in a row).
unsigned page_referenced(PhysicalMemory& pmem, Pfn pfn, std::vector<AddressSpace*>& to_flush);

// try_to_unmap(): replaces every PTE mapping `pfn` by `replacement`, except in VM_LOCKED
// VMAs: zero for a page-cache or shared anonymous page, which faults back in from its
// object; for a private anonymous page, the swap entry of the swap-cache slot reclaim gave
// it (os/mm/swap.h; each PTE replaced holds the slot once), since its contents live only in
// its frame and with zero they would be lost. Dirty bits pass to the frame. Returns
// whether no PTE maps the frame any more; it is then held by its object or the swap cache
// only, or freed.
bool try_to_unmap(PhysicalMemory& pmem, Pfn pfn, Pte replacement);

}  // namespace os::mm
