// Observation: the fault log (one JSON line per fault, per process) and the statistics
// --stats prints at the end.
#include <spdlog/spdlog.h>

#include <cstring>

#include "emu/decode_cache.h"
#include "os/fs/procfs.h"
#include "os/kernel.h"

namespace os {

namespace {

const char* access_word(mm::Access a) {
    switch (a) {
    case mm::Access::Read: return "read";
    case mm::Access::Write: return "write";
    case mm::Access::Execute: return "exec";
    }
    return "?";
}

std::string perms_of(const mm::Vma& v) {
    std::string p = "---p";
    if (v.readable())
        p[0] = 'r';
    if (v.writable())
        p[1] = 'w';
    if (v.executable())
        p[2] = 'x';
    if (v.is_shared())
        p[3] = 's';
    return p;
}

std::string ending_of(const proc::ExitState& e) {
    if (e.signal)
        return std::string(linux_abi::signal_name(e.signal));
    return "exit " + std::to_string(e.status);
}

}  // namespace

void Kernel::log_fault(proc::Process& p, const proc::Task* t, std::uint64_t address, mm::Access access,
                       std::string_view kind, bool major, const mm::Vma* vma, std::int64_t frame) {
    trace::FaultEvent e;
    e.seq = ++m_fault_seq;
    e.time_ns = m_clock.elapsed_ns();
    e.pid = p.pid();
    e.tid = t ? t->tid() : p.pid();
    e.comm = p.comm();
    const bool current_task = t && t == m_current;
    e.by_kernel = current_task && m_in_syscall;
    e.rip = current_task ? m_current->syscall_rip.value_or(m_cpu->reg(emu::Reg::rip)) : 0;
    if (current_task && m_in_syscall && m_current->syscall_rip)
        e.rip = *m_current->syscall_rip;
    e.address = address;
    if (e.rip) {
        std::uint8_t bytes[emu::DecodeCache::kMaxBytes];
        const std::size_t n = p.mm().peek(e.rip, bytes, sizeof(bytes));
        const emu::DecodeCache::Entry& insn = m_decode_cache.lookup(e.rip, bytes, n);
        e.instruction = insn.text;
        if (current_task && !m_in_syscall && access != mm::Access::Execute &&
            (address & (mm::kPageSize - 1)) == 0) {
            // A CPU fill names only the page: the instruction's operand gives the byte.
            const emu::AddressRegisters regs = m_cpu->address_registers(emu::registers_needed(insn.operands));
            e.address = emu::faulting_data_address(insn.operands, regs, address).value_or(address);
        }
    }
    if (current_task && !m_in_syscall && access == mm::Access::Execute && mm::page_round_down(e.rip) == address)
        e.address = e.rip;
    e.page = mm::page_round_down(e.address);
    e.access = access_word(access);
    e.kind = kind;
    e.major = major;
    std::string perms, name;
    if (vma) {
        e.has_vma = true;
        e.vma_start = vma->start;
        e.vma_end = vma->end;
        perms = perms_of(*vma);
        name = fs::procfs::vma_name(p.mm(), *vma);
        e.vma_perms = perms;
        e.vma_name = name;
    }
    e.frame = frame;
    m_fault_log->record(e);
}

void Kernel::on_fault(const mm::FaultRecord& r) {
    if (!m_fault_log)
        return;
    proc::Process* p = nullptr;
    proc::Task* t = nullptr;
    if (m_current && m_current->state != proc::TaskState::Dead && &current().mm() == r.mm) {
        p = &current();
        t = m_current;
    } else {
        for (auto& [pid, q] : m_processes)
            if (q->mm_ptr().get() == r.mm)
                p = q.get();
    }
    if (!p)
        return;
    const char* kind = r.stack_growth ? "stack-growth" : trace::fault_kind_name(r.kind);
    log_fault(*p, t, r.address, r.access, kind, r.major, r.vma, static_cast<std::int64_t>(mm::pfn_index(r.frame)));
}

void Kernel::on_unmap(const mm::UnmapRecord& r) {
    if (!m_fault_log)
        return;
    proc::Process* p = nullptr;
    for (auto& [pid, q] : m_processes)
        if (!q->exited() && q->mm_ptr().get() == r.mm)
            p = q.get();
    if (!p)
        return;
    trace::FaultEvent e;
    e.seq = ++m_fault_seq;
    e.time_ns = m_clock.elapsed_ns();
    e.pid = p->pid();
    e.tid = p->pid();
    e.comm = p->comm();
    e.address = r.address;
    e.page = r.address;
    e.access = "none";
    switch (r.kind) {
    case mm::UnmapKind::PageOut: e.kind = "page-out"; break;
    case mm::UnmapKind::Drop: e.kind = "drop"; break;
    case mm::UnmapKind::WriteBack: e.kind = "write-back"; break;
    }
    e.by_kernel = true;
    std::string perms, name;
    if (r.vma) {
        e.has_vma = true;
        e.vma_start = r.vma->start;
        e.vma_end = r.vma->end;
        perms = perms_of(*r.vma);
        name = fs::procfs::vma_name(p->mm(), *r.vma);
        e.vma_perms = perms;
        e.vma_name = name;
    }
    e.frame = static_cast<std::int64_t>(mm::pfn_index(r.frame));
    e.policy = m_config.policy.empty() ? std::string_view("clock") : std::string_view(m_config.policy);
    e.swap_slot = r.swap_slot;
    m_fault_log->record(e);
}

void Kernel::log_oom_kill(proc::Process& victim) {
    if (!m_fault_log || !victim.mm_ptr())
        return;
    trace::FaultEvent e;
    e.seq = ++m_fault_seq;
    e.time_ns = m_clock.elapsed_ns();
    e.pid = victim.pid();
    e.tid = victim.pid();
    e.comm = victim.comm();
    e.access = "none";
    e.kind = "oom-kill";
    e.by_kernel = true;
    e.victim_pid = victim.pid();
    e.victim_comm = victim.comm();
    e.victim_pages = victim.mm().resident_pages() + victim.mm().swap_pages();
    m_fault_log->record(e);
}

void Kernel::sample_access() {
    const std::uint64_t now = m_clock.elapsed_ns();
    for (auto& [pid, p] : m_processes) {
        if (p->exited() || !p->mm_ptr())
            continue;
        const std::vector<mm::PageRun> runs = p->mm().take_young_pages();
        m_sampler->record(++m_fault_seq, now, pid, p->comm(), runs);
    }
    m_sampler->advance(now);
}

void Kernel::record_exit(proc::Process& p) {
    if (m_fault_log)
        m_fault_log->close(p.pid());
    if (m_sampler) {
        // The last, partial period.
        if (p.mm_ptr())
            m_sampler->record(++m_fault_seq, m_clock.elapsed_ns(), p.pid(), p.comm(), p.mm().take_young_pages());
        m_sampler->close(p.pid());
    }
    if (!m_config.stats)
        return;
    trace::ProcessStats s;
    s.pid = p.pid();
    s.comm = p.comm();
    s.faults = p.earlier_faults;
    s.peak_resident_pages = p.peak_resident_pages;
    if (p.mm_ptr()) {
        trace::add_counters(s.faults, p.mm().fault_counters());
        s.peak_resident_pages = std::max(s.peak_resident_pages, p.mm().peak_resident_pages());
    }
    s.syscalls = p.syscalls;
    s.ending = ending_of(p.exit_state());
    m_finished.push_back(std::move(s));
}

void Kernel::print_stats(const mm::MemoryInUse& left) {
    if (!m_config.stats)
        return;
    std::fputs(trace::format_stats_table(m_finished).c_str(), stderr);
    print_pressure_stats();
    print_memcg_stats();
    std::fputs(trace::format_memory_at_exit(left).c_str(), stderr);
}

}  // namespace os
