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

namespace {

ZydisRegisterContext register_context(const AddressRegisters& regs) {
    ZydisRegisterContext ctx{};
    for (int i = 0; i < 16; ++i) {
        ctx.values[ZYDIS_REGISTER_RAX + i] = regs.gpr[i];
        ctx.values[ZYDIS_REGISTER_EAX + i] = regs.gpr[i] & 0xffffffffu;
    }
    ctx.values[ZYDIS_REGISTER_RIP] = regs.rip;
    ctx.values[ZYDIS_REGISTER_EIP] = regs.rip & 0xffffffffu;
    return ctx;
}

}  // namespace

std::optional<std::uint64_t> faulting_data_address(const std::uint8_t* bytes, std::size_t size,
                                                   const AddressRegisters& regs, std::uint64_t fault_page) {
    ZydisDecoder decoder;
    ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand operands[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, bytes, size, &insn, operands)))
        return std::nullopt;
    const ZydisRegisterContext ctx = register_context(regs);
    const std::uint64_t page_end = fault_page + 0x1000;
    for (unsigned i = 0; i < insn.operand_count; ++i) {
        const ZydisDecodedOperand& op = operands[i];
        if (op.type != ZYDIS_OPERAND_TYPE_MEMORY || op.mem.type != ZYDIS_MEMOP_TYPE_MEM)
            continue;
        ZyanU64 ea = 0;
        if (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddressEx(&insn, &op, regs.rip, &ctx, &ea)))
            continue;
        if (op.mem.segment == ZYDIS_REGISTER_FS)
            ea += regs.fs_base;
        else if (op.mem.segment == ZYDIS_REGISTER_GS)
            ea += regs.gs_base;
        // push and call store below the stack pointer; Zydis describes the slot by rsp.
        if (op.visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN && op.mem.base == ZYDIS_REGISTER_RSP &&
            (op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) &&
            (insn.mnemonic == ZYDIS_MNEMONIC_PUSH || insn.mnemonic == ZYDIS_MNEMONIC_PUSHFQ ||
             insn.mnemonic == ZYDIS_MNEMONIC_CALL))
            ea -= op.size / 8;
        const std::uint64_t bytes_accessed = op.size ? op.size / 8 : 1;
        if (ea >= fault_page && ea < page_end)
            return ea;
        if (ea < fault_page && ea + bytes_accessed > fault_page)
            return fault_page;  // crosses into the faulting page
    }
    return std::nullopt;
}

}  // namespace emu
