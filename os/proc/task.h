// Task: one thread of execution (Linux's task_struct): its registers while it is off the
// CPU, its signal mask and thread-directed pending signals, its thread-library registrations,
// and where it sleeps. What the threads of a process share (memory, descriptors, signal
// handlers) lives in Process.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "emu/user_state.h"
#include "os/abi/errno.h"
#include "os/abi/signal.h"
#include "os/proc/signals.h"

namespace os::proc {

class Process;

// The alternate signal stack (Linux's sas_ss_sp, sas_ss_size, sas_ss_flags) as a stack_t.
using AltStack = linux_abi::StackT;

struct RseqRegistration {
    std::uint64_t addr = 0;
    std::uint32_t length = 0;
    std::uint32_t signature = 0;
};

enum class TaskState : std::uint8_t {
    Runnable,  // on the CPU or waiting for it
    Sleeping,  // waiting on a channel and/or until a deadline
    Dead,      // exited; about to be released
};

// What a sleeping task waits for (xv6's sleep channel, Linux's wait queues): a wakeup names
// the same kind and object. Futexes add the key (the address).
enum class WaitKind : std::uint8_t {
    Pipe,    // data or room in a pipe, or its other end closing (also poll and select)
    Child,   // a child changing state (wait4, waitid); object: the parent Process
    Futex,   // object: the address space (private) or physical memory (shared); key: address
    Timer,   // only the deadline (nanosleep)
    Signal,  // only a signal (pause, rt_sigsuspend, rt_sigtimedwait)
    Vfork,   // a vfork child exec'ing or exiting; object: the child Process
};

struct WaitChannel {
    WaitKind kind = WaitKind::Timer;
    const void* object = nullptr;
    std::uint64_t key = 0;
    bool operator==(const WaitChannel&) const = default;
};

// Why a sleeping task was made runnable again; a syscall that is executed again after a
// sleep reads it (futex returns 0 when woken, ETIMEDOUT at its deadline).
enum class WakeReason : std::uint8_t { None, Woken, TimedOut, Signal };

// A syscall that slept or was interrupted, and what it keeps across being executed again
// (cleared when it completes).
struct SyscallRestart {
    std::uint64_t nr = 0;     // rax to execute the syscall again with
    std::uint64_t rip = 0;    // the `syscall` instruction
    linux_abi::Errno code = linux_abi::Errno::erestartsys;
};

class Task {
public:
    Task(int tid, std::shared_ptr<Process> process) : m_tid(tid), m_process(std::move(process)) {}
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;

    int tid() const { return m_tid; }
    Process& process() { return *m_process; }
    const Process& process() const { return *m_process; }
    const std::shared_ptr<Process>& process_ptr() const { return m_process; }
    // exec in a thread other than the leader: the surviving task takes over the process.
    void set_process(std::shared_ptr<Process> p) { m_process = std::move(p); }

    // The registers while the task is not on the CPU (the CPU holds them while it is).
    emu::UserState regs;
    // Registers to install on the way back to user mode, set from inside a syscall, where
    // RIP may not be written (rt_sigreturn, execve).
    std::optional<emu::UserState> pending_regs;

    // --- signals (per thread) ---
    std::uint64_t signal_mask = 0;
    PendingSignals pending;  // sent to this thread (tkill, faults)
    // The mask rt_sigsuspend replaced, to be restored on the way out (saved_sigmask with
    // TIF_RESTORE_SIGMASK).
    std::optional<std::uint64_t> saved_sigmask;
    TrapInfo trap;  // for sigcontext
    // At first none, with flags 0 (what a program started from a shell finds in uc_stack);
    // sigaltstack() still reports SS_DISABLE for it.
    AltStack alt_stack{0, 0, 0, 0};

    // --- thread-library registrations ---
    std::uint64_t set_child_tid = 0;
    std::uint64_t clear_child_tid = 0;
    std::uint64_t robust_list_head = 0;
    std::uint64_t robust_list_len = 0;
    std::optional<RseqRegistration> rseq;

    // --- scheduling ---
    TaskState state = TaskState::Runnable;
    WaitChannel channel;
    std::optional<std::uint64_t> deadline;  // virtual ns; with or without a channel
    bool interruptible = true;              // a signal wakes it (not in vfork's wait)
    WakeReason wake_reason = WakeReason::None;
    // Per-syscall state kept while a syscall sleeps and is executed again: its deadline
    // (absolute, so that a restarted nanosleep does not start over) and how much of a
    // blocking write is done.
    std::optional<std::uint64_t> syscall_deadline;
    std::uint64_t syscall_progress = 0;
    std::optional<SyscallRestart> restart;
    // Where the `syscall` instruction was when a run stopped in the SYSCALL hook (RIP is
    // past it then): the instruction a default-action report names.
    std::optional<std::uint64_t> syscall_rip;
    // The bitset a FUTEX_WAIT_BITSET waiter matches (all bits for FUTEX_WAIT).
    std::uint32_t futex_bitset = 0xffffffff;
    // CPU time of this thread (virtual ns).
    std::uint64_t cpu_ns = 0;
    // Sleep order among tasks (wakeups are first come, first served).
    std::uint64_t sleep_seq = 0;

private:
    int m_tid;
    std::shared_ptr<Process> m_process;
};

}  // namespace os::proc
