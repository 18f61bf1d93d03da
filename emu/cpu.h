// emu::Cpu: one emulated x86-64 CPU (a Unicorn engine) whose MMU is ours.
//
// Physical memory is one host buffer mapped at physical address 0. Unicorn runs in
// UC_TLB_VIRTUAL mode: on every softmmu TLB miss it asks CpuClient::tlb_fill() for the
// physical address and permissions of a virtual page, which is where the kernel
// personality walks its page tables and handles page faults. Guest code runs at CPL 3;
// `syscall` and CPU exceptions are handed to the client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emu/decoder.h"
#include "emu/user_state.h"

struct uc_struct;

namespace emu {

enum class MemAccess : std::uint8_t { Read, Write, Fetch };

// Permission bits of a TLB entry (numerically Unicorn's UC_PROT_*).
enum TlbPerm : std::uint32_t { kTlbRead = 1, kTlbWrite = 2, kTlbExec = 4 };

struct TlbEntry {
    std::uint64_t paddr = 0;  // page-aligned physical address
    std::uint32_t perms = 0;  // TlbPerm bits
};

// The general-purpose registers and the state a syscall or signal needs.
enum class Reg : std::uint8_t {
    rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp,
    r8, r9, r10, r11, r12, r13, r14, r15,
    rip, rflags, fs_base, gs_base,
};

// Implemented by the kernel personality.
class CpuClient {
public:
    virtual ~CpuClient() = default;
    // A TLB miss on `vaddr` (page aligned) for `access`. Return the entry, or nullopt to
    // abort the access: the run then stops with StopReason::PageFault.
    virtual std::optional<TlbEntry> tlb_fill(std::uint64_t vaddr, MemAccess access) = 0;
    // The guest executed `syscall`; arguments and the result are in registers. RIP already
    // points after the instruction.
    virtual void syscall() = 0;
};

enum class StopReason : std::uint8_t {
    Stopped,     // Cpu::stop() was called (from a client callback)
    PageFault,   // tlb_fill() refused an access; RIP is the faulting instruction
    Exception,   // a CPU exception (see exception_vector()); RIP is the faulting instruction
    Error,       // Unicorn failed for another reason (see error())
    Preempted,   // the quantum set by arm_preemption() ran out
};

class Cpu {
public:
    // `ram` is the host buffer behind physical memory; it must outlive the Cpu.
    Cpu(std::byte* ram, std::uint64_t ram_size, CpuClient& client);
    ~Cpu();
    Cpu(const Cpu&) = delete;
    Cpu& operator=(const Cpu&) = delete;

    // Enters CPL 3 through a real `iretq` from a small CPL-0 stub placed in `scratch_frame`
    // (one page of physical memory the caller reserves for this), with user CS/SS
    // selectors 0x33/0x2b as on Linux. Also reads CPUID leaf 1 (for AT_HWCAP). Call once.
    void enter_user_mode(std::uint64_t scratch_frame);
    // CPUID.1:EDX of the emulated CPU, as Linux reports in AT_HWCAP.
    std::uint32_t hwcap() const { return m_hwcap; }

    // The register state execve leaves: every general-purpose register zero, RIP and RSP
    // as given, the x87 control word 0x37f and MXCSR 0x1f80 (Linux's FPU defaults).
    void reset_registers(std::uint64_t rip, std::uint64_t rsp);

    std::uint64_t reg(Reg r) const;
    // The registers an effective-address calculation needs (see faulting_data_address()):
    // those `which` names (AddressRegisterBits, e.g. registers_needed()), the others 0.
    AddressRegisters address_registers(std::uint32_t which = kAddrAll) const;
    void set_reg(Reg r, std::uint64_t value);
    // The six syscall argument registers (rdi, rsi, rdx, r10, r8, r9) and rax, in one call.
    void read_syscall_regs(std::uint64_t& nr, std::uint64_t args[6]) const;
    // Sets rax, and rcx/r11 as the `syscall` instruction does (return RIP and RFLAGS).
    void finish_syscall(std::uint64_t rax);
    // The complete user register state, x87/SSE included (signal frames, rt_sigreturn).
    // Write it only between runs, never from a client callback: inside the SYSCALL hook
    // RIP still points at the instruction (Unicorn adds 2 afterwards) and a RIP write
    // there makes Unicorn abandon the translation block.
    void read_user_state(UserState& out) const;
    void write_user_state(const UserState& in);

    // Runs guest code from the current RIP until something stops it.
    StopReason run();
    // Ends the current run() at the next instruction boundary (callable from callbacks).
    void stop();
    // The page and access of the last StopReason::PageFault.
    std::uint64_t fault_address() const { return m_fault_vaddr; }
    MemAccess fault_access() const { return m_fault_access; }
    // Exception vector of the last StopReason::Exception.
    unsigned exception_vector() const { return m_exception_vector; }
    const std::string& error() const { return m_error; }

    // Deterministic preemption: while armed, a run ends with StopReason::Preempted after
    // `blocks` translation blocks (counted by a block hook, which costs a call per block,
    // so it is installed only once a second task waits for the CPU). The first arming
    // discards translated code so that every block counts.
    void arm_preemption(std::uint64_t blocks);
    void disarm_preemption();

    // Forgets every cached translation (after a PTE lost permission, or on a switch of
    // page-table root).
    void flush_tlb();
    // Discards translated code for a physical range whose contents change behind the
    // CPU's back (a frame that held code is reused). Cheap for frames the CPU never
    // executed from.
    void invalidate_code(std::uint64_t paddr, std::uint64_t length);

    // Implementation details reachable from the C callbacks.
    struct Hooks;

private:
    void check(int err, const char* what) const;
    // Records a refused translation; returns false for the hook to pass on.
    bool refuse(std::uint64_t vaddr, MemAccess access);
    void probe_exception_state(std::uint64_t probe_rip);
    // Frames the CPU may have translated code from: any fill that allowed execution marks
    // its frame; invalidating the frame's code clears the mark.
    void note_code_frame(std::uint64_t paddr);
    bool is_code_frame(std::uint64_t pfn) const;
    // Drops the translated blocks of a physical range (the caller flushes the TLB).
    void discard_translations(std::uint64_t paddr, std::uint64_t length);
    void clear_exception_state();

    uc_struct* m_uc = nullptr;
    CpuClient& m_client;
    std::byte* m_ram;
    std::uint64_t m_ram_size;
    bool m_kernel_mappings = false;  // the boot stub's pages are translatable
    std::uint64_t m_scratch_frame = 0;
    std::uint32_t m_hwcap = 0;
    bool m_stop_requested = false;
    std::size_t m_block_hook = 0;  // uc_hook, 0 when none
    std::uint64_t m_blocks_left = 0;
    bool m_preempted = false;
    bool m_page_fault = false;
    std::uint64_t m_fault_vaddr = 0;
    MemAccess m_fault_access = MemAccess::Read;
    bool m_exception = false;
    unsigned m_exception_vector = 0;
    std::string m_error;
    std::size_t m_old_exception_offset = 0;  // see exception_state.cpp
    std::size_t m_context_size = 0;
    std::vector<std::uint64_t> m_code_frames;  // one bit per frame, see note_code_frame()
};

}  // namespace emu
