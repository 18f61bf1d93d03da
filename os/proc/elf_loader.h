// Loads validated ElfImages into an address space the way Linux's load_elf_binary() and
// load_elf_interp() do (without address-space randomization): each PT_LOAD becomes a
// private file mapping plus an anonymous bss, the tail of the last file page is zeroed;
// the program's brk starts after its highest segment.
#pragma once

#include <cstdint>
#include <memory>

#include "os/mm/page_cache.h"
#include "os/mm/address_space.h"
#include "os/proc/elf_image.h"
#include "os/result.h"

namespace os::proc {

struct LoadedImage {
    std::uint64_t load_bias = 0;  // added to every vaddr of an ET_DYN image
    std::uint64_t entry = 0;      // biased entry point
    std::uint64_t phdr = 0;       // biased address of the program headers (AT_PHDR), 0 if unmapped
    std::uint64_t brk = 0;        // page-aligned start of the heap (programs only)
};

// Linux's ELF_ET_DYN_BASE (2/3 of TASK_SIZE) page-aligned, without randomization: where a
// PIE with an interpreter goes.
inline constexpr std::uint64_t kElfEtDynBase = 0x5555'5555'4000ull;

// The program execve runs: ET_EXEC at its addresses; a PIE with an interpreter at
// kElfEtDynBase (aligned down to its largest power-of-two p_align); a static PIE
// (ET_DYN without interpreter) like a loader, top-down in the mmap area. Sets mm.layout's
// code and data bounds.
KResult<LoadedImage> load_elf_image(mm::AddressSpace& mm, const ElfImage& image,
                                    const std::shared_ptr<mm::CachedFile>& file);

// The program interpreter (PT_INTERP, ld.so): an ET_DYN one is placed as one reservation
// of its whole span by the top-down mmap allocator (get_unmapped_area), hinted at its own
// first vaddr when the program has no load bias, as load_elf_interp() does; an ET_EXEC one
// at its addresses. `program_bias` is the program's LoadedImage::load_bias.
KResult<LoadedImage> load_elf_interp(mm::AddressSpace& mm, const ElfImage& image,
                                     const std::shared_ptr<mm::CachedFile>& file, std::uint64_t program_bias);

}  // namespace os::proc
