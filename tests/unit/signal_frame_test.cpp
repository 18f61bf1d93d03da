// The x86-64 signal frame (os/proc/signal_frame.h): layout against Linux's structures,
// placement (red zone, alignment, sigaltstack), setup and rt_sigreturn through a fake user
// memory, and the pending-signal and sigaltstack rules of os/proc/signals.h.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstring>
#include <vector>

#include "os/proc/signal_frame.h"
#include "os/proc/signals.h"

using namespace linux_abi;
using os::proc::FramePlacement;
using os::proc::SignalDelivery;

// --- Layout: offsets as in Linux's uapi headers (asm/sigcontext.h, asm/ucontext.h,
// asm-generic/siginfo.h) and glibc's mcontext_t/ucontext_t prefix.
static_assert(sizeof(SigInfo) == 128);
static_assert(offsetof(SigInfo, signo) == 0);
static_assert(offsetof(SigInfo, errno_value) == 4);
static_assert(offsetof(SigInfo, code) == 8);
static_assert(offsetof(SigInfo, fields) == 16);
static_assert(offsetof(SigInfo, fields.kill.pid) == 16);
static_assert(offsetof(SigInfo, fields.kill.uid) == 20);
static_assert(offsetof(SigInfo, fields.kill.value) == 24);
static_assert(offsetof(SigInfo, fields.fault.addr) == 16);
static_assert(offsetof(SigInfo, fields.fault.addr_lsb) == 24);

static_assert(sizeof(StackT) == 24);
static_assert(offsetof(StackT, sp) == 0 && offsetof(StackT, flags) == 8 && offsetof(StackT, size) == 16);

static_assert(sizeof(SigContext) == 256);
// glibc's gregs[] indices: REG_R8 = 0 ... REG_CR2 = 22, each 8 bytes.
static_assert(offsetof(SigContext, r8) == 0 * 8);
static_assert(offsetof(SigContext, r15) == 7 * 8);
static_assert(offsetof(SigContext, rdi) == 8 * 8);
static_assert(offsetof(SigContext, rsi) == 9 * 8);
static_assert(offsetof(SigContext, rbp) == 10 * 8);
static_assert(offsetof(SigContext, rbx) == 11 * 8);
static_assert(offsetof(SigContext, rdx) == 12 * 8);
static_assert(offsetof(SigContext, rax) == 13 * 8);
static_assert(offsetof(SigContext, rcx) == 14 * 8);
static_assert(offsetof(SigContext, rsp) == 15 * 8);
static_assert(offsetof(SigContext, rip) == 16 * 8);
static_assert(offsetof(SigContext, eflags) == 17 * 8);
static_assert(offsetof(SigContext, cs) == 18 * 8);  // REG_CSGSFS: cs, gs, fs, ss as u16
static_assert(offsetof(SigContext, gs) == 18 * 8 + 2);
static_assert(offsetof(SigContext, fs) == 18 * 8 + 4);
static_assert(offsetof(SigContext, ss) == 18 * 8 + 6);
static_assert(offsetof(SigContext, err) == 19 * 8);
static_assert(offsetof(SigContext, trapno) == 20 * 8);
static_assert(offsetof(SigContext, oldmask) == 21 * 8);
static_assert(offsetof(SigContext, cr2) == 22 * 8);
static_assert(offsetof(SigContext, fpstate) == 23 * 8);  // mcontext_t.fpregs
static_assert(offsetof(SigContext, reserved1) == 24 * 8);

static_assert(sizeof(UContext) == 304);
static_assert(offsetof(UContext, uc_flags) == 0);
static_assert(offsetof(UContext, uc_link) == 8);
static_assert(offsetof(UContext, uc_stack) == 16);
static_assert(offsetof(UContext, uc_mcontext) == 40);
static_assert(offsetof(UContext, uc_sigmask) == 296);

static_assert(sizeof(RtSigframe) == 440);
static_assert(offsetof(RtSigframe, pretcode) == 0);
static_assert(offsetof(RtSigframe, uc) == 8);
static_assert(offsetof(RtSigframe, info) == 312);

