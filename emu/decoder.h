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

// The CPU reports a faulting data access by page only. This recovers the byte address Linux
// puts in si_addr: the effective address of the instruction's memory operand that touches
// `fault_page` (or `fault_page` itself when the access crosses into it from the page below).
// nullopt when no operand explains the fault.
std::optional<std::uint64_t> faulting_data_address(const std::uint8_t* bytes, std::size_t size,
                                                   const AddressRegisters& regs, std::uint64_t fault_page);

}  // namespace emu
