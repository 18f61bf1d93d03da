// The kernel's core: start-up, the scheduling loop, the CPU's callbacks (TLB fill,
// syscall), and sleeping and waking.
#include "os/kernel.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstring>

#include "os/abi/signal.h"
#include "os/proc/exec.h"

namespace os {

using linux_abi::Errno;
using linux_abi::Signal;
using proc::Task;
using proc::TaskState;

Kernel::Kernel(const KernelConfig& config, SyscallDispatcher& syscalls)
    : m_config(config), m_syscalls(syscalls), m_pmem(config.ram_bytes), m_clock(config.real_time),
      m_pressure(config.pressure), m_random(config.seed),
      m_root(config.root ? config.root : std::make_shared<const fs::Root>()) {
    m_pmem.set_mmu_notifier(this);
    if (!config.limits.empty())
        m_pmem.set_memcgs(&m_memcgs);
    m_next_pressure_fault = m_pressure.next(mm::PressureClock::Faults).value_or(~std::uint64_t{0});
    m_lowest_online_frames = m_pmem.online_frame_count();
    if (config.swap_bytes > 0 || !config.policy.empty() || !config.pressure.empty() || !config.limits.empty()) {
        mm::ReclaimConfig rc;
        rc.swap_bytes = config.swap_bytes;
        rc.swap_file = config.swap_file;
        rc.policy = config.policy.empty() ? "clock" : config.policy;
        rc.seed = config.seed;
        m_reclaim = std::make_unique<mm::PageReclaim>(m_pmem, &m_page_cache, rc);
    }
    if (!config.fault_log_dir.empty()) {
        m_fault_log = std::make_unique<trace::FaultLog>(config.fault_log_dir);
        m_pmem.set_fault_observer(this);
        if (config.sample_access_ns) {
            m_sampler = std::make_unique<trace::AccessSampler>(config.fault_log_dir, config.sample_access_ns);
            m_sampler->advance(0);
        }
    }
    if (config.progress && trace::Progress::wanted())
        m_progress = std::make_unique<trace::Progress>();
    m_cpu = std::make_unique<emu::Cpu>(m_pmem.host_base(), m_pmem.size_bytes(), *this);
    // One reserved frame holds the GDT and the stub that enters CPL 3; it is zeroed after.
    auto boot = m_pmem.allocate(mm::FrameUse::Reserved);
    m_cpu->enter_user_mode(mm::pfn_to_phys(*boot));
}

Kernel::~Kernel() {
    // Address spaces release their frames into m_pmem; they must go before it.
    m_current = nullptr;
    m_dead_tasks.clear();
    m_tasks.clear();
    m_processes.clear();
}

std::string Kernel::observation_error() const {
    if (m_fault_log && !m_fault_log->ok())
        return "--fault-log " + m_fault_log->dir() + ": " + m_fault_log->error();
    return {};
}

void Kernel::random_bytes(void* buf, std::size_t n) {
    auto* out = static_cast<std::uint8_t*>(buf);
    for (std::size_t i = 0; i < n; i += 8) {
        std::uint64_t v = m_random();
        std::memcpy(out + i, &v, std::min<std::size_t>(8, n - i));
    }
}

void Kernel::report_unimplemented(std::uint64_t nr, std::string_view name) {
    if (m_reported_syscalls.insert(nr).second)
        spdlog::warn("syscall {} ({}) is not implemented: returning ENOSYS", name, nr);
}

int Kernel::start_first_process(const std::string& path, const std::vector<std::string>& argv,
                                const std::vector<std::string>& envp) {
    proc::ExecRequest req;
    req.path = path;
    req.root = m_root.get();
    // Confined, the program is looked up in the root, from its "/" (chroot DIR PROGRAM).
    fs::HostFd root_dir;
    if (m_root->confined()) {
        auto opened = m_root->open_root();
        if (!opened) {
            spdlog::error("cannot open the root {}: {}", m_root->host_path(), linux_abi::errno_name(opened.error()));
            return kExitCannotExecute;
        }
        root_dir = std::move(*opened);
        req.dirfd = root_dir.get();
    }
    req.argv = argv;
    req.envp = envp;
    req.hwcap = m_cpu->hwcap();
    req.creds = proc::Credentials{static_cast<std::uint32_t>(::getuid()), static_cast<std::uint32_t>(::geteuid()),
                                  static_cast<std::uint32_t>(::getgid()), static_cast<std::uint32_t>(::getegid())};
    random_bytes(req.random.data(), req.random.size());
    auto image = proc::build_exec_image(m_pmem, this, m_page_cache, req);
    if (!image) {
        spdlog::error("cannot execute {}: {}", path, image.error().message);
        return image.error().error == Errno::enoent ? kExitNotFound : kExitCannotExecute;
    }
    const int pid = allocate_pid();
    auto p = std::make_shared<proc::Process>(pid, kInitPid, std::move(image->mm),
                                             fs::FileTable::with_host_stdio(m_page_cache));
    p->set_executable(image->absolute_path);
    if (root_dir.valid())
        p->set_cwd(std::move(root_dir));
    memcg_place(*p, true);
    p->creds = req.creds;
    // Started the way a shell without job control starts a program: in init's process
    // group and session, so that setsid() and setpgid() behave as for a native run.
    p->pgid = kInitPid;
    p->sid = kInitPid;
    p->rlimits[proc::kRlimitNproc] = {static_cast<std::uint64_t>(m_config.max_procs),
                                      static_cast<std::uint64_t>(m_config.max_procs)};
    p->threads.push_back(pid);
    auto t = std::make_unique<Task>(pid, p);
    m_cpu->reset_registers(image->entry, image->stack_pointer);
    m_cpu->read_user_state(t->regs);
    m_scheduler.enqueue(*t);
    m_processes.emplace(pid, std::move(p));
    m_tasks.emplace(pid, std::move(t));
    return 0;
}

int Kernel::run(const std::string& path, const std::vector<std::string>& argv, const std::vector<std::string>& envp) {
    if (int status = start_first_process(path, argv, envp); status != 0)
        return check_memory_released(status);
    if (m_config.timeout_ms) {
        timespec ts{};
        ::clock_gettime(CLOCK_MONOTONIC, &ts);
        m_host_deadline_ns = static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
                             static_cast<std::uint64_t>(ts.tv_nsec) + m_config.timeout_ms * 1'000'000ull;
    }
    schedule_loop();
    if (m_progress)
        m_progress->clear();
    if (m_timed_out)
        return check_memory_released(kExitTimeout);
    return check_memory_released(m_first_exit ? m_first_exit->shell_status() : 0);
}

int Kernel::check_memory_released(int status) {
    m_page_cache.release_all();
    const mm::MemoryInUse left = mm::memory_in_use(m_pmem);
    print_stats(left);
    if (left.empty())
        return status;
    spdlog::error("internal error: {} frames / {} swap slots still in use after the last process exited",
                  left.frames, left.swap_slots);
    return kExitMemoryLeak;
}

// --- scheduling ---

bool Kernel::check_timeout() {
    if (!m_host_deadline_ns || m_timed_out)
        return m_timed_out;
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    const std::uint64_t now = static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
    if (now < m_host_deadline_ns)
        return false;
    m_timed_out = true;
    spdlog::error("timeout: the run took longer than --timeout {} ms; ending every process", m_config.timeout_ms);
    std::vector<std::shared_ptr<proc::Process>> victims;
    for (auto& [pid, p] : m_processes)
        if (!p->exited())
            victims.push_back(p);
    for (auto& p : victims)
        group_exit(*p, proc::ExitState{0, static_cast<int>(Signal::sigkill)});
    return true;
}

void Kernel::schedule_loop() {
    while (!m_tasks.empty()) {
        release_dead();
        if (check_timeout())
            continue;
        run_timers();
        if (m_tasks.empty())
            break;  // a timer's signal or a pressure step's OOM kill ended the last task
        if (m_progress && m_progress->due()) {
            std::uint64_t resident = 0;
            for (const auto& [pid, p] : m_processes)
                if (p->mm_ptr())
                    resident += p->mm().resident_pages();
            m_progress->draw(trace::ProgressSample{m_clock.elapsed_ns(), m_processes.size(), resident, 0,
                                                     m_faults_total});
        }
        Task* next = m_scheduler.pick_next();
        if (!next) {
            if (!idle())
                break;
            continue;
        }
        switch_to(*next);
        // Preemption costs a call per translation block: only while another task waits
        // for the CPU or a sleeper's deadline must be able to come.
        const std::optional<std::uint64_t> event = next_event(true);
        m_next_event_due = event.value_or(~std::uint64_t{0});
        // With --timeout, a task alone is preempted too, so that a loop without syscalls
        // comes back to see the host clock.
        if (m_scheduler.runnable_count() > 0 || event || m_host_deadline_ns)
            m_cpu->arm_preemption(m_config.quantum_blocks);
        else
            m_cpu->disarm_preemption();
        m_resched = false;
        m_yielded = false;
        for (;;) {
            m_pending_fault.reset();
            m_current->syscall_rip.reset();
            const emu::StopReason reason = m_cpu->run();
            finish_run(reason);
            if (m_current->state != TaskState::Runnable)
                break;
            return_to_user();
            if (m_current->state != TaskState::Runnable)
                break;
            if (reason == emu::StopReason::Preempted) {
                charge(sched::Clock::kQuantumNs);
                break;
            }
            if (m_resched || m_yielded || m_clock.elapsed_ns() >= m_next_event_due ||
                m_faults_total >= m_next_pressure_fault)
                break;
            if (m_host_deadline_ns && check_timeout())
                break;
        }
        if (m_current->state == TaskState::Runnable)
            m_scheduler.enqueue(*m_current);
    }
    release_dead();
}

void Kernel::save_current() {
    if (m_current && m_current->state != TaskState::Dead)
        m_cpu->read_user_state(m_current->regs);
}

void Kernel::switch_to(Task& next) {
    if (m_current != &next) {
        save_current();
        m_cpu->write_user_state(next.regs);
        m_current = &next;
    }
    m_pmem.set_active_memcg(next.process().memcg);
    const mm::AddressSpace* mm = &next.process().mm();
    if (mm != m_loaded_mm) {
        flush_tlb();
        m_loaded_mm = mm;
    }
}

void Kernel::finish_run(emu::StopReason reason) {
    switch (reason) {
    case emu::StopReason::Stopped:
    case emu::StopReason::Preempted:
        break;
    case emu::StopReason::PageFault:
        handle_page_fault();
        break;
    case emu::StopReason::Exception:
        handle_exception(m_cpu->exception_vector());
        break;
    case emu::StopReason::Error:
        spdlog::error("emulation failed at {}: {}", describe_rip(), m_cpu->error());
        kill_current(static_cast<int>(Signal::sigill), "emulation error");
        break;
    }
    Task& t = *m_current;
    if (t.state == TaskState::Sleeping && t.restart) {
        // The syscall executes again when the task wakes.
        m_cpu->set_reg(emu::Reg::rip, t.restart->rip);
        m_cpu->set_reg(emu::Reg::rax, t.restart->nr);
        t.restart.reset();
    }
}

std::optional<std::uint64_t> Kernel::next_event(bool with_sampling) const {
    std::optional<std::uint64_t> next = m_scheduler.earliest_deadline();
    if (with_sampling && m_sampler && (!next || m_sampler->next_due() < *next))
        next = m_sampler->next_due();
    if (const auto pressure = m_pressure.next(mm::PressureClock::Time);
        with_sampling && pressure && (!next || *pressure < *next))
        next = pressure;
    for (const auto& [pid, p] : m_processes)
        if (p->itimer_real_deadline && !p->exited() && (!next || p->itimer_real_deadline < *next))
            next = p->itimer_real_deadline;
    return next;
}

void Kernel::run_timers() {
    const std::uint64_t now = m_clock.elapsed_ns();
    m_scheduler.expire(now);
    if (m_sampler && m_sampler->next_due() <= now)
        sample_access();
    std::vector<proc::Process*> due;
    for (auto& [pid, p] : m_processes)
        if (p->itimer_real_deadline && p->itimer_real_deadline <= now && !p->exited())
            due.push_back(p.get());
    for (proc::Process* p : due) {
        p->itimer_real_deadline = p->itimer_real_interval ? now + p->itimer_real_interval : 0;
        linux_abi::SigInfo info{};
        info.signo = static_cast<int>(Signal::sigalrm);
        info.code = linux_abi::SI_KERNEL;
        send_signal(*p, info);
    }
    if (pressure_due())
        apply_pressure();
}

bool Kernel::idle() {
    // Sampling and pressure steps alone do not count: they wake nobody, so with nothing
    // else to come every task sleeps forever. Before what does come, a pressure step is
    // applied at its own time.
    const auto deadline = next_event(false);
    if (!deadline) {
        report_deadlock();
        return !m_tasks.empty();
    }
    const auto pressure = m_pressure.next(mm::PressureClock::Time);
    m_clock.advance_to(pressure && *pressure < *deadline ? *pressure : *deadline);
    run_timers();
    return true;
}

std::string Kernel::describe_sleep(const Task& t) const {
    const proc::Process& p = t.process();
    std::string where;
    switch (t.channel.kind) {
    case proc::WaitKind::Pipe: where = "on a pipe"; break;
    case proc::WaitKind::Child: where = "waiting for a child"; break;
    case proc::WaitKind::Futex: where = fmt::format("on the futex at {:#x}", t.channel.key); break;
    case proc::WaitKind::Timer: where = "sleeping"; break;
    case proc::WaitKind::Signal: where = "waiting for a signal"; break;
    case proc::WaitKind::Vfork: where = "in vfork"; break;
    }
    if (t.tid() != p.pid())
        return fmt::format("pid {} ({}) thread {} {}", p.pid(), p.comm(), t.tid(), where);
    return fmt::format("pid {} ({}) {}", p.pid(), p.comm(), where);
}

void Kernel::report_deadlock() {
    std::string who;
    for (const Task* t : m_scheduler.sleepers())
        who += (who.empty() ? "" : "; ") + describe_sleep(*t);
    spdlog::error("deadlock: every task is blocked and none can wake another: {}", who);
    std::vector<std::shared_ptr<proc::Process>> victims;
    for (auto& [pid, p] : m_processes)
        if (!p->exited())
            victims.push_back(p);
    for (auto& p : victims)
        group_exit(*p, proc::ExitState{0, static_cast<int>(Signal::sigkill)});
}

void Kernel::charge(std::uint64_t ns) {
    m_clock.advance(ns);
    if (m_current && m_current->state != TaskState::Dead) {
        m_current->cpu_ns += ns;
        current().cpu_ns += ns;
    }
}

void Kernel::release_dead() {
    for (auto& t : m_dead_tasks)
        if (t.get() == m_current)
            m_current = nullptr;
    m_dead_tasks.clear();
}

// --- the CPU's callbacks ---

std::optional<emu::TlbEntry> Kernel::tlb_fill(std::uint64_t vaddr, emu::MemAccess access) {
    const mm::Access a = to_access(access);
    if (m_current->state == TaskState::Dead) {
        // The task ended inside this run (the CPU is stopping); nothing may be mapped.
        m_pending_fault = PendingFault{vaddr, a, mm::FaultError::MapError};
        return std::nullopt;
    }
    mm::AddressSpace& mm = current().mm();
    const mm::FaultCounters& faults = mm.fault_counters();
    const std::uint64_t before = faults.minor + faults.major;
    auto t = mm.translate(vaddr, a);
    if (faults.minor + faults.major != before) {
        ++m_faults_total;
        charge(sched::Clock::kFaultNs);
        // A timer or pressure step is due: after this access, see to it.
        if (m_clock.elapsed_ns() >= m_next_event_due || m_faults_total >= m_next_pressure_fault)
            m_cpu->stop();
    }
    if (!t) {
        m_pending_fault = PendingFault{vaddr, a, t.error()};
        return std::nullopt;
    }
    return emu::TlbEntry{t->paddr, t->perms};
}

void Kernel::syscall() {
    Task& t = *m_current;
    std::uint64_t nr = 0;
    std::uint64_t args[6];
    m_cpu->read_syscall_regs(nr, args);
    // Inside the hook RIP is still the `syscall` instruction.
    const std::uint64_t rip = m_cpu->reg(emu::Reg::rip);
    t.syscall_rip = rip;
    ++current().syscalls;
    m_in_syscall = true;
    const std::int64_t result = m_syscalls.dispatch(*this, nr, args);
    m_in_syscall = false;
    // A memory cgroup's limit a syscall ran into was its error (ENOMEM, EFAULT), not an OOM
    // kill: only faults of the guest's instructions call the OOM killer.
    if (!m_config.limits.empty())
        m_memcgs.take_oom();
    charge(sched::Clock::kSyscallNs);
    if (t.state == TaskState::Dead) {
        m_cpu->stop();
        return;
    }
    m_cpu->finish_syscall(static_cast<std::uint64_t>(result));
    if (result < 0 && linux_abi::is_restart_code(static_cast<Errno>(-result))) {
        // It slept, or a signal interrupted it: decided on the way out.
        t.restart = proc::SyscallRestart{nr, rip, static_cast<Errno>(-result)};
        m_cpu->stop();
        return;
    }
    t.restart.reset();
    t.syscall_deadline.reset();
    t.syscall_progress = 0;
    t.wake_reason = proc::WakeReason::None;
    // Register changes and signal work must not happen inside the hook: leave the run (RIP
    // then points past the syscall) and do them in return_to_user().
    if (t.pending_regs || signal_work_pending() || m_resched || m_yielded || t.state != TaskState::Runnable ||
        m_clock.elapsed_ns() >= m_next_event_due)
        m_cpu->stop();
    else
        t.syscall_rip.reset();  // the run goes on: later reports name later instructions
}

void Kernel::flush_tlb() { m_cpu->flush_tlb(); }

void Kernel::invalidate_code(mm::PhysAddr paddr, std::uint64_t length) { m_cpu->invalidate_code(paddr, length); }

// --- sleeping and waking ---

Errno Kernel::sleep(proc::WaitChannel channel, std::optional<std::uint64_t> deadline, Errno restart) {
    if (signal_pending())
        return restart;
    m_scheduler.sleep(*m_current, channel, deadline, true);
    m_resched = true;
    return restart;
}

int Kernel::wake(const proc::WaitChannel& channel, int max) {
    const int n = m_scheduler.wake(channel, max);
    if (n)
        m_resched = true;
    return n;
}

int Kernel::wake_all(proc::WaitKind kind, const void* object) {
    const int n = m_scheduler.wake_all(kind, object);
    if (n)
        m_resched = true;
    return n;
}

int Kernel::wake_futex(const proc::WaitChannel& channel, int max, std::uint32_t bitset) {
    const int n = m_scheduler.wake_futex(channel, max, bitset);
    if (n)
        m_resched = true;
    return n;
}

KResult<proc::WaitChannel> Kernel::futex_channel(mm::AddressSpace& mm, std::uint64_t uaddr, bool is_private) {
    if (uaddr & 3)
        return err(Errno::einval);
    if (!is_private) {
        if (const mm::Vma* vma = mm.vmas().find_containing(uaddr); vma && vma->is_shared()) {
            // Fault the page in; its frame is the key.
            std::uint32_t probe = 0;
            TRY_VOID(mm.copy_from_user(&probe, uaddr, sizeof(probe)));
            const mm::Pte* pte = mm.page_table().lookup(mm::page_round_down(uaddr));
            if (pte && mm::pte_present(*pte)) {
                // Keyed by the page's identity (the file or shared object and the page in
                // it), not the frame: reclaim may move the page to another frame.
                const mm::FrameInfo& info = m_pmem.info(mm::pte_pfn(*pte));
                const std::uint64_t offset = uaddr & (mm::kPageSize - 1);
                if (info.mapping && (info.rmap == mm::RmapKind::File || info.rmap == mm::RmapKind::SharedAnon))
                    return proc::WaitChannel{proc::WaitKind::Futex, info.mapping, (info.index << mm::kPageShift) + offset};
                return proc::WaitChannel{proc::WaitKind::Futex, &m_pmem,
                                         mm::pfn_to_phys(mm::pte_pfn(*pte)) + offset};
            }
        }
        // Linux's FUT_OFF_MMSHARED: bit 0 of the (4-byte aligned) address marks it shared.
        return proc::WaitChannel{proc::WaitKind::Futex, &mm, uaddr | 1};
    }
    return proc::WaitChannel{proc::WaitKind::Futex, &mm, uaddr};
}

void Kernel::clear_child_tid(mm::AddressSpace& mm, std::uint64_t uaddr) {
    const std::uint32_t zero = 0;
    if (!mm.copy_to_user(uaddr, &zero, sizeof(zero)))
        return;
    // Linux wakes it as a shared futex (mm_release's do_futex without FUTEX_PRIVATE_FLAG).
    if (auto key = futex_channel(mm, uaddr, false))
        wake_futex(*key, 1, 0xffffffff);
}

int Kernel::requeue(const proc::WaitChannel& from, const proc::WaitChannel& to, int max) {
    return m_scheduler.requeue(from, to, max);
}

void Kernel::yield() {
    if (m_scheduler.runnable_count() > 0)
        m_yielded = true;
}

}  // namespace os