static_assert(sizeof(emu::FxsaveImage) == 512);
static_assert(sizeof(FpxSwBytes) == 48);
static_assert(emu::fxsave::kSwReserved + sizeof(FpxSwBytes) == 512);

namespace {

// User memory: one window of bytes; everything outside it faults.
class FakeMemory final : public os::proc::UserMemory {
public:
    FakeMemory(std::uint64_t base, std::uint64_t size) : m_base(base), m_bytes(size, 0xcc) {}
    os::KResult<void> write(std::uint64_t addr, const void* src, std::uint64_t n) override {
        if (!inside(addr, n))
            return os::err(Errno::efault);
        std::memcpy(m_bytes.data() + (addr - m_base), src, n);
        ++writes;
        return {};
    }
    os::KResult<void> read(void* dst, std::uint64_t addr, std::uint64_t n) override {
        if (!inside(addr, n))
            return os::err(Errno::efault);
        std::memcpy(dst, m_bytes.data() + (addr - m_base), n);
        return {};
    }
    template <class T>
    T get(std::uint64_t addr) {
        T v{};
        REQUIRE(read(&v, addr, sizeof(T)));
        return v;
    }
    template <class T>
    void put(std::uint64_t addr, const T& v) {
        REQUIRE(write(addr, &v, sizeof(T)));
    }
    int writes = 0;

private:
    bool inside(std::uint64_t addr, std::uint64_t n) const {
        return addr >= m_base && n <= m_bytes.size() && addr - m_base <= m_bytes.size() - n;
    }
    std::uint64_t m_base;
    std::vector<std::uint8_t> m_bytes;
};

constexpr std::uint64_t kStackBase = 0x7ffff0000000;
constexpr std::uint64_t kStackSize = 0x10000;
constexpr std::uint64_t kHandler = 0x401000;
constexpr std::uint64_t kRestorer = 0x401800;

emu::UserState interrupted_state() {
    emu::UserState s;
    std::uint64_t v = 0x1000;
    for (std::uint64_t* r : {&s.rax, &s.rbx, &s.rcx, &s.rdx, &s.rsi, &s.rdi, &s.rbp, &s.r8, &s.r9, &s.r10, &s.r11,
                             &s.r12, &s.r13, &s.r14, &s.r15})
        *r = v++;
    s.rsp = kStackBase + kStackSize - 0x1234;  // deliberately misaligned
    s.rip = 0x402345;
    s.rflags = 0x202 | emu::rflags::kDf | emu::rflags::kCf | emu::rflags::kZf;
    s.fs_base = 0x4c0000;
    emu::fx_put<std::uint16_t>(s.fxsave, emu::fxsave::kFcw, 0x27f);
    emu::fx_put<std::uint32_t>(s.fxsave, emu::fxsave::kMxcsr, 0x3f80);
    for (int i = 0; i < 16; ++i)
        s.fxsave[emu::fxsave::kXmm0 + 16 * i] = static_cast<std::uint8_t>(0xa0 + i);
    return s;
}

SignalDelivery delivery(int sig, std::uint64_t flags) {
    SignalDelivery d;
    d.info.signo = sig;
    d.info.code = SI_KERNEL;
    d.info.fields.fault.addr = 0xdead;
    d.action = KernelSigaction{kHandler, flags | SA_RESTORER, kRestorer, 0};
    d.saved_mask = os::proc::signal_bit(10) | os::proc::signal_bit(12);
    d.trap = os::proc::TrapInfo{14, 6, 0xdeadbeef};
    return d;
}

}  // namespace

TEST_CASE("Signal frame: placed below the red zone, FPU state 64-byte aligned, (rsp + 8) % 16 == 0") {
    for (std::uint64_t rsp = kStackBase + 0x8000; rsp < kStackBase + 0x8000 + 64; ++rsp) {
        auto p = os::proc::place_signal_frame(rsp, KernelSigaction{kHandler, SA_RESTORER, kRestorer, 0}, StackT{});
        REQUIRE(p);
        CHECK(p->fpstate % 64 == 0);
        CHECK(p->fpstate + 512 <= rsp - 128);
        CHECK(p->fpstate > rsp - 128 - 512 - 64);
        CHECK((p->frame + 8) % 16 == 0);
        CHECK(p->frame + sizeof(RtSigframe) <= p->fpstate);
        CHECK(p->frame + sizeof(RtSigframe) + 24 > p->fpstate);
    }
}

