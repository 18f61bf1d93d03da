// PhysicalMemory: the emulated machine's RAM and its frame table.
//
// RAM is one host buffer (reserved with MAP_NORESERVE, so the host pays for a frame only
// when it is first touched). Frames are handed out LIFO so that recently freed frames,
// whose host pages are already resident, are reused first. Frames never used before come
// in ascending order after those, and the host populates their memory 2 MiB at a time
// (MADV_POPULATE_WRITE) a step ahead of them: one host call per chunk instead of a host
// page fault inside each guest fault.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "os/mm/fault_observer.h"
#include "os/mm/mmu_notifier.h"
#include "os/mm/swap_entry.h"
#include "os/mm/types.h"

namespace os::mm {

// What a frame is used for (Linux keeps this in struct page flags).
// Offline: a free frame withheld from the free list while --pressure keeps RAM smaller than
// the host buffer (set_online_frames).
enum class FrameUse : std::uint8_t { Free, Reserved, PageTable, Anonymous, File, Offline };

class AnonVma;
class MemCgroups;
class Swap;

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
    // The memory cgroup an anonymous or file page is charged to (page->memcg_data;
    // os/mm/mem_cgroup.h), 0 (the root) when none.
    std::uint32_t memcg = 0;
    AnonVma* anon_vma = nullptr;
    const void* mapping = nullptr;
    std::uint64_t index = 0;
    // The swap cache (os/mm/swap_cache.h; Linux's PG_swapcache and page->private): the frame
    // is the swap cache's page for slot `swap`, and `dirty` (PG_dirty) says the slot does not
    // hold its contents yet. Page-cache pages use `dirty` only to remember a failed
    // write-back, so that reclaim does not drop them.
    bool swap_cache = false;
    bool dirty = false;
    SwapEntry swap{};
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

enum class ReclaimMode : std::uint8_t { Kswapd, Direct };

// What PhysicalMemory tells page reclaim (os/mm/page_reclaim.h): which frames hold pages
// that could be reclaimed (Linux's LRU lists are fed the same way), which were used, and
// when free frames run short.
class ReclaimHook {
public:
    virtual ~ReclaimHook() = default;
    // `pfn` was just allocated for an anonymous or file page (its rmap is not set yet).
    virtual void page_added(Pfn pfn) = 0;
    // `pfn`, which held an anonymous or file page, was freed.
    virtual void page_removed(Pfn pfn) = 0;
    // mark_page_accessed(): a fault found the page and mapped it.
    virtual void page_accessed(Pfn pfn) = 0;
    // Free frames fell below the low watermark (Kswapd: reclaim until `target_free` frames
    // are free, kswapd's job done synchronously; it may back off after failing), or none is
    // left (Direct: try now, at least one frame). Never called while it is running.
    virtual void balance(std::uint64_t target_free, ReclaimMode mode) = 0;
    // An allocation failed after reclaim and the shrinker (out_of_memory()).
    virtual void allocation_failed() = 0;
    // A memory cgroup must shrink (os/mm/mem_cgroup.h): reclaim about `nr` of the pages
    // charged to `memcg` or below it; returns how many left its usage.
    virtual std::uint64_t reclaim_memcg(std::uint32_t memcg, std::uint64_t nr) = 0;
};

// The zone watermarks (Linux's min/low/high_wmark_pages), in free frames: below `low` an
// allocation first reclaims until `high` frames are free. All zero: never.
struct Watermarks {
    std::uint64_t min = 0;
    std::uint64_t low = 0;
    std::uint64_t high = 0;
    // Linux 2.6's defaults for `frames` of RAM: min_free_kbytes = sqrt(16 * RAM in KiB),
    // clamped to [128 KiB, 64 MiB], low = min * 5/4, high = min * 3/2; min is capped at a
    // sixteenth of RAM so that tiny machines keep most of their frames.
    static Watermarks for_frames(std::uint64_t frames);
};

struct PhysicalMemoryStats {
    std::uint64_t total_frames = 0;
    std::uint64_t free_frames = 0;
    std::uint64_t frames_by_use[6] = {};
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
    // Page reclaim and swap (os/mm/page_reclaim.h registers both; nullptr: none).
    void set_reclaim_hook(ReclaimHook* hook, const Watermarks& watermarks) {
        m_reclaim = hook;
        m_watermarks = hook ? watermarks : Watermarks{};
    }
    const Watermarks& watermarks() const { return m_watermarks; }
    void set_swap(Swap* swap) { m_swap = swap; }
    // The machine's swap (os/mm/swap.h), or nullptr when it has none.
    Swap* swap() const { return m_swap; }

