// Kernel: the kernel personality. Owns physical memory, the CPU, the processes and their
// tasks, and the scheduler; it is the CPU's client (TLB fills, syscalls, exceptions) and the
// memory manager's MMU.
//
// One emulated CPU runs one task at a time. A task leaves the CPU when it sleeps (a syscall
// that must wait: the syscall is executed again when it wakes, Linux's restart), exits,
// yields, or when its quantum runs out while another task is runnable. Everything that
// decides the interleaving is counted, never timed, so runs are reproducible.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "emu/cpu.h"
#include "emu/decode_cache.h"
#include "os/fs/root.h"
#include "os/mm/mem_cgroup.h"
#include "os/mm/leak_check.h"
#include "os/mm/mmu_notifier.h"
#include "os/mm/page_cache.h"
#include "os/mm/page_reclaim.h"
#include "os/mm/physical_memory.h"
#include "os/mm/pressure_schedule.h"
#include "os/proc/process.h"
#include "os/proc/task.h"
#include "os/sched/clock.h"
#include "os/sched/scheduler.h"
#include "os/trace/access_sampler.h"
#include "os/trace/fault_log.h"
#include "os/trace/process_stats.h"
#include "os/trace/progress.h"

namespace os::trace {
class SyscallTracer;
}

namespace os {

class Kernel;

inline mm::Access to_access(emu::MemAccess a) {
    switch (a) {
    case emu::MemAccess::Read: return mm::Access::Read;
    case emu::MemAccess::Write: return mm::Access::Write;
    case emu::MemAccess::Fetch: return mm::Access::Execute;
    }
    return mm::Access::Read;
}

// Implemented by the syscalls/ layer: decodes and runs one system call for the current
// task, returning the raw value for rax (negative errno on failure).
class SyscallDispatcher {
public:
    virtual ~SyscallDispatcher() = default;
    virtual std::int64_t dispatch(Kernel& kernel, std::uint64_t nr, const std::uint64_t args[6]) = 0;
};

struct KernelConfig {
    std::uint64_t ram_bytes = 512ull << 20;
    std::uint64_t seed = 0;  // seeds AT_RANDOM and getrandom(): runs are reproducible
    // At most this many tasks at once (fork beyond it: EAGAIN, as RLIMIT_NPROC).
    int max_procs = 256;
    // Clocks follow the host and sleeps take host time (otherwise virtual, deterministic).
    bool real_time = false;
    // Translation blocks a task may run while another task waits for the CPU.
    std::uint64_t quantum_blocks = 200'000;
    // Write one JSON Lines fault log per process into this directory (empty: none).
    std::string fault_log_dir;
    // Print a per-process statistics table on stderr at the end.
    bool stats = false;
    // End the run after this much host time (0: never): a safety net for programs that
    // never end, with a clear message and exit status 124 (as timeout(1)).
    std::uint64_t timeout_ms = 0;
    // Swap and page replacement: made only when swap_bytes > 0 or a policy is named
    // (otherwise clean page-cache pages are still dropped when frames run out).
    std::uint64_t swap_bytes = 0;
    std::string swap_file;  // empty: a temporary file, removed at once
    std::string policy;     // clock (default), fifo, random, lru
    // --pressure: steps that change the usable RAM while the program runs (the RAM above
    // stays the most there is). With these or limits, page reclaim is made even without
    // swap.
    std::vector<mm::PressureStep> pressure;
    // --limit: memory cgroups for processes by pid or program name.
    std::vector<mm::MemcgRule> limits;
    // Show a live status line on stderr (only ever on a terminal).
    bool progress = false;
    // Sample every process's working set every this many ns of virtual time into
    // fault_log_dir (0: never).
    std::uint64_t sample_access_ns = 0;
    // --trace-syscalls: where syscalls, signals and exits are written (not owned; outlives
    // the kernel), or null.
    trace::SyscallTracer* syscall_trace = nullptr;
    // --root / --read-only: where guest paths lead (os/fs/root.h); null: the host's "/",
    // writable.
    std::shared_ptr<const fs::Root> root;
};

// Exit status faultline uses when the program cannot be started (as shells do).
inline constexpr int kExitCannotExecute = 126;
inline constexpr int kExitNotFound = 127;
inline constexpr int kExitTimeout = 124;
// The memory manager leaked: frames or swap slots were still in use after the last process
// exited (sysexits.h's EX_SOFTWARE, "internal software error").
inline constexpr int kExitMemoryLeak = 70;

// faultline itself plays init (pid 1, the reaper of last resort); the program it runs is
// pid 2, and orphans are reparented to it while it lives.
inline constexpr int kInitPid = 1;
inline constexpr int kFirstPid = 2;

// What clone(2)/clone3(2) asked for (struct clone_args).
struct CloneRequest {
    std::uint64_t flags = 0;
    std::uint64_t pidfd = 0;
    std::uint64_t child_tid = 0;
    std::uint64_t parent_tid = 0;
    int exit_signal = 0;
    std::uint64_t stack = 0;  // new RSP (0: the parent's)
    std::uint64_t tls = 0;
};

struct ExecveRequest {
    std::string path;
    int fd = -1;  // a host descriptor of the file to run instead of looking `path` up
    std::vector<std::string> argv;
    std::vector<std::string> envp;
};

class Kernel final : public emu::CpuClient, public mm::MmuNotifier, public mm::FaultObserver {
public:
    Kernel(const KernelConfig& config, SyscallDispatcher& syscalls);
    ~Kernel() override;
    Kernel(const Kernel&) = delete;
    Kernel& operator=(const Kernel&) = delete;

