#include "os/kernel.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cinttypes>
#include <cstring>

#include "emu/decoder.h"
#include "os/abi/signal.h"
#include "os/proc/exec.h"
#include "os/proc/signal_frame.h"
#include "os/proc/signals.h"

namespace os {

using linux_abi::Signal;

namespace {

mm::Access to_access(emu::MemAccess a) {
    switch (a) {
    case emu::MemAccess::Read: return mm::Access::Read;
    case emu::MemAccess::Write: return mm::Access::Write;
    case emu::MemAccess::Fetch: return mm::Access::Execute;
    }
    return mm::Access::Read;
}

// How Linux's x86 trap handlers turn a CPU exception into a signal (arch/x86/kernel/traps.c).
struct ExceptionSignal {
    int signal;
    int code;          // si_code
    bool addr_is_rip;  // si_addr: the faulting instruction, or 0
    const char* what;  // for the report
    bool software_interrupt = false;  // `int N` that user code may not use: a #GP on Linux
};

constexpr int kSigIll = static_cast<int>(Signal::sigill);
constexpr int kSigTrap = static_cast<int>(Signal::sigtrap);
constexpr int kSigBus = static_cast<int>(Signal::sigbus);
constexpr int kSigFpe = static_cast<int>(Signal::sigfpe);
constexpr int kSigKill = static_cast<int>(Signal::sigkill);
constexpr int kSigSegv = static_cast<int>(Signal::sigsegv);

constexpr unsigned kTrapGp = 13;
constexpr unsigned kTrapPf = 14;

ExceptionSignal signal_for_vector(unsigned vector) {
    using namespace linux_abi;
    switch (vector) {
    case 0: return {kSigFpe, FPE_INTDIV, true, "divide error"};
    case 1: return {kSigTrap, TRAP_TRACE, true, "debug trap"};
    case 3: return {kSigTrap, SI_KERNEL, false, "breakpoint (int3)"};
    case 4: return {kSigSegv, SI_KERNEL, false, "overflow"};
    case 5: return {kSigSegv, SI_KERNEL, false, "bound range exceeded"};
    case 6: return {kSigIll, ILL_ILLOPN, true, "invalid opcode"};
    case 7: return {kSigSegv, SI_KERNEL, false, "device not available"};
    case 10: return {kSigSegv, SI_KERNEL, false, "invalid TSS"};
    case 11: return {kSigBus, SI_KERNEL, false, "segment not present"};
    case 12: return {kSigBus, SI_KERNEL, false, "stack segment fault"};
    case 13: return {kSigSegv, SI_KERNEL, false, "general protection fault"};
    case 16: return {kSigFpe, 0, true, "x87 floating-point error"};
    case 17: return {kSigBus, BUS_ADRALN, false, "alignment check"};
    case 19: return {kSigFpe, 0, true, "SIMD floating-point error"};
    default: return {kSigSegv, SI_KERNEL, false, "software interrupt", true};
    }
}

// si_code of an x87 (#MF) or SIMD (#XM) exception from the unmasked exception bits
// (Linux's fpu__exception_code); 0 for a spurious one.
int fpu_exception_code(const emu::UserState& regs, unsigned vector) {
    std::uint32_t status = 0;
    if (vector == 16) {
        const auto cwd = emu::fx_get<std::uint16_t>(regs.fxsave, emu::fxsave::kFcw);
        const auto swd = emu::fx_get<std::uint16_t>(regs.fxsave, emu::fxsave::kFsw);
        status = swd & ~cwd;
    } else {
        const auto mxcsr = emu::fx_get<std::uint32_t>(regs.fxsave, emu::fxsave::kMxcsr);
        status = ~(mxcsr >> 7) & mxcsr;
    }
    if (status & 0x001)
        return linux_abi::FPE_FLTINV;
    if (status & 0x004)
        return linux_abi::FPE_FLTDIV;
    if (status & 0x008)
        return linux_abi::FPE_FLTOVF;
    if (status & 0x012)
        return linux_abi::FPE_FLTUND;
    if (status & 0x020)
        return linux_abi::FPE_FLTRES;
    return 0;
}

linux_abi::SigInfo fault_info(int sig, int code, std::uint64_t addr) {
    linux_abi::SigInfo info{};
    info.signo = sig;
    info.code = code;
    info.fields.fault.addr = addr;
    return info;
}

// x86-64 page-fault error code bits.
constexpr std::uint64_t kPfProt = 1 << 0;   // the page was present
constexpr std::uint64_t kPfWrite = 1 << 1;
constexpr std::uint64_t kPfUser = 1 << 2;
constexpr std::uint64_t kPfInstr = 1 << 4;

bool is_canonical(std::uint64_t addr) {
    const auto high = static_cast<std::int64_t>(addr) >> 47;
    return high == 0 || high == -1;
}

}  // namespace

Kernel::Kernel(const KernelConfig& config, SyscallDispatcher& syscalls)
    : m_config(config), m_syscalls(syscalls), m_pmem(config.ram_bytes), m_random(config.seed) {
    m_pmem.set_mmu_notifier(this);
    m_cpu = std::make_unique<emu::Cpu>(m_pmem.host_base(), m_pmem.size_bytes(), *this);
    // One reserved frame holds the GDT and the stub that enters CPL 3; it is zeroed after.
    auto boot = m_pmem.allocate(mm::FrameUse::Reserved);
    m_cpu->enter_user_mode(mm::pfn_to_phys(*boot));
}

Kernel::~Kernel() {
    // Address spaces release their frames into m_pmem; they must go before it.
    m_current.reset();
}

void Kernel::random_bytes(void* buf, std::size_t n) {
    auto* out = static_cast<std::uint8_t*>(buf);
    for (std::size_t i = 0; i < n; i += 8) {
        std::uint64_t v = m_random();
        std::memcpy(out + i, &v, std::min<std::size_t>(8, n - i));
    }
}

void Kernel::report_unimplemented(std::uint64_t nr, std::string_view name) {
    if (m_reported_syscalls.insert(nr).second)
        spdlog::warn("syscall {} ({}) is not implemented: returning ENOSYS", name, nr);
}

int Kernel::start_first_process(const std::string& path, const std::vector<std::string>& argv,
                                const std::vector<std::string>& envp) {
    proc::ExecRequest req;
    req.path = path;
    req.argv = argv;
    req.envp = envp;
    req.hwcap = m_cpu->hwcap();
    req.creds = proc::Credentials{static_cast<std::uint32_t>(::getuid()), static_cast<std::uint32_t>(::geteuid()),
                                  static_cast<std::uint32_t>(::getgid()), static_cast<std::uint32_t>(::getegid())};
    random_bytes(req.random.data(), req.random.size());
    auto image = proc::build_exec_image(m_pmem, this, m_page_cache, req);
    if (!image) {
        spdlog::error("cannot execute {}: {}", path, image.error().message);
        return image.error().error == linux_abi::Errno::enoent ? kExitNotFound : kExitCannotExecute;
    }
    m_current = std::make_unique<proc::Process>(kFirstPid, kInitPid, std::move(image->mm),
                                                fs::FileTable::with_host_stdio(m_page_cache));
    m_current->set_executable(image->absolute_path);
    m_current->creds = req.creds;
    flush_tlb();
    m_cpu->reset_registers(image->entry, image->stack_pointer);
    return 0;
}

int Kernel::run(const std::string& path, const std::vector<std::string>& argv, const std::vector<std::string>& envp) {
    if (int status = start_first_process(path, argv, envp); status != 0)
        return status;
    while (!m_current->exited()) {
        m_pending_fault.reset();
        m_syscall_rip.reset();
        switch (m_cpu->run()) {
        case emu::StopReason::Stopped:
            break;
        case emu::StopReason::PageFault:
            handle_page_fault();
            break;
        case emu::StopReason::Exception:
            handle_exception(m_cpu->exception_vector());
            break;
        case emu::StopReason::Error:
            spdlog::error("emulation failed at {}: {}", describe_rip(), m_cpu->error());
            kill_current(static_cast<int>(Signal::sigill), "emulation error");
            break;
        }
        if (!m_current->exited())
            return_to_user();
    }
    return m_current->exit_state().shell_status();
}

std::optional<emu::TlbEntry> Kernel::tlb_fill(std::uint64_t vaddr, emu::MemAccess access) {
    const mm::Access a = to_access(access);
    auto t = m_current->mm().translate(vaddr, a);
    if (!t) {
        m_pending_fault = PendingFault{vaddr, a, t.error()};
        return std::nullopt;
    }
    return emu::TlbEntry{t->paddr, t->perms};
}

void Kernel::syscall() {
    std::uint64_t nr = 0;
    std::uint64_t args[6];
    m_cpu->read_syscall_regs(nr, args);
    const std::int64_t result = m_syscalls.dispatch(*this, nr, args);
    if (m_current->exited())
        return;
    m_cpu->finish_syscall(static_cast<std::uint64_t>(result));
    // Signal work changes RIP and RSP, which must not happen inside the hook: leave the
    // run (RIP then points past the syscall) and do it in return_to_user().
    if (m_sigreturn_state || signal_work_pending()) {
        m_syscall_rip = m_cpu->reg(emu::Reg::rip);
        m_cpu->stop();
    }
}

void Kernel::send_signal_to_current(int sig) {
    linux_abi::SigInfo info{};
    info.signo = sig;
    info.code = linux_abi::SI_USER;
    info.fields.kill.pid = m_current->pid();
    info.fields.kill.uid = m_current->creds.uid;
    send_signal_to_current(info);
}

void Kernel::send_signal_to_current(const linux_abi::SigInfo& info) {
    proc::Process& p = *m_current;
    const int sig = info.signo;
    // An ignored signal is discarded at once unless it is blocked (the disposition may
    // change before it is unblocked).
    if (!(p.signal_mask() & proc::signal_bit(sig)) && proc::disposition_ignores(p.sigaction(sig), sig))
        return;
    p.signal_queue().add(proc::QueuedSignal{info, "(sent by the process itself)"});
}

void Kernel::force_signal(const linux_abi::SigInfo& info, std::string report) {
    proc::Process& p = *m_current;
    const int sig = info.signo;
    linux_abi::KernelSigaction& action = p.sigaction(sig);
    const bool blocked = (p.signal_mask() & proc::signal_bit(sig)) != 0;
    if (blocked || action.handler == linux_abi::SIG_IGN) {
        action.handler = linux_abi::SIG_DFL;
        p.signal_mask() &= ~proc::signal_bit(sig);
    }
    p.signal_queue().add(proc::QueuedSignal{info, std::move(report)});
}

bool Kernel::signal_work_pending() {
    proc::Process& p = *m_current;
    return (p.pending_signals() & (~p.signal_mask() | proc::kUnblockableSignals)) != 0 ||
           p.saved_sigmask.has_value();
}

void Kernel::return_to_user() {
    proc::Process& p = *m_current;
    if (m_sigreturn_state) {
        m_cpu->write_user_state(*m_sigreturn_state);
        m_sigreturn_state.reset();
        m_syscall_rip.reset();
    }
    bool handler_started = false;
    while (!p.exited()) {
        auto next = p.signal_queue().take(~p.signal_mask() | proc::kUnblockableSignals);
        if (!next)
            break;
        handler_started |= deliver_signal(*next);
    }
    if (p.exited())
        return;
    if (!handler_started && p.saved_sigmask) {
        // No handler ran: the mask rt_sigsuspend replaced comes back now (Linux's
        // restore_saved_sigmask), and rt_sigsuspend would restart and wait again.
        p.signal_mask() = *p.saved_sigmask;
        p.saved_sigmask.reset();
        if (m_in_sigsuspend) {
            m_in_sigsuspend = false;
            deadlock("in rt_sigsuspend");
            return;
        }
    }
    m_in_sigsuspend = false;
}

bool Kernel::deliver_signal(const proc::QueuedSignal& s) {
    proc::Process& p = *m_current;
    const int sig = s.info.signo;
    linux_abi::KernelSigaction& action = p.sigaction(sig);
    if (!(proc::signal_bit(sig) & proc::kUnblockableSignals)) {
        if (action.handler == linux_abi::SIG_IGN)
            return false;
        if (action.handler != linux_abi::SIG_DFL) {
            const linux_abi::KernelSigaction taken = action;
            if (action.flags & linux_abi::SA_RESETHAND)
                action.handler = linux_abi::SIG_DFL;
            return run_handler(s, taken);
        }
    }
    switch (proc::default_action(sig)) {
    case proc::DefaultAction::Ignore:
    case proc::DefaultAction::Continue:
        break;
    case proc::DefaultAction::Stop:
        spdlog::warn("pid {} ({}): {} would stop the process; job control is not supported yet, ignored", p.pid(),
                     p.comm(), linux_abi::signal_name(sig));
        break;
    case proc::DefaultAction::Terminate:
    case proc::DefaultAction::CoreDump:
        kill_current(sig, s.report);
        break;
    }
    return false;
}

bool Kernel::run_handler(const proc::QueuedSignal& s, const linux_abi::KernelSigaction& action) {
    proc::Process& p = *m_current;
    const int sig = s.info.signo;
    emu::UserState regs;
    m_cpu->read_user_state(regs);
    proc::SignalDelivery d;
    d.info = s.info;
    d.action = action;
    d.saved_mask = p.saved_sigmask.value_or(p.signal_mask());
    d.alt_stack = p.alt_stack;
    d.trap = p.trap;
    proc::AddressSpaceMemory mem(p.mm());
    if (!proc::setup_rt_frame(mem, regs, d)) {
        // Linux's force_sigsegv: SIGSEGV, fatal if it was SIGSEGV that could not be delivered.
        linux_abi::SigInfo info{};
        info.signo = kSigSegv;
        info.code = linux_abi::SI_KERNEL;
        std::string report = fmt::format("(no room for the {} handler's signal frame below rsp {:#x})",
                                         linux_abi::signal_name(sig), regs.rsp);
        if (sig == kSigSegv)
            p.sigaction(kSigSegv).handler = linux_abi::SIG_DFL;
        force_signal(info, std::move(report));
        return false;
    }
    m_cpu->write_user_state(regs);
    m_syscall_rip.reset();
    // signal_delivered(): the handler runs with its sa_mask and (unless SA_NODEFER) its own
    // signal blocked; the frame holds the mask to go back to.
    std::uint64_t mask = p.signal_mask() | action.mask;
    if (!(action.flags & linux_abi::SA_NODEFER))
        mask |= proc::signal_bit(sig);
    p.signal_mask() = mask & ~proc::kUnblockableSignals;
    p.saved_sigmask.reset();
    if (p.alt_stack.flags & linux_abi::SS_AUTODISARM)
        p.alt_stack = proc::kNoAltStack;
    return true;
}

std::int64_t Kernel::sigreturn() {
    proc::Process& p = *m_current;
    emu::UserState regs;
    m_cpu->read_user_state(regs);
    const std::uint64_t frame_rsp = regs.rsp;
    proc::AddressSpaceMemory mem(p.mm());
    const proc::SigreturnResult r = proc::restore_rt_frame(mem, regs);
    if (r.mask)
        p.signal_mask() = *r.mask & ~proc::kUnblockableSignals;
    if (!r.ok) {
        linux_abi::SigInfo info{};
        info.signo = kSigSegv;
        info.code = linux_abi::SI_KERNEL;
        force_signal(info, fmt::format("(rt_sigreturn found no valid signal frame at {:#x})", regs.rsp - 8));
        return 0;
    }
    // restore_altstack(): errors are ignored. Linux checks "on the alternate stack" against
    // the stack pointer rt_sigreturn was called with (measured: a handler that ran on the
    // alternate stack cannot replace it through uc_stack; one on the normal stack can).
    (void)proc::change_alt_stack(p.alt_stack, r.alt_stack, frame_rsp);
    m_sigreturn_state = regs;
    return static_cast<std::int64_t>(regs.rax);
}

std::int64_t Kernel::sigsuspend(std::uint64_t mask) {
    proc::Process& p = *m_current;
    p.saved_sigmask = p.signal_mask();
    p.signal_mask() = mask & ~proc::kUnblockableSignals;
    if (!(p.pending_signals() & (~p.signal_mask() | proc::kUnblockableSignals))) {
        p.signal_mask() = *p.saved_sigmask;
        p.saved_sigmask.reset();
        deadlock("in rt_sigsuspend");
        return linux_abi::to_syscall_return(linux_abi::Errno::eintr);
    }
    m_in_sigsuspend = true;
    return linux_abi::to_syscall_return(linux_abi::Errno::eintr);
}

void Kernel::exit_current(int status) {
    m_current->set_exit(proc::ExitState{status & 0xff, 0});
    m_cpu->stop();
}

void Kernel::deadlock(const std::string& what) {
    spdlog::error("deadlock: pid {} ({}) is blocked {} and no other process can wake it", m_current->pid(),
                  m_current->comm(), what);
    kill_current(static_cast<int>(Signal::sigkill), "(deadlock)");
    m_cpu->stop();
}

void Kernel::flush_tlb() { m_cpu->flush_tlb(); }

void Kernel::invalidate_code(mm::PhysAddr paddr, std::uint64_t length) { m_cpu->invalidate_code(paddr, length); }

std::string Kernel::describe_rip() {
    const std::uint64_t rip = m_syscall_rip.value_or(m_cpu->reg(emu::Reg::rip));
    std::uint8_t bytes[15];
    const std::size_t n = m_current->mm().peek(rip, bytes, sizeof(bytes));
    auto insn = emu::decode_instruction(rip, bytes, n);
    return fmt::format("rip {:#x}: {}", rip, insn.text);
}

void Kernel::handle_page_fault() {
    // Without a pending fault the CPU refused the access itself (a kernel address).
    PendingFault f = m_pending_fault.value_or(
        PendingFault{m_cpu->fault_address(), to_access(m_cpu->fault_access()), mm::FaultError::MapError});
    f.addr = exact_fault_address(f.addr, f.access);
    if (f.error == mm::FaultError::OutOfMemory) {
        spdlog::error("out of memory: no free frame for {} at {:#x} (--ram {} MiB)", mm::access_name(f.access),
                      f.addr, m_config.ram_bytes >> 20);
        kill_current(kSigKill, "out of memory");
        return;
    }
    proc::Process& p = *m_current;
    if (!is_canonical(f.addr)) {
        // A non-canonical address is a #GP on x86-64, not a page fault.
        p.trap.trapno = kTrapGp;
        p.trap.error_code = 0;
        force_signal(fault_info(kSigSegv, linux_abi::SI_KERNEL, 0),
                     fmt::format("(general protection fault, vector {}) {} at non-canonical address {:#x}", kTrapGp,
                                 mm::access_name(f.access), f.addr));
        return;
    }
    // The error code Linux reports (set_signal_archinfo): user mode, write or fetch, and
    // whether the page was present; an address beyond user space always counts as present.
    std::uint64_t error_code = kPfUser;
    if (f.access == mm::Access::Write)
        error_code |= kPfWrite;
    if (f.access == mm::Access::Execute)
        error_code |= kPfInstr;
    if (f.addr >= mm::kUserTop) {
        error_code |= kPfProt;
    } else if (const mm::Pte* pte = p.mm().page_table().lookup(mm::page_round_down(f.addr));
               pte && mm::pte_present(*pte)) {
        error_code |= kPfProt;
    }
    p.trap = proc::TrapInfo{kTrapPf, error_code, f.addr};
    int sig = kSigSegv;
    int code = f.error == mm::FaultError::AccessError ? linux_abi::SEGV_ACCERR : linux_abi::SEGV_MAPERR;
    if (f.error == mm::FaultError::BusError) {
        sig = kSigBus;
        code = linux_abi::BUS_ADRERR;
    }
    force_signal(fault_info(sig, code, f.addr), fmt::format("({}) {} at address {:#x}", mm::fault_error_name(f.error),
                                                            mm::access_name(f.access), f.addr));
}

std::uint64_t Kernel::exact_fault_address(std::uint64_t page, mm::Access access) {
    const std::uint64_t rip = m_cpu->reg(emu::Reg::rip);
    if (access == mm::Access::Execute)
        return mm::page_round_down(rip) == page ? rip : page;
    std::uint8_t bytes[15];
    const std::size_t n = m_current->mm().peek(rip, bytes, sizeof(bytes));
    return emu::faulting_data_address(bytes, n, m_cpu->address_registers(), page).value_or(page);
}

void Kernel::handle_exception(unsigned vector) {
    const ExceptionSignal s = signal_for_vector(vector);
    const std::uint64_t rip = m_cpu->reg(emu::Reg::rip);
    proc::Process& p = *m_current;
    // Linux's do_trap() records the trap number and error code (the CPU gives no error
    // code here; #GP and #AC from user code have 0). `int N` through a gate user code may
    // not use is a #GP with the vector in the error code.
    p.trap.trapno = vector;
    p.trap.error_code = 0;
    int code = s.code;
    if (s.software_interrupt) {
        p.trap.trapno = kTrapGp;
        p.trap.error_code = vector * 8 + 2;
    }
    if (vector == 16 || vector == 19) {
        emu::UserState regs;
        m_cpu->read_user_state(regs);
        code = fpu_exception_code(regs, vector);
        // Linux retries the instruction after a spurious one (no unmasked exception bit);
        // an emulated CPU would raise it again forever, so it is delivered as SI_KERNEL.
        if (code == 0)
            code = linux_abi::SI_KERNEL;
    }
    force_signal(fault_info(s.signal, code, s.addr_is_rip ? rip : 0), fmt::format("({}, vector {})", s.what, vector));
}

void Kernel::kill_current(int sig, const std::string& detail) {
    spdlog::error("pid {} ({}) killed by {} {}, {}", m_current->pid(), m_current->comm(),
                  linux_abi::signal_name(sig), detail, describe_rip());
    m_current->set_exit(proc::ExitState{0, sig});
}

}  // namespace os
