// Process: one guest process (Linux's task_struct for a single-threaded process): its
// address space, descriptors, signal dispositions and identity.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "os/abi/signal.h"
#include "os/fs/file_table.h"
#include "os/fs/host_fd.h"
#include "os/mm/address_space.h"
#include "os/proc/initial_stack.h"
#include "os/proc/signals.h"

namespace os::proc {

// How a process ended: exit(status) or a fatal signal.
struct ExitState {
    int status = 0;      // exit status, when signal == 0
    int signal = 0;      // terminating signal, or 0
    // The shell convention faultline itself exits with: status, or 128 + signal.
    int shell_status() const { return signal ? 128 + signal : status; }
};

struct Rlimit {
    std::uint64_t cur = 0;
    std::uint64_t max = 0;
};
inline constexpr std::uint64_t kRlimInfinity = ~std::uint64_t{0};
inline constexpr int kRlimitStack = 3;
inline constexpr int kRlimitNofile = 7;
inline constexpr int kNumRlimits = 16;

// Linux's defaults for a process started from a login shell (init_task limits).
std::array<Rlimit, kNumRlimits> default_rlimits();

// The alternate signal stack (Linux's sas_ss_sp, sas_ss_size, sas_ss_flags) as a stack_t.
using AltStack = linux_abi::StackT;

struct RseqRegistration {
    std::uint64_t addr = 0;
    std::uint32_t length = 0;
    std::uint32_t signature = 0;
};

class Process {
public:
    Process(int pid, int ppid, std::unique_ptr<mm::AddressSpace> mm, fs::FileTable files);

    int pid() const { return m_pid; }
    int ppid() const { return m_ppid; }
    mm::AddressSpace& mm() { return *m_mm; }
    const mm::AddressSpace& mm() const { return *m_mm; }
    fs::FileTable& files() { return m_files; }
    // The working directory, as a host directory descriptor that relative paths resolve
    // against (openat); set_cwd takes ownership.
    int cwd_fd() const { return m_cwd.get(); }
    void set_cwd(fs::HostFd dir) { m_cwd = std::move(dir); }

    // The program's name (Linux comm: basename of the executable, 15 characters at most).
    const std::string& comm() const { return m_comm; }
    // Absolute host path of the executable (/proc/self/exe).
    const std::string& exe_path() const { return m_exe_path; }
    void set_executable(const std::string& absolute_path);
    void set_comm(const std::string& name) { m_comm = name.substr(0, 15); }

    linux_abi::KernelSigaction& sigaction(int sig) { return m_sigactions[sig - 1]; }
    std::uint64_t& signal_mask() { return m_signal_mask; }
    // Signals sent but not yet acted on (blocked, or sent during a syscall), with their
    // siginfo; pending_signals() is just the set.
    PendingSignals& signal_queue() { return m_pending_signals; }
    std::uint64_t pending_signals() const { return m_pending_signals.set(); }
    // The mask rt_sigsuspend replaced, to be restored on the way out (Linux's
    // saved_sigmask with TIF_RESTORE_SIGMASK).
    std::optional<std::uint64_t> saved_sigmask;
    // The last trap's number, error code and fault address (for sigcontext).
    TrapInfo trap;

    std::uint64_t clear_child_tid = 0;
    std::uint64_t robust_list_head = 0;
    std::uint64_t robust_list_len = 0;
    std::optional<RseqRegistration> rseq;
    std::uint64_t umask = 022;
    int pdeath_signal = 0;
    int dumpable = 1;
    bool child_subreaper = false;
    bool no_new_privs = false;
    Credentials creds;
    // sigaltstack(). At first none, with flags 0 (what a program started from a shell finds
    // in uc_stack); sigaltstack() still reports SS_DISABLE for it.
    AltStack alt_stack{0, 0, 0, 0};
    std::array<Rlimit, kNumRlimits> rlimits = default_rlimits();

    bool exited() const { return m_exit.has_value(); }
    const ExitState& exit_state() const { return *m_exit; }
    void set_exit(ExitState e) { m_exit = e; }

private:
    int m_pid;
    int m_ppid;
    std::unique_ptr<mm::AddressSpace> m_mm;
    fs::FileTable m_files;
    fs::HostFd m_cwd;
    std::string m_comm;
    std::string m_exe_path;
    std::array<linux_abi::KernelSigaction, linux_abi::kNumSignals> m_sigactions{};
    std::uint64_t m_signal_mask = 0;
    PendingSignals m_pending_signals;
    std::optional<ExitState> m_exit;
};

}  // namespace os::proc
