// emu/decoder: instruction text for diagnostics and the exact address of a faulting access.
#include <catch2/catch.hpp>

#include <Zydis/Zydis.h>

#include <random>
#include <vector>

#include "emu/decode_cache.h"
#include "emu/decoder.h"

namespace {

std::optional<std::uint64_t> fault_at(std::vector<std::uint8_t> code, emu::AddressRegisters regs, std::uint64_t page) {
    return emu::faulting_data_address(code.data(), code.size(), regs, page);
}

constexpr int kRax = 0, kRbx = 3, kRsp = 4;

}  // namespace

TEST_CASE("Decoder formats the faulting instruction in Intel syntax") {
    const std::uint8_t bytes[] = {0x8b, 0x30};  // mov esi, [rax]
    auto d = emu::decode_instruction(0x401000, bytes, sizeof(bytes));
    CHECK(d.text == "mov esi, [rax]");
    CHECK(d.length == 2);
    CHECK(emu::decode_instruction(0, bytes, 0).length == 0);
}

TEST_CASE("Decoder recovers the byte address of a faulting access") {
    emu::AddressRegisters regs;
    // mov eax, [0x12345]
    CHECK(fault_at({0x8b, 0x04, 0x25, 0x45, 0x23, 0x01, 0x00}, regs, 0x12000) == 0x12345u);
    // mov esi, [rax]
    regs.gpr[kRax] = 0x5008;
    CHECK(fault_at({0x8b, 0x30}, regs, 0x5000) == 0x5008u);
    // push rax writes at rsp - 8
    regs.gpr[kRsp] = 0x6000;
    CHECK(fault_at({0x50}, regs, 0x5000) == 0x5ff8u);
    // call rel32 pushes the return address the same way
    CHECK(fault_at({0xe8, 0x00, 0x00, 0x00, 0x00}, regs, 0x5000) == 0x5ff8u);
    // mov rax, [rbx+8] reaching from the page below into the faulting page
    regs.gpr[kRbx] = 0x4ff4;
    CHECK(fault_at({0x48, 0x8b, 0x43, 0x08}, regs, 0x5000) == 0x5000u);
    // mov eax, fs:[0x10] adds the FS base
    regs.fs_base = 0x7000;
    CHECK(fault_at({0x64, 0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00}, regs, 0x7000) == 0x7010u);
    // no memory operand explains a fault in that page
    CHECK_FALSE(fault_at({0x90}, regs, 0x5000).has_value());
    CHECK_FALSE(fault_at({0x8b, 0x30}, regs, 0x9000).has_value());
}

namespace {

// The address calculation as faultline made it before operands were cached: Zydis's own
// ZydisCalcAbsoluteAddressEx on a fresh full decode. The cached form must agree with it.
// Each memory operand Zydis can compute gives its address and size, in operand order.
std::vector<std::pair<std::uint64_t, std::uint64_t>> reference_operands(const std::uint8_t* bytes, std::size_t size,
                                                                        const emu::AddressRegisters& regs) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    ZydisDecoder decoder;
    ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand operands[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, bytes, size, &insn, operands)))
        return out;
    ZydisRegisterContext ctx{};
    for (int i = 0; i < 16; ++i) {
        ctx.values[ZYDIS_REGISTER_RAX + i] = regs.gpr[i];
        ctx.values[ZYDIS_REGISTER_EAX + i] = regs.gpr[i] & 0xffffffffu;
    }
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
        if (op.visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN && op.mem.base == ZYDIS_REGISTER_RSP &&
            (op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) &&
            (insn.mnemonic == ZYDIS_MNEMONIC_PUSH || insn.mnemonic == ZYDIS_MNEMONIC_PUSHFQ ||
             insn.mnemonic == ZYDIS_MNEMONIC_CALL))
            ea -= op.size / 8;
        out.emplace_back(ea, op.size ? op.size / 8 : 1);
    }
    return out;
}

std::optional<std::uint64_t> reference_fault_address(
    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& operands, std::uint64_t fault_page) {
    for (const auto& [ea, bytes_accessed] : operands) {
        if (ea >= fault_page && ea < fault_page + 0x1000)
            return ea;
        if (ea < fault_page && ea + bytes_accessed > fault_page)
            return fault_page;
    }
    return std::nullopt;
}

int memory_operand_count(const std::uint8_t* bytes, std::size_t size) {
    ZydisDecoder decoder;
    ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand operands[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, bytes, size, &insn, operands)))
        return 0;
    int n = 0;
    for (unsigned i = 0; i < insn.operand_count; ++i)
        n += operands[i].type == ZYDIS_OPERAND_TYPE_MEMORY && operands[i].mem.type == ZYDIS_MEMOP_TYPE_MEM;
    return n;
}

}  // namespace

