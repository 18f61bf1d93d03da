#include "emu/cpu.h"

#include <unicorn/unicorn.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

namespace emu {

namespace {

// The boot stub's pages are visible at kKernelBase + physical address while
// m_kernel_mappings is set (only during enter_user_mode()).
constexpr std::uint64_t kKernelBase = 0xffff'8000'0000'0000ull;

// Linux's x86-64 GDT layout, so that guests reading %cs/%ss see Linux's selectors.
constexpr std::uint64_t kGdt[] = {
    0,                       // 0x00 null
    0x00cf9b000000ffffull,   // 0x08 kernel 32-bit code
    0x00af9b000000ffffull,   // 0x10 __KERNEL_CS (64-bit)
    0x00cf93000000ffffull,   // 0x18 __KERNEL_DS
    0x00cffb000000ffffull,   // 0x23 __USER32_CS
    0x00cff3000000ffffull,   // 0x2b __USER_DS
    0x00affb000000ffffull,   // 0x33 __USER_CS (64-bit)
};
constexpr std::uint64_t kUserCs = 0x33;
constexpr std::uint64_t kUserDs = 0x2b;
constexpr std::uint64_t kUserRflags = 0x202;
constexpr unsigned kInvalidOpcodeVector = 6;
constexpr unsigned kGeneralProtectionVector = 13;
constexpr std::uint64_t kCr4Osfxsr = 1u << 9;
constexpr std::uint64_t kCr4Osxmmexcpt = 1u << 10;  // IF set, as Linux starts user code

// Scratch page layout.
constexpr std::uint64_t kGdtOffset = 0x000;
constexpr std::uint64_t kProbeOffset = 0x100;  // mov ax, 0xfff8; mov ds, ax: #GP (exception-state probe)
constexpr std::uint64_t kStubOffset = 0x110;   // mov eax,1; cpuid; iretq
constexpr std::uint64_t kLandingOffset = 0x200;  // where the iretq lands, in CPL 3; never run
constexpr std::uint64_t kStackTop = 0xff0;
constexpr std::uint8_t kProbeCode[] = {0x66, 0xb8, 0xf8, 0xff, 0x8e, 0xd8};
constexpr std::uint8_t kStubCode[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0xa2, 0x48, 0xcf};

int uc_reg_id(Reg r) {
    switch (r) {
    case Reg::rax: return UC_X86_REG_RAX;
    case Reg::rbx: return UC_X86_REG_RBX;
    case Reg::rcx: return UC_X86_REG_RCX;
    case Reg::rdx: return UC_X86_REG_RDX;
    case Reg::rsi: return UC_X86_REG_RSI;
    case Reg::rdi: return UC_X86_REG_RDI;
    case Reg::rbp: return UC_X86_REG_RBP;
    case Reg::rsp: return UC_X86_REG_RSP;
    case Reg::r8: return UC_X86_REG_R8;
    case Reg::r9: return UC_X86_REG_R9;
    case Reg::r10: return UC_X86_REG_R10;
    case Reg::r11: return UC_X86_REG_R11;
    case Reg::r12: return UC_X86_REG_R12;
    case Reg::r13: return UC_X86_REG_R13;
    case Reg::r14: return UC_X86_REG_R14;
    case Reg::r15: return UC_X86_REG_R15;
    case Reg::rip: return UC_X86_REG_RIP;
    case Reg::rflags: return UC_X86_REG_RFLAGS;
    case Reg::fs_base: return UC_X86_REG_FS_BASE;
    case Reg::gs_base: return UC_X86_REG_GS_BASE;
    }
    return UC_X86_REG_INVALID;
}

int xmm_reg_id(int i) { return UC_X86_REG_XMM0 + i; }  // XMM0..XMM15 are consecutive

}  // namespace

constexpr std::uint32_t kTranslationBufferBytes = 64u << 20;
constexpr std::uint64_t kPageBytes = 4096;

struct Cpu::Hooks {
    static bool tlb_fill(uc_engine*, std::uint64_t vaddr, uc_mem_type type, uc_tlb_entry* result, void* user) {
        auto* cpu = static_cast<Cpu*>(user);
        MemAccess access = MemAccess::Read;
        if (type == UC_MEM_WRITE)
            access = MemAccess::Write;
        else if (type == UC_MEM_FETCH)
            access = MemAccess::Fetch;
        if (vaddr >= kKernelBase) {
            if (!cpu->m_kernel_mappings || vaddr - kKernelBase >= cpu->m_ram_size)
                return cpu->refuse(vaddr, access);
            result->paddr = vaddr - kKernelBase;
            result->perms = UC_PROT_ALL;
            cpu->note_code_frame(result->paddr);
            return true;
        }
        auto entry = cpu->m_client.tlb_fill(vaddr, access);
        if (!entry)
            return cpu->refuse(vaddr, access);
        result->paddr = entry->paddr;
        result->perms = static_cast<uc_prot>(entry->perms);
        // The CPU may translate code from any page it may execute, whatever this fill is for
        // (an entry filled for a read keeps the execute permission for later fetches).
        if (entry->perms & kTlbExec)
            cpu->note_code_frame(entry->paddr);
        return true;
    }

