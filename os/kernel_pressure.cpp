// --pressure: the schedule's steps (os/mm/pressure_schedule.h) applied as they fall due.
// Time steps are events like timers: a run stops when one is due (os/kernel.cpp), and when
// every task sleeps the clock stops at each step on its way to the next deadline. Steps
// counted in faults stop the run at the fault that makes them due.
//
// A step resizes the machine's usable RAM (PageReclaim::resize: frames offline, as a
// balloon driver takes them, the watermarks of the new size, reclaim at once). When reclaim
// cannot fit what is in use into the new size (no swap, mlocked or pinned pages), the OOM
// killer ends processes, the worst first, until it fits, as for any shortage.
#include <spdlog/spdlog.h>

#include "os/abi/signal.h"
#include "os/kernel.h"

namespace os {

namespace {

// The usable RAM a step never goes below (--ram's own minimum), in frames.
constexpr std::uint64_t kMinPressureFrames = (1ull << 20) >> mm::kPageShift;

std::string ram_text(std::uint64_t frames) {
    const std::uint64_t kib = frames << (mm::kPageShift - 10);
    return kib % 1024 == 0 ? fmt::format("{}M", kib / 1024) : fmt::format("{}K", kib);
}

}  // namespace

bool Kernel::pressure_due() const {
    if (m_pressure.empty())
        return false;
    const auto time = m_pressure.next(mm::PressureClock::Time);
    return (time && *time <= m_clock.elapsed_ns()) || m_faults_total >= m_next_pressure_fault;
}

void Kernel::apply_pressure() {
    const std::vector<mm::DuePressureStep> due = m_pressure.take_due(m_clock.elapsed_ns(), m_faults_total);
    m_next_pressure_fault = m_pressure.next(mm::PressureClock::Faults).value_or(~std::uint64_t{0});
    for (const mm::DuePressureStep& d : due) {
        const std::uint64_t before = m_pmem.online_frame_count();
        const std::uint64_t after =
            mm::pressure_target(*d.step, before, std::min(kMinPressureFrames, m_pmem.frame_count()), m_pmem.frame_count());
        ++m_pressure_steps_applied;
        spdlog::info("pressure: ram {} -> {} at {:.3f}ms{} ({})", ram_text(before), ram_text(after),
                     static_cast<double>(m_clock.elapsed_ns()) / 1e6,
                     d.step->clock == mm::PressureClock::Faults ? fmt::format(", fault {}", m_faults_total) : "",
                     d.step->text);
        if (after != before)
            resize_ram(after, *d.step);
        m_lowest_online_frames = std::min(m_lowest_online_frames, m_pmem.online_frame_count());
    }
}

void Kernel::resize_ram(std::uint64_t frames, const mm::PressureStep& step) {
    if (m_reclaim->resize(frames))
        return;
    while (m_pmem.offline_pending() > 0) {
        proc::Process* victim = oom_victim({});
        if (!victim)
            return;
        spdlog::error("out of memory: --pressure '{}' leaves {} of RAM, {} frames in use beyond it and nothing "
                      "reclaimable (swap {} MiB); OOM killer: {}",
                      step.text, ram_text(m_pmem.online_frame_count()), m_pmem.offline_pending(),
                      m_config.swap_bytes >> 20, describe_oom_victim(*victim));
        ++m_oom_kills;
        log_oom_kill(*victim);
        group_exit(*victim, proc::ExitState{0, static_cast<int>(linux_abi::Signal::sigkill)});
    }
}

void Kernel::print_pressure_stats() const {
    if (m_reclaim) {
        const mm::ReclaimStats& r = m_reclaim->stats();
        std::uint64_t swapins = 0;
        for (const trace::ProcessStats& s : m_finished)
            swapins += s.faults.by_kind[static_cast<int>(mm::FaultKind::SwapIn)];
        std::fputs(fmt::format("reclaim: {} pages swapped out, {} swapped in, {} file pages dropped ({} written "
                               "back), {} kswapd runs, {} direct, {} OOM kills\n",
                               r.anon_written + r.shmem_written, swapins, r.file_dropped, r.file_written,
                               r.kswapd_runs, r.direct_runs, m_oom_kills)
                       .c_str(),
                   stderr);
    }
    if (!m_pressure.empty())
        std::fputs(fmt::format("pressure: steps applied {}; usable RAM {} at the end, {} at the lowest, --ram {}\n",
                               m_pressure_steps_applied, ram_text(m_pmem.online_frame_count()),
                               ram_text(m_lowest_online_frames), ram_text(m_pmem.frame_count()))
                       .c_str(),
                   stderr);
}

}  // namespace os
