#include "syscalls/trace_structs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "os/abi/signal.h"
#include "os/abi/stat.h"
#include "os/trace/signal_text.h"
#include "syscalls/trace_flags.h"

namespace syscalls::trace {

namespace {

// iovec_text's data_bytes for buffers the call reads (all of each is shown).
constexpr std::uint64_t kAllData = ~std::uint64_t{0};
// The most pointers counted in an envp before giving up.
constexpr std::size_t kMaxEnvp = 65536;

std::string hex_or_zero(std::uint64_t v) { return v ? fmt::format("{:#x}", v) : "0"; }

std::string rlim_value_text(std::uint64_t v) {
    if (v == ~std::uint64_t{0})
        return "RLIM64_INFINITY";
    if (v > 1024 && v % 1024 == 0)
        return fmt::format("{}*1024", v / 1024);
    return std::to_string(v);
}

struct Iovec {
    std::uint64_t base;
    std::uint64_t len;
};

struct Pollfd {
    std::int32_t fd;
    std::int16_t events;
    std::int16_t revents;
};

struct CloneArgs {
    std::uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
        cgroup;
};

}  // namespace

std::string timespec_text(const GuestMemory& mem, std::uint64_t addr) {
    struct {
        std::int64_t sec, nsec;
    } ts{};
    if (!addr || !mem.read(addr, &ts, sizeof(ts)))
        return pointer_text(addr);
    return fmt::format("{{tv_sec={}, tv_nsec={}}}", ts.sec, ts.nsec);
}

std::string timeval_text(const GuestMemory& mem, std::uint64_t addr) {
    struct {
        std::int64_t sec, usec;
    } tv{};
    if (!addr || !mem.read(addr, &tv, sizeof(tv)))
        return pointer_text(addr);
    return fmt::format("{{tv_sec={}, tv_usec={}}}", tv.sec, tv.usec);
}

std::string sigset_arg_text(const GuestMemory& mem, std::uint64_t addr) {
    const auto mask = addr ? mem.read<std::uint64_t>(addr) : std::nullopt;
    return mask ? os::trace::sigset_text(*mask) : pointer_text(addr);
}

std::string sigaction_text(const GuestMemory& mem, std::uint64_t addr) {
    const auto sa = addr ? mem.read<linux_abi::KernelSigaction>(addr) : std::nullopt;
    if (!sa)
        return pointer_text(addr);
    std::string handler = sa->handler == linux_abi::SIG_DFL   ? "SIG_DFL"
                          : sa->handler == linux_abi::SIG_IGN ? "SIG_IGN"
                                                              : fmt::format("{:#x}", sa->handler);
    std::string out = fmt::format("{{sa_handler={}, sa_mask={}, sa_flags={}", handler,
                                  os::trace::sigset_text(sa->mask), sa_flags_text(sa->flags));
    if (sa->flags & linux_abi::SA_RESTORER)
        out += ", sa_restorer=" + pointer_text(sa->restorer);
    return out + "}";
}

std::string stack_text(const GuestMemory& mem, std::uint64_t addr) {
    const auto ss = addr ? mem.read<linux_abi::StackT>(addr) : std::nullopt;
    if (!ss)
        return pointer_text(addr);
    static constexpr Named kSsFlags[] = {{1, "SS_ONSTACK"}, {2, "SS_DISABLE"}, {0x80000000, "SS_AUTODISARM"}};
    return fmt::format("{{ss_sp={}, ss_flags={}, ss_size={}}}", pointer_text(ss->sp),
                       flags_text(static_cast<std::uint32_t>(ss->flags), kSsFlags), ss->size);
}

std::string siginfo_arg_text(const GuestMemory& mem, std::uint64_t addr) {
    const auto info = addr ? mem.read<linux_abi::SigInfo>(addr) : std::nullopt;
    return info ? os::trace::siginfo_text(*info) : pointer_text(addr);
}

std::string iovec_text(const GuestMemory& mem, std::uint64_t addr, std::uint64_t count, std::uint64_t data_bytes) {
    if (!addr)
        return "NULL";
    std::string out = "[";
    for (std::uint64_t i = 0; i < count; ++i) {
        if (i == kMaxElements) {
            out += ", ...";
            break;
        }
        const auto iov = mem.read<Iovec>(addr + i * sizeof(Iovec));
        if (!iov)
            return pointer_text(addr);
        const std::uint64_t shown = std::min(iov->len, data_bytes);
        if (data_bytes != kAllData)
            data_bytes -= shown;
        std::string base = buffer_arg(mem, iov->base, shown);
        out += fmt::format("{}{{iov_base={}, iov_len={}}}", i ? ", " : "", base, iov->len);
    }
    return out + "]";
}

std::string argv_text(const GuestMemory& mem, std::uint64_t addr) {
    if (!addr)
        return "NULL";
    std::string out = "[";
    for (std::size_t i = 0;; ++i) {
        const auto p = mem.read<std::uint64_t>(addr + i * 8);
        if (!p)
            return pointer_text(addr);
        if (!*p)
            break;
        if (i == kMaxElements) {
            out += ", ...";
            break;
        }
        out += (i ? ", " : "") + string_arg(mem, *p, kMaxStringBytes);
    }
    return out + "]";
}

std::string envp_text(const GuestMemory& mem, std::uint64_t addr) {
    if (!addr)
        return "NULL";
    for (std::size_t n = 0; n < kMaxEnvp; ++n) {
        const auto p = mem.read<std::uint64_t>(addr + n * 8);
        if (!p)
            break;
        if (!*p)
            return fmt::format("{:#x} /* {} var{} */", addr, n, n == 1 ? "" : "s");
    }
    return pointer_text(addr);
}

std::string stat_text(const GuestMemory& mem, std::uint64_t addr) {
    const auto st = addr ? mem.read<linux_abi::Stat>(addr) : std::nullopt;
    if (!st)
        return pointer_text(addr);
    const std::uint32_t type = st->st_mode & 0170000;
    if (type == 020000 || type == 060000)  // character and block devices
        return fmt::format("{{st_mode={}, st_rdev={}, ...}}", file_mode_text(st->st_mode), device_text(st->st_rdev));
    return fmt::format("{{st_mode={}, st_size={}, ...}}", file_mode_text(st->st_mode), st->st_size);
}

std::string statx_text(const GuestMemory& mem, std::uint64_t addr) {
    struct {
        std::uint32_t mask, blksize;
        std::uint64_t attributes;
        std::uint32_t nlink, uid, gid;
        std::uint16_t mode, pad;
        std::uint64_t ino, size;
    } st{};
    if (!addr || !mem.read(addr, &st, sizeof(st)))
        return pointer_text(addr);
    return fmt::format("{{stx_mask={}, stx_attributes={}, stx_mode={}, stx_size={}, ...}}", statx_mask_text(st.mask),
                       hex_or_zero(st.attributes), file_mode_text(st.mode), st.size);
}

std::string rlimit_text(const GuestMemory& mem, std::uint64_t addr) {
    struct {
        std::uint64_t cur, max;
    } r{};
    if (!addr || !mem.read(addr, &r, sizeof(r)))
        return pointer_text(addr);
    return fmt::format("{{rlim_cur={}, rlim_max={}}}", rlim_value_text(r.cur), rlim_value_text(r.max));
}

std::string mincore_vec_text(const GuestMemory& mem, std::uint64_t addr, std::uint64_t pages) {
    const std::uint64_t shown = std::min<std::uint64_t>(pages, kMaxElements);
    std::string bytes(shown, '\0');
    if (!addr || !mem.read(addr, bytes.data(), shown))
        return pointer_text(addr);
    std::string out = "[";
    for (std::uint64_t i = 0; i < shown; ++i)
        out += fmt::format("{}{}", i ? ", " : "", static_cast<unsigned>(static_cast<unsigned char>(bytes[i])));
    return out + (pages > shown ? ", ...]" : "]");
}

std::string int_array_text(const GuestMemory& mem, std::uint64_t addr, std::size_t count) {
    std::string out = "[";
    for (std::size_t i = 0; i < count; ++i) {
        const auto v = addr ? mem.read<std::int32_t>(addr + i * 4) : std::nullopt;
        if (!v)
            return pointer_text(addr);
        out += (i ? ", " : "") + std::to_string(*v);
    }
    return out + "]";
}

std::string utsname_text(const GuestMemory& mem, std::uint64_t addr) {
    constexpr std::size_t kField = 65;
    char fields[2][kField]{};
    if (!addr || !mem.read(addr, fields, sizeof(fields)))
        return pointer_text(addr);
    auto field = [](const char* f) { return quote(std::string_view(f, strnlen(f, kField))); };
    return fmt::format("{{sysname={}, nodename={}, ...}}", field(fields[0]), field(fields[1]));
}

std::string clone_args_text(const GuestMemory& mem, std::uint64_t addr, std::uint64_t size) {
    CloneArgs a{};
    const std::uint64_t n = std::min<std::uint64_t>(size, sizeof(a));
    if (!addr || n < 64 || !mem.read(addr, &a, n))
        return pointer_text(addr);
    std::string out = "{flags=" + clone3_flags_text(a.flags);
    if (a.flags & 0x1000)  // CLONE_PIDFD
        out += ", pidfd=" + pointer_text(a.pidfd);
    if (a.flags & 0x1200000)  // CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID
        out += ", child_tid=" + pointer_text(a.child_tid);
    if (a.flags & 0x100000)  // CLONE_PARENT_SETTID
        out += ", parent_tid=" + pointer_text(a.parent_tid);
    out += ", exit_signal=" + signal_text(a.exit_signal);
    out += fmt::format(", stack={}, stack_size={}", pointer_text(a.stack), hex_or_zero(a.stack_size));
    if (a.flags & 0x80000)  // CLONE_SETTLS
        out += ", tls=" + pointer_text(a.tls);
    if (a.set_tid_size)
        out += fmt::format(", set_tid={}, set_tid_size={}", pointer_text(a.set_tid), a.set_tid_size);
    if (a.flags & 0x200000000)  // CLONE_INTO_CGROUP
        out += fmt::format(", cgroup={}", a.cgroup);
    return out + "}";
}

std::string pollfd_text(const GuestMemory& mem, std::uint64_t addr, std::uint64_t count) {
    if (!addr)
        return "NULL";
    std::string out = "[";
    for (std::uint64_t i = 0; i < count; ++i) {
        if (i == kMaxElements) {
            out += ", ...";
            break;
        }
        const auto p = mem.read<Pollfd>(addr + i * sizeof(Pollfd));
        if (!p)
            return pointer_text(addr);
        out += fmt::format("{}{{fd={}, events={}}}", i ? ", " : "", p->fd,
                           poll_events_text(static_cast<std::uint16_t>(p->events)));
    }
    return out + "]";
}

}  // namespace syscalls::trace
