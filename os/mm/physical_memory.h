// PhysicalMemory: the emulated machine's RAM and its frame table.
//
// RAM is one host buffer (reserved with MAP_NORESERVE, so the host pays for a frame only
// when it is first touched). Frames are handed out LIFO so that recently freed frames,
// whose host pages are already resident, are reused first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "os/mm/fault_observer.h"
#include "os/mm/mmu_notifier.h"
#include "os/mm/types.h"

namespace os::mm {

// What a frame is used for (Linux keeps this in struct page flags).
enum class FrameUse : std::uint8_t { Free, Reserved, PageTable, Anonymous, File };

class AnonVma;

// What a frame's reverse-map fields name (Linux tells them apart by page->mapping's
// PAGE_MAPPING_ANON bit; shared anonymous memory is shmem, a file, there).
enum class RmapKind : std::uint8_t {
    None,        // page tables, the zero frame, free frames
    Anon,        // a private anonymous page: anon_vma and its index there
    File,        // a page-cache page: mapping is the CachedFile, index the file page
    SharedAnon,  // MAP_SHARED|MAP_ANONYMOUS: mapping is the SharedAnonObject, index its page
};

// One entry of the frame table (Linux's struct page).
struct FrameInfo {
    std::uint32_t refcount = 0;  // owners: page-table entries, the page cache, the kernel
    std::uint32_t mapcount = 0;  // PTEs that map this frame
    FrameUse use = FrameUse::Free;
    bool had_exec_mapping = false;  // may have translated code: invalidate before reuse
    // The reverse map (page->mapping and page->index): whose page the frame holds and which.
    // Set when the page is made (os/mm/rmap.h), cleared when the frame is freed; an Anon
    // frame holds a reference on its AnonVma until then.
    RmapKind rmap = RmapKind::None;
    AnonVma* anon_vma = nullptr;
    const void* mapping = nullptr;
    std::uint64_t index = 0;
};

// Something that can give frames back when none are free (Linux's shrinkers): the page
// cache drops clean, unmapped pages.
class Shrinker {
public:
    virtual ~Shrinker() = default;
    // Frees up to `target` frames; returns how many it freed.
    virtual std::uint64_t shrink(std::uint64_t target) = 0;
};

// What a newly allocated frame holds: zeros, or (for a caller that overwrites all of it at
// once, such as a copy-on-write copy) whatever it held before; zeroing a frame about to be
// overwritten doubled the memory traffic of a copy.
enum class Fill : std::uint8_t { Zero, CallerOverwrites };

struct PhysicalMemoryStats {
    std::uint64_t total_frames = 0;
    std::uint64_t free_frames = 0;
    std::uint64_t frames_by_use[5] = {};
};

class PhysicalMemory {
public:
    // `bytes` is rounded down to whole pages; at least 16 frames.
    explicit PhysicalMemory(std::uint64_t bytes);
    ~PhysicalMemory();
    PhysicalMemory(const PhysicalMemory&) = delete;
    PhysicalMemory& operator=(const PhysicalMemory&) = delete;

    void set_mmu_notifier(MmuNotifier* notifier) { m_notifier = notifier; }
    // Who hears about resolved faults in every address space of this machine (or nobody).
    void set_fault_observer(FaultObserver* observer) { m_fault_observer = observer; }
    FaultObserver* fault_observer() const { return m_fault_observer; }
    void set_shrinker(Shrinker* shrinker) { m_shrinker = shrinker; }

    std::byte* host_base() const { return m_base; }
    std::uint64_t size_bytes() const { return m_frame_count << kPageShift; }
    std::uint64_t frame_count() const { return m_frame_count; }
    std::uint64_t free_frame_count() const { return m_free.size(); }

    // A zero-filled frame (unless `fill` says the caller overwrites it) with refcount 1, or
    // nullopt when none is free (after asking the shrinker for some).
    std::optional<Pfn> allocate(FrameUse use, Fill fill = Fill::Zero);
    // Takes another reference on a frame.
    void get(Pfn pfn);
    // Drops a reference; the frame returns to the free list at zero.
    void put(Pfn pfn);

    // The shared zero frame: read faults on untouched anonymous memory map it read-only
    // (copy-on-write), so reading sparse memory costs no frames. It is never freed and
    // its mappings are not counted.
    Pfn zero_frame() const { return m_zero_frame; }
    bool is_zero_frame(Pfn pfn) const { return pfn == m_zero_frame; }

    FrameInfo& info(Pfn pfn) { return m_frames[pfn_index(pfn)]; }
    const FrameInfo& info(Pfn pfn) const { return m_frames[pfn_index(pfn)]; }
    bool valid(Pfn pfn) const { return pfn_index(pfn) < m_frame_count; }

    std::byte* frame_data(Pfn pfn) const { return m_base + pfn_to_phys(pfn); }
    std::byte* phys_data(PhysAddr pa) const { return m_base + pa; }

    PhysicalMemoryStats stats() const;

private:
    std::byte* m_base = nullptr;
    std::uint64_t m_frame_count = 0;
    std::vector<FrameInfo> m_frames;
    std::vector<Pfn> m_free;  // LIFO stack of free frames
    MmuNotifier* m_notifier = nullptr;
    FaultObserver* m_fault_observer = nullptr;
    Shrinker* m_shrinker = nullptr;
    Pfn m_zero_frame{};
};

}  // namespace os::mm
