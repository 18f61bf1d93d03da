// futex for a single-threaded process (Linux's kernel/futex/syscalls.c, waitwake.c): no
// other thread can be waiting, so a wake wakes nobody (0), and a wait whose value still
// matches can only end by its timeout; without one it is a deadlock. The checks and
// errors are Linux's. Priority-inheritance operations are not implemented (ENOSYS).
#include <time.h>

#include "syscalls/syscall.h"

namespace syscalls {

namespace {

constexpr int kFutexWait = 0, kFutexWake = 1, kFutexRequeue = 3, kFutexCmpRequeue = 4, kFutexWakeOp = 5,
              kFutexWaitBitset = 9, kFutexWakeBitset = 10;
constexpr int kFutexPrivate = 128, kFutexClockRealtime = 256;
constexpr int kFutexCmdMask = ~(kFutexPrivate | kFutexClockRealtime);

struct GuestTimespec {
    std::int64_t sec;
    std::int64_t nsec;
};

KResult<std::uint32_t> get_futex_value(Context& c, std::uint64_t addr) {
    std::uint32_t v = 0;
    TRY_VOID(c.mm.copy_from_user(&v, addr, sizeof v));
    return v;
}

// futex_atomic_op_inuser(): the FUTEX_WAKE_OP operation on *uaddr2; returns whether its
// comparison holds (it would decide whether waiters on uaddr2 are woken).
KResult<bool> wake_op(Context& c, std::uint64_t uaddr2, std::uint32_t encoded) {
    const unsigned op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
    // The 12-bit fields are signed.
    auto sext12 = [](std::uint32_t v) { return static_cast<std::int32_t>(v << 20) >> 20; };
    std::int32_t oparg = sext12((encoded >> 12) & 0xfff);
    const std::int32_t cmparg = sext12(encoded & 0xfff);
    std::uint32_t operand = static_cast<std::uint32_t>(oparg);
    if (encoded & (8u << 28)) {  // FUTEX_OP_OPARG_SHIFT: Linux warns and masks a bad shift
        if (oparg < 0 || oparg > 31)
            oparg &= 31;
        operand = 1u << oparg;
    }
    const std::uint32_t old = TRY(get_futex_value(c, uaddr2));
    std::uint32_t val = 0;
    switch (op) {
    case 0: val = operand; break;         // SET
    case 1: val = old + operand; break;   // ADD
    case 2: val = old | operand; break;   // OR
    case 3: val = old & ~operand; break;  // ANDN
    case 4: val = old ^ operand; break;   // XOR
    default: return err(Errno::enosys);
    }
    TRY_VOID(c.mm.copy_to_user(uaddr2, &val, sizeof val));
    const auto o = static_cast<std::int32_t>(old), a = cmparg;
    switch (cmp) {
    case 0: return o == a;
    case 1: return o != a;
    case 2: return o < a;
    case 3: return o >= a;
    case 4: return o <= a;
    case 5: return o > a;
    default: return err(Errno::enosys);
    }
}

// A wait that nothing can end early: sleeps out the timeout (ETIMEDOUT), or is a deadlock.
SysResult wait_forever_or_timeout(Context& c, int cmd, int op, std::uint64_t timeout_addr) {
    if (!timeout_addr) {
        c.kernel.deadlock("in futex wait");
        return err(Errno::eintr);
    }
    GuestTimespec t{};
    TRY_VOID(c.mm.copy_from_user(&t, timeout_addr, sizeof t));
    if (t.sec < 0 || t.nsec < 0 || t.nsec >= 1'000'000'000)
        return err(Errno::einval);
    struct timespec ts {t.sec, t.nsec};
    // FUTEX_WAIT's timeout is relative (on CLOCK_MONOTONIC); FUTEX_WAIT_BITSET's absolute,
    // on CLOCK_REALTIME with FUTEX_CLOCK_REALTIME.
    const clockid_t clock = (op & kFutexClockRealtime) ? CLOCK_REALTIME : CLOCK_MONOTONIC;
    const int flags = cmd == kFutexWaitBitset ? TIMER_ABSTIME : 0;
    while (::clock_nanosleep(clock, flags, &ts, &ts) == EINTR) {
    }
    return err(Errno::etimedout);
}

SysResult sys_futex(Context& c, const Args& a) {
    const std::uint64_t uaddr = a[0];
    const int op = a.i32(1);
    const int cmd = op & kFutexCmdMask;
    const std::uint32_t val = a.u32(2);
    if ((op & kFutexClockRealtime) && cmd != kFutexWait && cmd != kFutexWaitBitset)
        return err(Errno::enosys);
    switch (cmd) {
    case kFutexWait:
    case kFutexWaitBitset: {
        if (cmd == kFutexWaitBitset && a.u32(5) == 0)
            return err(Errno::einval);
        if (uaddr % 4)
            return err(Errno::einval);
        if (TRY(get_futex_value(c, uaddr)) != val)
            return err(Errno::eagain);
        return wait_forever_or_timeout(c, cmd, op, a[3]);
    }
    case kFutexWake:
    case kFutexWakeBitset:
        if (cmd == kFutexWakeBitset && a.u32(5) == 0)
            return err(Errno::einval);
        if (uaddr % 4)
            return err(Errno::einval);
        return 0;
    case kFutexRequeue:
    case kFutexCmpRequeue:
        if (static_cast<std::int32_t>(val) < 0 || a.i32(3) < 0)
            return err(Errno::einval);
        if (uaddr % 4 || a[4] % 4)
            return err(Errno::einval);
        if (cmd == kFutexCmpRequeue && TRY(get_futex_value(c, uaddr)) != a.u32(5))
            return err(Errno::eagain);
        return 0;
    case kFutexWakeOp:
        if (uaddr % 4 || a[4] % 4)
            return err(Errno::einval);
        (void)TRY(wake_op(c, a[4], a.u32(5)));
        return 0;
    default:
        return err(Errno::enosys);
    }
}

constexpr SyscallDef kDefs[] = {
    {202, sys_futex, Support::Partial,
     "single-threaded: wakes find no waiters, a matching wait sleeps out its timeout or is a deadlock; no PI ops"},
};

}  // namespace

std::span<const SyscallDef> futex_syscalls() { return kDefs; }

}  // namespace syscalls
