#include "os/proc/process.h"

#include <fcntl.h>

namespace os::proc {

Process::Process(int pid, int ppid, std::shared_ptr<mm::AddressSpace> mm, std::shared_ptr<fs::FileTable> files)
    : m_pid(pid), m_ppid(ppid), m_mm(std::move(mm)), m_files(std::move(files)),
      m_fs(std::make_shared<FsContext>()), m_sighand(std::make_shared<SignalHandlers>()) {
    m_fs->cwd = fs::HostFd(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
}

Process::Process(int pid, int ppid, std::unique_ptr<mm::AddressSpace> mm, fs::FileTable files)
    : Process(pid, ppid, std::shared_ptr<mm::AddressSpace>(std::move(mm)),
              std::make_shared<fs::FileTable>(std::move(files))) {}

std::array<Rlimit, kNumRlimits> default_rlimits() {
    std::array<Rlimit, kNumRlimits> r;
    r.fill(Rlimit{kRlimInfinity, kRlimInfinity});
    r[kRlimitStack] = {8ull << 20, kRlimInfinity};
    r[4] = {0, kRlimInfinity};             // RLIMIT_CORE
    r[kRlimitNproc] = {256, 256};          // RLIMIT_NPROC (--max-procs)
    r[kRlimitNofile] = {1024, 1024};       // the descriptor table's size
    r[8] = {8ull << 20, 8ull << 20};       // RLIMIT_MEMLOCK
    r[11] = {0x1f4d, 0x1f4d};              // RLIMIT_SIGPENDING
    r[12] = {819200, 819200};              // RLIMIT_MSGQUEUE
    r[13] = {0, 0};                        // RLIMIT_NICE
    r[14] = {0, 0};                        // RLIMIT_RTPRIO
    return r;
}

void Process::set_executable(const std::string& absolute_path) {
    m_exe_path = absolute_path;
    auto slash = absolute_path.find_last_of('/');
    m_comm = absolute_path.substr(slash == std::string::npos ? 0 : slash + 1, 15);
}

}  // namespace os::proc
