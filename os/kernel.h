// Kernel: the kernel personality. Owns physical memory, the CPU and the processes; it is
// the CPU's client (TLB fills, syscalls, exceptions) and the memory manager's MMU.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "emu/cpu.h"
#include "os/mm/mmu_notifier.h"
#include "os/mm/page_cache.h"
#include "os/mm/physical_memory.h"
#include "os/proc/process.h"

namespace os {

class Kernel;

// Implemented by the syscalls/ layer: decodes and runs one system call for the current
// process, returning the raw value for rax (negative errno on failure).
class SyscallDispatcher {
public:
    virtual ~SyscallDispatcher() = default;
    virtual std::int64_t dispatch(Kernel& kernel, std::uint64_t nr, const std::uint64_t args[6]) = 0;
};

struct KernelConfig {
    std::uint64_t ram_bytes = 512ull << 20;
    std::uint64_t seed = 0;  // seeds AT_RANDOM and getrandom(): runs are reproducible
};

// Exit status faultline uses when the program cannot be started (as shells do).
inline constexpr int kExitCannotExecute = 126;
inline constexpr int kExitNotFound = 127;

// faultline itself plays init (pid 1, the reaper); the program it runs is pid 2.
inline constexpr int kInitPid = 1;
inline constexpr int kFirstPid = 2;

class Kernel final : public emu::CpuClient, public mm::MmuNotifier {
public:
    Kernel(const KernelConfig& config, SyscallDispatcher& syscalls);
    ~Kernel() override;
    Kernel(const Kernel&) = delete;
    Kernel& operator=(const Kernel&) = delete;

    // Runs `path` as the first process until it ends; returns faultline's exit status: the
    // guest's exit status, 128 + N if a signal N killed it, 126/127 if it could not start.
    int run(const std::string& path, const std::vector<std::string>& argv, const std::vector<std::string>& envp);

    proc::Process& current() { return *m_current; }
    emu::Cpu& cpu() { return *m_cpu; }
    mm::PhysicalMemory& physical_memory() { return m_pmem; }
    mm::PageCache& page_cache() { return m_page_cache; }
    // A fresh inode number for objects that live only inside faultline (pipes).
    std::uint64_t allocate_inode_number() { return ++m_last_inode; }
    const KernelConfig& config() const { return m_config; }

    // exit_group(): ends the current process with `status` and stops the CPU.
    void exit_current(int status);
    // Sends `sig` to the current process from the process itself (SI_USER with its own pid
    // and uid, as kill() and a write to a broken pipe do). It becomes pending and is acted
    // on when it is not blocked, on the way back to user mode: a handler runs, or the
    // default action is taken.
    void send_signal_to_current(int sig);
    // The same with a complete siginfo (kill, tkill, tgkill, rt_sigqueueinfo).
    void send_signal_to_current(const linux_abi::SigInfo& info);
    // rt_sigreturn: restores the registers, FPU state, signal mask and sigaltstack saved in
    // the signal frame at the user RSP - 8, and returns the restored rax. The registers
    // change once the SYSCALL hook has returned; a bad frame means SIGSEGV.
    std::int64_t sigreturn();
    // rt_sigsuspend: replaces the mask with `mask` until a signal arrives. A deliverable
    // signal must already be pending (nothing else could send one): its handler runs with
    // this call returning -EINTR, and the old mask comes back when the handler returns.
    // Otherwise the process would wait forever: a deadlock.
    std::int64_t sigsuspend(std::uint64_t mask);
    // The current process must wait for something only another process could do; with no
    // other process able to run, that is a deadlock: say so and end the process.
    void deadlock(const std::string& what);
    // Bytes from the seeded deterministic random stream.
    void random_bytes(void* buf, std::size_t n);
    // Says once per syscall number that it is not implemented.
    void report_unimplemented(std::uint64_t nr, std::string_view name);

    // emu::CpuClient
    std::optional<emu::TlbEntry> tlb_fill(std::uint64_t vaddr, emu::MemAccess access) override;
    void syscall() override;
    // mm::MmuNotifier
    void flush_tlb() override;
    void invalidate_code(mm::PhysAddr paddr, std::uint64_t length) override;

private:
    struct PendingFault {
        std::uint64_t addr = 0;
        mm::Access access = mm::Access::Read;
        mm::FaultError error = mm::FaultError::MapError;
    };

    int start_first_process(const std::string& path, const std::vector<std::string>& argv,
                            const std::vector<std::string>& envp);
    void handle_page_fault();
    void handle_exception(unsigned vector);
    // Terminates the current process by signal (the default action of a fatal signal).
    void kill_current(int sig, const std::string& detail);
    // Sends a signal the CPU raised for the current instruction (Linux's force_sig_info):
    // if it is blocked or ignored it is unblocked and reset to SIG_DFL first, so that it
    // cannot be lost. `report` says what caused it, for the line printed if it kills.
    void force_signal(const linux_abi::SigInfo& info, std::string report);
    // Whether the way back to user mode has work: a deliverable signal, a mask to restore,
    // registers rt_sigreturn restored.
    bool signal_work_pending();
    // The way back to user mode after every run (Linux's exit_to_user_mode_loop): installs
    // the registers rt_sigreturn restored, then acts on every pending, unblocked signal.
    void return_to_user();
    // Acts on one dequeued signal; true when a handler frame was set up.
    bool deliver_signal(const proc::QueuedSignal& s);
    // Builds the frame for a handler (Linux's handle_signal); false if it failed, which
    // forces SIGSEGV.
    bool run_handler(const proc::QueuedSignal& s, const linux_abi::KernelSigaction& action);
    std::string describe_rip();
    // The byte address of a fault the CPU reported by page (Linux's si_addr).
    std::uint64_t exact_fault_address(std::uint64_t page, mm::Access access);

    KernelConfig m_config;
    SyscallDispatcher& m_syscalls;
    mm::PhysicalMemory m_pmem;
    mm::PageCache m_page_cache{m_pmem};
    std::uint64_t m_last_inode = 0;
    std::unique_ptr<emu::Cpu> m_cpu;
    std::unique_ptr<proc::Process> m_current;
    std::optional<PendingFault> m_pending_fault;
    // Registers rt_sigreturn took from a frame, installed once the SYSCALL hook is left.
    std::optional<emu::UserState> m_sigreturn_state;
    // Where the `syscall` instruction was when a run stopped in the SYSCALL hook for signal
    // work (RIP is past it then): the instruction a default-action report names.
    std::optional<std::uint64_t> m_syscall_rip;
    bool m_in_sigsuspend = false;
    std::mt19937_64 m_random;
    std::set<std::uint64_t> m_reported_syscalls;
};

}  // namespace os
