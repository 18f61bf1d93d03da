#include "syscalls/trace_format.h"

#include <fmt/format.h>

#include <cstddef>

#include "os/abi/signal.h"
#include "os/trace/signal_text.h"
#include "syscalls/names.h"
#include "syscalls/trace_flags.h"
#include "syscalls/trace_structs.h"

namespace syscalls::trace {

namespace {

constexpr std::uint64_t kOCreat = 0100, kOTmpfile = 020000000;
constexpr std::uint64_t kCloneSettls = 0x80000, kCloneParentSettid = 0x100000, kCloneChildCleartid = 0x200000,
                        kCloneChildSettid = 0x1000000;
constexpr std::uint64_t kMremapFixed = 2;
constexpr std::uint32_t kFutexBitsetMatchAny = 0xffffffff;

// Where rt_sigreturn finds the mask: the frame starts 8 bytes below the stack pointer (the
// handler's return popped its pretcode).
constexpr std::uint64_t kFrameMaskOffset =
    offsetof(linux_abi::RtSigframe, uc) + offsetof(linux_abi::UContext, uc_sigmask) - 8;

bool is_device_mode(std::uint64_t mode) {
    const std::uint64_t type = mode & 0170000;
    return type == 020000 || type == 060000;  // S_IFCHR, S_IFBLK
}

std::string decimal(std::uint64_t v) { return std::to_string(static_cast<std::int64_t>(v)); }
std::string int32(std::uint64_t v) { return std::to_string(static_cast<std::int32_t>(v)); }
std::string hex(std::uint64_t v) { return v ? fmt::format("{:#x}", v) : "0"; }

std::string input_text(const GuestMemory& mem, Arg kind, std::uint64_t v, std::uint64_t aux) {
    switch (kind) {
    case Arg::Int: return int32(v);
    case Arg::Long: return decimal(v);
    case Arg::Uint: return std::to_string(v);
    case Arg::Hex: return hex(v);
    case Arg::Ptr: return pointer_text(v);
    case Arg::DirFd: return dirfd_text(v);
    case Arg::Path: return string_arg(mem, v, kMaxPathBytes);
    case Arg::Str: return string_arg(mem, v, kMaxStringBytes);
    case Arg::BufIn: return buffer_arg(mem, v, aux);
    case Arg::IovIn: return iovec_text(mem, v, aux, ~std::uint64_t{0});
    case Arg::PollfdsIn: return pollfd_text(mem, v, aux);
    case Arg::Mode: return octal_text(v & 0xffff);  // umode_t
    case Arg::FileMode: return file_mode_text(v & 0xffff);
    case Arg::OpenFlags: return open_flags_text(v);
    case Arg::OpenMode: return octal_text(v & 0xffff);
    case Arg::Dev: return device_text(v);
    case Arg::StatxFlags: return statx_flags_text(v);
    case Arg::StatxMask: return statx_mask_text(v);
    case Arg::FdFlags: return fd_flags_text(v);
    case Arg::AtFlags: return at_flags_text(v);
    case Arg::AccessMode: return access_mode_text(v);
    case Arg::Whence: return whence_text(v);
    case Arg::Prot: return mmap_prot_text(v);
    case Arg::MapFlags: return mmap_flags_text(v);
    case Arg::MremapFlags: return mremap_flags_text(v);
    case Arg::MsyncFlags: return msync_flags_text(v);
    case Arg::Madvise: return madvise_advice_text(v);
    case Arg::MlockallFlags: return mlockall_flags_text(v);
    case Arg::Mlock2Flags: return v == 1 ? "MLOCK_ONFAULT" : hex(v);
    case Arg::Signal: return signal_text(v);
    case Arg::SigsetIn: return sigset_arg_text(mem, v);
    case Arg::SigactionIn: return sigaction_text(mem, v);
    case Arg::StackIn: return stack_text(mem, v);
    case Arg::SiginfoIn: return siginfo_arg_text(mem, v);
    case Arg::SigprocmaskHow: return sigprocmask_how_text(v);
    case Arg::WaitOptions: return wait_options_text(v);
    case Arg::Idtype: return idtype_text(v);
    case Arg::ClockId: return clock_id_text(v);
    case Arg::TimerFlags: return v == 1 ? "TIMER_ABSTIME" : hex(v);
    case Arg::TimespecIn: return timespec_text(mem, v);
    case Arg::TimevalIn: return timeval_text(mem, v);
    case Arg::RlimitIn: return rlimit_text(mem, v);
    case Arg::Resource: return rlimit_resource_text(v);
    case Arg::ArchPrctlCode: return arch_prctl_code_text(v);
    case Arg::IoctlRequest: return ioctl_request_text(v);
    case Arg::GetrandomFlags: return getrandom_flags_text(v);
    case Arg::RusageWho: return rusage_who_text(v);
    case Arg::ItimerWhich: return itimer_which_text(v);
    case Arg::RenameFlags: return rename_flags_text(v);
    case Arg::Argv: return argv_text(mem, v);
    case Arg::Envp: return envp_text(mem, v);
    case Arg::CloneFlags: return clone_flags_text(v);
    case Arg::CloneArgsIn: return clone_args_text(mem, v, aux);
    case Arg::FutexOp: return futex_op_text(v);
    case Arg::FutexBitset:
        return static_cast<std::uint32_t>(v) == kFutexBitsetMatchAny ? "FUTEX_BITSET_MATCH_ANY" : hex(v & 0xffffffff);
    case Arg::FcntlCmd: return fcntl_cmd_text(v);
    case Arg::FdCloexec: return v == 1 ? "FD_CLOEXEC" : hex(v);
    case Arg::PrctlOption: return prctl_option_text(v);
    case Arg::RtSigreturnMask: {
        const auto mask = mem.read<std::uint64_t>(v + kFrameMaskOffset);
        return mask ? fmt::format("{{mask={}}}", os::trace::sigset_text(*mask)) : "{mask=?}";
    }
    default: return pointer_text(v);
    }
}

std::string output_text(const GuestMemory& mem, Arg kind, std::uint64_t v, std::uint64_t aux, std::int64_t result) {
    const auto r = static_cast<std::uint64_t>(result);
    switch (kind) {
    case Arg::BufOut: return buffer_arg(mem, v, r);
    case Arg::BufOutHex: return buffer_arg(mem, v, r, Quote::Hex);
    case Arg::MincoreOut: return mincore_vec_text(mem, v, (aux + os::mm::kPageSize - 1) / os::mm::kPageSize);
    case Arg::StrOut: return string_arg(mem, v, std::min<std::uint64_t>(aux, kMaxPathBytes));
    case Arg::IovOut: return iovec_text(mem, v, aux, r);
    case Arg::IntPairOut: return int_array_text(mem, v, 2);
    case Arg::IntOut: return int_array_text(mem, v, 1);
    case Arg::WaitStatusOut: {
        // Nothing was written when no child had changed state (WNOHANG).
        const auto status = v && result > 0 ? mem.read<std::int32_t>(v) : std::nullopt;
        return status ? wait_status_text(*status) : pointer_text(v);
    }
    case Arg::SigsetOut: return sigset_arg_text(mem, v);
    case Arg::SigactionOut: return sigaction_text(mem, v);
    case Arg::StackOut: return stack_text(mem, v);
    case Arg::SiginfoOut: {
        // waitid with WNOHANG and nothing to report leaves si_pid 0: strace shows {}.
        const auto info = v ? mem.read<linux_abi::SigInfo>(v) : std::nullopt;
        return info && info->signo == 0 ? "{}" : siginfo_arg_text(mem, v);
    }
    case Arg::TimespecOut: return timespec_text(mem, v);
    case Arg::TimevalOut: return timeval_text(mem, v);
    case Arg::RlimitOut: return rlimit_text(mem, v);
    case Arg::StatOut: return stat_text(mem, v);
    case Arg::StatxOut: return statx_text(mem, v);
    case Arg::UtsnameOut: return utsname_text(mem, v);
    default: return pointer_text(v);
    }
}

}  // namespace

TracedCall::TracedCall(const GuestMemory& mem, std::uint64_t nr, const std::uint64_t args[6], std::uint64_t rsp)
    : m_nr(nr) {
    const Signature& sig = signature(nr);
    m_result = sig.result;
    switch (sig.layout) {
    case Layout::Table: lay_out_table(sig, args); break;
    case Layout::Clone: lay_out_clone(args); break;
    case Layout::Clone3:
        add(Arg::CloneArgsIn, args[0], args[1]);
        add(Arg::Uint, args[1]);
        break;
    case Layout::Futex: lay_out_futex(args); break;
    case Layout::Fcntl: lay_out_fcntl(args); break;
    case Layout::Prctl: lay_out_prctl(args); break;
    case Layout::Mremap: lay_out_mremap(args); break;
    case Layout::RtSigreturn: add(Arg::RtSigreturnMask, rsp); break;
    }
    for (std::size_t i = 0; i < m_count; ++i) {
        const Slot& s = m_slots[i];
        if (!is_output(s.kind))
            m_inputs[i] = input_text(mem, s.kind, s.value, s.aux);
    }
}

void TracedCall::add(Arg kind, std::uint64_t value, std::uint64_t aux, std::string_view label) {
    m_slots[m_count++] = Slot{kind, value, aux, label};
}

void TracedCall::lay_out_table(const Signature& sig, const std::uint64_t args[6]) {
    if (!sig.known) {
        for (int i = 0; i < 6; ++i)
            add(Arg::Hex, args[i]);
        return;
    }
    for (int i = 0; i < 6 && sig.args[i] != Arg::None; ++i) {
        if (sig.args[i] == Arg::OpenMode && !(args[i - 1] & (kOCreat | kOTmpfile)))
            continue;
        if (sig.args[i] == Arg::Dev && !is_device_mode(args[i - 1]))
            continue;
        // The size or count a kind needs is the next argument (mincore's the previous one).
        const std::uint64_t aux = sig.args[i] == Arg::MincoreOut ? args[i - 1] : i < 5 ? args[i + 1] : 0;
        add(sig.args[i], args[i], aux);
    }
}

void TracedCall::lay_out_clone(const std::uint64_t args[6]) {
    // x86-64: clone(flags, stack, parent_tid, child_tid, tls); strace names them.
    const std::uint64_t flags = args[0];
    add(Arg::Ptr, args[1], 0, "child_stack=");
    add(Arg::CloneFlags, flags, 0, "flags=");
    if (flags & kCloneParentSettid)
        add(Arg::IntOut, args[2], 0, "parent_tid=");
    if (flags & kCloneSettls)
        add(Arg::Ptr, args[4], 0, "tls=");
    if (flags & (kCloneChildSettid | kCloneChildCleartid))
        add(Arg::Ptr, args[3], 0, "child_tidptr=");
}

void TracedCall::lay_out_futex(const std::uint64_t args[6]) {
    // futex(uaddr, op, val, timeout or val2, uaddr2, val3): which are used depends on op.
    add(Arg::Ptr, args[0]);
    add(Arg::FutexOp, args[1]);
    switch (args[1] & 127) {
    case 0:   // FUTEX_WAIT
        add(Arg::Uint, args[2] & 0xffffffff);
        add(Arg::TimespecIn, args[3]);
        break;
    case 9:   // FUTEX_WAIT_BITSET
        add(Arg::Uint, args[2] & 0xffffffff);
        add(Arg::TimespecIn, args[3]);
        add(Arg::FutexBitset, args[5]);
        break;
    case 1:   // FUTEX_WAKE
    case 2:   // FUTEX_FD
        add(Arg::Uint, args[2] & 0xffffffff);
        break;
    case 10:  // FUTEX_WAKE_BITSET
        add(Arg::Uint, args[2] & 0xffffffff);
        add(Arg::FutexBitset, args[5]);
        break;
    case 3:   // FUTEX_REQUEUE
        add(Arg::Uint, args[2] & 0xffffffff);
        add(Arg::Uint, args[3]);
        add(Arg::Ptr, args[4]);
        break;
    case 4:   // FUTEX_CMP_REQUEUE
    case 12:  // FUTEX_CMP_REQUEUE_PI
        add(Arg::Uint, args[2] & 0xffffffff);
        add(Arg::Uint, args[3]);
        add(Arg::Ptr, args[4]);
        add(Arg::Uint, args[5] & 0xffffffff);
        break;
    case 5:   // FUTEX_WAKE_OP
        add(Arg::Uint, args[2] & 0xffffffff);
        add(Arg::Uint, args[3]);
        add(Arg::Ptr, args[4]);
        add(Arg::Hex, args[5] & 0xffffffff);
        break;
    case 6:   // FUTEX_LOCK_PI
    case 13:  // FUTEX_LOCK_PI2
        add(Arg::TimespecIn, args[3]);
        break;
    case 7:   // FUTEX_UNLOCK_PI
    case 8:   // FUTEX_TRYLOCK_PI
        break;
    case 11:  // FUTEX_WAIT_REQUEUE_PI
        add(Arg::Uint, args[2] & 0xffffffff);
        add(Arg::TimespecIn, args[3]);
        add(Arg::Ptr, args[4]);
        break;
    default:
        for (int i = 2; i < 6; ++i)
            add(Arg::Hex, args[i]);
        break;
    }
}

void TracedCall::lay_out_fcntl(const std::uint64_t args[6]) {
    add(Arg::Int, args[0]);
    add(Arg::FcntlCmd, args[1]);
    switch (args[1] & 0xffffffff) {
    case 1:  // F_GETFD
        m_result = ResultKind::DescriptorFlags;
        break;
    case 3:  // F_GETFL
        m_result = ResultKind::FileStatusFlags;
        break;
    case 9: case 11: case 1025: case 1032: case 1034:  // F_GETOWN F_GETSIG F_GETLEASE F_GETPIPE_SZ F_GET_SEALS
        break;
    case 2:  // F_SETFD
        add(Arg::FdCloexec, args[2]);
        break;
    case 4:  // F_SETFL
        add(Arg::OpenFlags, args[2]);
        break;
    case 0: case 1030: case 8: case 10: case 1024: case 1026: case 1031: case 1033:
        // F_DUPFD F_DUPFD_CLOEXEC F_SETOWN F_SETSIG F_SETLEASE F_NOTIFY F_SETPIPE_SZ F_ADD_SEALS
        add(Arg::Int, args[2]);
        break;
    default:  // the locks and anything else: a pointer or a number
        add(Arg::Ptr, args[2]);
        break;
    }
}

void TracedCall::lay_out_prctl(const std::uint64_t args[6]) {
    add(Arg::PrctlOption, args[0]);
    switch (args[0] & 0xffffffff) {
    case 15: add(Arg::Str, args[1]); break;                 // PR_SET_NAME
    case 16: add(Arg::StrOut, args[1], 16); break;          // PR_GET_NAME
    case 1: add(Arg::Signal, args[1]); break;               // PR_SET_PDEATHSIG
    case 2: case 37: add(Arg::IntOut, args[1]); break;      // PR_GET_PDEATHSIG, PR_GET_CHILD_SUBREAPER
    case 4: case 8: case 29: case 36: case 41:              // PR_SET_DUMPABLE KEEPCAPS TIMERSLACK
        add(Arg::Uint, args[1]);                             // CHILD_SUBREAPER THP_DISABLE
        break;
    case 3: case 7: case 21: case 30: case 39: case 42:     // the PR_GET_* returning their value
        break;
    default:
        for (int i = 1; i < 5; ++i)
            add(i == 1 ? Arg::Uint : Arg::Hex, args[i]);
        break;
    }
}

void TracedCall::lay_out_mremap(const std::uint64_t args[6]) {
    add(Arg::Ptr, args[0]);
    add(Arg::Uint, args[1]);
    add(Arg::Uint, args[2]);
    add(Arg::MremapFlags, args[3]);
    if (args[3] & kMremapFixed)
        add(Arg::Ptr, args[4]);
}

std::string TracedCall::text(const GuestMemory& mem, std::int64_t result) const {
    const std::string_view name = syscall_name(m_nr);
    std::string out = name == "unknown" ? fmt::format("syscall_{:#x}", m_nr) : std::string(name);
    out += '(';
    const bool failed = is_error(result);
    for (std::size_t i = 0; i < m_count; ++i) {
        const Slot& s = m_slots[i];
        if (i)
            out += ", ";
        out += s.label;
        if (!is_output(s.kind))
            out += m_inputs[i];
        else if (failed)
            out += pointer_text(s.value);
        else
            out += output_text(mem, s.kind, s.value, s.aux, result);
    }
    out += ')';
    return out;
}

std::string TracedCall::result_text(std::int64_t result) const { return trace::result_text(result, m_result); }

}  // namespace syscalls::trace
