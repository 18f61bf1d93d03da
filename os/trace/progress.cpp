#include "os/trace/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace os::trace {

bool Progress::wanted() { return ::isatty(STDERR_FILENO) == 1 && std::getenv("CI") == nullptr; }

Progress::Progress() = default;

Progress::~Progress() { clear(); }

bool Progress::due() {
    if ((++m_calls & 255) != 0)
        return false;
    const Clock::time_point now = Clock::now();
    return now - m_start >= std::chrono::seconds(1) && now - m_last_draw >= std::chrono::milliseconds(200);
}

void Progress::draw(const ProgressSample& s) {
    const Clock::time_point now = Clock::now();
    const double dt = m_drawn ? std::chrono::duration<double>(now - m_last_draw).count()
                              : std::chrono::duration<double>(now - m_start).count();
    const double rate = dt > 0 ? static_cast<double>(s.faults - m_last_faults) / dt : 0;
    const std::string line =
        fmt::format("\r\x1b[2Kfaultline: {:.3f}s virtual, {} process{}, {} MiB resident, {} MiB swap, {:.0f} faults/s",
                    static_cast<double>(s.virtual_ns) / 1e9, s.processes, s.processes == 1 ? "" : "es",
                    s.resident_pages * 4096 >> 20, s.swap_pages * 4096 >> 20, rate);
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
    m_drawn = true;
    m_last_draw = now;
    m_last_faults = s.faults;
}

void Progress::clear() {
    if (!m_drawn)
        return;
    std::fputs("\r\x1b[2K", stderr);
    std::fflush(stderr);
    m_drawn = false;
}

}  // namespace os::trace
