// SharedAnonObject: the memory behind MAP_SHARED|MAP_ANONYMOUS (and MAP_SHARED of
// /dev/zero). Linux gives each such mapping a shmem file of its own; this is that file: its
// pages by page offset, each holding a reference on its frame, so that they outlive any one
// mapping of them (the VMAs of every address space that maps the object share them: split,
// mremap and fork make more), and its size, the length of the mmap that made it: pages at
// or beyond it are SIGBUS, even in a mapping mremap has grown.
//
// The VMAs that map it are on `mappings()` (the shmem file's i_mmap) while they are in a
// VmaTree, which is how its pages are found in every address space (os/mm/rmap.h). The
// object lives as long as a VMA holds it (as Vma::origin) and gives its pages back then.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "os/mm/physical_memory.h"
#include "os/mm/types.h"
#include "os/mm/vma_list.h"

namespace os::mm {

class SharedAnonObject {
public:
    SharedAnonObject(PhysicalMemory& pmem, std::uint64_t size_pages);
    ~SharedAnonObject();
    SharedAnonObject(const SharedAnonObject&) = delete;
    SharedAnonObject& operator=(const SharedAnonObject&) = delete;

    std::uint64_t size_pages() const { return m_size_pages; }
    std::uint64_t resident_pages() const { return m_frames.size(); }

    std::optional<Pfn> find_page(std::uint64_t pgoff) const;
    // shmem_get_folio(): page `pgoff` (< size_pages()), a new zeroed one the first time
    // (`*allocated` says which); nullopt when no frame is free.
    std::optional<Pfn> get_page(std::uint64_t pgoff, bool* allocated);
    // Drops pages [first, last) from the object (hole punching); their mappings must be
    // gone already.
    void remove_pages(std::uint64_t first, std::uint64_t last);

    VmaList& mappings() { return m_mappings; }
    const VmaList& mappings() const { return m_mappings; }

private:
    PhysicalMemory& m_pmem;
    std::uint64_t m_size_pages;
    std::map<std::uint64_t, Pfn> m_frames;
    VmaList m_mappings;
};

}  // namespace os::mm
