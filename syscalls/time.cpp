// Clocks: clock_gettime, gettimeofday, time, clock_getres, nanosleep, clock_nanosleep.
// Time comes from the kernel's Clock: virtual and deterministic by default (sleeping takes
// no host time), the host's with --real-time.
#include "os/sched/clock.h"
#include "syscalls/syscall.h"
#include "syscalls/user_args.h"

namespace syscalls {

namespace {

struct GuestTimespec {
    std::int64_t sec;
    std::int64_t nsec;
};

constexpr std::uint64_t kNsPerSec = 1'000'000'000ull;
// Clock ids; the others (MONOTONIC_RAW 4, BOOTTIME_ALARM 9) are valid and read as monotonic.
constexpr int kClockRealtime = 0, kClockMonotonic = 1, kClockProcessCputime = 2, kClockThreadCputime = 3,
              kClockRealtimeCoarse = 5, kClockMonotonicCoarse = 6, kClockBoottime = 7, kClockRealtimeAlarm = 8,
              kClockTai = 11;

bool valid_clock(int id) { return id >= 0 && id <= 11 && id != 10; }

bool is_realtime(int id) {
    return id == kClockRealtime || id == kClockRealtimeCoarse || id == kClockRealtimeAlarm || id == kClockTai;
}

// The clock's reading in ns. CPU-time clocks read the virtual time the process or
// thread spent on the CPU.
std::uint64_t clock_ns(Context& c, int id) {
    const os::sched::Clock& clock = c.kernel.clock();
    if (is_realtime(id))
        return clock.realtime_ns();
    if (id == kClockProcessCputime)
        return c.proc.cpu_ns;
    if (id == kClockThreadCputime)
        return c.task.cpu_ns;
    return clock.monotonic_ns();
}

GuestTimespec to_timespec(std::uint64_t ns) {
    return GuestTimespec{static_cast<std::int64_t>(ns / kNsPerSec), static_cast<std::int64_t>(ns % kNsPerSec)};
}

SysResult sys_clock_gettime(Context& c, const Args& a) {
    const int id = a.i32(0);
    if (!valid_clock(id))
        return err(Errno::einval);
    const GuestTimespec g = to_timespec(clock_ns(c, id));
    TRY_VOID(c.mm.copy_to_user(a[1], &g, sizeof(g)));
    return 0;
}

SysResult sys_clock_getres(Context& c, const Args& a) {
    const int id = a.i32(0);
    if (!valid_clock(id))
        return err(Errno::einval);
    if (a[1]) {
        // Coarse clocks tick with the scheduler (4 ms at HZ=250); the others are exact.
        const bool coarse = id == kClockRealtimeCoarse || id == kClockMonotonicCoarse;
        const GuestTimespec g{0, coarse ? 4'000'000 : 1};
        TRY_VOID(c.mm.copy_to_user(a[1], &g, sizeof(g)));
    }
    return 0;
}

SysResult sys_gettimeofday(Context& c, const Args& a) {
    if (a[0]) {
        const GuestTimespec ts = to_timespec(c.kernel.clock().realtime_ns());
        const GuestTimespec tv{ts.sec, ts.nsec / 1000};
        TRY_VOID(c.mm.copy_to_user(a[0], &tv, sizeof(tv)));
    }
    if (a[1]) {
        const std::int32_t tz[2] = {0, 0};
        TRY_VOID(c.mm.copy_to_user(a[1], tz, sizeof(tz)));
    }
    return 0;
}

SysResult sys_time(Context& c, const Args& a) {
    const std::int64_t now = static_cast<std::int64_t>(c.kernel.clock().realtime_ns() / kNsPerSec);
    if (a[0])
        TRY_VOID(c.mm.copy_to_user(a[0], &now, sizeof(now)));
    return now;
}

// The common part of nanosleep and clock_nanosleep: sleep until `deadline` (elapsed-time
// ns, kept across the sleep); a signal with a handler interrupts it (EINTR, the time left
// in `rem` for a relative sleep).
SysResult sleep_until(Context& c, std::uint64_t deadline, std::uint64_t rem_addr) {
    const std::uint64_t now = c.kernel.clock().elapsed_ns();
    if (now >= deadline || c.kernel.wake_reason() == os::proc::WakeReason::TimedOut)
        return 0;
    if (c.kernel.signal_pending()) {
        if (rem_addr) {
            const GuestTimespec rem = to_timespec(deadline - now);
            TRY_VOID(c.mm.copy_to_user(rem_addr, &rem, sizeof(rem)));
        }
        return err(Errno::erestart_restartblock);
    }
    return err(c.kernel.sleep(os::proc::WaitChannel{os::proc::WaitKind::Timer, nullptr, 0}, deadline,
                              Errno::erestart_restartblock));
}

SysResult sys_nanosleep(Context& c, const Args& a) {
    if (!c.task.syscall_deadline) {
        const std::uint64_t ns = TRY(read_timespec(c.mm, a[0]));
        c.task.syscall_deadline = c.kernel.clock().elapsed_ns() + ns;
    }
    return sleep_until(c, *c.task.syscall_deadline, a[1]);
}

SysResult sys_clock_nanosleep(Context& c, const Args& a) {
    const int id = a.i32(0);
    constexpr int kTimerAbstime = 1;
    if (id == kClockProcessCputime || id == kClockThreadCputime)
        return err(Errno::eopnotsupp);
    if (id != kClockRealtime && id != kClockMonotonic && id != kClockBoottime && id != kClockTai)
        return err(Errno::einval);
    if (a.i32(1) & ~kTimerAbstime)
        return err(Errno::einval);
    const bool absolute = (a.i32(1) & kTimerAbstime) != 0;
    if (!c.task.syscall_deadline) {
        const std::uint64_t ns = TRY(read_timespec(c.mm, a[2]));
        const std::uint64_t now = c.kernel.clock().elapsed_ns();
        if (absolute) {
            // From the clock's reading to elapsed time.
            const std::uint64_t reading = clock_ns(c, id);
            c.task.syscall_deadline = ns > reading ? now + (ns - reading) : now;
        } else {
            c.task.syscall_deadline = now + ns;
        }
    }
    auto r = sleep_until(c, *c.task.syscall_deadline, absolute ? 0 : a[3]);
    // clock_nanosleep returns the error number instead of setting errno, but the syscall
    // itself returns -EINTR like the others.
    return r;
}

// --- interval timers: ITIMER_REAL counts virtual (or, with --real-time, host) time ---
constexpr int kItimerReal = 0, kItimerVirtual = 1, kItimerProf = 2;

struct GuestItimerval {
    std::int64_t interval_sec, interval_usec, value_sec, value_usec;
};

std::uint64_t timer_left(Context& c) {
    const std::uint64_t now = c.kernel.clock().elapsed_ns();
    const std::uint64_t d = c.proc.itimer_real_deadline;
    return d > now ? d - now : (d ? 1 : 0);
}

void arm_real_timer(Context& c, std::uint64_t value_ns, std::uint64_t interval_ns) {
    c.proc.itimer_real_deadline = value_ns ? c.kernel.clock().elapsed_ns() + value_ns : 0;
    c.proc.itimer_real_interval = value_ns ? interval_ns : 0;
}

SysResult sys_alarm(Context& c, const Args& a) {
    const std::uint64_t left = timer_left(c);
    arm_real_timer(c, static_cast<std::uint64_t>(a.u32(0)) * kNsPerSec, 0);
    // Whole seconds left, rounded to nearest, at least 1 if a timer was pending (alarm(2)).
    std::uint64_t secs = (left + kNsPerSec / 2) / kNsPerSec;
    if (left && !secs)
        secs = 1;
    return static_cast<std::int64_t>(secs);
}

GuestItimerval current_itimer(Context& c) {
    const std::uint64_t left = timer_left(c);
    const std::uint64_t iv = c.proc.itimer_real_interval;
    return GuestItimerval{static_cast<std::int64_t>(iv / kNsPerSec), static_cast<std::int64_t>(iv % kNsPerSec / 1000),
                          static_cast<std::int64_t>(left / kNsPerSec),
                          static_cast<std::int64_t>((left % kNsPerSec + 999) / 1000)};
}

SysResult sys_getitimer(Context& c, const Args& a) {
    const int which = a.i32(0);
    if (which != kItimerReal && which != kItimerVirtual && which != kItimerProf)
        return err(Errno::einval);
    const GuestItimerval v = which == kItimerReal ? current_itimer(c) : GuestItimerval{};
    TRY_VOID(c.mm.copy_to_user(a[1], &v, sizeof(v)));
    return 0;
}

SysResult sys_setitimer(Context& c, const Args& a) {
    const int which = a.i32(0);
    if (which != kItimerReal && which != kItimerVirtual && which != kItimerProf)
        return err(Errno::einval);
    GuestItimerval v{};
    if (a[1]) {
        TRY_VOID(c.mm.copy_from_user(&v, a[1], sizeof(v)));
        if (v.value_sec < 0 || v.value_usec < 0 || v.value_usec >= 1'000'000 || v.interval_sec < 0 ||
            v.interval_usec < 0 || v.interval_usec >= 1'000'000)
            return err(Errno::einval);
    }
    if (which != kItimerReal)
        return err(Errno::einval);  // CPU-time timers are not emulated
    const GuestItimerval old = current_itimer(c);
    const auto ns = [](std::int64_t s, std::int64_t us) {
        return static_cast<std::uint64_t>(s) * kNsPerSec + static_cast<std::uint64_t>(us) * 1000;
    };
    arm_real_timer(c, ns(v.value_sec, v.value_usec), ns(v.interval_sec, v.interval_usec));
    if (a[2])
        TRY_VOID(c.mm.copy_to_user(a[2], &old, sizeof(old)));
    return 0;
}

constexpr SyscallDef kDefs[] = {
    {37, sys_alarm, Support::Full, ""},
    {36, sys_getitimer, Support::Partial, "ITIMER_VIRTUAL and ITIMER_PROF read as disarmed"},
    {38, sys_setitimer, Support::Partial, "ITIMER_REAL only (EINVAL for the CPU-time timers)"},
    {230, sys_clock_nanosleep, Support::Full, "virtual time unless --real-time"},
    {228, sys_clock_gettime, Support::Full, "virtual time unless --real-time"},
    {229, sys_clock_getres, Support::Full, ""},
    {96, sys_gettimeofday, Support::Full, ""},
    {201, sys_time, Support::Full, ""},
    {35, sys_nanosleep, Support::Full, "virtual time unless --real-time"},
};

}  // namespace

std::span<const SyscallDef> time_syscalls() { return kDefs; }

}  // namespace syscalls
