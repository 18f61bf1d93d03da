// emu::Cpu against a fake client: the TLB-fill bridge, syscalls, and CPU exceptions
// (including the workaround for Unicorn's stuck exception state, see emu/exception_state.cpp).
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <vector>

#include "emu/cpu.h"

namespace {

constexpr std::uint64_t kRamSize = 64 * 4096;
constexpr std::uint64_t kCodeVa = 0x400000;
constexpr std::uint64_t kDataVa = 0x600000;

// Maps a few virtual pages to fixed frames; records every fill.
class FakeClient : public emu::CpuClient {
public:
    struct Fill {
        std::uint64_t vaddr;
        emu::MemAccess access;
    };
    std::map<std::uint64_t, emu::TlbEntry> pages;
    std::vector<Fill> fills;
    std::vector<std::uint64_t> syscalls;
    emu::Cpu* cpu = nullptr;

    std::optional<emu::TlbEntry> tlb_fill(std::uint64_t vaddr, emu::MemAccess access) override {
        fills.push_back({vaddr, access});
        auto it = pages.find(vaddr);
        if (it == pages.end())
            return std::nullopt;
        if (access == emu::MemAccess::Write && !(it->second.perms & emu::kTlbWrite))
            return std::nullopt;
        return it->second;
    }

    void syscall() override {
        std::uint64_t nr = 0, args[6];
        cpu->read_syscall_regs(nr, args);
        syscalls.push_back(nr);
        cpu->finish_syscall(nr + args[0]);
    }
};

struct Machine {
    std::vector<std::byte> ram = std::vector<std::byte>(kRamSize);
    FakeClient client;
    emu::Cpu cpu{ram.data(), kRamSize, client};

    Machine() {
        client.cpu = &cpu;
        cpu.enter_user_mode(0);  // frame 0 is the boot scratch page
        client.pages[kCodeVa] = {1 * 4096, emu::kTlbRead | emu::kTlbExec};
        client.pages[kDataVa] = {2 * 4096, emu::kTlbRead | emu::kTlbWrite};
    }
    void load_code(std::initializer_list<std::uint8_t> bytes) {
        std::memcpy(ram.data() + 4096, std::data(bytes), bytes.size());
        cpu.invalidate_code(4096, 4096);
    }
};

}  // namespace

TEST_CASE("Cpu runs at CPL 3 with Linux's user selectors") {
    Machine m;
    // mov eax, cs ; hlt  (hlt at CPL 3 is a #GP)
    m.load_code({0x8c, 0xc8, 0xf4});
    m.cpu.reset_registers(kCodeVa, 0);
    REQUIRE(m.cpu.run() == emu::StopReason::Exception);
    CHECK(m.cpu.exception_vector() == 13);
    CHECK((m.cpu.reg(emu::Reg::rax) & 0xffff) == 0x33);
    CHECK(m.cpu.reg(emu::Reg::rip) == kCodeVa + 2);  // RIP stays at the faulting hlt
}

TEST_CASE("Cpu delivers the right vector for every exception, however many") {
    Machine m;
    // div ecx (ecx = 0: #DE) ; hlt (#GP) ; ud2 (#UD)
    m.load_code({0xf7, 0xf1, 0xf4, 0x0f, 0x0b});
    // Without the workaround the second exception arrives as a double fault (vector 8)
    // and the third stops the CPU.
    for (int i = 0; i < 200; ++i) {
        const std::uint64_t offsets[] = {0, 2, 3};
        const unsigned vectors[] = {0, 13, 6};
        const int k = i % 3;
        m.cpu.reset_registers(kCodeVa + offsets[k], 0);
        m.cpu.set_reg(emu::Reg::rax, 1);
        REQUIRE(m.cpu.run() == emu::StopReason::Exception);
        REQUIRE(m.cpu.exception_vector() == vectors[k]);
        REQUIRE(m.cpu.reg(emu::Reg::rip) == kCodeVa + offsets[k]);
    }
}

TEST_CASE("Cpu asks the client for every translation and stops on a refused one") {
    Machine m;
    // mov dword ptr [0x600010], 7 ; mov eax, dword ptr [0x700000]
    m.load_code({0xc7, 0x04, 0x25, 0x10, 0x00, 0x60, 0x00, 0x07, 0x00, 0x00, 0x00,  //
                 0x8b, 0x04, 0x25, 0x00, 0x00, 0x70, 0x00});
    m.cpu.reset_registers(kCodeVa, 0);
    REQUIRE(m.cpu.run() == emu::StopReason::PageFault);
    CHECK(m.cpu.fault_address() == 0x700000);
    CHECK(m.cpu.fault_access() == emu::MemAccess::Read);
    CHECK(m.cpu.reg(emu::Reg::rip) == kCodeVa + 11);
    // The write went to the frame the client chose.
    std::uint32_t v = 0;
    std::memcpy(&v, m.ram.data() + 2 * 4096 + 0x10, 4);
    CHECK(v == 7);
    bool fetched = false, wrote = false;
    for (const auto& f : m.client.fills) {
        fetched |= f.vaddr == kCodeVa && f.access == emu::MemAccess::Fetch;
        wrote |= f.vaddr == kDataVa && f.access == emu::MemAccess::Write;
    }
    CHECK(fetched);
    CHECK(wrote);
}