    // Runs `path` as the first process until every process has ended; returns faultline's
    // exit status: the first process's exit status, 128 + N if a signal N killed it,
    // 126/127 if it could not start.
    int run(const std::string& path, const std::vector<std::string>& argv, const std::vector<std::string>& envp);

    proc::Task& current_task() { return *m_current; }
    proc::Process& current() { return m_current->process(); }
    emu::Cpu& cpu() { return *m_cpu; }
    mm::PhysicalMemory& physical_memory() { return m_pmem; }
    mm::PageCache& page_cache() { return m_page_cache; }
    sched::Clock& clock() { return m_clock; }
    // A fresh inode number for objects that live only inside faultline (pipes).
    std::uint64_t allocate_inode_number() { return ++m_last_inode; }
    const KernelConfig& config() const { return m_config; }
    // The guest's "/" (--root) and whether it is read-only.
    const fs::Root& root() const { return *m_root; }
    // Why an observation output cannot be written (empty when all is well).
    std::string observation_error() const;
    // Bytes from the seeded deterministic random stream.
    void random_bytes(void* buf, std::size_t n);
    // Says once per syscall number that it is not implemented.
    void report_unimplemented(std::uint64_t nr, std::string_view name);

    // --- processes (os/kernel_process.cpp) ---
    proc::Process* find_process(int pid);
    proc::Task* find_task(int tid);
    // Every process not yet reaped, by pid.
    const std::map<int, std::shared_ptr<proc::Process>>& processes() const { return m_processes; }
    // clone/fork/vfork: the child's pid (or tid); the child returns 0 from the same syscall.
    KResult<int> clone(const CloneRequest& req);
    // execve: replaces the current process's program. On success the syscall does not
    // return (the new registers are installed on the way out).
    KResult<void> execve(const ExecveRequest& req);
    // exit(): ends the current thread (the process when it is the last one).
    void exit_task(int status);
    // exit_group(): ends the current process with `status`.
    void exit_group(int status);
    // Ends `p` (every thread) as killed by `sig` or exiting with a status.
    void group_exit(proc::Process& p, proc::ExitState state);
    // wait4/waitid's search (os/kernel_process.cpp): a child of the current process matching
    // `pid` (wait4's encoding) that has ended, reaped unless `keep`. nullopt with ECHILD if
    // there is no such child at all; an empty WaitResult if one exists but none has ended.
    struct WaitResult {
        int pid = 0;
        proc::ExitState state;
        std::uint32_t uid = 0;
        std::uint64_t minflt = 0, majflt = 0;
        std::uint64_t cpu_ns = 0;
    };
    KResult<std::optional<WaitResult>> wait_child(int pid, int options, bool keep);
    // setpgid/setsid with Linux's rules.
    KResult<void> setpgid(int pid, int pgid);
    KResult<int> setsid();

