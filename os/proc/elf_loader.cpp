#include "os/proc/elf_loader.h"

#include <algorithm>
#include <bit>

namespace os::proc {

using linux_abi::Errno;
using namespace os::mm;

namespace {

std::uint32_t prot_of(const ElfSegment& seg) {
    std::uint32_t prot = kProtNone;
    if (seg.flags & linux_abi::PF_R)
        prot |= kProtRead;
    if (seg.flags & linux_abi::PF_W)
        prot |= kProtWrite;
    if (seg.flags & linux_abi::PF_X)
        prot |= kProtExec;
    return prot;
}

// Linux's ELF_ET_DYN_BASE before it is aligned: 2/3 of TASK_SIZE.
constexpr std::uint64_t kElfEtDynBaseExact = kUserTop / 3 * 2;
static_assert(page_round_down(kElfEtDynBaseExact) == kElfEtDynBase);

// maximum_alignment(): the largest power-of-two p_align of the PT_LOADs, at least a page
// (0 when none is a power of two).
std::uint64_t maximum_alignment(const ElfImage& image) {
    std::uint64_t alignment = 0;
    for (const ElfSegment& seg : image.loads)
        if (std::has_single_bit(seg.align))
            alignment = std::max(alignment, seg.align);
    return page_round_up(alignment);
}

// Chooses the program's load bias: none for ET_EXEC; ELF_ET_DYN_BASE for a PIE with an
// interpreter; a static PIE (no interpreter) is mapped like a loader, top-down in the mmap
// area. As in load_elf_binary(), the bias is lowered by the first PT_LOAD's vaddr and then
// page-aligned (unsigned arithmetic wraps as the kernel's does).
KResult<std::uint64_t> choose_load_bias(const AddressSpace& mm, const ElfImage& image) {
    if (!image.is_dyn)
        return 0;
    if (image.interpreter) {
        std::uint64_t base = kElfEtDynBaseExact;
        if (const std::uint64_t alignment = maximum_alignment(image))
            base &= ~(alignment - 1);
        return page_round_down(base - image.loads.front().vaddr);
    }
    const std::uint64_t total = image.max_vaddr() - image.min_vaddr();
    VirtAddr base = TRY(mm.find_free_range(0, total));
    return base - image.min_vaddr();
}

KResult<void> map_segment(AddressSpace& mm, const ElfSegment& seg, std::uint64_t bias,
                          const std::shared_ptr<CachedFile>& file) {
    const std::uint32_t prot = prot_of(seg);
    const VirtAddr start = page_round_down(seg.vaddr + bias);
    const VirtAddr file_end = seg.vaddr + bias + seg.filesz;
    const VirtAddr mem_end = seg.vaddr + bias + seg.memsz;
    if (seg.filesz > 0) {
        MapRequest req;
        req.addr = start;
        req.length = page_round_up(file_end) - start;
        req.prot = prot;
        req.placement = Placement::Fixed;
        req.file = file;
        req.file_offset = page_round_down(seg.offset);
        req.name = file->path();
        TRY(mm.map(req));
    }
    if (seg.memsz <= seg.filesz)
        return {};
    // bss: zero the rest of the last file page (Linux padzero; errors matter only when the
    // segment is writable), then anonymous zero pages for the remainder.
    if (seg.filesz > 0 && !page_aligned(file_end)) {
        auto cleared = mm.clear_user(file_end, page_round_up(file_end) - file_end);
        if (!cleared && (prot & kProtWrite))
            return err(Errno::efault);
    }
    const VirtAddr bss_start = seg.filesz > 0 ? page_round_up(file_end) : start;
    if (page_round_up(mem_end) > bss_start) {
        MapRequest req;
        req.addr = bss_start;
        req.length = page_round_up(mem_end) - bss_start;
        req.prot = prot;
        req.placement = Placement::Fixed;
        TRY(mm.map(req));
    }
    return {};
}

KResult<void> map_segments(AddressSpace& mm, const ElfImage& image, std::uint64_t bias,
                           const std::shared_ptr<CachedFile>& file) {
    for (const ElfSegment& seg : image.loads)
        TRY_VOID(map_segment(mm, seg, bias, file));
    return {};
}

}  // namespace

KResult<LoadedImage> load_elf_image(AddressSpace& mm, const ElfImage& image,
                                    const std::shared_ptr<CachedFile>& file) {
    LoadedImage out;
    out.load_bias = TRY(choose_load_bias(mm, image));
    TRY_VOID(map_segments(mm, image, out.load_bias, file));
    // mm->start_code .. end_data as Linux 6.1's load_elf_binary computes them: code is the
    // span of the executable segments' file contents; data starts at the highest segment
    // and ends at the highest end of file contents.
    VirtAddr start_code = ~VirtAddr{0}, end_code = 0, start_data = 0, end_data = 0;
    for (const ElfSegment& seg : image.loads) {
        start_data = std::max(start_data, seg.vaddr);
        end_data = std::max(end_data, seg.vaddr + seg.filesz);
        if (!(seg.flags & linux_abi::PF_X))
            continue;
        start_code = std::min(start_code, seg.vaddr);
        end_code = std::max(end_code, seg.vaddr + seg.filesz);
    }
    if (end_code == 0)
        start_code = 0;
    mm.layout.start_code = start_code + out.load_bias;
    mm.layout.end_code = end_code + out.load_bias;
    mm.layout.start_data = start_data + out.load_bias;
    mm.layout.end_data = end_data + out.load_bias;
    out.entry = image.entry + out.load_bias;
    out.phdr = image.phdr_vaddr ? image.phdr_vaddr + out.load_bias : 0;
    out.brk = image.brk_start() + out.load_bias;
    // A static PIE is placed like a loader, top-down in the mmap area; a brk growing up from
    // there would soon meet the mappings below the stack. Linux moves such a brk to
    // ELF_ET_DYN_BASE, page-aligned up (0x555555555000; what Linux 6.18 does with
    // `setarch -R` too; with randomization it adds a random offset).
    if (image.is_dyn && !image.interpreter)
        out.brk = page_round_up(kElfEtDynBaseExact);
    return out;
}

KResult<LoadedImage> load_elf_interp(AddressSpace& mm, const ElfImage& image,
                                     const std::shared_ptr<CachedFile>& file, std::uint64_t program_bias) {
    LoadedImage out;
    if (image.is_dyn) {
        // One reservation of the whole span (total_mapping_size), so that the segments keep
        // their distances; the first one asks for its own vaddr only when the program was
        // not relocated (load_elf_interp's no_base), and ld.so's first vaddr is 0 anyway.
        const std::uint64_t total = image.max_vaddr() - image.min_vaddr();
        const VirtAddr hint = program_bias ? 0 : image.min_vaddr();
        const VirtAddr base = TRY(mm.get_unmapped_area(hint, total, Placement::Hint));
        out.load_bias = base - image.min_vaddr();
    }
    TRY_VOID(map_segments(mm, image, out.load_bias, file));
    out.entry = image.entry + out.load_bias;
    out.phdr = image.phdr_vaddr ? image.phdr_vaddr + out.load_bias : 0;
    return out;
}

}  // namespace os::proc
