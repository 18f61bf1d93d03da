#include "os/trace/fault_log.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace os::trace {

FaultLog::FaultLog(std::string dir) : m_dir(std::move(dir)) {
    // mkdir -p: every missing directory on the way.
    for (std::size_t slash = m_dir.find('/', 1); ; slash = m_dir.find('/', slash + 1)) {
        const std::string part = m_dir.substr(0, slash);
        if (!part.empty() && ::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) {
            m_error = std::strerror(errno);
            return;
        }
        if (slash == std::string::npos)
            break;
    }
    struct stat st {};
    if (::stat(m_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        m_error = "not a directory";
}

BufferedFile& FaultLog::file_for(int pid) {
    auto& f = m_files[pid];
    if (!f) {
        f = std::make_unique<BufferedFile>(m_dir + "/" + std::to_string(pid) + ".faults.jsonl");
        if (!f->ok())
            spdlog::error("fault log {}: {}", f->path(), f->error());
    }
    return *f;
}

void FaultLog::record(const FaultEvent& e) {
    file_for(e.pid).append_with(json_line_bound(e), [&](char* at) { return write_json_line(e, at); });
}

void FaultLog::close(int pid) {
    auto it = m_files.find(pid);
    if (it == m_files.end())
        return;
    it->second->flush();
    if (!it->second->ok())
        spdlog::error("fault log {}: {}", it->second->path(), it->second->error());
    m_files.erase(it);
}

}  // namespace os::trace
