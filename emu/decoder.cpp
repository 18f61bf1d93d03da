#include "emu/decoder.h"

#include <Zydis/Zydis.h>

namespace emu {

DecodedInstruction decode_instruction(std::uint64_t rip, const std::uint8_t* bytes, std::size_t size) {
    DecodedInstruction out;
    if (size == 0) {
        out.text = "(instruction bytes not mapped)";
        return out;
    }
    ZydisDisassembledInstruction insn;
    if (!ZYAN_SUCCESS(ZydisDisassembleIntel(ZYDIS_MACHINE_MODE_LONG_64, rip, bytes, size, &insn))) {
        out.text = "(undecodable instruction)";
        return out;
    }
    out.text = insn.text;
    out.length = insn.info.length;
    return out;
}

}  // namespace emu