    // --- sleeping and waking (os/kernel.cpp) ---
    // The current task sleeps on `channel` (or only until `deadline`, virtual ns) and the
    // syscall is executed again when it wakes: return the result from the handler. If a
    // signal is already pending for it, it does not sleep and the syscall is interrupted
    // instead (`restart` says whether it then restarts: Linux's -ERESTART* codes).
    linux_abi::Errno sleep(proc::WaitChannel channel, std::optional<std::uint64_t> deadline,
                           linux_abi::Errno restart = linux_abi::Errno::erestartsys);
    // Why the current task's syscall is being executed again (WakeReason::None the first
    // time), and the deadline and progress it keeps across sleeps.
    proc::WakeReason wake_reason() const { return m_current->wake_reason; }
    // Whether the current task has a signal to act on (Linux's signal_pending).
    bool signal_pending();
    int wake(const proc::WaitChannel& channel, int max = 0x7fffffff);
    int wake_all(proc::WaitKind kind, const void* object = nullptr);
    int wake_futex(const proc::WaitChannel& channel, int max, std::uint32_t bitset);
    // The wait channel of the futex at `uaddr` (Linux's get_futex_key): a private futex is
    // (address space, address); a shared one in a MAP_SHARED mapping is the page's identity,
    // its file or shared object and offset (the same for every process mapping it, and
    // after reclaim moved it); a shared one in a private mapping is the
    // address space and address, but never the same key as the private futex there.
    KResult<proc::WaitChannel> futex_channel(mm::AddressSpace& mm, std::uint64_t uaddr, bool is_private);
    // CLONE_CHILD_CLEARTID at thread exit: 0 written to `uaddr`, one waiter woken.
    void clear_child_tid(mm::AddressSpace& mm, std::uint64_t uaddr);
    int requeue(const proc::WaitChannel& from, const proc::WaitChannel& to, int max);
    // sched_yield: the current task goes to the back of the run queue.
    void yield();

    // --- signals (os/kernel_signal.cpp) ---
    // Sends `sig` to the current process from itself (SI_USER with its own pid and uid, as
    // kill() and a write to a broken pipe do).
    void send_signal_to_current(int sig);
    // Sends a signal with a complete siginfo to a process (any thread that does not block
    // it takes it) or to one thread. A fatal signal nobody handles ends the process at once.
    void send_signal(proc::Process& p, const linux_abi::SigInfo& info);
    void send_signal(proc::Task& t, const linux_abi::SigInfo& info);
    // rt_sigreturn: restores the registers, FPU state, signal mask and sigaltstack saved in
    // the signal frame at the user RSP - 8, and returns the restored rax. The registers
    // change once the SYSCALL hook has returned; a bad frame means SIGSEGV.
    std::int64_t sigreturn();
    // rt_sigsuspend: replaces the mask with `mask` and sleeps until a signal arrives.
    linux_abi::Errno sigsuspend(std::uint64_t mask);

    // emu::CpuClient
    std::optional<emu::TlbEntry> tlb_fill(std::uint64_t vaddr, emu::MemAccess access) override;
    void syscall() override;
    // mm::MmuNotifier
    void flush_tlb() override;
    void invalidate_code(mm::PhysAddr paddr, std::uint64_t length) override;
    // mm::FaultObserver (the fault log)
    void on_fault(const mm::FaultRecord& record) override;
    void on_unmap(const mm::UnmapRecord& record) override;
    // An oom-kill event in the victim's fault log (before it dies).
    void log_oom_kill(proc::Process& victim);

private:
    struct PendingFault {
        std::uint64_t addr = 0;
        mm::Access access = mm::Access::Read;
        mm::FaultError error = mm::FaultError::MapError;
    };