    static void syscall(uc_engine*, void* user) { static_cast<Cpu*>(user)->m_client.syscall(); }

    static void block(uc_engine* uc, std::uint64_t, std::uint32_t, void* user) {
        auto* cpu = static_cast<Cpu*>(user);
        if (cpu->m_blocks_left > 0 && --cpu->m_blocks_left == 0) {
            cpu->m_preempted = true;
            uc_emu_stop(uc);
        }
    }

    // #UD does not reach the interrupt hook; Unicorn has a hook of its own for it.
    static bool invalid_instruction(uc_engine*, void* user) {
        auto* cpu = static_cast<Cpu*>(user);
        cpu->m_exception = true;
        cpu->m_exception_vector = kInvalidOpcodeVector;
        return false;  // stop the run
    }

    // in/out at CPL 3 with IOPL 0 are a #GP on x86 (SIGSEGV on Linux); Unicorn calls these
    // hooks instead of checking the I/O permission (and reaches no device). The run stops at
    // the end of the translation block, so the fault is reported there, not at the
    // instruction itself (RIP is not kept up to date inside a block).
    static void io_fault(uc_engine* uc, Cpu* cpu) {
        cpu->m_exception = true;
        cpu->m_exception_vector = kGeneralProtectionVector;
        uc_emu_stop(uc);
    }
    static std::uint32_t port_in(uc_engine* uc, std::uint32_t, int, void* user) {
        io_fault(uc, static_cast<Cpu*>(user));
        return 0;
    }
    static void port_out(uc_engine* uc, std::uint32_t, int, std::uint32_t, void* user) {
        io_fault(uc, static_cast<Cpu*>(user));
    }

