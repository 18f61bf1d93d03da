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

// Zydis's register as the index of AddressRegisters::gpr, or kRip; kNoReg for none (and
// for any other register, which Zydis's own calculation would count as 0).
std::uint8_t address_register(ZydisRegister r) {
    if (r >= ZYDIS_REGISTER_RAX && r <= ZYDIS_REGISTER_R15)
        return static_cast<std::uint8_t>(r - ZYDIS_REGISTER_RAX);
    if (r >= ZYDIS_REGISTER_EAX && r <= ZYDIS_REGISTER_R15D)
        return static_cast<std::uint8_t>(r - ZYDIS_REGISTER_EAX);
    if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP)
        return MemoryOperand::kRip;
    return MemoryOperand::kNoReg;
}

std::uint64_t address_mask(unsigned address_width) {
    switch (address_width) {
    case 16: return 0xffff;
    case 32: return 0xffffffff;
    case 64: return ~std::uint64_t{0};
    default: return 0;  // Zydis refuses the calculation
    }
}

// One memory operand the way ZydisCalcAbsoluteAddressEx computes its address; false when
// that calculation would fail (the operand then explains nothing).
bool describe(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand& op, MemoryOperand& out) {
    const auto& mem = op.mem;
    const std::uint64_t disp = static_cast<std::uint64_t>(mem.disp.value);
    if (mem.base == ZYDIS_REGISTER_RIP || mem.base == ZYDIS_REGISTER_EIP) {
        if (!mem.disp.has_displacement)
            return false;
        out.base = MemoryOperand::kRip;
        out.disp = disp + insn.length;
        out.mask = mem.base == ZYDIS_REGISTER_EIP ? 0xffffffff : ~std::uint64_t{0};
    } else if (mem.base == ZYDIS_REGISTER_NONE && mem.index == ZYDIS_REGISTER_NONE) {
        if (!mem.disp.has_displacement)
            return false;
        out.disp = disp;
    } else {
        out.disp = disp;
        out.base = address_register(mem.base);
        out.index = address_register(mem.index);
        out.scale = mem.scale;
    }
    out.mask = out.base == MemoryOperand::kRip ? out.mask : address_mask(insn.address_width);
    if (out.mask == 0)
        return false;
    if (mem.segment == ZYDIS_REGISTER_FS)
        out.segment = MemoryOperand::Segment::Fs;
    else if (mem.segment == ZYDIS_REGISTER_GS)
        out.segment = MemoryOperand::Segment::Gs;
    // push and call store below the stack pointer; Zydis describes the slot by rsp.
    if (op.visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN && mem.base == ZYDIS_REGISTER_RSP &&
        (op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) &&
        (insn.mnemonic == ZYDIS_MNEMONIC_PUSH || insn.mnemonic == ZYDIS_MNEMONIC_PUSHFQ ||
         insn.mnemonic == ZYDIS_MNEMONIC_CALL))
        out.stack_adjust = op.size / 8;
    out.bytes_accessed = op.size ? op.size / 8 : 1;
    return true;
}

std::uint64_t register_value(const AddressRegisters& regs, std::uint8_t r) {
    if (r < 16)
        return regs.gpr[r];
    return r == MemoryOperand::kRip ? regs.rip : 0;
}

std::uint32_t register_bit(std::uint8_t r) {
    if (r < 16)
        return 1u << r;
    return r == MemoryOperand::kRip ? std::uint32_t{kAddrRip} : 0u;
}

}  // namespace

MemoryOperands decode_memory_operands(const std::uint8_t* bytes, std::size_t size) {
    MemoryOperands out;
    ZydisDecoder decoder;
    ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand operands[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, bytes, size, &insn, operands)))
        return out;
    for (unsigned i = 0; i < insn.operand_count; ++i) {
        const ZydisDecodedOperand& op = operands[i];
        if (op.type != ZYDIS_OPERAND_TYPE_MEMORY || op.mem.type != ZYDIS_MEMOP_TYPE_MEM)
            continue;
        MemoryOperand m;
        if (!describe(insn, op, m))
            continue;
        if (out.count < MemoryOperands::kMax)
            out.op[out.count++] = m;
    }
    return out;
}

std::uint32_t registers_needed(const MemoryOperands& ops) {
    std::uint32_t bits = 0;
    for (std::size_t i = 0; i < ops.count; ++i) {
        const MemoryOperand& m = ops.op[i];
        bits |= register_bit(m.base) | register_bit(m.index);
        if (m.segment == MemoryOperand::Segment::Fs)
            bits |= kAddrFsBase;
        else if (m.segment == MemoryOperand::Segment::Gs)
            bits |= kAddrGsBase;
    }
    return bits;
}

std::optional<std::uint64_t> faulting_data_address(const MemoryOperands& ops, const AddressRegisters& regs,
                                                   std::uint64_t fault_page) {
    const std::uint64_t page_end = fault_page + 0x1000;
    for (std::size_t i = 0; i < ops.count; ++i) {
        const MemoryOperand& m = ops.op[i];
        std::uint64_t ea =
            (m.disp + register_value(regs, m.base) + register_value(regs, m.index) * m.scale) & m.mask;
        if (m.segment == MemoryOperand::Segment::Fs)
            ea += regs.fs_base;
        else if (m.segment == MemoryOperand::Segment::Gs)
            ea += regs.gs_base;
        ea -= m.stack_adjust;
        if (ea >= fault_page && ea < page_end)
            return ea;
        if (ea < fault_page && ea + m.bytes_accessed > fault_page)
            return fault_page;  // crosses into the faulting page
    }
    return std::nullopt;
}

std::optional<std::uint64_t> faulting_data_address(const std::uint8_t* bytes, std::size_t size,
                                                   const AddressRegisters& regs, std::uint64_t fault_page) {
    return faulting_data_address(decode_memory_operands(bytes, size), regs, fault_page);
}

}  // namespace emu