    int start_first_process(const std::string& path, const std::vector<std::string>& argv,
                            const std::vector<std::string>& envp);
    // --- scheduling (os/kernel.cpp) ---
    // Runs tasks until no process is left.
    void schedule_loop();
    // Puts `next` on the CPU (its registers; the TLB if its address space differs).
    void switch_to(proc::Task& next);
    // Takes the current task off the CPU, saving its registers.
    void save_current();
    // After a run: a syscall that slept gets its registers rewound so that it executes again.
    void finish_run(emu::StopReason reason);
    // No task can run: wait for the earliest deadline, or report a deadlock.
    bool idle();
    void report_deadlock();
    // The earliest thing that will happen by itself: a sleeper's deadline or an interval
    // timer (and, if `with_sampling`, the next working-set sample, which wakes nobody).
    std::optional<std::uint64_t> next_event(bool with_sampling) const;
    // Takes the working-set samples that are due.
    void sample_access();
    // Wakes sleepers whose deadline passed and fires due interval timers (SIGALRM).
    void run_timers();
    std::string describe_sleep(const proc::Task& t) const;
    void release_dead();
    // Advances the clock by `ns` of work done by the current task (its CPU time).
    void charge(std::uint64_t ns);

    // --- observation (os/kernel_observe.cpp) ---
    // Writes one fault-log event for `p` (errors come from the trap path with `kind`).
    void log_fault(proc::Process& p, const proc::Task* t, std::uint64_t address, mm::Access access,
                   std::string_view kind, bool major, const mm::Vma* vma, std::int64_t frame);
    // A process ended: keep its statistics, close its fault log.
    void record_exit(proc::Process& p);
    void print_stats(const mm::MemoryInUse& left);

    // The last process has exited: the kernel lets go of what it still holds (the page
    // cache), says what is left, and turns a leak into an internal error. Returns the exit
    // status `status`, or kExitMemoryLeak.
    int check_memory_released(int status);

    void handle_page_fault();
    void handle_exception(unsigned vector);
    // No frame for the current task's fault: the OOM killer picks a victim (Linux's badness),
    // among the processes of a memory cgroup if it was the group's limit that failed.
    void oom_kill(std::uint64_t addr, mm::Access access);
    // select_bad_process() among the live processes `eligible` accepts (every one if empty).
    proc::Process* oom_victim(const std::function<bool(const proc::Process&)>& eligible);
    std::string describe_oom_victim(const proc::Process& victim) const;

    // --- pressure (os/kernel_pressure.cpp) ---
    // Whether a --pressure step is due, and applying those that are.
    bool pressure_due() const;
    void apply_pressure();
    // The usable RAM becomes `frames`; if reclaim cannot fit what is in use, the OOM
    // killer runs until it fits.
    void resize_ram(std::uint64_t frames, const mm::PressureStep& step);
    void print_pressure_stats() const;

    // --- memory cgroups (os/kernel_memcg.cpp) ---
    // Puts `p` in its group, after it was made (`new_process`: it starts in its parent's)
    // or after it ran execve.
    void memcg_place(proc::Process& p, bool new_process);
    // A charge to group `g` failed at its memory.max: its worst process dies.
    void memcg_oom_kill(mm::MemcgId g, std::uint64_t addr, mm::Access access);
    void print_memcg_stats() const;
    // Terminates the current process by signal (the default action of a fatal signal).
    void kill_current(int sig, const std::string& detail);

    // --- process life cycle (os/kernel_process.cpp) ---
    int allocate_pid();
    // A thread ends: clear_child_tid, then the process if it was the last thread.
    void release_task(proc::Task& t);
    // The last thread is gone: release memory and files, reparent the children, tell the
    // parent (or reap at once).
    void exit_process(proc::Process& p);
    void reparent_children(proc::Process& p);
    void notify_parent(proc::Process& child);
    void reap(proc::Process& child);

