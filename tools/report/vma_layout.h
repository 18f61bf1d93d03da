// Plot (d): each process's address space as the VMAs its faults named. Entries of one
// mapping seen at different sizes (a heap that grew, a stack that grew down) are merged:
// same name and permissions, overlapping ranges.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/report/event_store.h"

namespace tools::report {

struct LayoutLimits {
    std::size_t max_processes = 32;  // the ones with the most faults
    std::size_t max_vmas = 64;       // per process, the busiest
};

struct LayoutVma {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::string perms;
    std::string name;  // display name (summary.h)
    std::uint64_t faults = 0;
};

struct ProcessLayout {
    std::uint32_t process = 0;
    std::vector<LayoutVma> vmas;  // in address order
    std::size_t vmas_left_out = 0;
};

struct VmaLayouts {
    std::vector<ProcessLayout> processes;  // in pid order
    std::size_t processes_left_out = 0;
};

VmaLayouts build_vma_layouts(const EventStore& store, const LayoutLimits& limits = {});

}  // namespace tools::report
