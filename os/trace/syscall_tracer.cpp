#include "os/trace/syscall_tracer.h"

#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "os/trace/signal_text.h"

namespace os::trace {

namespace {

// strace's -a default: the "= result" of a syscall line starts at this column.
constexpr std::size_t kResultColumn = 40;

std::string open_error(const std::string& path, int error) {
    return fmt::format("cannot open {}: {}", path, std::strerror(error));
}

}  // namespace

std::expected<std::unique_ptr<SyscallTracer>, std::string> SyscallTracer::open(const std::string& destination) {
    if (destination == "-")
        return std::unique_ptr<SyscallTracer>(new SyscallTracer(Mode::Shared, "", TraceFile::standard_error()));
    std::error_code ec;
    if (destination.ends_with('/') || std::filesystem::is_directory(destination, ec)) {
        std::filesystem::create_directories(destination, ec);
        if (ec)
            return std::unexpected(fmt::format("cannot create directory {}: {}", destination, ec.message()));
        std::string dir = destination;
        while (dir.size() > 1 && dir.ends_with('/'))
            dir.pop_back();
        return std::unique_ptr<SyscallTracer>(new SyscallTracer(Mode::PerProcess, dir, std::nullopt));
    }
    auto file = TraceFile::create(destination, TraceFile::Open::Truncate);
    if (!file)
        return std::unexpected(open_error(destination, file.error()));
    return std::unique_ptr<SyscallTracer>(new SyscallTracer(Mode::Shared, "", std::move(*file)));
}

SyscallTracer::SyscallTracer(Mode mode, std::string directory, std::optional<TraceFile> shared)
    : m_mode(mode), m_directory(std::move(directory)), m_shared(std::move(shared)) {}

SyscallTracer::~SyscallTracer() { flush(); }

TraceFile& SyscallTracer::file_for(int pid) {
    if (m_mode == Mode::Shared)
        return *m_shared;
    auto it = m_files.find(pid);
    if (it != m_files.end())
        return it->second;
    const std::string path = fmt::format("{}/{}.trace", m_directory, pid);
    const bool again = !m_created.insert(pid).second;
    auto file = TraceFile::create(path, again ? TraceFile::Open::Append : TraceFile::Open::Truncate);
    if (!file) {
        spdlog::error("syscall trace: {}", open_error(path, file.error()));
        return m_files.emplace(pid, TraceFile::discard(path)).first->second;
    }
    return m_files.emplace(pid, std::move(*file)).first->second;
}

void SyscallTracer::write_line(int pid, int tid, std::string_view text) {
    m_line.clear();
    fmt::format_to(std::back_inserter(m_line), "{:<5} {}\n", tid, text);
    file_for(pid).append(m_line);
}

void SyscallTracer::syscall(int pid, int tid, std::string_view call, std::string_view result) {
    m_line.clear();
    fmt::format_to(std::back_inserter(m_line), "{:<5} {} ", tid, call);
    if (m_line.size() < kResultColumn)
        m_line.append(kResultColumn - m_line.size(), ' ');
    m_line += "= ";
    m_line += result;
    m_line += '\n';
    file_for(pid).append(m_line);
    syscall_end();
}

void SyscallTracer::syscall_end() {
    m_in_syscall = false;
    write_deferred();
}

void SyscallTracer::signal_delivered(int pid, int tid, const linux_abi::SigInfo& info) {
    // A tracer never sees SIGKILL delivered, only the death it causes (as strace).
    if (info.signo == static_cast<int>(linux_abi::Signal::sigkill))
        return;
    event(pid, tid, fmt::format("--- {} {} ---", signal_name(info.signo), siginfo_text(info)), Line::Event);
}

void SyscallTracer::process_exited(int pid, const proc::ExitState& state) {
    event(pid, pid, fmt::format("+++ {} +++", exit_text(state)), Line::Exit);
}

void SyscallTracer::event(int pid, int tid, std::string_view text, Line kind) {
    if (m_in_syscall) {
        m_deferred.push_back(Deferred{pid, fmt::format("{:<5} {}\n", tid, text), kind});
        return;
    }
    write_line(pid, tid, text);
    if (kind == Line::Exit)
        finish_exit(pid);
}

void SyscallTracer::finish_exit(int pid) {
    if (m_mode == Mode::Shared)
        m_shared->flush();
    else
        m_files.erase(pid);  // flushed and closed
}

void SyscallTracer::write_deferred() {
    std::vector<Deferred> lines = std::move(m_deferred);
    m_deferred.clear();
    for (const Deferred& d : lines) {
        file_for(d.pid).append(d.text);
        if (d.kind == Line::Exit)
            finish_exit(d.pid);
    }
}

void SyscallTracer::flush() {
    write_deferred();
    if (m_shared)
        m_shared->flush();
    for (auto& [pid, file] : m_files)
        file.flush();
}

}  // namespace os::trace
