// Memory cgroups from --limit: which group each process is in (the accounting and the
// limits are os/mm/mem_cgroup.h's). Like cgroups, groups nest:
//   - a process starts in its parent's group (the first process in the root);
//   - a PID rule makes a group for that process when it is made, under the group it
//     started in; its descendants start there too, so the group holds the whole tree;
//   - a NAME rule makes a group of its own for each process running that program (its
//     comm, or its executable's basename), when it is made or when it execs the program,
//     under the group it would otherwise be in. Such a group is never inherited: a child
//     starts in the group above it (and gets a group of its own if it matches too), and a
//     process that execs another program goes back up.
// The task on the CPU is the one charged (PhysicalMemory::set_active_memcg, set when it is
// switched to and when its group changes).
#include <spdlog/spdlog.h>

#include "os/abi/signal.h"
#include "os/kernel.h"

namespace os {

namespace {

bool runs_program(const proc::Process& p, const std::string& name) {
    if (p.comm() == name)
        return true;
    const std::string& exe = p.exe_path();
    const std::size_t slash = exe.find_last_of('/');
    return exe.compare(slash == std::string::npos ? 0 : slash + 1, std::string::npos, name) == 0;
}

std::string pages_text(std::uint64_t pages) {
    const std::uint64_t kib = pages << (mm::kPageShift - 10);
    return kib % 1024 == 0 ? fmt::format("{}M", kib / 1024) : fmt::format("{}K", kib);
}

}  // namespace

void Kernel::memcg_place(proc::Process& p, bool new_process) {
    const std::vector<mm::MemcgRule>& rules = m_config.limits;
    if (rules.empty())
        return;
    auto by_name = [&](mm::MemcgId g) { return m_memcg_rule[g] >= 0 && rules[m_memcg_rule[g]].pid == 0; };
    auto make = [&](mm::MemcgId parent, std::size_t rule, std::string name) {
        const mm::MemcgId g = m_memcgs.create(parent, std::move(name), rules[rule].limits);
        m_memcg_rule.push_back(static_cast<int>(rule));
        return g;
    };
    mm::MemcgId g = p.memcg;
    if (by_name(g) && (new_process || !runs_program(p, rules[m_memcg_rule[g]].name)))
        g = m_memcgs.group(g).parent;
    if (new_process)
        for (std::size_t i = 0; i < rules.size(); ++i)
            if (rules[i].pid == p.pid())
                g = make(g, i, fmt::format("pid {}", p.pid()));
    if (!by_name(g)) {
        for (std::size_t i = 0; i < rules.size(); ++i) {
            if (rules[i].pid == 0 && runs_program(p, rules[i].name)) {
                g = make(g, i, fmt::format("{} pid {}", rules[i].name, p.pid()));
                break;
            }
        }
    }
    if (g != p.memcg && g != mm::kRootMemcg)
        spdlog::debug("memory cgroup: pid {} ({}) in {}", p.pid(), p.comm(), m_memcgs.group(g).name);
    p.memcg = g;
    if (m_current && &m_current->process() == &p)
        m_pmem.set_active_memcg(g);
}

void Kernel::memcg_oom_kill(mm::MemcgId g, std::uint64_t addr, mm::Access access) {
    // mem_cgroup_out_of_memory(): the worst process of the group (or below it) dies.
    const mm::MemCgroup& group = m_memcgs.group(g);
    proc::Process* victim = oom_victim([&](const proc::Process& p) { return m_memcgs.within(p.memcg, g); });
    if (!victim)
        victim = &current();
    spdlog::error("out of memory: memory.max of {} (--limit {}) reached: {} pages in use and nothing reclaimable "
                  "for {} at {:#x} (swap {} MiB); OOM killer: {}",
                  group.name, m_config.limits[m_memcg_rule[g]].text, group.usage, mm::access_name(access), addr,
                  m_config.swap_bytes >> 20, describe_oom_victim(*victim));
    m_memcgs.count_oom_kill(g);
    ++m_oom_kills;
    log_oom_kill(*victim);
    if (victim == &current()) {
        kill_current(static_cast<int>(linux_abi::Signal::sigkill), "(out of memory: memory.max)");
        return;
    }
    group_exit(*victim, proc::ExitState{0, static_cast<int>(linux_abi::Signal::sigkill)});
}

void Kernel::print_memcg_stats() const {
    const auto& groups = m_memcgs.groups();
    for (std::size_t g = 1; g < groups.size(); ++g) {
        const mm::MemCgroup& c = groups[g];
        std::fputs(fmt::format("memory cgroup {} (--limit {}): peak {}, {} pages reclaimed, {} charges over high, "
                               "{} at max, {} OOM kills\n",
                               c.name, m_config.limits[m_memcg_rule[g]].text, pages_text(c.peak), c.reclaimed,
                               c.high_events, c.max_events, c.oom_kills)
                       .c_str(),
                   stderr);
    }
}

}  // namespace os
