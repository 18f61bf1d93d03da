// The trap path: page faults the fault handler could not resolve and CPU exceptions become
// signals, as Linux's arch/x86 trap handlers make them.
#include <spdlog/spdlog.h>

#include "emu/decoder.h"
#include "os/abi/signal.h"
#include "os/kernel.h"
#include "os/mm/oom_kill.h"

namespace os {

using linux_abi::Signal;

namespace {

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

void Kernel::handle_page_fault() {
    // Without a pending fault the CPU refused the access itself (a kernel address).
    PendingFault f = m_pending_fault.value_or(
        PendingFault{m_cpu->fault_address(), to_access(m_cpu->fault_access()), mm::FaultError::MapError});
    f.addr = exact_fault_address(f.addr, f.access);
    if (f.error == mm::FaultError::OutOfMemory) {
        oom_kill(f.addr, f.access);
        return;
    }
    proc::Task& p = *m_current;
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
    } else if (const mm::Pte* pte = p.process().mm().page_table().lookup(mm::page_round_down(f.addr));
               pte && mm::pte_present(*pte)) {
        error_code |= kPfProt;
    }
    p.trap = proc::TrapInfo{kTrapPf, error_code, f.addr};
    if (m_fault_log) {
        const char* kind = f.error == mm::FaultError::BusError      ? "sigbus"
                           : f.error == mm::FaultError::AccessError ? "segv-accerr"
                                                                    : "segv-maperr";
        log_fault(current(), m_current, f.addr, f.access, kind, false, current().mm().vmas().find_containing(f.addr), -1);
    }
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
    const std::size_t n = current().mm().peek(rip, bytes, sizeof(bytes));
    return emu::faulting_data_address(bytes, n, m_cpu->address_registers(), page).value_or(page);
}

void Kernel::handle_exception(unsigned vector) {
    const ExceptionSignal s = signal_for_vector(vector);
    const std::uint64_t rip = m_cpu->reg(emu::Reg::rip);
    proc::Task& p = *m_current;
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

void Kernel::oom_kill(std::uint64_t addr, mm::Access access) {
    if (const auto group = m_memcgs.take_oom()) {
        memcg_oom_kill(*group, addr, access);
        return;
    }
    // Linux's out_of_memory(): the process whose death frees the most (resident + swap +
    // page tables) dies; if it is not the one that faulted, that one runs the instruction
    // again.
    proc::Process* victim = oom_victim({});
    if (!victim)
        victim = &current();
    spdlog::error("out of memory: no free frame for {} at {:#x} (--ram {} MiB{}, swap {} MiB); OOM killer: {}",
                  mm::access_name(access), addr, m_config.ram_bytes >> 20,
                  m_pmem.online_frame_count() < m_pmem.frame_count()
                      ? fmt::format(", {} MiB of it online", m_pmem.online_frame_count() >> (20 - mm::kPageShift))
                      : std::string(),
                  m_config.swap_bytes >> 20, describe_oom_victim(*victim));
    ++m_oom_kills;
    log_oom_kill(*victim);
    if (victim == &current()) {
        kill_current(kSigKill, "(out of memory)");
        return;
    }
    group_exit(*victim, proc::ExitState{0, kSigKill});
}

proc::Process* Kernel::oom_victim(const std::function<bool(const proc::Process&)>& eligible) {
    std::vector<mm::OomCandidate> candidates;
    std::vector<proc::Process*> owners;
    for (auto& [pid, p] : m_processes) {
        if (p->exited() || !p->mm_ptr() || (eligible && !eligible(*p)))
            continue;
        candidates.push_back(mm::OomCandidate{&p->mm(), 0, false});
        owners.push_back(p.get());
    }
    const auto chosen = mm::select_bad_process(candidates, mm::oom_total_pages(m_pmem));
    return chosen ? owners[*chosen] : nullptr;
}

std::string Kernel::describe_oom_victim(const proc::Process& victim) const {
    const mm::AddressSpace& vm = victim.mm();
    return fmt::format("pid {} ({}), {} pages resident, {} swapped", victim.pid(), victim.comm(), vm.resident_pages(),
                       vm.swap_pages());
}

std::string Kernel::describe_rip() {
    const std::uint64_t rip = m_current->syscall_rip.value_or(m_cpu->reg(emu::Reg::rip));
    if (!current().mm_ptr())
        return fmt::format("rip {:#x}", rip);
    std::uint8_t bytes[15];
    const std::size_t n = current().mm().peek(rip, bytes, sizeof(bytes));
    auto insn = emu::decode_instruction(rip, bytes, n);
    return fmt::format("rip {:#x}: {}", rip, insn.text);
}

void Kernel::kill_current(int sig, const std::string& detail) {
    proc::Process& p = current();
    spdlog::error("pid {} ({}) killed by {} {}, {}", p.pid(), p.comm(), linux_abi::signal_name(sig), detail,
                  describe_rip());
    group_exit(p, proc::ExitState{0, sig});
}

}  // namespace os