    static void interrupt(uc_engine* uc, std::uint32_t vector, void* user) {
        auto* cpu = static_cast<Cpu*>(user);
        cpu->m_exception = true;
        cpu->m_exception_vector = vector;
        uc_emu_stop(uc);
    }
};

Cpu::Cpu(std::byte* ram, std::uint64_t ram_size, CpuClient& client)
    : m_client(client), m_ram(ram), m_ram_size(ram_size), m_code_frames((ram_size / kPageBytes + 63) / 64) {
    check(uc_open(UC_ARCH_X86, UC_MODE_64, &m_uc), "uc_open");
    // Unicorn's default translation buffer is 1 GiB, which it clears on every flush of
    // translated code (about a second here); 64 MiB holds the code of large programs (a full buffer is flushed and refilled).
    check(uc_ctl_set_tcg_buffer_size(m_uc, kTranslationBufferBytes), "uc_ctl_set_tcg_buffer_size");
    check(uc_ctl_tlb_mode(m_uc, UC_TLB_VIRTUAL), "uc_ctl_tlb_mode(UC_TLB_VIRTUAL)");
    check(uc_mem_map_ptr(m_uc, 0, ram_size, UC_PROT_ALL, ram), "uc_mem_map_ptr(physical memory)");
    uc_hook h;
    check(uc_hook_add(m_uc, &h, UC_HOOK_TLB_FILL, reinterpret_cast<void*>(&Hooks::tlb_fill), this, 1, 0),
          "uc_hook_add(TLB_FILL)");
    check(uc_hook_add(m_uc, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&Hooks::syscall), this, 1, 0,
                      UC_X86_INS_SYSCALL),
          "uc_hook_add(SYSCALL)");
    check(uc_hook_add(m_uc, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&Hooks::port_in), this, 1, 0, UC_X86_INS_IN),
          "uc_hook_add(IN)");
    check(uc_hook_add(m_uc, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&Hooks::port_out), this, 1, 0, UC_X86_INS_OUT),
          "uc_hook_add(OUT)");
    check(uc_hook_add(m_uc, &h, UC_HOOK_INTR, reinterpret_cast<void*>(&Hooks::interrupt), this, 1, 0),
          "uc_hook_add(INTR)");
    check(uc_hook_add(m_uc, &h, UC_HOOK_INSN_INVALID, reinterpret_cast<void*>(&Hooks::invalid_instruction), this, 1,
                      0),
          "uc_hook_add(INSN_INVALID)");
}

Cpu::~Cpu() {
    if (m_uc)
        uc_close(m_uc);
}

void Cpu::check(int err, const char* what) const {
    if (err != UC_ERR_OK)
        throw std::runtime_error(std::string("unicorn: ") + what + ": " + uc_strerror(static_cast<uc_err>(err)));
}

void Cpu::reset_registers(std::uint64_t rip, std::uint64_t rsp) {
    UserState s;  // every register zero, the FPU as Linux initialises it
    s.rsp = rsp;
    s.rip = rip;
    s.rflags = kUserRflags;
    write_user_state(s);
}

namespace {

// The general-purpose part of UserState, in one batch.
constexpr int kStateGprIds[] = {
    UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RSI, UC_X86_REG_RDI,
    UC_X86_REG_RBP, UC_X86_REG_RSP, UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15, UC_X86_REG_RIP, UC_X86_REG_RFLAGS,
    UC_X86_REG_FS_BASE, UC_X86_REG_GS_BASE,
};
constexpr int kStateGprCount = sizeof(kStateGprIds) / sizeof(kStateGprIds[0]);

}  // namespace