TEST_CASE("Signal frame: SA_ONSTACK switches to the alternate stack unless already on it") {
    const StackT alt{0x500000, 0, 0, 0x4000};
    const KernelSigaction onstack{kHandler, SA_RESTORER | SA_ONSTACK, kRestorer, 0};
    auto p = os::proc::place_signal_frame(kStackBase + 0x8000, onstack, alt);
    REQUIRE(p);
    CHECK(p->fpstate == 0x504000 - 512);
    CHECK(p->frame > 0x500000);
    // Without SA_ONSTACK the normal stack is used.
    p = os::proc::place_signal_frame(kStackBase + 0x8000, KernelSigaction{kHandler, SA_RESTORER, kRestorer, 0}, alt);
    REQUIRE(p);
    CHECK(p->frame > kStackBase);
    // Already on the alternate stack: the frame nests below the current RSP.
    p = os::proc::place_signal_frame(0x503000, onstack, alt);
    REQUIRE(p);
    CHECK(p->fpstate <= 0x503000 - 128 - 512);
    // Nested and out of room: no frame.
    CHECK_FALSE(os::proc::place_signal_frame(0x500400, onstack, alt));
    // An alternate stack too small for a frame at all.
    CHECK_FALSE(os::proc::place_signal_frame(kStackBase + 0x8000, onstack, StackT{0x500000, 0, 0, 512}));
    // SS_AUTODISARM: never "on" the stack, so a nested signal starts at its top again.
    const StackT autodisarm{0x500000, SS_AUTODISARM, 0, 0x4000};
    p = os::proc::place_signal_frame(0x503000, onstack, autodisarm);
    REQUIRE(p);
    CHECK(p->fpstate == 0x504000 - 512);
}

TEST_CASE("Signal frame: setup writes Linux's rt_sigframe and enters the handler") {
    FakeMemory mem(kStackBase, kStackSize);
    emu::UserState regs = interrupted_state();
    const emu::UserState before = regs;
    SignalDelivery d = delivery(11, SA_SIGINFO);
    d.alt_stack = StackT{0x500000, SS_AUTODISARM, 0, 0x4000};
    auto frame = os::proc::setup_rt_frame(mem, regs, d);
    REQUIRE(frame);
    CHECK((*frame + 8) % 16 == 0);
    CHECK(*frame < before.rsp - 128);

    // Handler entry registers.
    CHECK(regs.rip == kHandler);
    CHECK(regs.rsp == *frame);
    CHECK(regs.rdi == 11);
    CHECK(regs.rsi == *frame + offsetof(RtSigframe, info));
    CHECK(regs.rdx == *frame + offsetof(RtSigframe, uc));
    CHECK(regs.rax == 0);
    CHECK((regs.rflags & emu::rflags::kDf) == 0);
    CHECK((regs.rflags & emu::rflags::kCf) != 0);  // other flags stay
    CHECK(regs.rbx == before.rbx);
    CHECK(regs.r15 == before.r15);
    CHECK(regs.fs_base == before.fs_base);
    CHECK(regs.fxsave == emu::default_fxsave_image());

    // The frame.
    const auto f = mem.get<RtSigframe>(*frame);
    CHECK(f.pretcode == kRestorer);
    CHECK(f.uc.uc_flags == (UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS));
    CHECK(f.uc.uc_link == 0);
    CHECK(f.uc.uc_stack.sp == 0x500000);
    CHECK(f.uc.uc_stack.size == 0x4000);
    CHECK(f.uc.uc_stack.flags == SS_AUTODISARM);
    CHECK(f.uc.uc_sigmask == d.saved_mask);
    const SigContext& sc = f.uc.uc_mcontext;
    CHECK(sc.rax == before.rax);
    CHECK(sc.rbx == before.rbx);
    CHECK(sc.rcx == before.rcx);
    CHECK(sc.rdx == before.rdx);
    CHECK(sc.rsi == before.rsi);
    CHECK(sc.rdi == before.rdi);
    CHECK(sc.rbp == before.rbp);
    CHECK(sc.rsp == before.rsp);
    CHECK(sc.r8 == before.r8);
    CHECK(sc.r15 == before.r15);
    CHECK(sc.rip == before.rip);
    CHECK(sc.eflags == before.rflags);
    CHECK(sc.cs == 0x33);
    CHECK(sc.ss == 0x2b);
    CHECK(sc.fs == 0);
    CHECK(sc.gs == 0);
    CHECK(sc.trapno == 14);
    CHECK(sc.err == 6);
    CHECK(sc.cr2 == 0xdeadbeef);
    CHECK(sc.oldmask == d.saved_mask);
    CHECK(sc.fpstate % 64 == 0);
    CHECK(sc.fpstate >= *frame + sizeof(RtSigframe));
    CHECK(sc.fpstate + 512 <= before.rsp - 128);
    CHECK(f.info.signo == 11);
    CHECK(f.info.code == SI_KERNEL);
    CHECK(f.info.fields.fault.addr == 0xdead);

    // The FPU image is the interrupted one, with Linux's software bytes.
    emu::FxsaveImage fx;
    REQUIRE(mem.read(fx.data(), sc.fpstate, fx.size()));
    CHECK(std::memcmp(fx.data(), before.fxsave.data(), emu::fxsave::kSwReserved) == 0);
    FpxSwBytes sw;
    std::memcpy(&sw, fx.data() + emu::fxsave::kSwReserved, sizeof(sw));
    CHECK(sw.magic1 == FP_XSTATE_MAGIC1);
    CHECK(sw.extended_size == 516);
    CHECK(sw.xfeatures == 3);
    CHECK(sw.xstate_size == 512);
}

