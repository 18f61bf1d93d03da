// Fuzz target: the syscall argument readers that copy structures from guest memory
// (syscalls/user_args.h) and rt_sigreturn's reading of a signal frame
// (os/proc/signal_frame.h), on guest memory whose contents the fuzzer chooses.
//
// Input: one byte choosing the reader, two 32-bit addresses (GuestRegion::address), a 32-bit
// count or size, then the memory image written at GuestRegion::kBase.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "emu/user_state.h"
#include "os/proc/signal_frame.h"
#include "os/proc/signals.h"
#include "syscalls/user_args.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/guest_region.h"

namespace {

using fuzz::GuestRegion;

constexpr std::uint64_t kMaxArgStrlen = 32 * 4096;
constexpr std::uint64_t kNsPerSec = 1'000'000'000ull;
// Linux's KTIME_MAX: the longest timeout a timespec can ask for (timespec64_to_ns saturates).
constexpr std::uint64_t kKtimeMax = INT64_MAX;

void string_arrays(GuestRegion& g, std::uint64_t argv, std::uint64_t envp) {
    for (const std::uint64_t array : {argv, envp}) {
        auto strings = syscalls::read_string_array(g.mm(), array);
        if (!strings)
            continue;
        for (const std::string& s : *strings)
            FUZZ_CHECK(s.size() < kMaxArgStrlen && s.find('\0') == std::string::npos,
                       "an argument string is at most MAX_ARG_STRLEN - 1 bytes, without a NUL");
    }
}

void iovecs(GuestRegion& g, std::uint64_t addr, std::int32_t count) {
    auto iov = syscalls::read_iovecs(g.mm(), addr, count);
    if (!iov)
        return;
    FUZZ_CHECK(count >= 0 && count <= syscalls::kMaxIov && iov->size() == static_cast<std::size_t>(count),
               "readv gets the iovecs it asked for");
    std::uint64_t total = 0;
    for (const auto& v : *iov) {
        FUZZ_CHECK(v.len <= static_cast<std::uint64_t>(SSIZE_MAX) - total, "iovec lengths sum to at most SSIZE_MAX");
        total += v.len;
    }
}

void pollfds(GuestRegion& g, std::uint64_t addr, std::uint64_t nfds) {
    auto fds = syscalls::read_pollfds(g.mm(), addr, nfds);
    if (fds)
        FUZZ_CHECK(fds->size() == nfds && nfds <= syscalls::kMaxPollFds, "poll gets the pollfds it asked for");
}

void read_timespec(GuestRegion& g, std::uint64_t addr) {
    auto ns = syscalls::read_timespec(g.mm(), addr);
    if (!ns)
        return;
    std::int64_t ts[2] = {};
    FUZZ_CHECK(g.mm().copy_from_user(ts, addr, sizeof ts).has_value(), "a timespec that was read can be read again");
    // timespec64_to_ns(): the timeout asked for, or KTIME_MAX when it is longer.
    const auto sec = static_cast<std::uint64_t>(ts[0]);
    const std::uint64_t asked = sec >= kKtimeMax / kNsPerSec ? kKtimeMax : sec * kNsPerSec + static_cast<std::uint64_t>(ts[1]);
    FUZZ_CHECK(*ns == std::min(asked, kKtimeMax), "a timeout is what the timespec asks, saturated at KTIME_MAX");
}

void clone_args(GuestRegion& g, std::uint64_t addr, std::uint64_t size) {
    auto req = syscalls::read_clone_args(g.mm(), addr, size);
    if (!req)
        return;
    FUZZ_CHECK(size >= syscalls::kCloneArgsSizeVer0 && size <= 4096, "clone_args has a valid size");
    FUZZ_CHECK(req->exit_signal >= 0 && req->exit_signal <= linux_abi::kNumSignals && (req->flags & 0xff) == 0,
               "clone3's exit signal is a signal, not in the flags");
}

void sigaction(GuestRegion& g, std::uint64_t addr) {
    auto action = syscalls::read_sigaction(g.mm(), addr);
    if (!action)
        return;
    FUZZ_CHECK((action->mask & os::proc::kUnblockableSignals) == 0, "SIGKILL and SIGSTOP cannot be blocked");
    FUZZ_CHECK((action->flags & ~linux_abi::kKnownSaFlags) == 0, "only known sa_flags are kept");
}

void sigreturn(GuestRegion& g, std::uint64_t rsp, std::uint32_t seed) {
    os::proc::AddressSpaceMemory mem(g.mm());
    emu::UserState regs;
    regs.rsp = rsp;
    regs.rflags = emu::rflags::kFixed1 | emu::rflags::kIf | (seed & 0xffff);
    regs.rip = 0x401000;
    const emu::UserState before = regs;
    const os::proc::SigreturnResult r = os::proc::restore_rt_frame(mem, regs);
    if (!r.ok) {
        FUZZ_CHECK(regs.rip == before.rip && regs.rsp == before.rsp && regs.rflags == before.rflags,
                   "a bad frame changes no register");
        return;
    }
    FUZZ_CHECK(r.mask.has_value(), "a good frame has a mask");
    FUZZ_CHECK(((regs.rflags ^ before.rflags) & ~os::proc::kSigreturnFlags) == 0,
               "rt_sigreturn restores only the RFLAGS bits user code may set");
    FUZZ_CHECK((emu::fx_get<std::uint32_t>(regs.fxsave, emu::fxsave::kMxcsr) & ~emu::fxsave::kMxcsrMask) == 0,
               "the restored MXCSR has no reserved bit set");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::FuzzInput in(data, size);
    const auto op = in.take<std::uint8_t>();
    const std::uint64_t a0 = GuestRegion::address(in.take<std::uint32_t>());
    const std::uint64_t a1 = GuestRegion::address(in.take<std::uint32_t>());
    const auto n = in.take<std::uint32_t>();
    GuestRegion g(in.rest());
    switch (op % 7) {
    case 0: string_arrays(g, a0, a1); break;
    case 1: iovecs(g, a0, static_cast<std::int32_t>(n)); break;
    case 2: pollfds(g, a0, n); break;
    case 3: read_timespec(g, a0); break;
    case 4: clone_args(g, a0, n); break;
    case 5: sigaction(g, a0); break;
    case 6: sigreturn(g, a0, n); break;
    }
    return 0;
}
