// SyscallTracer: the output of `--trace-syscalls`, in strace -f -o's format. Every line
// starts with the thread id padded to five columns; a syscall line pads its call to
// column 40 before "= result":
//
//   2     openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
//   3     --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=4, ...} ---
//   3     +++ exited with 0 +++
//
// The syscall layer formats the calls (it knows the ABI); the kernel adds the signals it
// delivers and the processes that end. Lines go to stderr, to one file, or to one file per
// process (DIR/<pid>.trace), buffered: a process's lines are written out at the latest when
// it ends, everything when the tracer is destroyed. Nothing in it depends on the host
// (addresses, time), so the same run gives the same bytes.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "os/abi/signal.h"
#include "os/proc/process.h"
#include "os/trace/trace_file.h"

namespace os::trace {

class SyscallTracer {
public:
    // `destination`: "-" for stderr; a directory (existing, or named with a trailing '/',
    // then created) for one file per process; any other path for one file. The message
    // says why it cannot be opened.
    static std::expected<std::unique_ptr<SyscallTracer>, std::string> open(const std::string& destination);

    SyscallTracer(const SyscallTracer&) = delete;
    SyscallTracer& operator=(const SyscallTracer&) = delete;
    ~SyscallTracer();

    // A syscall starts. What the kernel reports while it runs (a process it ends: exit_group,
    // kill) follows the syscall's own line, as in strace.
    void syscall_begin() { m_in_syscall = true; }
    // The syscall completed (or a signal interrupted it): `call` is "name(args)", `result`
    // what follows "= " ("3", "-1 ENOENT (No such file or directory)", "?").
    void syscall(int pid, int tid, std::string_view call, std::string_view result);
    // The syscall ended without a line (it sleeps, and is shown when it completes).
    void syscall_end();
    // A signal is about to be acted on by thread `tid`.
    void signal_delivered(int pid, int tid, const linux_abi::SigInfo& info);
    // Process `pid` ended: its last line; its lines are written out (and its own file closed).
    void process_exited(int pid, const proc::ExitState& state);
    void flush();

private:
    enum class Mode { Shared, PerProcess };
    // Whether a line is the process's last (its file is then written out and closed).
    enum class Line : std::uint8_t { Event, Exit };
    // A line the kernel reported during a syscall, written after it.
    struct Deferred {
        int pid;
        std::string text;
        Line kind;
    };

    SyscallTracer(Mode mode, std::string directory, std::optional<TraceFile> shared);
    // Where process `pid`'s lines go (its file is created on first use).
    TraceFile& file_for(int pid);
    void write_line(int pid, int tid, std::string_view text);
    void event(int pid, int tid, std::string_view text, Line kind);
    void finish_exit(int pid);
    void write_deferred();

    Mode m_mode;
    std::string m_directory;              // PerProcess
    std::optional<TraceFile> m_shared;    // Shared
    std::map<int, TraceFile> m_files;     // PerProcess: open files by pid
    std::set<int> m_created;              // PerProcess: pids whose file exists (a reused pid appends)
    std::string m_line;                   // scratch for the line being built
    bool m_in_syscall = false;
    std::vector<Deferred> m_deferred;
};

}  // namespace os::trace