TEST_CASE("Signal frame: without SA_SIGINFO the siginfo area is left alone") {
    FakeMemory mem(kStackBase, kStackSize);
    emu::UserState regs = interrupted_state();
    auto frame = os::proc::setup_rt_frame(mem, regs, delivery(10, 0));
    REQUIRE(frame);
    CHECK(mem.get<std::uint32_t>(*frame + offsetof(RtSigframe, info)) == 0xcccccccc);
    CHECK(regs.rsi == *frame + offsetof(RtSigframe, info));  // still passed, as on Linux
}

TEST_CASE("Signal frame: no SA_RESTORER, or a stack that cannot take the frame, is EFAULT") {
    FakeMemory mem(kStackBase, kStackSize);
    emu::UserState regs = interrupted_state();
    const emu::UserState before = regs;
    SignalDelivery d = delivery(10, SA_SIGINFO);
    d.action.flags &= ~SA_RESTORER;
    CHECK_FALSE(os::proc::setup_rt_frame(mem, regs, d));
    CHECK(mem.writes == 0);
    regs.rsp = kStackBase + 600;  // the frame would fall below the mapped window
    CHECK_FALSE(os::proc::setup_rt_frame(mem, regs, delivery(10, SA_SIGINFO)));
    regs.rsp = 0x1000;
    CHECK_FALSE(os::proc::setup_rt_frame(mem, regs, delivery(10, SA_SIGINFO)));
    regs.rsp = before.rsp;
    CHECK(regs.rip == before.rip);
    CHECK(regs.rdi == before.rdi);
}