void Cpu::read_user_state(UserState& out) const {
    std::uint64_t* fields[kStateGprCount] = {&out.rax, &out.rbx, &out.rcx, &out.rdx, &out.rsi, &out.rdi,
                                             &out.rbp, &out.rsp, &out.r8,  &out.r9,  &out.r10, &out.r11,
                                             &out.r12, &out.r13, &out.r14, &out.r15, &out.rip, &out.rflags,
                                             &out.fs_base, &out.gs_base};
    void* ptrs[kStateGprCount];
    for (int i = 0; i < kStateGprCount; ++i)
        ptrs[i] = fields[i];
    uc_reg_read_batch(m_uc, const_cast<int*>(kStateGprIds), ptrs, kStateGprCount);

    // x87/SSE state as FXSAVE64 stores it.
    FxsaveImage& fx = out.fxsave;
    fx.fill(0);
    std::uint16_t fcw = 0, fsw = 0, ftag = 0, fop = 0;
    std::uint64_t fip = 0, fdp = 0;
    std::uint32_t mxcsr = 0;
    uc_reg_read(m_uc, UC_X86_REG_FPCW, &fcw);
    uc_reg_read(m_uc, UC_X86_REG_FPSW, &fsw);  // Unicorn merges TOP into bits 11-13
    uc_reg_read(m_uc, UC_X86_REG_FPTAG, &ftag);
    uc_reg_read(m_uc, UC_X86_REG_FOP, &fop);
    uc_reg_read(m_uc, UC_X86_REG_FIP, &fip);
    uc_reg_read(m_uc, UC_X86_REG_FDP, &fdp);
    uc_reg_read(m_uc, UC_X86_REG_MXCSR, &mxcsr);
    // Unicorn's FPTAG is the full tag word, two bits per physical register (11 = empty);
    // FXSAVE keeps one bit per physical register, set when it is not empty.
    std::uint8_t abridged = 0;
    for (int i = 0; i < 8; ++i)
        if (((ftag >> (2 * i)) & 3) != 3)
            abridged |= static_cast<std::uint8_t>(1u << i);
    fx_put(fx, fxsave::kFcw, fcw);
    fx_put(fx, fxsave::kFsw, fsw);
    fx_put(fx, fxsave::kFtw, abridged);
    fx_put(fx, fxsave::kFop, fop);
    fx_put(fx, fxsave::kFip, fip);
    fx_put(fx, fxsave::kFdp, fdp);
    fx_put(fx, fxsave::kMxcsr, mxcsr);
    fx_put(fx, fxsave::kMxcsrMaskOffset, fxsave::kMxcsrMask);
    for (int i = 0; i < 8; ++i)  // ST(i), relative to TOP, as FXSAVE stores them
        uc_reg_read(m_uc, UC_X86_REG_ST0 + i, fx.data() + fxsave::kSt0 + 16 * i);
    for (int i = 0; i < 16; ++i)
        uc_reg_read(m_uc, xmm_reg_id(i), fx.data() + fxsave::kXmm0 + 16 * i);
}

void Cpu::write_user_state(const UserState& in) {
    const std::uint64_t* fields[kStateGprCount] = {&in.rax, &in.rbx, &in.rcx, &in.rdx, &in.rsi, &in.rdi,
                                                   &in.rbp, &in.rsp, &in.r8,  &in.r9,  &in.r10, &in.r11,
                                                   &in.r12, &in.r13, &in.r14, &in.r15, &in.rip, &in.rflags,
                                                   &in.fs_base, &in.gs_base};
    void* ptrs[kStateGprCount];
    for (int i = 0; i < kStateGprCount; ++i)
        ptrs[i] = const_cast<std::uint64_t*>(fields[i]);
    uc_reg_write_batch(m_uc, const_cast<int*>(kStateGprIds), ptrs, kStateGprCount);

    const FxsaveImage& fx = in.fxsave;
    std::uint16_t fcw = fx_get<std::uint16_t>(fx, fxsave::kFcw);
    std::uint16_t fsw = fx_get<std::uint16_t>(fx, fxsave::kFsw);
    const std::uint8_t abridged = fx_get<std::uint8_t>(fx, fxsave::kFtw);
    std::uint16_t fop = fx_get<std::uint16_t>(fx, fxsave::kFop);
    std::uint64_t fip = fx_get<std::uint64_t>(fx, fxsave::kFip);
    std::uint64_t fdp = fx_get<std::uint64_t>(fx, fxsave::kFdp);
    std::uint32_t mxcsr = fx_get<std::uint32_t>(fx, fxsave::kMxcsr);
    // Unicorn only distinguishes empty (11) from not empty when the tag word is written.
    std::uint16_t ftag = 0;
    for (int i = 0; i < 8; ++i)
        if (!(abridged & (1u << i)))
            ftag |= static_cast<std::uint16_t>(3u << (2 * i));
    uc_reg_write(m_uc, UC_X86_REG_FPCW, &fcw);
    uc_reg_write(m_uc, UC_X86_REG_FPSW, &fsw);  // sets TOP: must precede the ST(i) writes
    uc_reg_write(m_uc, UC_X86_REG_FPTAG, &ftag);
    uc_reg_write(m_uc, UC_X86_REG_FOP, &fop);
    uc_reg_write(m_uc, UC_X86_REG_FIP, &fip);
    uc_reg_write(m_uc, UC_X86_REG_FDP, &fdp);
    uc_reg_write(m_uc, UC_X86_REG_MXCSR, &mxcsr);
    for (int i = 0; i < 8; ++i)
        uc_reg_write(m_uc, UC_X86_REG_ST0 + i, fx.data() + fxsave::kSt0 + 16 * i);
    for (int i = 0; i < 16; ++i)
        uc_reg_write(m_uc, xmm_reg_id(i), fx.data() + fxsave::kXmm0 + 16 * i);
}

