#include "os/trace/access_sampler.h"

#include <fmt/format.h>

#include "os/trace/fault_event.h"

namespace os::trace {

void AccessSampler::advance(std::uint64_t now) {
    if (m_next_due == 0)
        m_next_due = m_period_ns;
    while (m_next_due <= now)
        m_next_due += m_period_ns;
}

void AccessSampler::record(std::uint64_t seq, std::uint64_t now, int pid, const std::string& comm,
                           const std::vector<mm::PageRun>& runs) {
    auto& f = m_files[pid];
    if (!f)
        f = std::make_unique<BufferedFile>(m_dir + "/" + std::to_string(pid) + ".access.jsonl");
    std::uint64_t pages = 0;
    for (const mm::PageRun& r : runs)
        pages += r.pages;
    std::string line;
    fmt::format_to(std::back_inserter(line), "{{\"seq\":{},\"time_ns\":{},\"pid\":{},\"comm\":", seq, now, pid);
    append_json_string(line, comm);
    fmt::format_to(std::back_inserter(line), ",\"period_ns\":{},\"pages\":{},\"runs\":[", m_period_ns, pages);
    for (std::size_t i = 0; i < runs.size(); ++i)
        fmt::format_to(std::back_inserter(line), "{}[{},{}]", i ? "," : "", runs[i].start, runs[i].pages);
    line += "]}\n";
    f->append(line);
}

void AccessSampler::close(int pid) { m_files.erase(pid); }

}  // namespace os::trace
