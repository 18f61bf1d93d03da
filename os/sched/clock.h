// Clock: the time the guest sees. By default virtual and deterministic: it starts when the
// run starts and advances by a fixed amount per system call, page fault and scheduling quantum,
// and jumps to the next deadline when every task sleeps (so sleep(10) takes no host time).
// With real time it follows the host's monotonic clock, and sleeping tasks make the host
// wait. CLOCK_REALTIME is the host's wall-clock time at start-up plus the elapsed time.
#pragma once

#include <cstdint>

namespace os::sched {

class Clock {
public:
    // What one system call, one page fault and one scheduling quantum cost in virtual time.
    static constexpr std::uint64_t kSyscallNs = 1'000;
    static constexpr std::uint64_t kFaultNs = 500;
    static constexpr std::uint64_t kQuantumNs = 1'000'000;
    // Where CLOCK_MONOTONIC starts (as if the machine had been up this long).
    static constexpr std::uint64_t kMonotonicStartNs = 1'000'000'000'000ull;

    explicit Clock(bool real_time);

    bool real_time() const { return m_real_time; }
    // Nanoseconds since the run started.
    std::uint64_t elapsed_ns() const;
    std::uint64_t monotonic_ns() const { return kMonotonicStartNs + elapsed_ns(); }
    std::uint64_t realtime_ns() const { return m_realtime_base_ns + elapsed_ns(); }

    void advance(std::uint64_t ns) { m_virtual_ns += ns; }
    // Moves to `elapsed` (virtual), or waits on the host until then (real time).
    void advance_to(std::uint64_t elapsed);

private:
    bool m_real_time;
    std::uint64_t m_virtual_ns = 0;
    std::uint64_t m_host_start_ns = 0;
    std::uint64_t m_realtime_base_ns = 0;
};

}  // namespace os::sched
