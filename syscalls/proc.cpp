// Process syscalls: identity, exit, thread-library registration (set_tid_address,
// set_robust_list, rseq), arch_prctl, resource limits.
#include <unistd.h>

#include <cstring>
#include <vector>

#include "syscalls/syscall.h"

namespace syscalls {

namespace {

using os::proc::kRlimInfinity;
using os::proc::Rlimit;

constexpr std::uint64_t kArchSetGs = 0x1001, kArchSetFs = 0x1002, kArchGetFs = 0x1003, kArchGetGs = 0x1004,
                        kArchGetCpuid = 0x1011, kArchSetCpuid = 0x1012;
constexpr std::uint64_t kRobustListHeadSize = 24;
constexpr std::uint32_t kRseqMinSize = 32;
constexpr std::uint32_t kRseqFlagUnregister = 1;

SysResult sys_exit(Context& c, const Args& a) {
    c.kernel.exit_task(a.i32(0));
    return 0;
}

SysResult sys_exit_group(Context& c, const Args& a) {
    c.kernel.exit_group(a.i32(0));
    return 0;
}

SysResult sys_getpid(Context& c, const Args&) { return c.proc.pid(); }
SysResult sys_gettid(Context& c, const Args&) { return c.task.tid(); }
SysResult sys_getppid(Context& c, const Args&) { return c.proc.ppid(); }
SysResult sys_getuid(Context& c, const Args&) { return c.proc.creds.uid; }
SysResult sys_geteuid(Context& c, const Args&) { return c.proc.creds.euid; }
SysResult sys_getgid(Context& c, const Args&) { return c.proc.creds.gid; }
SysResult sys_getegid(Context& c, const Args&) { return c.proc.creds.egid; }

// The supplementary groups are faultline's own (the guest runs with the user's identity).
SysResult sys_getgroups(Context& c, const Args& a) {
    const int size = a.i32(0);
    if (size < 0)
        return err(Errno::einval);
    std::vector<gid_t> groups(static_cast<std::size_t>(::getgroups(0, nullptr)));
    const int n = ::getgroups(static_cast<int>(groups.size()), groups.data());
    if (n < 0)
        return err(Errno::einval);
    if (size == 0)
        return n;
    if (size < n)
        return err(Errno::einval);
    std::vector<std::uint32_t> out(groups.begin(), groups.begin() + n);
    TRY_VOID(c.mm.copy_to_user(a[1], out.data(), out.size() * sizeof(std::uint32_t)));
    return n;
}

SysResult sys_set_tid_address(Context& c, const Args& a) {
    c.task.clear_child_tid = a[0];
    return c.task.tid();
}

SysResult sys_set_robust_list(Context& c, const Args& a) {
    if (a[1] != kRobustListHeadSize)
        return err(Errno::einval);
    c.task.robust_list_head = a[0];
    c.task.robust_list_len = a[1];
    return 0;
}

// rseq: registration and unregistration with Linux's checks. The CPU number is always 0
// (one emulated CPU); it is written at registration, as the kernel does on return to user.
SysResult sys_rseq(Context& c, const Args& a) {
    const std::uint64_t addr = a[0];
    const std::uint32_t len = a.u32(1);
    const std::uint32_t flags = a.u32(2);
    const std::uint32_t sig = a.u32(3);
    if (flags & kRseqFlagUnregister) {
        if (flags & ~kRseqFlagUnregister)
            return err(Errno::einval);
        if (!c.task.rseq || c.task.rseq->addr != addr)
            return err(Errno::einval);
        if (c.task.rseq->length != len)
            return err(Errno::einval);
        if (c.task.rseq->signature != sig)
            return err(Errno::eperm);
        c.task.rseq.reset();
        return 0;
    }
    if (flags)
        return err(Errno::einval);
    if (c.task.rseq) {
        if (c.task.rseq->addr != addr || c.task.rseq->length != len)
            return err(Errno::einval);
        if (c.task.rseq->signature != sig)
            return err(Errno::eperm);
        return err(Errno::ebusy);
    }
    if (len < kRseqMinSize || (addr & (kRseqMinSize - 1)))
        return err(Errno::einval);
    const std::uint32_t ids[2] = {0, 0};  // cpu_id_start, cpu_id
    TRY_VOID(c.mm.copy_to_user(addr, ids, sizeof(ids)));
    c.task.rseq = os::proc::RseqRegistration{addr, len, sig};
    return 0;
}

SysResult sys_arch_prctl(Context& c, const Args& a) {
    const std::uint64_t addr = a[1];
    switch (a[0]) {
    case kArchSetFs:
    case kArchSetGs:
        if (addr >= os::mm::kUserTop)
            return err(Errno::eperm);
        c.kernel.cpu().set_reg(a[0] == kArchSetFs ? emu::Reg::fs_base : emu::Reg::gs_base, addr);
        return 0;
    case kArchGetFs:
    case kArchGetGs: {
        const std::uint64_t base = c.kernel.cpu().reg(a[0] == kArchGetFs ? emu::Reg::fs_base : emu::Reg::gs_base);
        TRY_VOID(c.mm.copy_to_user(addr, &base, sizeof(base)));
        return 0;
    }
    case kArchGetCpuid:
        return 1;  // CPUID is never faulting here
    case kArchSetCpuid:
        return err(Errno::enodev);
    default:
        return err(Errno::einval);
    }
}

void apply_rlimit(Context& c, int resource, const Rlimit& r) {
    c.proc.rlimits[resource] = r;
    if (resource == os::proc::kRlimitStack)
        c.mm.set_stack_limit(r.cur);
}

SysResult sys_prlimit64(Context& c, const Args& a) {
    const int pid = a.i32(0);
    const int resource = a.i32(1);
    if (pid != 0 && pid != c.proc.pid()) {
        // Another process's limits: readable; changing them is left out (EPERM).
        os::proc::Task* t = c.kernel.find_task(pid);
        if (!t)
            return err(Errno::esrch);
        if (a[2])
            return err(Errno::eperm);
        if (resource < 0 || resource >= os::proc::kNumRlimits)
            return err(Errno::einval);
        if (a[3]) {
            const Rlimit current = t->process().rlimits[resource];
            TRY_VOID(c.mm.copy_to_user(a[3], &current, sizeof(current)));
        }
        return 0;
    }
    if (resource < 0 || resource >= os::proc::kNumRlimits)
        return err(Errno::einval);
    Rlimit updated{};
    if (a[2]) {
        TRY_VOID(c.mm.copy_from_user(&updated, a[2], sizeof(updated)));
        if (updated.cur > updated.max)
            return err(Errno::einval);
        const Rlimit& old = c.proc.rlimits[resource];
        if (updated.max > old.max && old.max != kRlimInfinity)
            return err(Errno::eperm);  // raising a hard limit needs CAP_SYS_RESOURCE
        if (resource == os::proc::kRlimitNofile && updated.max > static_cast<std::uint64_t>(os::fs::FileTable::kMaxFds))
            return err(Errno::eperm);
    }
    if (a[3]) {
        const Rlimit current = c.proc.rlimits[resource];
        TRY_VOID(c.mm.copy_to_user(a[3], &current, sizeof(current)));
    }
    if (a[2])
        apply_rlimit(c, resource, updated);
    return 0;
}

SysResult sys_getrlimit(Context& c, const Args& a) {
    Args b{{0, a[0], 0, a[1], 0, 0}};
    return sys_prlimit64(c, b);
}

SysResult sys_setrlimit(Context& c, const Args& a) {
    Args b{{0, a[0], a[1], 0, 0, 0}};
    return sys_prlimit64(c, b);
}

// One emulated CPU: affinity is CPU 0.
SysResult sys_sched_getaffinity(Context& c, const Args& a) {
    const int pid = a.i32(0);
    if (pid != 0 && !c.kernel.find_task(pid))
        return err(Errno::esrch);
    if (a[1] < sizeof(std::uint64_t) || (a[1] & (sizeof(std::uint64_t) - 1)))
        return err(Errno::einval);
    const std::uint64_t mask = 1;
    TRY_VOID(c.mm.copy_to_user(a[2], &mask, sizeof(mask)));
    return static_cast<std::int64_t>(sizeof(mask));
}

SysResult sys_sched_yield(Context& c, const Args&) {
    c.kernel.yield();
    return 0;
}

SysResult sys_umask(Context& c, const Args& a) {
    const std::uint64_t old = c.proc.umask();
    c.proc.umask() = a[0] & 0777;
    return static_cast<std::int64_t>(old);
}

// prctl: the options ordinary programs use; anything else is EINVAL, as Linux says for
// options it does not know.
SysResult sys_prctl(Context& c, const Args& a) {
    constexpr int kSetPdeathsig = 1, kGetPdeathsig = 2, kGetDumpable = 3, kSetDumpable = 4, kSetName = 15,
                  kGetName = 16, kSetChildSubreaper = 36, kGetChildSubreaper = 37, kSetNoNewPrivs = 38,
                  kGetNoNewPrivs = 39;
    switch (a.i32(0)) {
    case kSetPdeathsig:
        if (a[1] > static_cast<std::uint64_t>(linux_abi::kNumSignals))
            return err(Errno::einval);
        c.proc.pdeath_signal = static_cast<int>(a[1]);
        return 0;
    case kGetPdeathsig: {
        const std::int32_t sig = c.proc.pdeath_signal;
        TRY_VOID(c.mm.copy_to_user(a[1], &sig, sizeof(sig)));
        return 0;
    }
    case kGetDumpable:
        return c.proc.dumpable;
    case kSetDumpable:
        if (a[1] > 1)
            return err(Errno::einval);
        c.proc.dumpable = static_cast<int>(a[1]);
        return 0;
    case kSetName: {
        char name[16] = {};
        // Linux copies up to 16 bytes and always terminates; a short string is fine.
        auto s = TRY(c.mm.copy_string_from_user(a[1], 4096));
        std::memcpy(name, s.data(), std::min<std::size_t>(s.size(), 15));
        c.proc.set_comm(name);
        return 0;
    }
    case kGetName: {
        char name[16] = {};
        std::memcpy(name, c.proc.comm().data(), std::min<std::size_t>(c.proc.comm().size(), 15));
        TRY_VOID(c.mm.copy_to_user(a[1], name, sizeof(name)));
        return 0;
    }
    case kSetChildSubreaper:
        c.proc.child_subreaper = a[1] != 0;
        return 0;
    case kGetChildSubreaper: {
        const std::int32_t v = c.proc.child_subreaper ? 1 : 0;
        TRY_VOID(c.mm.copy_to_user(a[1], &v, sizeof(v)));
        return 0;
    }
    case kSetNoNewPrivs:
        if (a[1] != 1 || a[2] || a[3] || a[4])
            return err(Errno::einval);
        c.proc.no_new_privs = true;
        return 0;
    case kGetNoNewPrivs:
        if (a[1] || a[2] || a[3] || a[4])
            return err(Errno::einval);
        return c.proc.no_new_privs ? 1 : 0;
    default:
        return err(Errno::einval);
    }
}

constexpr SyscallDef kDefs[] = {
    {157, sys_prctl, Support::Partial, "name, dumpable, pdeathsig, child subreaper, no_new_privs; others EINVAL"},
    {60, sys_exit, Support::Full, ""},
    {231, sys_exit_group, Support::Full, ""},
    {39, sys_getpid, Support::Full, ""},
    {186, sys_gettid, Support::Full, ""},
    {110, sys_getppid, Support::Full, ""},
    {102, sys_getuid, Support::Full, ""},
    {107, sys_geteuid, Support::Full, ""},
    {104, sys_getgid, Support::Full, ""},
    {108, sys_getegid, Support::Full, ""},
    {115, sys_getgroups, Support::Full, ""},
    {218, sys_set_tid_address, Support::Full, ""},
    {273, sys_set_robust_list, Support::Partial, "the list is recorded, not walked when a thread dies"},
    {334, sys_rseq, Support::Partial, "one CPU, no preemption of critical sections yet"},
    {158, sys_arch_prctl, Support::Full, ""},
    {302, sys_prlimit64, Support::Partial, "limits other than RLIMIT_STACK are recorded, not enforced"},
    {97, sys_getrlimit, Support::Full, ""},
    {160, sys_setrlimit, Support::Full, ""},
    {204, sys_sched_getaffinity, Support::Full, ""},
    {24, sys_sched_yield, Support::Full, ""},
    {95, sys_umask, Support::Full, ""},
};

}  // namespace

std::span<const SyscallDef> proc_syscalls() { return kDefs; }

}  // namespace syscalls
