// futex(2): FUTEX_WAIT/WAKE, REQUEUE/CMP_REQUEUE, WAKE_OP and the bitset forms. A waiter
// sleeps on a channel keyed like Linux's futex keys: (address space, address) for private
// futexes and private mappings, the physical address for shared mappings, so that processes
// sharing memory find each other.
#include <limits>

#include "syscalls/syscall.h"

namespace syscalls {

namespace {

using os::proc::WaitChannel;
using os::proc::WaitKind;
using os::proc::WakeReason;

constexpr int kFutexWait = 0, kFutexWake = 1, kFutexRequeue = 3, kFutexCmpRequeue = 4, kFutexWakeOp = 5,
              kFutexWaitBitset = 9, kFutexWakeBitset = 10;
constexpr int kFutexPrivate = 128, kFutexClockRealtime = 256;
constexpr int kFutexCmdMask = ~(kFutexPrivate | kFutexClockRealtime);
constexpr std::uint32_t kBitsetMatchAny = 0xffffffff;
constexpr std::uint64_t kNsPerSec = 1'000'000'000ull;

KResult<WaitChannel> futex_key(Context& c, std::uint64_t uaddr, bool is_private) {
    return c.kernel.futex_channel(c.mm, uaddr, is_private);
}

KResult<std::uint32_t> read_futex(Context& c, std::uint64_t uaddr) {
    std::uint32_t v = 0;
    TRY_VOID(c.mm.copy_from_user(&v, uaddr, sizeof(v)));
    return v;
}

SysResult futex_wait(Context& c, std::uint64_t uaddr, bool is_private, std::uint32_t val, std::uint64_t timeout,
                     bool absolute, bool realtime, std::uint32_t bitset) {
    if (bitset == 0)
        return err(Errno::einval);
    switch (c.kernel.wake_reason()) {
    case WakeReason::Woken: return 0;
    case WakeReason::TimedOut: return err(Errno::etimedout);
    case WakeReason::Signal:
        if (c.kernel.signal_pending())
            return err(timeout ? Errno::erestart_restartblock : Errno::erestartsys);
        break;
    case WakeReason::None: break;
    }
    const WaitChannel key = TRY(futex_key(c, uaddr, is_private));
    if (timeout && !c.task.syscall_deadline) {
        struct {
            std::int64_t sec, nsec;
        } ts{};
        TRY_VOID(c.mm.copy_from_user(&ts, timeout, sizeof(ts)));
        if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= static_cast<std::int64_t>(kNsPerSec))
            return err(Errno::einval);
        const std::uint64_t ns = static_cast<std::uint64_t>(ts.sec) * kNsPerSec + static_cast<std::uint64_t>(ts.nsec);
        const std::uint64_t now = c.kernel.clock().elapsed_ns();
        if (absolute) {
            const std::uint64_t reading = realtime ? c.kernel.clock().realtime_ns() : c.kernel.clock().monotonic_ns();
            c.task.syscall_deadline = ns > reading ? now + (ns - reading) : now;
        } else {
            c.task.syscall_deadline = now + ns;
        }
    }
    if (TRY(read_futex(c, uaddr)) != val)
        return err(Errno::eagain);
    if (c.task.syscall_deadline && *c.task.syscall_deadline <= c.kernel.clock().elapsed_ns())
        return err(Errno::etimedout);
    c.task.futex_bitset = bitset;
    return err(c.kernel.sleep(key, c.task.syscall_deadline,
                              c.task.syscall_deadline ? Errno::erestart_restartblock : Errno::erestartsys));
}

SysResult futex_wake(Context& c, std::uint64_t uaddr, bool is_private, std::uint32_t count, std::uint32_t bitset) {
    if (bitset == 0)
        return err(Errno::einval);
    const WaitChannel key = TRY(futex_key(c, uaddr, is_private));
    const int max = static_cast<int>(std::min<std::uint32_t>(count, std::numeric_limits<int>::max()));
    return c.kernel.wake_futex(key, max, bitset);
}

SysResult futex_requeue(Context& c, std::uint64_t uaddr, bool is_private, std::uint32_t wake_count,
                        std::uint64_t requeue_count, std::uint64_t uaddr2, const std::uint32_t* expected) {
    if (static_cast<std::int64_t>(requeue_count) < 0 || static_cast<std::int32_t>(wake_count) < 0)
        return err(Errno::einval);
    const WaitChannel key = TRY(futex_key(c, uaddr, is_private));
    const WaitChannel key2 = TRY(futex_key(c, uaddr2, is_private));
    if (expected && TRY(read_futex(c, uaddr)) != *expected)
        return err(Errno::eagain);
    const int max_requeue = static_cast<int>(std::min<std::uint64_t>(requeue_count, std::numeric_limits<int>::max()));
    const int woken = c.kernel.wake_futex(key, static_cast<int>(wake_count), kBitsetMatchAny);
    const int moved = c.kernel.requeue(key, key2, max_requeue);
    // Both return woken + requeued (futex_requeue's task count; the man page says otherwise
    // for FUTEX_REQUEUE, Linux does this).
    return woken + moved;
}

// FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg); wake `count` at uaddr; if cmp(old, cmparg)
// also wake `count2` at uaddr2.
SysResult futex_wake_op(Context& c, std::uint64_t uaddr, bool is_private, std::uint32_t count, std::uint32_t count2,
                        std::uint64_t uaddr2, std::uint32_t encoded) {
    const int op = (encoded >> 28) & 7;
    const bool shift = (encoded >> 31) & 1;
    const int cmp = (encoded >> 24) & 15;
    std::int32_t oparg = static_cast<std::int32_t>(encoded << 8) >> 20;
    const std::int32_t cmparg = static_cast<std::int32_t>(encoded << 20) >> 20;
    if (shift) {
        if (oparg < 0 || oparg > 31)
            oparg &= 31;
        oparg = static_cast<std::int32_t>(1u << oparg);
    }
    const WaitChannel key = TRY(futex_key(c, uaddr, is_private));
    const WaitChannel key2 = TRY(futex_key(c, uaddr2, is_private));
    const std::int32_t old = static_cast<std::int32_t>(TRY(read_futex(c, uaddr2)));
    std::int32_t updated = old;
    switch (op) {
    case 0: updated = oparg; break;
    case 1: updated = old + oparg; break;
    case 2: updated = old | oparg; break;
    case 3: updated = old & ~oparg; break;
    case 4: updated = old ^ oparg; break;
    default: return err(Errno::enosys);
    }
    bool hit = false;
    switch (cmp) {
    case 0: hit = old == cmparg; break;
    case 1: hit = old != cmparg; break;
    case 2: hit = old < cmparg; break;
    case 3: hit = old <= cmparg; break;
    case 4: hit = old > cmparg; break;
    case 5: hit = old >= cmparg; break;
    default: return err(Errno::enosys);
    }
    TRY_VOID(c.mm.copy_to_user(uaddr2, &updated, sizeof(updated)));
    int woken = c.kernel.wake_futex(key, static_cast<int>(std::min<std::uint32_t>(count, 0x7fffffff)), kBitsetMatchAny);
    if (hit)
        woken += c.kernel.wake_futex(key2, static_cast<int>(std::min<std::uint32_t>(count2, 0x7fffffff)),
                                     kBitsetMatchAny);
    return woken;
}

SysResult sys_futex(Context& c, const Args& a) {
    const std::uint64_t uaddr = a[0];
    const int op = a.i32(1);
    const bool is_private = (op & kFutexPrivate) != 0;
    const bool realtime = (op & kFutexClockRealtime) != 0;
    const int cmd = op & kFutexCmdMask;
    if (realtime && cmd != kFutexWaitBitset)
        return err(Errno::enosys);
    const std::uint32_t val = a.u32(2);
    switch (cmd) {
    case kFutexWait: return futex_wait(c, uaddr, is_private, val, a[3], false, false, kBitsetMatchAny);
    case kFutexWaitBitset: return futex_wait(c, uaddr, is_private, val, a[3], true, realtime, a.u32(5));
    case kFutexWake: return futex_wake(c, uaddr, is_private, val, kBitsetMatchAny);
    case kFutexWakeBitset: return futex_wake(c, uaddr, is_private, val, a.u32(5));
    case kFutexRequeue: return futex_requeue(c, uaddr, is_private, val, a[3], a[4], nullptr);
    case kFutexCmpRequeue: {
        const std::uint32_t expected = a.u32(5);
        return futex_requeue(c, uaddr, is_private, val, a[3], a[4], &expected);
    }
    case kFutexWakeOp: return futex_wake_op(c, uaddr, is_private, val, a.u32(3), a[4], a.u32(5));
    default: return err(Errno::enosys);  // priority inheritance and FUTEX_FD
    }
}

constexpr SyscallDef kDefs[] = {
    {202, sys_futex, Support::Partial, "no priority-inheritance operations (ENOSYS)"},
};

}  // namespace

std::span<const SyscallDef> futex_syscalls() { return kDefs; }

}  // namespace syscalls
