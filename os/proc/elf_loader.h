// Loads a validated ElfImage into an address space the way Linux's load_elf_binary()
// does: each PT_LOAD becomes a private file mapping plus an anonymous bss, the tail of the
// last file page is zeroed, and brk starts after the highest segment.
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
    std::uint64_t brk = 0;        // page-aligned start of the heap
};

// Linux's ELF_ET_DYN_BASE without randomization: where a PIE with an interpreter goes.
inline constexpr std::uint64_t kElfEtDynBase = 0x5555'5555'4000ull;

KResult<LoadedImage> load_elf_image(mm::AddressSpace& mm, const ElfImage& image,
                                    const std::shared_ptr<mm::CachedFile>& file);

}  // namespace os::proc
