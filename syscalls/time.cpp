// Clocks: clock_gettime, gettimeofday, time, clock_getres, nanosleep. They read the host's
// clocks (a virtual clock for deterministic runs comes with the scheduler).
#include <sys/time.h>
#include <time.h>

#include "os/fs/host_errno.h"
#include "syscalls/syscall.h"

namespace syscalls {

namespace {

struct GuestTimespec {
    std::int64_t sec;
    std::int64_t nsec;
};

bool valid_clock(int id) { return id >= 0 && id <= 11 && id != 10; }

SysResult sys_clock_gettime(Context& c, const Args& a) {
    const int id = a.i32(0);
    if (!valid_clock(id))
        return err(Errno::einval);
    struct timespec ts {};
    if (::clock_gettime(id, &ts) != 0)
        return err(os::fs::host_errno());
    const GuestTimespec g{ts.tv_sec, ts.tv_nsec};
    TRY_VOID(c.mm.copy_to_user(a[1], &g, sizeof(g)));
    return 0;
}

SysResult sys_clock_getres(Context& c, const Args& a) {
    const int id = a.i32(0);
    if (!valid_clock(id))
        return err(Errno::einval);
    struct timespec ts {};
    if (::clock_getres(id, &ts) != 0)
        return err(os::fs::host_errno());
    if (a[1]) {
        const GuestTimespec g{ts.tv_sec, ts.tv_nsec};
        TRY_VOID(c.mm.copy_to_user(a[1], &g, sizeof(g)));
    }
    return 0;
}

SysResult sys_gettimeofday(Context& c, const Args& a) {
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    if (a[0]) {
        const GuestTimespec tv{ts.tv_sec, ts.tv_nsec / 1000};
        TRY_VOID(c.mm.copy_to_user(a[0], &tv, sizeof(tv)));
    }
    if (a[1]) {
        const std::int32_t tz[2] = {0, 0};
        TRY_VOID(c.mm.copy_to_user(a[1], tz, sizeof(tz)));
    }
    return 0;
}

SysResult sys_time(Context& c, const Args& a) {
    const std::int64_t now = ::time(nullptr);
    if (a[0])
        TRY_VOID(c.mm.copy_to_user(a[0], &now, sizeof(now)));
    return now;
}

SysResult sys_nanosleep(Context& c, const Args& a) {
    GuestTimespec req{};
    TRY_VOID(c.mm.copy_from_user(&req, a[0], sizeof(req)));
    if (req.sec < 0 || req.nsec < 0 || req.nsec >= 1'000'000'000)
        return err(Errno::einval);
    struct timespec ts {req.sec, req.nsec};
    while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return 0;
}

SysResult sys_clock_nanosleep(Context& c, const Args& a) {
    const int id = a.i32(0);
    constexpr int kTimerAbstime = 1;
    if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC && id != CLOCK_BOOTTIME && id != CLOCK_TAI)
        return err(id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID ? Errno::eopnotsupp : Errno::einval);
    if (a.i32(1) & ~kTimerAbstime)
        return err(Errno::einval);
    GuestTimespec req{};
    TRY_VOID(c.mm.copy_from_user(&req, a[2], sizeof(req)));
    if (req.sec < 0 || req.nsec < 0 || req.nsec >= 1'000'000'000)
        return err(Errno::einval);
    struct timespec ts {req.sec, req.nsec};
    while (int r = ::clock_nanosleep(id, a.i32(1), &ts, &ts)) {
        if (r != EINTR)
            return err(os::fs::host_errno(r));
    }
    return 0;
}

constexpr SyscallDef kDefs[] = {
    {230, sys_clock_nanosleep, Support::Partial, "sleeps on the host; the only task blocks"},
    {228, sys_clock_gettime, Support::Full, "host clocks"},
    {229, sys_clock_getres, Support::Full, ""},
    {96, sys_gettimeofday, Support::Full, ""},
    {201, sys_time, Support::Full, ""},
    {35, sys_nanosleep, Support::Partial, "sleeps on the host; the only task blocks"},
};

}  // namespace

std::span<const SyscallDef> time_syscalls() { return kDefs; }

}  // namespace syscalls
