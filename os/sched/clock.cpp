#include "os/sched/clock.h"

#include <time.h>

namespace os::sched {

namespace {

std::uint64_t host_ns(clockid_t id) {
    timespec ts{};
    ::clock_gettime(id, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace

Clock::Clock(bool real_time)
    : m_real_time(real_time), m_host_start_ns(host_ns(CLOCK_MONOTONIC)), m_realtime_base_ns(host_ns(CLOCK_REALTIME)) {}

std::uint64_t Clock::elapsed_ns() const {
    if (m_real_time)
        return host_ns(CLOCK_MONOTONIC) - m_host_start_ns;
    return m_virtual_ns;
}

void Clock::advance_to(std::uint64_t elapsed) {
    if (!m_real_time) {
        if (elapsed > m_virtual_ns)
            m_virtual_ns = elapsed;
        return;
    }
    const std::uint64_t target = m_host_start_ns + elapsed;
    timespec ts{static_cast<time_t>(target / 1'000'000'000ull), static_cast<long>(target % 1'000'000'000ull)};
    while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
    }
}

}  // namespace os::sched