std::uint64_t Cpu::reg(Reg r) const {
    std::uint64_t v = 0;
    uc_reg_read(m_uc, uc_reg_id(r), &v);
    return v;
}

AddressRegisters Cpu::address_registers(std::uint32_t which) const {
    // One batch of only the registers asked for (the fault log asks on every fault).
    static constexpr int kIds[19] = {UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX,    UC_X86_REG_RBX,
                                     UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI,    UC_X86_REG_RDI,
                                     UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10,    UC_X86_REG_R11,
                                     UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14,    UC_X86_REG_R15,
                                     UC_X86_REG_RIP, UC_X86_REG_FS_BASE, UC_X86_REG_GS_BASE};
    AddressRegisters regs;
    int ids[19];
    void* ptrs[19];
    int n = 0;
    for (std::uint32_t bits = which & kAddrAll; bits != 0; bits &= bits - 1) {
        const int i = std::countr_zero(bits);
        ids[n] = kIds[i];
        ptrs[n] = i < 16 ? &regs.gpr[i] : i == 16 ? &regs.rip : i == 17 ? &regs.fs_base : &regs.gs_base;
        ++n;
    }
    if (n > 0)
        uc_reg_read_batch(m_uc, ids, ptrs, n);
    return regs;
}

void Cpu::set_reg(Reg r, std::uint64_t value) { uc_reg_write(m_uc, uc_reg_id(r), &value); }

void Cpu::read_syscall_regs(std::uint64_t& nr, std::uint64_t args[6]) const {
    static constexpr int kIds[7] = {UC_X86_REG_RAX, UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_RDX,
                                    UC_X86_REG_R10, UC_X86_REG_R8,  UC_X86_REG_R9};
    std::uint64_t values[7] = {};
    void* ptrs[7];
    for (int i = 0; i < 7; ++i)
        ptrs[i] = &values[i];
    uc_reg_read_batch(m_uc, const_cast<int*>(kIds), ptrs, 7);
    nr = values[0];
    for (int i = 0; i < 6; ++i)
        args[i] = values[i + 1];
}

void Cpu::finish_syscall(std::uint64_t rax) {
    // Inside the SYSCALL hook RIP still points at the 2-byte instruction; Unicorn advances
    // it when the hook returns. Linux leaves the return address in rcx and RFLAGS in r11.
    std::uint64_t rip = 0, rflags = 0;
    uc_reg_read(m_uc, UC_X86_REG_RIP, &rip);
    uc_reg_read(m_uc, UC_X86_REG_RFLAGS, &rflags);
    std::uint64_t rcx = rip + 2;
    static constexpr int kIds[3] = {UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_R11};
    void* ptrs[3] = {&rax, &rcx, &rflags};
    uc_reg_write_batch(m_uc, const_cast<int*>(kIds), ptrs, 3);
}