TEST_CASE("Signal frame: rt_sigreturn restores exactly what setup saved") {
    FakeMemory mem(kStackBase, kStackSize);
    emu::UserState regs = interrupted_state();
    const emu::UserState before = regs;
    SignalDelivery d = delivery(12, SA_SIGINFO);
    d.alt_stack = StackT{0x500000, 0, 0, 0x4000};
    auto frame = os::proc::setup_rt_frame(mem, regs, d);
    REQUIRE(frame);
    // The handler clobbers everything, then returns: `ret` pops pretcode into RIP.
    for (std::uint64_t* r : {&regs.rax, &regs.rbx, &regs.rcx, &regs.rdx, &regs.rsi, &regs.rdi, &regs.rbp, &regs.r8,
                             &regs.r11, &regs.r15})
        *r = 0x5555;
    regs.rflags = 0x202 | emu::rflags::kOf;
    emu::fx_put<std::uint32_t>(regs.fxsave, emu::fxsave::kMxcsr, 0x1f80 | 0x6000);
    regs.rsp = *frame + 8;
    regs.rip = kRestorer + 7;
    const os::proc::SigreturnResult r = os::proc::restore_rt_frame(mem, regs);
    REQUIRE(r.ok);
    REQUIRE(r.mask);
    CHECK(*r.mask == d.saved_mask);
    CHECK(r.alt_stack.sp == 0x500000);
    CHECK(r.alt_stack.size == 0x4000);
    CHECK(regs.rax == before.rax);
    CHECK(regs.rbx == before.rbx);
    CHECK(regs.rcx == before.rcx);
    CHECK(regs.rdx == before.rdx);
    CHECK(regs.rsi == before.rsi);
    CHECK(regs.rdi == before.rdi);
    CHECK(regs.rbp == before.rbp);
    CHECK(regs.rsp == before.rsp);
    CHECK(regs.r8 == before.r8);
    CHECK(regs.r11 == before.r11);
    CHECK(regs.r15 == before.r15);
    CHECK(regs.rip == before.rip);
    CHECK(regs.rflags == before.rflags);
    CHECK(regs.fs_base == before.fs_base);
    CHECK(std::memcmp(regs.fxsave.data(), before.fxsave.data(), emu::fxsave::kSwReserved) == 0);
}

TEST_CASE("Signal frame: rt_sigreturn takes what the handler changed in the frame, within limits") {
    FakeMemory mem(kStackBase, kStackSize);
    emu::UserState regs = interrupted_state();
    auto frame = os::proc::setup_rt_frame(mem, regs, delivery(4, SA_SIGINFO));
    REQUIRE(frame);
    const std::uint64_t sc = *frame + offsetof(RtSigframe, uc.uc_mcontext);
    mem.put<std::uint64_t>(sc + offsetof(SigContext, rip), 0x402347);
    mem.put<std::uint64_t>(sc + offsetof(SigContext, rax), 42);
    // IF, IOPL and VM are not the program's to change; the arithmetic flags, DF, TF, AC are.
    mem.put<std::uint64_t>(sc + offsetof(SigContext, eflags), emu::rflags::kOf | emu::rflags::kAc | (3u << 12) |
                                                                  (1u << 17) | emu::rflags::kFixed1);
    mem.put<std::uint64_t>(*frame + offsetof(RtSigframe, uc.uc_sigmask), 0x4);
    regs.rsp = *frame + 8;
    auto r = os::proc::restore_rt_frame(mem, regs);
    REQUIRE(r.ok);
    CHECK(*r.mask == 0x4);
    CHECK(regs.rip == 0x402347);
    CHECK(regs.rax == 42);
    CHECK(regs.rflags == (0x202 | emu::rflags::kOf | emu::rflags::kAc));
}

TEST_CASE("Signal frame: rt_sigreturn with fpstate 0 resets the FPU; bad frames are refused") {
    FakeMemory mem(kStackBase, kStackSize);
    emu::UserState regs = interrupted_state();
    auto frame = os::proc::setup_rt_frame(mem, regs, delivery(10, 0));
    REQUIRE(frame);
    const std::uint64_t sc = *frame + offsetof(RtSigframe, uc.uc_mcontext);
    const std::uint64_t fpstate = mem.get<std::uint64_t>(sc + offsetof(SigContext, fpstate));

    SECTION("fpstate 0") {
        mem.put<std::uint64_t>(sc + offsetof(SigContext, fpstate), 0);
        regs.rsp = *frame + 8;
        regs.fxsave[emu::fxsave::kXmm0] = 0x77;
        auto r = os::proc::restore_rt_frame(mem, regs);
        REQUIRE(r.ok);
        CHECK(regs.fxsave == emu::default_fxsave_image());
    }
    SECTION("reserved MXCSR bits") {
        mem.put<std::uint32_t>(fpstate + emu::fxsave::kMxcsr, 0x10000 | 0x1f80);
        regs.rsp = *frame + 8;
        const emu::UserState before = regs;
        auto r = os::proc::restore_rt_frame(mem, regs);
        CHECK_FALSE(r.ok);
        CHECK(r.mask);  // applied by Linux before the registers are looked at
        CHECK(regs.rip == before.rip);
    }
    SECTION("a 32-bit code selector") {
        mem.put<std::uint16_t>(sc + offsetof(SigContext, cs), 0x23);
        regs.rsp = *frame + 8;
        CHECK_FALSE(os::proc::restore_rt_frame(mem, regs).ok);
    }
    SECTION("an unreadable frame") {
        regs.rsp = 0x1000;
        auto r = os::proc::restore_rt_frame(mem, regs);
        CHECK_FALSE(r.ok);
        CHECK_FALSE(r.mask);
    }
}

