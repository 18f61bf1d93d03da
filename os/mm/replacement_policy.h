// ReplacementPolicy: the page-replacement algorithm, which resident pages reclaim tries to
// take first. Page reclaim (os/mm/page_reclaim.h) tells the policy about every frame that
// holds a reclaimable page and asks it for victims; the policy never touches a page itself,
// which is what lets the unit tests run textbook reference strings through it exactly.
//
// Events, by frame number:
//   on_page_added    the frame now holds a page: a page fault, a page-cache read, a swap-in.
//                    The page counts as just referenced (the fault referenced it).
//   on_page_removed  the frame's page is gone: reclaimed, unmapped, its process exited.
//   on_access        the page was referenced and the policy can know it: a fault that found
//                    it resident (mark_page_accessed); in a simulation, every reference of a
//                    reference string that hits.
//   on_rotate        reclaim could not take a victim this time (mlocked, pinned, no swap
//                    slot, a failed write): it goes where a just-referenced page would.
//   choose_victims   up to n distinct resident pages, best victim first. `referenced` reports
//                    and clears what the hardware recorded about a page (page_referenced():
//                    the Accessed bits of its PTEs); the policy calls it as it scans, so that
//                    CLOCK's hand gives second chances and LRU learns of references it was
//                    not told about. A simulation passes one that always says no. The victims
//                    stay resident (and on the policy's lists) until reclaim frees them.
//                    With `eligible`, only pages it accepts are considered (a memory cgroup
//                    reclaiming its own pages, os/mm/mem_cgroup.h); the others are neither
//                    taken nor aged (their bits are not probed), though CLOCK's hand passes them.
//
// Adding a policy is one file: a class implementing this, and a line in
// make_replacement_policy().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "os/mm/types.h"

namespace os::mm {

// Returns whether the page was referenced since the last call for it, and forgets it.
using ReferenceProbe = std::function<bool(Pfn)>;
// Which pages a choice may take; empty: any.
using PageFilter = std::function<bool(Pfn)>;

class ReplacementPolicy {
public:
    virtual ~ReplacementPolicy() = default;
    virtual std::string_view name() const = 0;
    virtual void on_page_added(Pfn pfn) = 0;
    virtual void on_page_removed(Pfn pfn) = 0;
    virtual void on_access(Pfn pfn) = 0;
    virtual void on_rotate(Pfn pfn) = 0;
    virtual std::vector<Pfn> choose_victims(std::size_t n, const ReferenceProbe& referenced,
                                            const PageFilter& eligible) = 0;
    std::vector<Pfn> choose_victims(std::size_t n, const ReferenceProbe& referenced) {
        return choose_victims(n, referenced, {});
    }
    // Resident pages the policy knows of.
    virtual std::size_t size() const = 0;
};

// The names make_replacement_policy() knows, the default first.
inline constexpr std::string_view kReplacementPolicyNames[] = {"clock", "fifo", "random", "lru"};

// The policy called `name` for frames [0, frames); `seed` seeds "random". nullptr for an
// unknown name.
std::unique_ptr<ReplacementPolicy> make_replacement_policy(std::string_view name, std::size_t frames,
                                                           std::uint64_t seed);

// One per file (os/mm/*_policy.cpp).
std::unique_ptr<ReplacementPolicy> make_clock_policy(std::size_t frames);
std::unique_ptr<ReplacementPolicy> make_fifo_policy(std::size_t frames);
std::unique_ptr<ReplacementPolicy> make_random_policy(std::size_t frames, std::uint64_t seed);
std::unique_ptr<ReplacementPolicy> make_lru_policy(std::size_t frames);

}  // namespace os::mm
