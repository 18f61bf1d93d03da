// Decodes x86-64 instructions (Zydis) for diagnostics: the faulting instruction in a
// signal report, the fault log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace emu {

struct DecodedInstruction {
    std::string text;     // Intel syntax, e.g. "mov dword ptr [rax], 0x0"
    std::size_t length = 0;  // 0 when the bytes do not decode
};

// `bytes` are the instruction bytes at `rip` (up to 15 are used).
DecodedInstruction decode_instruction(std::uint64_t rip, const std::uint8_t* bytes, std::size_t size);

// The registers address calculations need.
struct AddressRegisters {
    std::uint64_t gpr[16] = {};  // rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15 (hardware order)
    std::uint64_t rip = 0;
    std::uint64_t fs_base = 0;
    std::uint64_t gs_base = 0;
};

// The memory operands of one instruction, in Zydis's order: what the effective-address
// calculations of faulting_data_address() need, decoded once and kept (the fault log caches
// them per instruction, so Zydis runs once per instruction rather than once per fault).
// The address of an operand is ((disp + reg[base] + reg[index] * scale) & mask) plus the
// FS or GS base, minus `stack_adjust`.
struct MemoryOperand {
    static constexpr std::uint8_t kNoReg = 0xff;
    static constexpr std::uint8_t kRip = 16;  // the instruction's own address (RIP-relative)
    enum class Segment : std::uint8_t { None, Fs, Gs };

    std::uint64_t disp = 0;   // for RIP-relative operands plus the instruction's length
    std::uint64_t mask = ~std::uint64_t{0};  // the address size
    std::uint8_t base = kNoReg;   // 0..15 (hardware order, as AddressRegisters::gpr), kRip
    std::uint8_t index = kNoReg;
    std::uint8_t scale = 0;
    Segment segment = Segment::None;
    std::uint32_t stack_adjust = 0;    // push and call store below the stack pointer
    std::uint32_t bytes_accessed = 1;
};

struct MemoryOperands {
    // x86-64 instructions have at most two memory operands (movs, push/pop/call of memory);
    // decoder_test checks that over random instruction bytes.
    static constexpr std::size_t kMax = 4;
    MemoryOperand op[kMax];
    std::uint8_t count = 0;
};

MemoryOperands decode_memory_operands(const std::uint8_t* bytes, std::size_t size);

// Which registers the operands read: bit i for gpr[i], then rip, fs_base, gs_base.
enum AddressRegisterBits : std::uint32_t {
    kAddrRip = 1u << 16,
    kAddrFsBase = 1u << 17,
    kAddrGsBase = 1u << 18,
    kAddrAll = (1u << 19) - 1,
};
std::uint32_t registers_needed(const MemoryOperands& ops);

// The CPU reports a faulting data access by page only. This recovers the byte address Linux
// puts in si_addr: the effective address of the instruction's memory operand that touches
// `fault_page` (or `fault_page` itself when the access crosses into it from the page below).
// nullopt when no operand explains the fault. `regs` needs only registers_needed(ops).
std::optional<std::uint64_t> faulting_data_address(const MemoryOperands& ops, const AddressRegisters& regs,
                                                   std::uint64_t fault_page);
// The same from the instruction's bytes (decodes them first).
std::optional<std::uint64_t> faulting_data_address(const std::uint8_t* bytes, std::size_t size,
                                                   const AddressRegisters& regs, std::uint64_t fault_page);

}  // namespace emu
