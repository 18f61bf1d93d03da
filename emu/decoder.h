// Decodes x86-64 instructions (Zydis) for diagnostics: the faulting instruction in a
// signal report, the fault log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace emu {

struct DecodedInstruction {
    std::string text;     // Intel syntax, e.g. "mov dword ptr [rax], 0x0"
    std::size_t length = 0;  // 0 when the bytes do not decode
};

// `bytes` are the instruction bytes at `rip` (up to 15 are used).
DecodedInstruction decode_instruction(std::uint64_t rip, const std::uint8_t* bytes, std::size_t size);

}  // namespace emu
