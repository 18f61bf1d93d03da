// Process: one guest process, a thread group (what Linux's signal_struct, sighand_struct,
// mm_struct, files_struct and fs_struct hold together): its address space, descriptors,
// signal dispositions, identity, children and how it ended. Its threads are Tasks.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "os/abi/signal.h"
#include "os/fs/file_table.h"
#include "os/fs/host_fd.h"
#include "os/mm/address_space.h"
#include "os/mm/mem_cgroup.h"
#include "os/proc/initial_stack.h"
#include "os/proc/signals.h"
#include "os/proc/task.h"

namespace os::proc {

// How a process ended: exit(status) or a fatal signal.
struct ExitState {
    int status = 0;      // exit status, when signal == 0
    int signal = 0;      // terminating signal, or 0
    bool core_dumped = false;
    // The wait status wait4() reports (W_EXITCODE / signal | WCOREFLAG).
    int wait_status() const { return signal ? (signal | (core_dumped ? 0x80 : 0)) : (status & 0xff) << 8; }
    // The shell convention faultline itself exits with: status, or 128 + signal.
    int shell_status() const { return signal ? 128 + signal : status; }
};

struct Rlimit {
    std::uint64_t cur = 0;
    std::uint64_t max = 0;
};
inline constexpr std::uint64_t kRlimInfinity = ~std::uint64_t{0};
inline constexpr int kRlimitStack = 3;
inline constexpr int kRlimitNproc = 6;
inline constexpr int kRlimitNofile = 7;
inline constexpr int kNumRlimits = 16;

// Linux's defaults for a process started from a login shell (init_task limits).
std::array<Rlimit, kNumRlimits> default_rlimits();

// The signal dispositions (Linux's sighand_struct), shared with CLONE_SIGHAND.
struct SignalHandlers {
    std::array<linux_abi::KernelSigaction, linux_abi::kNumSignals> actions{};
    linux_abi::KernelSigaction& operator[](int sig) { return actions[sig - 1]; }
};

// The working directory and umask (Linux's fs_struct), shared with CLONE_FS.
struct FsContext {
    fs::HostFd cwd;  // a host directory descriptor that relative paths resolve against
    std::uint64_t umask = 022;
};

class Process {
public:
    Process(int pid, int ppid, std::shared_ptr<mm::AddressSpace> mm, std::shared_ptr<fs::FileTable> files);
    // The first process: a fresh descriptor table, dispositions and working directory.
    Process(int pid, int ppid, std::unique_ptr<mm::AddressSpace> mm, fs::FileTable files);

    int pid() const { return m_pid; }
    int ppid() const { return m_ppid; }
    void set_ppid(int ppid) { m_ppid = ppid; }
    mm::AddressSpace& mm() { return *m_mm; }
    const mm::AddressSpace& mm() const { return *m_mm; }
    const std::shared_ptr<mm::AddressSpace>& mm_ptr() const { return m_mm; }
    void set_mm(std::shared_ptr<mm::AddressSpace> mm) { m_mm = std::move(mm); }
    fs::FileTable& files() { return *m_files; }
    const std::shared_ptr<fs::FileTable>& files_ptr() const { return m_files; }
    void set_files(std::shared_ptr<fs::FileTable> files) { m_files = std::move(files); }
    // The working directory as a host directory descriptor; set_cwd takes ownership.
    int cwd_fd() const { return m_fs->cwd.get(); }
    void set_cwd(fs::HostFd dir) { m_fs->cwd = std::move(dir); }
    std::uint64_t& umask() { return m_fs->umask; }
    const std::shared_ptr<FsContext>& fs_ptr() const { return m_fs; }
    void set_fs(std::shared_ptr<FsContext> fs) { m_fs = std::move(fs); }

    // The program's name (Linux comm: basename of the executable, 15 characters at most).
    const std::string& comm() const { return m_comm; }
    // Absolute host path of the executable (/proc/self/exe).
    const std::string& exe_path() const { return m_exe_path; }
    void set_executable(const std::string& absolute_path);
    void set_comm(const std::string& name) { m_comm = name.substr(0, 15); }

    linux_abi::KernelSigaction& sigaction(int sig) { return (*m_sighand)[sig]; }
    const std::shared_ptr<SignalHandlers>& sighand_ptr() const { return m_sighand; }
    void set_sighand(std::shared_ptr<SignalHandlers> h) { m_sighand = std::move(h); }
    // Signals sent to the process as a whole (shared_pending).
    PendingSignals& shared_pending() { return m_shared_pending; }

    // Process groups and sessions.
    int pgid = 0;
    int sid = 0;
    // The signal the parent gets when this process ends (SIGCHLD, or clone's choice).
    int exit_signal = 17;
    // Set by execve (setpgid on a child that has exec'd is EACCES).
    bool did_exec = false;

    // Threads, in creation order (tids), and children (pids), in creation order.
    std::vector<int> threads;
    std::vector<int> children;

    // ITIMER_REAL (alarm, setitimer): when it next fires, in elapsed virtual ns (0: off),
    // and its period (0: once).
    std::uint64_t itimer_real_deadline = 0;
    std::uint64_t itimer_real_interval = 0;

    // For --stats: faults of the programs this process ran before its last execve, syscalls
    // made, and the highest resident set of any of its programs (pages).
    mm::FaultCounters earlier_faults;
    std::uint64_t syscalls = 0;
    std::uint64_t peak_resident_pages = 0;

    // The memory cgroup its pages are charged to (--limit; os/kernel_memcg.cpp).
    mm::MemcgId memcg = mm::kRootMemcg;

    int pdeath_signal = 0;
    int dumpable = 1;
    bool child_subreaper = false;
    bool no_new_privs = false;
    Credentials creds;
    std::array<Rlimit, kNumRlimits> rlimits = default_rlimits();

    // How the process ended; set when the group starts exiting. A zombie has ended and
    // waits for its parent to reap it.
    bool exited() const { return m_exit.has_value(); }
    const ExitState& exit_state() const { return *m_exit; }
    void set_exit(ExitState e) { m_exit = e; }
    bool zombie = false;
    // A zombie whose state a waitid(WNOWAIT) already reported stays reapable; one reaped is
    // gone. Minor and major faults of reaped children (getrusage RUSAGE_CHILDREN).
    std::uint64_t children_minflt = 0, children_majflt = 0;
    // CPU time (virtual ns while one of its threads was on the CPU), and that of reaped
    // children (at exit, the process's own is added there too, as its minor faults are).
    std::uint64_t cpu_ns = 0;
    std::uint64_t children_cpu_ns = 0;

private:
    int m_pid;
    int m_ppid;
    std::shared_ptr<mm::AddressSpace> m_mm;
    std::shared_ptr<fs::FileTable> m_files;
    std::shared_ptr<FsContext> m_fs;
    std::shared_ptr<SignalHandlers> m_sighand;
    std::string m_comm;
    std::string m_exe_path;
    PendingSignals m_shared_pending;
    std::optional<ExitState> m_exit;
};

}  // namespace os::proc
