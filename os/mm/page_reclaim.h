// PageReclaim: what a machine does when memory runs short (Linux's mm/vmscan.c with kswapd,
// and the swap area it pages to). One per PhysicalMemory; it registers itself there, so
// the allocation path runs it, and the fault path, fork, unmapping and shared anonymous
// memory find the swap through PhysicalMemory::swap().
//
// Watermarks: when an allocation finds fewer than `low` frames free, reclaim runs (in the
// allocating thread: faultline has no background threads) until `high` frames are free,
// like kswapd; when none is free at all, it runs again at once for a batch (direct
// reclaim); when even that frees nothing, the allocation fails (out of memory) and the OOM
// notifier is told.
//
// Reclaim takes the victims the replacement policy (os/mm/replacement_policy.h) chooses,
// and for each (shrink_page_list(), os/mm/vmscan.cpp):
//   - a page that is pinned (a reference beyond its mappings and its owner's: the fault path
//     holding it across an allocation), mapped by an mlocked VMA, or not fully set up, stays;
//   - a page-cache page is unmapped from every address space (try_to_unmap), dirty shared
//     mappings writing it back to the file first, and dropped (it is read again from the
//     file when next needed);
//   - a private anonymous page gets a swap slot and a place in the swap cache, every PTE that
//     maps it (after fork, in several processes, found through its anon_vma) gets the swap
//     entry, and if any PTE had it dirty (or the slot never held it) it is written to the
//     slot; then it leaves the swap cache and its frame is free. A clean page whose slot
//     still holds it (swapped in and not written since) is dropped without a write;
//   - a shared anonymous page goes the same way, except that its PTEs are cleared and its
//     object keeps the swap entry;
//   - without swap, anonymous pages stay.
// A page reclaim could not take goes back to the policy (on_rotate).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "os/mm/physical_memory.h"
#include "os/mm/replacement_policy.h"
#include "os/mm/swap.h"

namespace os::mm {

class PageCache;

struct ReclaimConfig {
    std::uint64_t swap_bytes = 0;  // 0: no swap (file pages are still reclaimed)
    std::string swap_file;         // empty: a temporary file, unlinked at once
    std::string policy = "clock";  // a name of kReplacementPolicyNames
    std::uint64_t seed = 0;        // for "random"
    // Default: Watermarks::for_frames(the machine's frames).
    std::optional<Watermarks> watermarks;
};

// What reclaim did (Linux's /proc/vmstat names in the comments).
struct ReclaimStats {
    std::uint64_t kswapd_runs = 0;      // balance() below the low watermark
    std::uint64_t direct_runs = 0;      // allocstall: no frame was free at all
    std::uint64_t scanned = 0;          // pgscan: victims examined
    std::uint64_t reclaimed = 0;        // pgsteal: frames freed by reclaim
    std::uint64_t rotated = 0;          // victims that stayed (pinned, locked, no slot...)
    std::uint64_t anon_written = 0;     // pswpout: private anonymous pages written to swap
    std::uint64_t shmem_written = 0;    // shared anonymous pages written to swap
    std::uint64_t clean_dropped = 0;    // swap-cache pages dropped without a write
    std::uint64_t file_dropped = 0;     // page-cache pages dropped (clean or written back)
    std::uint64_t file_written = 0;     // ...of which dirty in a shared mapping, written back
    std::uint64_t failed_allocations = 0;  // out-of-memory events
    std::uint64_t memcg_runs = 0;       // reclaim for a memory cgroup at its limit
    std::uint64_t memcg_reclaimed = 0;  // ...pages it took off the group's usage
};

class PageReclaim final : public ReclaimHook {
public:
    // Registers with `pmem` (reclaim hook, watermarks, swap). `cache`, if given, is told to
    // forget files reclaim emptied. Throws std::invalid_argument for an unknown policy, and
    // what SwapArea throws when the swap file cannot be made.
    PageReclaim(PhysicalMemory& pmem, PageCache* cache, const ReclaimConfig& config);
    // Unregisters. Every address space must be gone (they hold swap slots).
    ~PageReclaim() override;
    PageReclaim(const PageReclaim&) = delete;
    PageReclaim& operator=(const PageReclaim&) = delete;

    Swap* swap() { return m_swap.get(); }
    const Swap* swap() const { return m_swap.get(); }
    ReplacementPolicy& policy() { return *m_policy; }
    const Watermarks& watermarks() const { return m_watermarks; }
    const ReclaimStats& stats() const { return m_stats; }

    // try_to_free_pages(): reclaims until `nr` more frames are free or the policy's pages
    // have all been tried (twice round); returns how many frames were freed.
    std::uint64_t reclaim_pages(std::uint64_t nr);
    // Reclaim of one given page, whatever the policy thinks of it (the path MADV_PAGEOUT
    // takes on Linux): true when its frame was freed.
    bool reclaim_page(Pfn pfn);
    // try_to_free_mem_cgroup_pages(): reclaim as reclaim_pages() does, of the pages charged
    // to `memcg` or below it only (os/mm/mem_cgroup.h), until `nr` left its usage; returns
    // how many did.
    std::uint64_t reclaim_memcg(std::uint32_t memcg, std::uint64_t nr) override;

    // --pressure: the machine's usable RAM becomes `frames` (PhysicalMemory::
    // set_online_frames), the watermarks are those of that size (unless the config fixed
    // them), and reclaim runs at once until the frames in use fit and the high watermark's
    // worth is free again. Returns whether what is in use fits; if not, the caller must
    // free memory another way (the OOM killer).
    bool resize(std::uint64_t frames);

    // Called after an allocation failed for good (Linux's out_of_memory()); the kernel
    // chooses and kills a victim (os/mm/oom_kill.h) once the current operation has failed.
    // It must not change any address space from inside the call.
    void set_oom_notifier(std::function<void()> notifier) { m_oom_notifier = std::move(notifier); }

    // ReclaimHook
    void page_added(Pfn pfn) override { m_policy->on_page_added(pfn); }
    void page_removed(Pfn pfn) override { m_policy->on_page_removed(pfn); }
    void page_accessed(Pfn pfn) override { m_policy->on_access(pfn); }
    void balance(std::uint64_t target_free, ReclaimMode mode) override;
    void allocation_failed() override;

private:
    // Takes the policy's victims (those `eligible` accepts) until `progress()` reaches `nr`
    // or every page was tried twice; returns progress().
    std::uint64_t scan(std::uint64_t nr, const std::function<std::uint64_t()>& progress, const PageFilter& eligible);
    // vmscan.cpp
    bool shrink_page(Pfn pfn);
    bool pinned(const FrameInfo& f) const;
    bool mapped_by_locked_vma(Pfn pfn);
    bool pageout_anon(Pfn pfn);
    bool pageout_shmem(Pfn pfn);
    bool pageout_file(Pfn pfn);
    bool write_to_swap(Pfn pfn);

    PhysicalMemory& m_pmem;
    PageCache* m_cache;
    std::unique_ptr<Swap> m_swap;
    std::unique_ptr<ReplacementPolicy> m_policy;
    Watermarks m_watermarks;
    bool m_fixed_watermarks = false;  // the config chose them: they stay as they are
    ReclaimStats m_stats;
    std::function<void()> m_oom_notifier;
    // Kswapd runs to skip after one that fell short (it would only rescan the same pages).
    std::uint64_t m_backoff = 0;
};

}  // namespace os::mm
