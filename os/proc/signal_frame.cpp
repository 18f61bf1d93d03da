#include "os/proc/signal_frame.h"

#include <cstddef>
#include <cstring>

namespace os::proc {

using linux_abi::Errno;
using linux_abi::RtSigframe;

namespace {

constexpr std::uint64_t round_down(std::uint64_t v, std::uint64_t align) { return v & ~(align - 1); }

// The software-reserved bytes of the FXSAVE image, as Linux's save_xstate_epilog fills them
// on a CPU without XSAVE (x87 and SSE state only).
void put_sw_bytes(emu::FxsaveImage& fx) {
    linux_abi::FpxSwBytes sw{};
    sw.magic1 = linux_abi::FP_XSTATE_MAGIC1;
    sw.extended_size = emu::fxsave::kSize + linux_abi::FP_XSTATE_MAGIC2_SIZE;
    sw.xfeatures = 0x3;  // XFEATURE_MASK_FP | XFEATURE_MASK_SSE
    sw.xstate_size = emu::fxsave::kSize;
    std::memcpy(fx.data() + emu::fxsave::kSwReserved, &sw, sizeof(sw));
}

void save_sigcontext(linux_abi::SigContext& sc, const emu::UserState& regs, const SignalDelivery& d,
                     std::uint64_t fpstate) {
    sc = {};
    sc.r8 = regs.r8;
    sc.r9 = regs.r9;
    sc.r10 = regs.r10;
    sc.r11 = regs.r11;
    sc.r12 = regs.r12;
    sc.r13 = regs.r13;
    sc.r14 = regs.r14;
    sc.r15 = regs.r15;
    sc.rdi = regs.rdi;
    sc.rsi = regs.rsi;
    sc.rbp = regs.rbp;
    sc.rbx = regs.rbx;
    sc.rdx = regs.rdx;
    sc.rax = regs.rax;
    sc.rcx = regs.rcx;
    sc.rsp = regs.rsp;
    sc.rip = regs.rip;
    sc.eflags = regs.rflags;
    sc.cs = kUserCs;
    sc.gs = 0;
    sc.fs = 0;
    sc.ss = kUserSs;
    sc.err = d.trap.error_code;
    sc.trapno = d.trap.trapno;
    sc.oldmask = d.saved_mask;
    sc.cr2 = d.trap.cr2;
    sc.fpstate = fpstate;
}

void restore_sigcontext(emu::UserState& regs, const linux_abi::SigContext& sc) {
    regs.r8 = sc.r8;
    regs.r9 = sc.r9;
    regs.r10 = sc.r10;
    regs.r11 = sc.r11;
    regs.r12 = sc.r12;
    regs.r13 = sc.r13;
    regs.r14 = sc.r14;
    regs.r15 = sc.r15;
    regs.rdi = sc.rdi;
    regs.rsi = sc.rsi;
    regs.rbp = sc.rbp;
    regs.rbx = sc.rbx;
    regs.rdx = sc.rdx;
    regs.rax = sc.rax;
    regs.rcx = sc.rcx;
    regs.rsp = sc.rsp;
    regs.rip = sc.rip;
    regs.rflags = (regs.rflags & ~kSigreturnFlags) | (sc.eflags & kSigreturnFlags);
    // CS and SS are forced to the user selectors, which are the only ones there are; FS
    // and GS (selectors and bases) are not part of the frame.
}

}  // namespace

std::optional<FramePlacement> place_signal_frame(std::uint64_t rsp, const linux_abi::KernelSigaction& action,
                                                 const linux_abi::StackT& alt_stack) {
    const bool nested_altstack = on_sig_stack(alt_stack, rsp);
    bool entering_altstack = false;
    std::uint64_t sp = rsp - kRedZone;
    if ((action.flags & linux_abi::SA_ONSTACK) && sas_ss_flags(alt_stack, sp) == 0) {
        sp = alt_stack.sp + alt_stack.size;
        entering_altstack = true;
    }
    FramePlacement p;
    p.fpstate = round_down(sp - emu::fxsave::kSize, kFpStateAlign);
    // align_sigframe: 16-byte aligned minus 8, as if a call had pushed the return address.
    p.frame = round_down(p.fpstate - sizeof(RtSigframe), kFrameAlign) - 8;
    if ((nested_altstack || entering_altstack) && !within_sig_stack(alt_stack, p.frame))
        return std::nullopt;  // the alternate stack overflowed
    return p;
}

KResult<std::uint64_t> setup_rt_frame(UserMemory& mem, emu::UserState& regs, const SignalDelivery& d) {
    // x86-64 has no kernel-provided return trampoline: without SA_RESTORER the handler
    // would have nowhere to return to, and Linux refuses to deliver.
    if (!(d.action.flags & linux_abi::SA_RESTORER))
        return err(Errno::efault);
    auto placed = place_signal_frame(regs.rsp, d.action, d.alt_stack);
    if (!placed)
        return err(Errno::efault);

    // The FPU state first (get_sigframe saves it before the frame is written).
    emu::FxsaveImage fx = regs.fxsave;
    put_sw_bytes(fx);
    TRY_VOID(mem.write(placed->fpstate, fx.data(), fx.size()));

    // pretcode and the ucontext in one piece; the siginfo only for SA_SIGINFO handlers
    // (the others find whatever was on the stack there, as on Linux).
    RtSigframe frame{};
    frame.pretcode = d.action.restorer;
    frame.uc.uc_flags = kFrameUcFlags;
    frame.uc.uc_link = 0;
    frame.uc.uc_stack = d.alt_stack;
    save_sigcontext(frame.uc.uc_mcontext, regs, d, placed->fpstate);
    frame.uc.uc_sigmask = d.saved_mask;
    TRY_VOID(mem.write(placed->frame, &frame, offsetof(RtSigframe, info)));
    if (d.action.flags & linux_abi::SA_SIGINFO)
        TRY_VOID(mem.write(placed->frame + offsetof(RtSigframe, info), &d.info, sizeof(d.info)));

    regs.rdi = static_cast<std::uint64_t>(d.info.signo);
    regs.rsi = placed->frame + offsetof(RtSigframe, info);
    regs.rdx = placed->frame + offsetof(RtSigframe, uc);
    regs.rax = 0;  // for handlers declared without a prototype (varargs)
    regs.rip = d.action.handler;
    regs.rsp = placed->frame;
    regs.rflags &= ~(emu::rflags::kDf | emu::rflags::kRf | emu::rflags::kTf);
    regs.fxsave = emu::default_fxsave_image();  // the handler starts with a clean FPU
    return placed->frame;
}

SigreturnResult restore_rt_frame(UserMemory& mem, emu::UserState& regs) {
    SigreturnResult result;
    const std::uint64_t frame = regs.rsp - 8;  // the handler's `ret` popped pretcode
    std::uint64_t mask = 0, uc_flags = 0;
    if (!mem.read(&mask, frame + offsetof(RtSigframe, uc.uc_sigmask), sizeof(mask)))
        return result;
    result.mask = mask;
    if (!mem.read(&uc_flags, frame + offsetof(RtSigframe, uc.uc_flags), sizeof(uc_flags)))
        return result;

    linux_abi::SigContext sc{};
    if (!mem.read(&sc, frame + offsetof(RtSigframe, uc.uc_mcontext), offsetof(linux_abi::SigContext, reserved1)))
        return result;
    // Linux returns with IRET to the frame's CS and (with UC_STRICT_RESTORE_SS) SS, forced
    // to RPL 3. Anything but the 64-bit user selectors would be 32-bit code or an IRET
    // fault; faultline treats both as a bad frame.
    if ((sc.cs | 3) != kUserCs)
        return result;
    if ((uc_flags & linux_abi::UC_STRICT_RESTORE_SS) && (sc.ss | 3) != kUserSs)
        return result;
    emu::UserState restored = regs;
    restore_sigcontext(restored, sc);
    if (sc.fpstate == 0) {
        restored.fxsave = emu::default_fxsave_image();  // fpu__clear_user_states
    } else {
        emu::FxsaveImage fx{};
        if (!mem.read(fx.data(), sc.fpstate, fx.size()))
            return result;
        // fxrstor faults on reserved MXCSR bits; Linux treats that as a bad frame.
        if (emu::fx_get<std::uint32_t>(fx, emu::fxsave::kMxcsr) & ~emu::fxsave::kMxcsrMask)
            return result;
        std::memset(fx.data() + emu::fxsave::kSwReserved, 0, fx.size() - emu::fxsave::kSwReserved);
        emu::fx_put<std::uint32_t>(fx, emu::fxsave::kMxcsrMaskOffset, emu::fxsave::kMxcsrMask);
        restored.fxsave = fx;
    }
    if (!mem.read(&result.alt_stack, frame + offsetof(RtSigframe, uc.uc_stack), sizeof(result.alt_stack)))
        return result;
    regs = restored;
    result.ok = true;
    return result;
}

}  // namespace os::proc
