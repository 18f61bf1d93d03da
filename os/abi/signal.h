// Linux signal numbers, si_codes and the signal-frame structures (x86-64) as the guest sees
// them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace linux_abi {

enum class Signal : int {
    sighup = 1, sigint = 2, sigquit = 3, sigill = 4, sigtrap = 5, sigabrt = 6, sigbus = 7,
    sigfpe = 8, sigkill = 9, sigusr1 = 10, sigsegv = 11, sigusr2 = 12, sigpipe = 13,
    sigalrm = 14, sigterm = 15, sigstkflt = 16, sigchld = 17, sigcont = 18, sigstop = 19,
    sigtstp = 20, sigttin = 21, sigttou = 22, sigurg = 23, sigxcpu = 24, sigxfsz = 25,
    sigvtalrm = 26, sigprof = 27, sigwinch = 28, sigio = 29, sigpwr = 30, sigsys = 31,
};

inline constexpr int kNumSignals = 64;  // _NSIG

constexpr std::string_view signal_name(int sig) {
    constexpr std::string_view names[] = {
        "0",       "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE",  "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",   "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU", "SIGURG",
        "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGIO",   "SIGPWR",  "SIGSYS",
    };
    if (sig > 0 && sig < 32)
        return names[sig];
    return sig >= 32 && sig <= kNumSignals ? "SIGRT" : "SIG?";
}

// si_code values (include/uapi/asm-generic/siginfo.h).
inline constexpr int SI_USER = 0;       // kill()
inline constexpr int SI_KERNEL = 0x80;  // sent by the kernel (force_sig)
inline constexpr int SI_QUEUE = -1;     // sigqueue()
inline constexpr int SI_TKILL = -6;     // tkill()/tgkill()
inline constexpr int ILL_ILLOPC = 1;
inline constexpr int ILL_ILLOPN = 2;
inline constexpr int FPE_INTDIV = 1;
inline constexpr int FPE_INTOVF = 2;
inline constexpr int FPE_FLTDIV = 3;
inline constexpr int FPE_FLTOVF = 4;
inline constexpr int FPE_FLTUND = 5;
inline constexpr int FPE_FLTRES = 6;
inline constexpr int FPE_FLTINV = 7;
inline constexpr int SEGV_MAPERR = 1;
inline constexpr int SEGV_ACCERR = 2;
inline constexpr int BUS_ADRALN = 1;
inline constexpr int BUS_ADRERR = 2;
inline constexpr int TRAP_BRKPT = 1;
inline constexpr int TRAP_TRACE = 2;

// struct kernel_sigaction as rt_sigaction passes it on x86-64.
struct KernelSigaction {
    std::uint64_t handler;
    std::uint64_t flags;
    std::uint64_t restorer;
    std::uint64_t mask;
};

inline constexpr std::uint64_t SIG_DFL = 0;
inline constexpr std::uint64_t SIG_IGN = 1;

// sa_flags.
inline constexpr std::uint64_t SA_NOCLDSTOP = 0x00000001;
inline constexpr std::uint64_t SA_NOCLDWAIT = 0x00000002;
inline constexpr std::uint64_t SA_SIGINFO = 0x00000004;
inline constexpr std::uint64_t SA_EXPOSE_TAGBITS = 0x00000800;
inline constexpr std::uint64_t SA_RESTORER = 0x04000000;
inline constexpr std::uint64_t SA_ONSTACK = 0x08000000;
inline constexpr std::uint64_t SA_RESTART = 0x10000000;
inline constexpr std::uint64_t SA_NODEFER = 0x40000000;
inline constexpr std::uint64_t SA_RESETHAND = 0x80000000;
// The flags rt_sigaction keeps (Linux's UAPI_SA_FLAGS); others are cleared so that a
// program can detect unsupported ones.
inline constexpr std::uint64_t kKnownSaFlags = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_EXPOSE_TAGBITS |
                                               SA_RESTORER | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND;

// sigaltstack.
inline constexpr std::int32_t SS_ONSTACK = 1;
inline constexpr std::int32_t SS_DISABLE = 2;
inline constexpr std::int32_t SS_AUTODISARM = static_cast<std::int32_t>(1u << 31);
inline constexpr std::uint64_t MINSIGSTKSZ = 2048;

// stack_t.
struct StackT {
    std::uint64_t sp = 0;
    std::int32_t flags = SS_DISABLE;
    std::int32_t pad = 0;
    std::uint64_t size = 0;
};
static_assert(sizeof(StackT) == 24);

// siginfo_t (128 bytes). The union starts at offset 16; the two layouts faultline fills are
// the kill one (si_pid, si_uid, si_value) and the fault one (si_addr).
struct SigInfo {
    std::int32_t signo = 0;
    std::int32_t errno_value = 0;
    std::int32_t code = 0;
    std::int32_t pad0 = 0;
    union Fields {
        std::uint8_t raw[112];
        struct {
            std::int32_t pid;
            std::uint32_t uid;
            std::uint64_t value;  // si_value (SI_QUEUE)
        } kill;
        struct {
            std::uint64_t addr;
            std::int16_t addr_lsb;
        } fault;
        struct {
            std::int32_t pid;
            std::uint32_t uid;
            std::int32_t status;
            std::int32_t pad;
            std::int64_t utime;
            std::int64_t stime;
        } chld;
    } fields{};
};
static_assert(sizeof(SigInfo) == 128);
// What the kernel keeps of a siginfo a program passes in (sizeof(struct kernel_siginfo)).
inline constexpr std::size_t kKernelSigInfoSize = 48;

// struct sigcontext (x86-64), the registers in a signal frame.
struct SigContext {
    std::uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    std::uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;
    std::uint64_t rip;
    std::uint64_t eflags;
    std::uint16_t cs, gs, fs, ss;
    std::uint64_t err;
    std::uint64_t trapno;
    std::uint64_t oldmask;
    std::uint64_t cr2;
    std::uint64_t fpstate;  // address of the FXSAVE image, or 0
    std::uint64_t reserved1[8];
};
static_assert(sizeof(SigContext) == 256);

// uc_flags.
inline constexpr std::uint64_t UC_FP_XSTATE = 0x1;
inline constexpr std::uint64_t UC_SIGCONTEXT_SS = 0x2;
inline constexpr std::uint64_t UC_STRICT_RESTORE_SS = 0x4;

// The kernel's struct ucontext (glibc's ucontext_t extends it; the prefix is the same).
struct UContext {
    std::uint64_t uc_flags;
    std::uint64_t uc_link;
    StackT uc_stack;
    SigContext uc_mcontext;
    std::uint64_t uc_sigmask;
};
static_assert(sizeof(UContext) == 304);

// struct rt_sigframe (arch/x86/include/asm/sigframe.h): what RSP points at when a
// handler starts. The FPU state follows it, 64-byte aligned.
struct RtSigframe {
    std::uint64_t pretcode;  // sa_restorer: the handler's return address
    UContext uc;
    SigInfo info;
};
static_assert(sizeof(RtSigframe) == 440);

// struct _fpx_sw_bytes, which Linux keeps in the FXSAVE image's software-reserved bytes.
inline constexpr std::uint32_t FP_XSTATE_MAGIC1 = 0x46505853;
inline constexpr std::uint32_t FP_XSTATE_MAGIC2_SIZE = 4;
struct FpxSwBytes {
    std::uint32_t magic1;
    std::uint32_t extended_size;
    std::uint64_t xfeatures;
    std::uint32_t xstate_size;
    std::uint32_t padding[7];
};
static_assert(sizeof(FpxSwBytes) == 48);

}  // namespace linux_abi
