// How the syscall trace shows each syscall's arguments: one kind per argument (strace's
// printers, by another name), in a table indexed by syscall number. A few syscalls whose
// arguments depend on each other (clone, futex, fcntl, prctl, mremap, rt_sigreturn) are
// laid out by code instead (trace_format.cpp).
#pragma once

#include <array>
#include <cstdint>

#include "syscalls/trace_result.h"

namespace syscalls::trace {

enum class Arg : std::uint8_t {
    None,
    // Shown as the call starts: what it reads.
    Int,       // int, pid_t, a descriptor
    Long,      // off_t and other signed 64-bit values
    Uint,      // size_t, counts
    Hex,       // flags without names
    Ptr,       // an address: NULL or 0x...
    DirFd,     // AT_FDCWD or a descriptor
    Path,      // a file name, whole
    Str,       // a string, at most 32 bytes
    BufIn,     // bytes; the next argument is their number
    IovIn,     // struct iovec[]; the next argument is the count
    PollfdsIn, // struct pollfd[]; the next argument is the count
    Mode,      // permission bits in octal
    FileMode,  // S_IF* type and permission bits (mknod)
    OpenFlags,
    OpenMode,  // open's mode: shown only with O_CREAT or O_TMPFILE in the previous argument
    Dev,       // mknod's device: shown only for a device type in the previous argument
    StatxFlags,
    StatxMask,
    FdFlags,   // O_CLOEXEC, O_NONBLOCK (pipe2, dup3)
    AtFlags,
    AccessMode,
    Whence,
    Prot,
    MapFlags,
    MremapFlags,
    MsyncFlags,
    Madvise,
    MlockallFlags,
    Mlock2Flags,
    Signal,
    SigsetIn,
    SigactionIn,
    StackIn,
    SiginfoIn,
    SigprocmaskHow,
    WaitOptions,
    Idtype,
    ClockId,
    TimerFlags,
    TimespecIn,
    TimevalIn,
    RlimitIn,
    Resource,
    ArchPrctlCode,
    IoctlRequest,
    GetrandomFlags,
    RusageWho,
    ItimerWhich,
    RenameFlags,
    Argv,
    Envp,
    CloneFlags,
    CloneArgsIn,  // struct clone_args; the next argument is its size
    FutexOp,
    FutexBitset,
    FcntlCmd,
    FdCloexec,
    PrctlOption,
    RtSigreturnMask,  // the mask in the signal frame at the stack pointer
    // Shown once the call returned: what it wrote (the address if it failed).
    BufOut,  // as many bytes as the call returned
    BufOutHex,  // the same, every byte in hex (getrandom)
    MincoreOut, // one byte per page of the length in the previous argument
    StrOut,  // a NUL-terminated string; the next argument is the buffer's size
    IovOut,  // struct iovec[] filled with as many bytes as the call returned
    IntPairOut,
    IntOut,
    WaitStatusOut,
    SigsetOut,
    SigactionOut,
    StackOut,
    SiginfoOut,
    TimespecOut,
    TimevalOut,
    RlimitOut,
    StatOut,
    StatxOut,
    UtsnameOut,
};

constexpr bool is_output(Arg a) { return a >= Arg::BufOut; }

// Syscalls laid out by code.
enum class Layout : std::uint8_t { Table, Clone, Clone3, Futex, Fcntl, Prctl, Mremap, RtSigreturn };

struct Signature {
    std::array<Arg, 6> args{};  // up to the first Arg::None
    ResultKind result = ResultKind::Decimal;
    Layout layout = Layout::Table;
    bool known = false;  // false: no signature, every argument register shown in hex
};

// The signature of syscall `nr` (known == false if the table has none).
const Signature& signature(std::uint64_t nr);

}  // namespace syscalls::trace
