// The OOM killer's choice (Linux mm/oom_kill.c). When a frame is needed, reclaim can free
// none and no swap slot is left, the fault fails with FaultError::OutOfMemory (a syscall
// with ENOMEM or EFAULT) and page reclaim's OOM notifier runs (os/mm/page_reclaim.h). The
// kernel then picks a victim with select_bad_process() over its processes and kills it
// (SIGKILL, then exit_mmap frees its memory), and lets the faulting instruction run again.
//
// The badness of a process is what killing it would free: resident pages, swap entries and
// page-table pages (oom_badness()), shifted by oom_score_adj in thousandths of all memory
// (RAM plus swap). The process with the highest badness is the victim; among equals, the
// last one in the list (Linux walks its task list oldest first and keeps the last of equal
// scores). oom_score_adj -1000 exempts a process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace os::mm {

class AddressSpace;
class PhysicalMemory;

inline constexpr int kOomScoreAdjMin = -1000;  // OOM_SCORE_ADJ_MIN: never killed
inline constexpr int kOomScoreAdjMax = 1000;

struct OomCandidate {
    const AddressSpace* mm = nullptr;  // nullptr: no memory of its own (a kernel thread)
    int oom_score_adj = 0;             // /proc/pid/oom_score_adj
    bool unkillable = false;           // init, or already dying (oom_unkillable_task)
};

// totalpages of oom_constrain(): RAM plus swap, in pages.
std::uint64_t oom_total_pages(const PhysicalMemory& pmem);

// oom_badness(): resident + swap + page-table pages, plus oom_score_adj * (totalpages /
// 1000); nullopt when the candidate must not be killed.
std::optional<std::int64_t> oom_badness(const OomCandidate& c, std::uint64_t totalpages);

// select_bad_process(): the index of the victim among `candidates`, nullopt if none may be
// killed.
std::optional<std::size_t> select_bad_process(std::span<const OomCandidate> candidates, std::uint64_t totalpages);

// /proc/pid/oom_score (proc_oom_score()): the badness scaled to [0, 2000]; 0 when exempt.
std::uint64_t oom_score(const OomCandidate& c, std::uint64_t totalpages);

}  // namespace os::mm
