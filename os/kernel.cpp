#include "os/kernel.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cinttypes>
#include <cstring>

#include "emu/decoder.h"
#include "os/abi/signal.h"
#include "os/proc/exec.h"
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

struct ExceptionSignal {
    int signal;
    const char* what;
};

// What Linux's x86 trap handlers send for each CPU exception (arch/x86/kernel/traps.c).
ExceptionSignal signal_for_vector(unsigned vector) {
    switch (vector) {
    case 0: return {static_cast<int>(Signal::sigfpe), "divide error"};
    case 1: return {static_cast<int>(Signal::sigtrap), "debug trap"};
    case 3: return {static_cast<int>(Signal::sigtrap), "breakpoint (int3)"};
    case 4: return {static_cast<int>(Signal::sigsegv), "overflow"};
    case 5: return {static_cast<int>(Signal::sigsegv), "bound range exceeded"};
    case 6: return {static_cast<int>(Signal::sigill), "invalid opcode"};
    case 7: return {static_cast<int>(Signal::sigsegv), "device not available"};
    case 10: return {static_cast<int>(Signal::sigsegv), "invalid TSS"};
    case 11: return {static_cast<int>(Signal::sigbus), "segment not present"};
    case 12: return {static_cast<int>(Signal::sigbus), "stack segment fault"};
    case 13: return {static_cast<int>(Signal::sigsegv), "general protection fault"};
    case 16: return {static_cast<int>(Signal::sigfpe), "x87 floating-point error"};
    case 17: return {static_cast<int>(Signal::sigbus), "alignment check"};
    case 19: return {static_cast<int>(Signal::sigfpe), "SIMD floating-point error"};
    default: return {static_cast<int>(Signal::sigsegv), "software interrupt"};
    }
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
    deliver_pending_signals();
}

void Kernel::send_signal_to_current(int sig) { m_current->pending_signals() |= proc::signal_bit(sig); }

void Kernel::deliver_pending_signals() {
    proc::Process& p = *m_current;
    // SIGKILL and SIGSTOP cannot be blocked.
    const std::uint64_t unblockable = proc::signal_bit(9) | proc::signal_bit(19);
    std::uint64_t ready = p.pending_signals() & (~p.signal_mask() | unblockable);
    while (ready && !p.exited()) {
        const int sig = __builtin_ctzll(ready) + 1;
        ready &= ready - 1;
        p.pending_signals() &= ~proc::signal_bit(sig);
        const std::uint64_t handler = p.sigaction(sig).handler;
        const proc::DefaultAction action = proc::default_action(sig);
        if (sig != 9 && handler == linux_abi::SIG_IGN)
            continue;
        if (sig != 9 && handler != linux_abi::SIG_DFL) {
            spdlog::warn("pid {} ({}): running guest signal handlers is not supported yet; {} takes its default action",
                         p.pid(), p.comm(), linux_abi::signal_name(sig));
        }
        switch (action) {
        case proc::DefaultAction::Ignore:
        case proc::DefaultAction::Continue:
            break;
        case proc::DefaultAction::Stop:
            spdlog::warn("pid {} ({}): {} would stop the process; job control is not supported yet, ignored", p.pid(),
                         p.comm(), linux_abi::signal_name(sig));
            break;
        case proc::DefaultAction::Terminate:
        case proc::DefaultAction::CoreDump:
            kill_current(sig, "(sent by the process itself)");
            m_cpu->stop();
            break;
        }
    }
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
    const std::uint64_t rip = m_cpu->reg(emu::Reg::rip);
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
        kill_current(static_cast<int>(Signal::sigkill), "out of memory");
        return;
    }
    const int sig = f.error == mm::FaultError::BusError ? static_cast<int>(Signal::sigbus)
                                                         : static_cast<int>(Signal::sigsegv);
    kill_current(sig, fmt::format("({}) {} at address {:#x}", mm::fault_error_name(f.error), mm::access_name(f.access),
                                  f.addr));
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
    kill_current(s.signal, fmt::format("({}, vector {})", s.what, vector));
}

void Kernel::kill_current(int sig, const std::string& detail) {
    spdlog::error("pid {} ({}) killed by {} {}, {}", m_current->pid(), m_current->comm(),
                  linux_abi::signal_name(sig), detail, describe_rip());
    m_current->set_exit(proc::ExitState{0, sig});
}

}  // namespace os
