// Progress: the one-line live status a long run shows on a terminal (stderr): virtual time,
// processes, resident memory, faults per second. Never on a pipe or a file, never in CI.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace os::trace {

struct ProgressSample {
    std::uint64_t virtual_ns = 0;
    std::uint64_t processes = 0;
    std::uint64_t resident_pages = 0;
    std::uint64_t swap_pages = 0;
    std::uint64_t faults = 0;  // total so far
};

class Progress {
public:
    // Enabled when stderr is a terminal and the CI variable is not set.
    static bool wanted();
    Progress();
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // Whether the line should be redrawn now: cheap enough to ask often (the host clock is
    // read every 256 calls); true at most five times a second, after the first second.
    bool due();
    void draw(const ProgressSample& s);
    // Erases the line (before the run's own last messages).
    void clear();

private:
    using Clock = std::chrono::steady_clock;
    Clock::time_point m_start = Clock::now();
    Clock::time_point m_last_draw{};
    std::uint64_t m_last_faults = 0;
    std::uint64_t m_calls = 0;
    bool m_drawn = false;
};

}  // namespace os::trace