TEST_CASE("Cached memory operands give Zydis's addresses, reading only the registers they name") {
    std::mt19937_64 rng(7);
    // Prefixes and opcodes that make memory operands likely: REX, 0x67 (32-bit addresses),
    // FS/GS, the two-byte map, VEX/EVEX, string instructions, push/pop/call of memory.
    const std::uint8_t leads[] = {0x48, 0x4c, 0x41, 0x67, 0x64, 0x65, 0x0f, 0xc5, 0xc4, 0x62,
                                  0xa4, 0xa5, 0xa6, 0xab, 0xff, 0x8f, 0x8b, 0x89, 0xe8, 0x9c};
    int checked = 0, explained = 0;
    for (int iter = 0; iter < 200000; ++iter) {
        std::uint8_t bytes[15];
        for (auto& b : bytes)
            b = static_cast<std::uint8_t>(rng());
        if (iter % 2)
            bytes[0] = leads[rng() % sizeof(leads)];
        const std::size_t size = 1 + rng() % 15;
        emu::AddressRegisters all;
        for (auto& g : all.gpr)
            g = rng() % 3 ? 0x7fff0000ull + (rng() % 0x40000) : rng();
        all.rip = rng() % 2 ? 0x401000 + (rng() % 0x10000) : rng();
        all.fs_base = rng() % 4 ? 0 : 0x7ff00000ull + (rng() % 0x1000);
        all.gs_base = rng() % 4 ? 0 : rng();
        const auto ref = reference_operands(bytes, size, all);
        // The fault page: mostly one an operand touches (its first or last byte's), else
        // anywhere.
        std::uint64_t page = rng() & ~0xfffull;
        if (!ref.empty() && rng() % 4) {
            const auto& [ea, len] = ref[rng() % ref.size()];
            page = (rng() % 2 ? ea : ea + len - 1) & ~0xfffull;
        }
        REQUIRE(memory_operand_count(bytes, size) <= static_cast<int>(emu::MemoryOperands::kMax));
        const emu::MemoryOperands ops = emu::decode_memory_operands(bytes, size);
        // Only what registers_needed() names: the others read as 0.
        const std::uint32_t need = emu::registers_needed(ops);
        emu::AddressRegisters some;
        for (int i = 0; i < 16; ++i)
            some.gpr[i] = need & (1u << i) ? all.gpr[i] : 0;
        some.rip = need & emu::kAddrRip ? all.rip : 0;
        some.fs_base = need & emu::kAddrFsBase ? all.fs_base : 0;
        some.gs_base = need & emu::kAddrGsBase ? all.gs_base : 0;
        const auto want = reference_fault_address(ref, page);
        INFO("iteration " << iter);
        REQUIRE(emu::faulting_data_address(ops, some, page) == want);
        REQUIRE(emu::faulting_data_address(bytes, size, all, page) == want);
        ++checked;
        explained += want.has_value();
    }
    // The sample must exercise the interesting case, not only "no operand explains it".
    CHECK(explained > 50000);
    CHECK(checked == 200000);
}

TEST_CASE("DecodeCache decodes again when the bytes at an address change") {
    emu::DecodeCache cache;
    const std::uint8_t load[] = {0x8b, 0x30};               // mov esi, [rax]
    const std::uint8_t push[] = {0x50};                      // push rax
    const std::uint8_t rip_rel[] = {0x8b, 0x05, 0x10, 0, 0, 0};  // mov eax, [rip+0x10]
    CHECK(cache.lookup(0x401000, load, sizeof(load)).text == "mov esi, [rax]");
    CHECK(cache.lookup(0x401000, load, sizeof(load)).operands.count == 1);
    // Self-modifying code, exec or a new mapping: same address, other bytes.
    const emu::DecodeCache::Entry& e = cache.lookup(0x401000, push, sizeof(push));
    CHECK(e.text == "push rax");
    CHECK(e.operands.op[0].stack_adjust == 8);
    CHECK(emu::registers_needed(e.operands) == (1u << kRsp));
    // The same bytes, but fewer of them readable (the instruction ends a mapping).
    CHECK(cache.lookup(0x402000, rip_rel, sizeof(rip_rel)).text == "mov eax, [0x0000000000402016]");
    CHECK(cache.lookup(0x402000, rip_rel, 3).text == "(undecodable instruction)");
    CHECK(cache.lookup(0x402000, rip_rel, 3).operands.count == 0);
    // An address whose slot another address took is decoded again.
    for (std::uint64_t rip = 0x500000; rip < 0x500000 + 4096 * 8; rip += 8)
        cache.lookup(rip, push, sizeof(push));
    CHECK(cache.lookup(0x401000, load, sizeof(load)).text == "mov esi, [rax]");
    CHECK(cache.lookup(0x401000, push, 0).text == "(instruction bytes not mapped)");
}