void Cpu::enter_user_mode(std::uint64_t scratch_frame) {
    m_scratch_frame = scratch_frame;
    std::byte* page = m_ram + scratch_frame;
    const std::uint64_t kva = kKernelBase + scratch_frame;
    std::memcpy(page + kGdtOffset, kGdt, sizeof(kGdt));
    std::memcpy(page + kProbeOffset, kProbeCode, sizeof(kProbeCode));
    std::memcpy(page + kStubOffset, kStubCode, sizeof(kStubCode));
    uc_x86_mmr gdtr{};
    gdtr.base = kva + kGdtOffset;
    gdtr.limit = sizeof(kGdt) - 1;
    check(uc_reg_write(m_uc, UC_X86_REG_GDTR, &gdtr), "write GDTR");
    m_kernel_mappings = true;

    // 1. Find where Unicorn keeps `old_exception` (see clear_exception_state()).
    probe_exception_state(kva + kProbeOffset);

    // 2. cpuid for AT_HWCAP, then iretq into CPL 3 through a Linux-like user frame.
    // The frame returns to a kernel address (still translatable) that is also the run's
    // `until` address, so the run stops in CPL 3 before executing anything there. (No
    // instruction count is used: Unicorn's count hook would linger into the next run.)
    const std::uint64_t landing = kva + kLandingOffset;
    std::uint64_t frame[5] = {landing, kUserCs, kUserRflags, 0 /*rsp*/, kUserDs};
    std::memcpy(page + kStackTop - sizeof(frame), frame, sizeof(frame));
    std::uint64_t rsp = kva + kStackTop - sizeof(frame);
    check(uc_reg_write(m_uc, UC_X86_REG_RSP, &rsp), "write RSP");
    m_page_fault = false;
    uc_emu_start(m_uc, kva + kStubOffset, landing, 0, 0);
    std::uint64_t rdx = 0;
    uc_reg_read(m_uc, UC_X86_REG_RDX, &rdx);
    m_hwcap = static_cast<std::uint32_t>(rdx);
    std::uint64_t cs = 0;
    uc_reg_read(m_uc, UC_X86_REG_CS, &cs);
    if (cs != kUserCs)
        throw std::runtime_error("unicorn: iretq to CPL 3 did not take effect");

    // The guest must never see the stub's pages: drop them and every cached translation.
    m_kernel_mappings = false;
    m_page_fault = false;
    std::memset(page, 0, 0x1000);
    flush_tlb();
    invalidate_code(scratch_frame, 0x1000);
    // Linux runs user code with CR4.OSFXSR and CR4.OSXMMEXCPT set; without OSFXSR the
    // CPU's fxsave/fxrstor would skip MXCSR and the XMM registers.
    std::uint64_t cr4 = 0;
    uc_reg_read(m_uc, UC_X86_REG_CR4, &cr4);
    cr4 |= kCr4Osfxsr | kCr4Osxmmexcpt;
    check(uc_reg_write(m_uc, UC_X86_REG_CR4, &cr4), "write CR4");
    std::uint64_t zero = 0;
    for (Reg r : {Reg::rax, Reg::rbx, Reg::rcx, Reg::rdx, Reg::rsp})
        set_reg(r, zero);
    // From now on runs have no `until` address: the exit set stays empty. With one, Unicorn
    // stops any block that starts there and translates the bytes around it at the end of a
    // run, so some address would be out of the guest's reach (a jump there must be a
    // SIGSEGV like any other).
    check(uc_ctl_exits_enable(m_uc), "uc_ctl_exits_enable");
}

bool Cpu::refuse(std::uint64_t vaddr, MemAccess access) {
    m_page_fault = true;
    m_fault_vaddr = vaddr;
    m_fault_access = access;
    return false;
}

void Cpu::arm_preemption(std::uint64_t blocks) {
    m_blocks_left = blocks;
    if (m_block_hook)
        return;
    uc_hook h = 0;
    check(uc_hook_add(m_uc, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(&Hooks::block), this, 1, 0),
          "uc_hook_add(BLOCK)");
    m_block_hook = h;
    // Blocks translated without the hook would never count: discard them, frame by frame
    // from those the CPU has executed from. (Unicorn's tb_flush would also do, but it
    // clears the whole translation buffer: 64 MiB written, and resident from then on.) The
    // hook, once there, stays: disarming only stops the count.
    bool any = false;
    const std::uint64_t frames = m_code_frames.size() * 64;
    for (std::uint64_t first = 0; first < frames;) {
        if (m_code_frames[first / 64] == 0) {
            first = (first / 64 + 1) * 64;
            continue;
        }
        if (!is_code_frame(first)) {
            ++first;
            continue;
        }
        std::uint64_t end = first;
        while (end < frames && is_code_frame(end))
            ++end;
        discard_translations(first * kPageBytes, (end - first) * kPageBytes);
        any = true;
        first = end;
    }
    std::fill(m_code_frames.begin(), m_code_frames.end(), 0);
    if (any)
        flush_tlb();
}

