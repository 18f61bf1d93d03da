// emu/decoder: instruction text for diagnostics and the exact address of a faulting access.
#include <catch2/catch.hpp>

#include <vector>

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
