#include "os/proc/elf_loader.h"

#include <algorithm>

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

// Chooses the load bias: none for ET_EXEC; ELF_ET_DYN_BASE for a PIE with an interpreter;
// for a static PIE (no interpreter) Linux maps it like a loader, top-down in the mmap area.
KResult<std::uint64_t> choose_load_bias(const AddressSpace& mm, const ElfImage& image) {
    if (!image.is_dyn)
        return 0;
    if (image.interpreter)
        return kElfEtDynBase - image.min_vaddr();
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

}  // namespace

KResult<LoadedImage> load_elf_image(AddressSpace& mm, const ElfImage& image,
                                    const std::shared_ptr<CachedFile>& file) {
    LoadedImage out;
    out.load_bias = TRY(choose_load_bias(mm, image));
    for (const ElfSegment& seg : image.loads)
        TRY_VOID(map_segment(mm, seg, out.load_bias, file));
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
    // there would soon meet the mappings below the stack. Linux (with its default
    // randomize_va_space=2) moves such a brk to ELF_ET_DYN_BASE; we do the same, minus the
    // random offset.
    if (image.is_dyn && !image.interpreter)
        out.brk = kElfEtDynBase;
    return out;
}

}  // namespace os::proc