void Cpu::disarm_preemption() { m_blocks_left = 0; }

StopReason Cpu::run() {
    m_stop_requested = false;
    m_preempted = false;
    m_page_fault = false;
    m_exception = false;
    std::uint64_t rip = reg(Reg::rip);
    // `until` is ignored: the exit set is empty (enter_user_mode()).
    uc_err e = uc_emu_start(m_uc, rip, 0, 0, 0);
    // A stop requested by a callback (exit, a syscall that must leave the run loop) wins.
    if (m_stop_requested)
        return StopReason::Stopped;
    if (m_exception) {
        clear_exception_state();
        return StopReason::Exception;
    }
    if (e == UC_ERR_INSN_INVALID) {
        // Unicorn reports #UD as an error rather than through the interrupt hook.
        m_exception_vector = kInvalidOpcodeVector;
        return StopReason::Exception;
    }
    // A refused TLB fill ends the run with an error (m_page_fault alone does not decide: a
    // refusal that Unicorn recovers from is not a guest fault).
    if (e != UC_ERR_OK && m_page_fault)
        return StopReason::PageFault;
    if (m_preempted)
        return StopReason::Preempted;
    if (e != UC_ERR_OK) {
        m_error = uc_strerror(e);
        return StopReason::Error;
    }
    return StopReason::Stopped;
}

void Cpu::stop() {
    m_stop_requested = true;
    uc_emu_stop(m_uc);
}

void Cpu::flush_tlb() { uc_ctl_flush_tlb(m_uc); }

void Cpu::invalidate_code(std::uint64_t paddr, std::uint64_t length) {
    // Only frames the CPU has executed from can have translated blocks.
    bool any = false;
    for (std::uint64_t a = paddr & ~(kPageBytes - 1); a < paddr + length; a += kPageBytes) {
        const std::uint64_t pfn = a / kPageBytes;
        if (is_code_frame(pfn)) {
            m_code_frames[pfn / 64] &= ~(std::uint64_t{1} << (pfn % 64));
            any = true;
        }
    }
    if (!any)
        return;
    discard_translations(paddr, length);
    flush_tlb();
}

void Cpu::note_code_frame(std::uint64_t paddr) {
    const std::uint64_t pfn = paddr / kPageBytes;
    if (pfn / 64 < m_code_frames.size())
        m_code_frames[pfn / 64] |= std::uint64_t{1} << (pfn % 64);
}

bool Cpu::is_code_frame(std::uint64_t pfn) const {
    return pfn / 64 < m_code_frames.size() && (m_code_frames[pfn / 64] >> (pfn % 64) & 1);
}

void Cpu::discard_translations(std::uint64_t paddr, std::uint64_t length) {
    // Unicorn 2.1.1 has no physical-range invalidation in its API (a uc_mem_write does not
    // invalidate: its invalidate_and_set_dirty is empty), only uc_ctl_remove_cache, which
    // translates a virtual address and then invalidates the physical range behind it. The
    // kernel window (kKernelBase + physical address) gives it one for a moment; the caller
    // flushes the TLB afterwards so that the guest can never reach the window.
    const bool was = m_kernel_mappings;
    m_kernel_mappings = true;
    const std::uint64_t va = kKernelBase + (paddr & ~(kPageBytes - 1));
    uc_ctl_remove_cache(m_uc, va, kKernelBase + paddr + length);
    m_kernel_mappings = was;
}

}  // namespace emu