    // Memory cgroups (os/mm/mem_cgroup.h; nullptr: none): anonymous and file pages are
    // charged to the active group when allocated, and uncharged when freed.
    void set_memcgs(MemCgroups* memcgs) { m_memcgs = memcgs; }
    MemCgroups* memcgs() const { return m_memcgs; }
    void set_active_memcg(std::uint32_t memcg) { m_active_memcg = memcg; }

    // The host buffer: every frame there is, online or not.
    std::byte* host_base() const { return m_base; }
    std::uint64_t size_bytes() const { return m_frame_count << kPageShift; }
    std::uint64_t frame_count() const { return m_frame_count; }
    std::uint64_t free_frame_count() const { return m_free.size(); }

    // Memory offlining, as a balloon driver or memory hot-remove does it (--pressure): only
    // `online_frame_count()` frames are usable. Free frames beyond that are taken off the
    // free list at once (FrameUse::Offline); frames in use are not moved, but each one freed
    // goes offline instead of to the free list until the offline count is reached
    // (`offline_pending()` says how many are still owed: that many frames are in use beyond
    // the online size, and no frame is free). Setting a larger size gives frames back.
    // Page reclaim (PageReclaim::resize) follows the new size.
    void set_online_frames(std::uint64_t frames);
    std::uint64_t online_frame_count() const { return m_frame_count - m_offline_target; }
    std::uint64_t offline_pending() const { return m_offline_target - m_offline.size(); }
    // Frames not in use: free, or offline (what reclaim's progress is measured in).
    std::uint64_t unused_frame_count() const { return m_free.size() + m_offline.size(); }
    // The fewest frames set_online_frames() leaves online.
    static constexpr std::uint64_t kMinOnlineFrames = 16;

    // A frame with refcount 1 (zero-filled unless `fill` says the caller overwrites it), or
    // nullopt when none is free. Below the low watermark page reclaim runs first; with no
    // frame free the shrinker is asked, and if that fails too, reclaim is told
    // (allocation_failed).
    std::optional<Pfn> allocate(FrameUse use, Fill fill = Fill::Zero);
    // Takes another reference on a frame.
    void get(Pfn pfn);
    // Drops a reference; the frame returns to the free list at zero.
    void put(Pfn pfn);
    // faultline itself changed the frame's bytes (write(2) into a cached file page, the
    // zeroed tail of a truncated one): code the CPU translated from it must go, as when a
    // frame is reused. (The guest's own stores are seen by the CPU.)
    void contents_changed(Pfn pfn);
    // mark_page_accessed(): tells page reclaim that a fault mapped the page in `pfn`.
    void mark_page_accessed(Pfn pfn) {
        if (m_reclaim)
            m_reclaim->page_accessed(pfn);
    }

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
    void reclaim(ReclaimMode mode);
    // A frame off the free list, reclaiming first as the watermarks say.
    std::optional<Pfn> take_free_frame();
    bool charge_active_memcg();

    std::byte* m_base = nullptr;
    std::uint64_t m_frame_count = 0;
    std::vector<FrameInfo> m_frames;
    std::vector<Pfn> m_free;  // LIFO stack of free frames
    std::vector<Pfn> m_offline;  // frames taken offline
    std::uint64_t m_offline_target = 0;
    MemCgroups* m_memcgs = nullptr;
    std::uint32_t m_active_memcg = 0;
    // Frames from m_never_used on were never handed out; the host memory of those below
    // m_populated_end is resident already (see populate_ahead()).
    static constexpr std::uint64_t kPopulateFrames = 512;  // 2 MiB
    std::uint64_t m_never_used = 0;
    std::uint64_t m_populated_end = 0;
    bool m_populate = true;
    void populate_ahead(std::uint64_t index);
    MmuNotifier* m_notifier = nullptr;
    FaultObserver* m_fault_observer = nullptr;
    Shrinker* m_shrinker = nullptr;
    ReclaimHook* m_reclaim = nullptr;
    Watermarks m_watermarks;
    bool m_reclaiming = false;  // PF_MEMALLOC: reclaim's own allocations do not recurse
    Swap* m_swap = nullptr;
    Pfn m_zero_frame{};
};

}  // namespace os::mm
