#include "tools/report/vma_layout.h"

#include <algorithm>
#include <tuple>

#include "tools/report/summary.h"

namespace tools::report {

namespace {

std::vector<LayoutVma> merged(std::vector<LayoutVma> vmas) {
    std::sort(vmas.begin(), vmas.end(), [](const auto& a, const auto& b) {
        return std::tie(a.name, a.perms, a.start) < std::tie(b.name, b.perms, b.start);
    });
    std::vector<LayoutVma> out;
    for (auto& v : vmas) {
        LayoutVma* last = out.empty() ? nullptr : &out.back();
        if (last && last->name == v.name && last->perms == v.perms && v.start < last->end) {
            last->end = std::max(last->end, v.end);
            last->faults += v.faults;
            continue;
        }
        out.push_back(std::move(v));
    }
    return out;
}

}  // namespace

VmaLayouts build_vma_layouts(const EventStore& store, const LayoutLimits& limits) {
    std::vector<std::uint64_t> faults_per_vma(store.vmas().size(), 0);
    std::vector<std::uint64_t> faults_per_process(store.processes().size(), 0);
    for (const auto& e : store.events()) {
        ++faults_per_process[e.process];
        if (e.vma != kNoVma)
            ++faults_per_vma[e.vma];
    }
    std::vector<std::vector<LayoutVma>> per_process(store.processes().size());
    for (std::uint32_t i = 0; i < store.vmas().size(); ++i) {
        const VmaInfo& v = store.vmas()[i];
        per_process[v.process].push_back(LayoutVma{v.start, v.end, v.perms, display_name(store, i), faults_per_vma[i]});
    }

    std::vector<std::uint32_t> order;
    for (std::uint32_t p = 0; p < per_process.size(); ++p)
        if (!per_process[p].empty())
            order.push_back(p);
    std::stable_sort(order.begin(), order.end(),
                     [&](auto a, auto b) { return faults_per_process[a] > faults_per_process[b]; });
    VmaLayouts layouts;
    if (order.size() > limits.max_processes) {
        layouts.processes_left_out = order.size() - limits.max_processes;
        order.resize(limits.max_processes);
    }
    std::sort(order.begin(), order.end(),
              [&](auto a, auto b) { return store.processes()[a].pid < store.processes()[b].pid; });

    for (std::uint32_t p : order) {
        ProcessLayout layout;
        layout.process = p;
        layout.vmas = merged(std::move(per_process[p]));
        if (layout.vmas.size() > limits.max_vmas) {
            std::stable_sort(layout.vmas.begin(), layout.vmas.end(),
                             [](const auto& a, const auto& b) { return a.faults > b.faults; });
            layout.vmas_left_out = layout.vmas.size() - limits.max_vmas;
            layout.vmas.resize(limits.max_vmas);
        }
        std::sort(layout.vmas.begin(), layout.vmas.end(), [](const auto& a, const auto& b) {
            return a.start != b.start ? a.start < b.start : a.end < b.end;
        });
        layouts.processes.push_back(std::move(layout));
    }
    return layouts;
}

}  // namespace tools::report