    // --- signals (os/kernel_signal.cpp) ---
    // Sends a signal the CPU raised for the current instruction (Linux's force_sig_info):
    // if it is blocked or ignored it is unblocked and reset to SIG_DFL first, so that it
    // cannot be lost. `report` says what caused it, for the line printed if it kills.
    void force_signal(const linux_abi::SigInfo& info, std::string report);
    // Whether a signal sent to `p` would end it at once (fatal default action, not blocked
    // by any thread) and the one thread that should take it otherwise.
    proc::Task* signal_target(proc::Process& p, int sig);
    bool deliverable(proc::Task& t) const;
    // Whether the way back to user mode has work: a deliverable signal, a mask to restore,
    // registers to install.
    bool signal_work_pending();
    // The way back to user mode after every run (Linux's exit_to_user_mode_loop): installs
    // registers set by rt_sigreturn or execve, then acts on every pending, unblocked signal,
    // and finishes an interrupted syscall (restart or EINTR).
    void return_to_user();
    // Acts on one dequeued signal; true when a handler frame was set up.
    bool deliver_signal(const proc::QueuedSignal& s);
    // Builds the frame for a handler (Linux's handle_signal); false if it failed, which
    // forces SIGSEGV.
    bool run_handler(const proc::QueuedSignal& s, const linux_abi::KernelSigaction& action);
    // An interrupted syscall whose signal has been dealt with: execute it again (rewind) or
    // make it return EINTR.
    void restart_syscall(bool handler_runs, const linux_abi::KernelSigaction* action);
    std::string describe_rip();
    // The byte address of a fault the CPU reported by page (Linux's si_addr).
    std::uint64_t exact_fault_address(std::uint64_t page, mm::Access access);

    KernelConfig m_config;
    SyscallDispatcher& m_syscalls;
    // Memory cgroups (--limit); before the memory whose frames are charged to them. For
    // each group, the index of the --limit rule that made it (-1: the root).
    mm::MemCgroups m_memcgs;
    std::vector<int> m_memcg_rule{-1};
    mm::PhysicalMemory m_pmem;
    mm::PageCache m_page_cache{m_pmem};
    // Swap and reclaim (after the page cache: it drops cache pages; before the processes,
    // which hold swap slots: the destructor releases them first).
    std::unique_ptr<mm::PageReclaim> m_reclaim;
    std::uint64_t m_last_inode = 0;
    std::unique_ptr<emu::Cpu> m_cpu;
    sched::Scheduler m_scheduler;
    sched::Clock m_clock;
    std::map<int, std::shared_ptr<proc::Process>> m_processes;
    std::map<int, std::unique_ptr<proc::Task>> m_tasks;
    // Tasks that ended during a run, released once it is over.
    std::vector<std::unique_ptr<proc::Task>> m_dead_tasks;
    // The task whose registers are in the CPU, and the address space in its TLB.
    proc::Task* m_current = nullptr;
    const mm::AddressSpace* m_loaded_mm = nullptr;
    // The current task must leave the CPU after this run (it slept, exited, yielded, or
    // woke another task that now competes for the CPU).
    bool m_resched = false;
    bool m_yielded = false;
    // When the next timer, deadline or sample is due (virtual ns): a run that gets there
    // stops so that it happens on time.
    std::uint64_t m_next_event_due = ~std::uint64_t{0};
    int m_last_pid = kFirstPid - 1;
    std::optional<proc::ExitState> m_first_exit;
    // --timeout: when the run must end (host steady clock, ns), and whether it did.
    std::uint64_t m_host_deadline_ns = 0;
    bool m_timed_out = false;
    bool check_timeout();
    std::optional<PendingFault> m_pending_fault;
    // --pressure: the schedule, the fault count at which its next fault-counted step is due,
    // and what it did.
    mm::PressureSchedule m_pressure;
    std::uint64_t m_next_pressure_fault = ~std::uint64_t{0};
    std::uint64_t m_pressure_steps_applied = 0;
    std::uint64_t m_lowest_online_frames = 0;
    std::uint64_t m_oom_kills = 0;
    std::mt19937_64 m_random;
    std::shared_ptr<const fs::Root> m_root;
    std::set<std::uint64_t> m_reported_syscalls;
    // Observation.
    std::unique_ptr<trace::FaultLog> m_fault_log;
    std::unique_ptr<trace::AccessSampler> m_sampler;
    std::unique_ptr<trace::Progress> m_progress;
    std::uint64_t m_faults_total = 0;
    std::uint64_t m_fault_seq = 0;
    bool m_in_syscall = false;
    std::vector<trace::ProcessStats> m_finished;
    emu::DecodeCache m_decode_cache;
};

}  // namespace os