TEST_CASE("PendingSignals: standard signals merge, real-time ones queue, synchronous ones first") {
    os::proc::PendingSignals p;
    auto queued = [](int sig, int code) {
        os::proc::QueuedSignal q;
        q.info.signo = sig;
        q.info.code = code;
        return q;
    };
    p.add(queued(12, 1));
    p.add(queued(12, 2));  // merged: the first siginfo stays
    p.add(queued(40, 1));
    p.add(queued(40, 2));
    p.add(queued(34, 1));
    p.add(queued(11, 7));
    CHECK(p.set() == (os::proc::signal_bit(12) | os::proc::signal_bit(40) | os::proc::signal_bit(34) |
                      os::proc::signal_bit(11)));
    CHECK_FALSE(p.take(os::proc::signal_bit(1)));
    auto s = p.take(~0ull);
    REQUIRE(s);
    CHECK(s->info.signo == 11);  // SIGSEGV is synchronous: before SIGUSR2
    s = p.take(~0ull);
    CHECK(s->info.signo == 12);
    CHECK(s->info.code == 1);
    CHECK_FALSE(p.contains(12));
    s = p.take(~0ull);
    CHECK(s->info.signo == 34);
    s = p.take(~0ull);
    CHECK(s->info.signo == 40);
    CHECK(s->info.code == 1);
    CHECK(p.contains(40));
    p.discard(40);
    CHECK(p.set() == 0);
    CHECK_FALSE(p.take(~0ull));
}

TEST_CASE("sigaltstack rules: on-stack test, reported flags, EPERM, EINVAL, ENOMEM") {
    StackT alt = os::proc::kNoAltStack;
    CHECK(os::proc::report_alt_stack(alt, 0x7000).flags == SS_DISABLE);
    CHECK(os::proc::change_alt_stack(alt, StackT{0x500000, 0, 0, 1024}, 0x7000).error() == Errno::enomem);
    CHECK(os::proc::change_alt_stack(alt, StackT{0x500000, 4, 0, 0x4000}, 0x7000).error() == Errno::einval);
    REQUIRE(os::proc::change_alt_stack(alt, StackT{0x500000, 0, 0, 0x4000}, 0x7000));
    CHECK(os::proc::report_alt_stack(alt, 0x7000).flags == 0);
    CHECK(os::proc::report_alt_stack(alt, 0x503000).flags == SS_ONSTACK);
    CHECK(os::proc::report_alt_stack(alt, 0x504000).flags == SS_ONSTACK);  // the top counts (sp > base, <= size)
    CHECK(os::proc::report_alt_stack(alt, 0x500000).flags == 0);
    CHECK(os::proc::change_alt_stack(alt, StackT{0, SS_DISABLE, 0, 0}, 0x503000).error() == Errno::eperm);
    REQUIRE(os::proc::change_alt_stack(alt, StackT{0x600000, SS_ONSTACK, 0, 0x4000}, 0x7000));  // old mode name
    CHECK(alt.sp == 0x600000);
    REQUIRE(os::proc::change_alt_stack(alt, StackT{0x500000, SS_AUTODISARM, 0, 0x4000}, 0x7000));
    CHECK(os::proc::report_alt_stack(alt, 0x503000).flags == SS_AUTODISARM);  // never "on" it
    REQUIRE(os::proc::change_alt_stack(alt, StackT{0x1234, SS_DISABLE, 0, 99}, 0x503000));
    CHECK(alt.sp == 0);
    CHECK(alt.size == 0);
    CHECK(os::proc::report_alt_stack(alt, 0x7000).flags == SS_DISABLE);
}