TEST_CASE("Cpu comes back to the client when a read-only translation is written") {
    Machine m;
    // mov eax, [0x600000] ; mov dword ptr [0x600000], 1 ; hlt
    m.load_code({0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,  //
                 0xc7, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0xf4});
    // Read-only at first, as a clean page would be translated.
    m.client.pages[kDataVa].perms = emu::kTlbRead;
    m.cpu.reset_registers(kCodeVa, 0);
    REQUIRE(m.cpu.run() == emu::StopReason::PageFault);
    CHECK(m.cpu.fault_access() == emu::MemAccess::Write);
    CHECK(m.cpu.reg(emu::Reg::rip) == kCodeVa + 7);
    // Now allow the write (the "Dirty bit set" case): after a TLB flush it proceeds.
    m.client.pages[kDataVa].perms = emu::kTlbRead | emu::kTlbWrite;
    m.cpu.flush_tlb();
    REQUIRE(m.cpu.run() == emu::StopReason::Exception);  // the hlt
    std::uint32_t v = 0;
    std::memcpy(&v, m.ram.data() + 2 * 4096, 4);
    CHECK(v == 1);
}

TEST_CASE("Cpu hands syscalls to the client and resumes after them") {
    Machine m;
    // mov eax, 39 ; mov edi, 3 ; syscall ; hlt
    m.load_code({0xb8, 0x27, 0x00, 0x00, 0x00, 0xbf, 0x03, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xf4});
    m.cpu.reset_registers(kCodeVa, 0);
    REQUIRE(m.cpu.run() == emu::StopReason::Exception);
    REQUIRE(m.client.syscalls == std::vector<std::uint64_t>{39});
    CHECK(m.cpu.reg(emu::Reg::rax) == 42);             // the client's result
    CHECK(m.cpu.reg(emu::Reg::rcx) == kCodeVa + 12);  // return address, as SYSCALL leaves it
    CHECK(m.cpu.reg(emu::Reg::rip) == kCodeVa + 12);
}

TEST_CASE("Cpu reports the emulated CPU's CPUID features for AT_HWCAP") {
    Machine m;
    const std::uint32_t hwcap = m.cpu.hwcap();
    CHECK((hwcap & (1u << 25)) != 0);  // SSE
    CHECK((hwcap & (1u << 26)) != 0);  // SSE2
    CHECK((hwcap & (1u << 0)) != 0);   // x87 FPU
}

TEST_CASE("Cpu starts programs with Linux's FPU defaults") {
    Machine m;
    // fnstcw [0x600000] ; stmxcsr [0x600004] ; hlt
    m.load_code({0xd9, 0x3c, 0x25, 0x00, 0x00, 0x60, 0x00, 0x0f, 0xae, 0x1c, 0x25, 0x04, 0x00, 0x60, 0x00, 0xf4});
    m.cpu.reset_registers(kCodeVa, 0);
    REQUIRE(m.cpu.run() == emu::StopReason::Exception);
    std::uint16_t fpcw = 0;
    std::uint32_t mxcsr = 0;
    std::memcpy(&fpcw, m.ram.data() + 2 * 4096, 2);
    std::memcpy(&mxcsr, m.ram.data() + 2 * 4096 + 4, 4);
    CHECK(fpcw == 0x37f);
    CHECK(mxcsr == 0x1f80);
}

TEST_CASE("Cpu runs a frame's new code once invalidate_code() was told of it") {
    Machine m;
    // mov eax, 1 ; syscall ; hlt
    m.load_code({0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xf4});
    m.cpu.reset_registers(kCodeVa, 0);
    REQUIRE(m.cpu.run() == emu::StopReason::Exception);
    CHECK(m.client.syscalls.back() == 1);
    // The same frame at the same address, other code (a frame reused, a file rewritten):
    // mov eax, 7 ; syscall ; hlt. Translated blocks are keyed by address and frame, so
    // without the invalidation the old block would run again.
    m.load_code({0xb8, 0x07, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xf4});
    m.cpu.reset_registers(kCodeVa, 0);
    REQUIRE(m.cpu.run() == emu::StopReason::Exception);
    CHECK(m.client.syscalls.back() == 7);
    // The window through which the frame was invalidated is gone: the guest cannot reach
    // physical memory through it.
    m.load_code({0x48, 0xb8, 0x00, 0x10, 0x00, 0x00, 0x00, 0x80, 0xff, 0xff,  // mov rax, kKernelBase + 0x1000
                 0x8b, 0x00,                                                  // mov eax, [rax]
                 0xf4});
    m.cpu.reset_registers(kCodeVa, 0);
    CHECK(m.cpu.run() == emu::StopReason::PageFault);
    CHECK(m.cpu.fault_address() == 0xffff800000001000ull);
}

TEST_CASE("Cpu counts blocks translated before preemption was armed") {
    Machine m;
    // loop: inc rcx ; cmp rcx, rdx ; jne loop ; syscall ; hlt (rdx = 0: ~2^64 rounds)
    m.load_code({0x48, 0xff, 0xc1, 0x48, 0x39, 0xd1, 0x75, 0xf8, 0x0f, 0x05, 0xf4});
    m.cpu.reset_registers(kCodeVa, 0);
    m.cpu.set_reg(emu::Reg::rdx, 1000);
    REQUIRE(m.cpu.run() == emu::StopReason::Exception);  // translated without the block hook
    REQUIRE(m.client.syscalls.size() == 1);
    m.cpu.reset_registers(kCodeVa, 0);
    m.cpu.set_reg(emu::Reg::rdx, 0);
    m.cpu.arm_preemption(5000);
    CHECK(m.cpu.run() == emu::StopReason::Preempted);
    CHECK(m.cpu.reg(emu::Reg::rcx) >= 4000);
    CHECK(m.cpu.reg(emu::Reg::rcx) <= 5000);
    CHECK(m.client.syscalls.size() == 1);
}
