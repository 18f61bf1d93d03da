// System information: uname, getrandom, sysinfo.
#include <cstring>

#include "os/mm/swap.h"
#include "syscalls/syscall.h"

namespace syscalls {

namespace {

struct GuestUtsname {
    char sysname[65];
    char nodename[65];
    char release[65];
    char version[65];
    char machine[65];
    char domainname[65];
};

// What faultline reports as its kernel. Fixed, so runs are reproducible.
constexpr const char kRelease[] = "6.1.0-faultline";
constexpr const char kVersion[] = "#1 SMP PREEMPT_DYNAMIC faultline";

SysResult sys_uname(Context& c, const Args& a) {
    GuestUtsname u{};
    std::strcpy(u.sysname, "Linux");
    std::strcpy(u.nodename, "faultline");
    std::strcpy(u.release, kRelease);
    std::strcpy(u.version, kVersion);
    std::strcpy(u.machine, "x86_64");
    std::strcpy(u.domainname, "(none)");
    TRY_VOID(c.mm.copy_to_user(a[0], &u, sizeof(u)));
    return 0;
}

// getrandom: bytes from the kernel's seeded stream (--seed), so runs are reproducible.
SysResult sys_getrandom(Context& c, const Args& a) {
    constexpr std::uint32_t kNonblock = 1, kRandom = 2, kInsecure = 4;
    const std::uint32_t flags = a.u32(2);
    if (flags & ~(kNonblock | kRandom | kInsecure))
        return err(Errno::einval);
    if ((flags & kInsecure) && (flags & kRandom))
        return err(Errno::einval);
    const std::uint64_t count = std::min<std::uint64_t>(a[1], 32 * 1024 * 1024);
    std::vector<std::uint8_t> buf(count);
    c.kernel.random_bytes(buf.data(), buf.size());
    TRY_VOID(c.mm.copy_to_user(a[0], buf.data(), buf.size()));
    return static_cast<std::int64_t>(count);
}

struct GuestSysinfo {
    std::int64_t uptime;
    std::uint64_t loads[3];
    std::uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    std::uint16_t procs;
    std::uint16_t pad;
    std::uint32_t pad2;
    std::uint64_t totalhigh, freehigh;
    std::uint32_t mem_unit;
    char reserved[4];
};
static_assert(sizeof(GuestSysinfo) == 112);

// sysinfo: memory numbers come from the frame table.
SysResult sys_sysinfo(Context& c, const Args& a) {
    const auto& pm = c.kernel.physical_memory();
    GuestSysinfo s{};
    s.totalram = pm.online_frame_count() * os::mm::kPageSize;
    s.freeram = pm.free_frame_count() * os::mm::kPageSize;
    const os::mm::SwapTotals swap = os::mm::swap_totals(pm);
    s.totalswap = swap.total_pages * os::mm::kPageSize;
    s.freeswap = swap.free_pages * os::mm::kPageSize;
    s.procs = 1;
    s.mem_unit = 1;
    TRY_VOID(c.mm.copy_to_user(a[0], &s, sizeof(s)));
    return 0;
}

constexpr SyscallDef kDefs[] = {
    {63, sys_uname, Support::Full, ""},
    {318, sys_getrandom, Support::Full, "deterministic stream seeded by --seed"},
    {99, sys_sysinfo, Support::Partial, "uptime and load averages are 0"},
};

}  // namespace

std::span<const SyscallDef> misc_syscalls() { return kDefs; }

}  // namespace syscalls
