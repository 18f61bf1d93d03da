// The x86-64 signal frame: what Linux's x64_setup_rt_frame writes on the user stack before
// a handler runs, and what rt_sigreturn reads back (arch/x86/kernel/signal.c, signal_64.c).
//
//   higher addresses    (128-byte red zone below the interrupted RSP, or the sigaltstack top)
//                       FXSAVE image, 512 bytes, 64-byte aligned        <- sigcontext.fpstate
//                       struct rt_sigframe { pretcode; ucontext uc; siginfo info; }
//   RSP at entry ->     pretcode (= sa_restorer), with (RSP + 8) % 16 == 0
//
// The code here only computes and moves bytes; the kernel decides which signal to deliver
// and applies the mask and altstack changes (os/kernel.cpp).
#pragma once

#include <cstdint>
#include <optional>

#include "emu/user_state.h"
#include "os/abi/signal.h"
#include "os/mm/address_space.h"
#include "os/proc/signals.h"
#include "os/result.h"

namespace os::proc {

// Guest memory as the frame code reads and writes it.
class UserMemory {
public:
    virtual ~UserMemory() = default;
    virtual KResult<void> write(std::uint64_t addr, const void* src, std::uint64_t n) = 0;
    virtual KResult<void> read(void* dst, std::uint64_t addr, std::uint64_t n) = 0;
};

// A process's address space: accesses demand-page and fail with EFAULT like the guest's own.
class AddressSpaceMemory final : public UserMemory {
public:
    explicit AddressSpaceMemory(mm::AddressSpace& mm) : m_mm(mm) {}
    KResult<void> write(std::uint64_t addr, const void* src, std::uint64_t n) override {
        return m_mm.copy_to_user(addr, src, n);
    }
    KResult<void> read(void* dst, std::uint64_t addr, std::uint64_t n) override {
        return m_mm.copy_from_user(dst, addr, n);
    }

private:
    mm::AddressSpace& m_mm;
};

inline constexpr std::uint64_t kRedZone = 128;
inline constexpr std::uint64_t kFpStateAlign = 64;
inline constexpr std::uint64_t kFrameAlign = 16;
// The RFLAGS bits rt_sigreturn takes from the frame (Linux's FIX_EFLAGS); the others keep
// their current values.
inline constexpr std::uint64_t kSigreturnFlags = emu::rflags::kAc | emu::rflags::kOf | emu::rflags::kDf |
                                                 emu::rflags::kTf | emu::rflags::kSf | emu::rflags::kZf |
                                                 emu::rflags::kAf | emu::rflags::kPf | emu::rflags::kCf |
                                                 emu::rflags::kRf;
// uc_flags of every frame: the CPU has no XSAVE, the frame's SS is meaningful and restored.
inline constexpr std::uint64_t kFrameUcFlags = linux_abi::UC_SIGCONTEXT_SS | linux_abi::UC_STRICT_RESTORE_SS;
// The user selectors the frame records.
inline constexpr std::uint16_t kUserCs = 0x33;
inline constexpr std::uint16_t kUserSs = 0x2b;

// Everything a frame records besides the registers.
struct SignalDelivery {
    linux_abi::SigInfo info;             // info.signo is the signal
    linux_abi::KernelSigaction action;   // the handler, its flags and sa_restorer
    std::uint64_t saved_mask = 0;        // uc_sigmask: the mask rt_sigreturn restores
    linux_abi::StackT alt_stack;         // the sigaltstack setting now
    TrapInfo trap;                       // err, trapno, cr2
};

struct FramePlacement {
    std::uint64_t frame = 0;    // the rt_sigframe: RSP at handler entry
    std::uint64_t fpstate = 0;  // the FXSAVE image
};

// Where Linux's get_sigframe puts the frame for a signal interrupting `rsp`: below the red
// zone, or at the top of the alternate stack with SA_ONSTACK when not already on it.
// nullopt when a frame on the alternate stack would not fit on it (Linux then makes the
// delivery fail, which becomes SIGSEGV).
std::optional<FramePlacement> place_signal_frame(std::uint64_t rsp, const linux_abi::KernelSigaction& action,
                                                 const linux_abi::StackT& alt_stack);

// Writes the frame for `d` below `regs` and changes `regs` to enter the handler: rdi =
// signo, rsi = &frame->info, rdx = &frame->uc, rax = 0, rip = handler, rsp = frame, DF/TF/RF
// cleared, the FPU in its initial state. Returns the frame address. EFAULT, with `regs`
// untouched, if the handler has no SA_RESTORER or the frame cannot be placed or written.
KResult<std::uint64_t> setup_rt_frame(UserMemory& mem, emu::UserState& regs, const SignalDelivery& d);

// What rt_sigreturn found in the frame.
struct SigreturnResult {
    // uc_sigmask, applied by Linux before the rest is checked: present whenever it could
    // be read, even if the frame turns out bad.
    std::optional<std::uint64_t> mask;
    bool ok = false;               // registers and FPU state restored into `regs`
    linux_abi::StackT alt_stack;   // uc_stack, for the kernel to reinstate (when ok)
};

// rt_sigreturn: reads the frame at regs.rsp - 8 and restores every register, RFLAGS only
// in kSigreturnFlags, and the FPU state (initial state if fpstate is 0; a bad MXCSR is a
// bad frame). The restored rax is the syscall's return value.
SigreturnResult restore_rt_frame(UserMemory& mem, emu::UserState& regs);

}  // namespace os::proc
