// emu::Cpu's complete user register state (emu/user_state.h) against what the emulated CPU
// itself says: the FXSAVE image read_user_state() builds must be byte for byte what the
// guest's own `fxsave64` stores, and an image written with write_user_state() must come
// back from `fxsave64` unchanged. Also the SYSCALL-hook behaviour the signal code relies on.
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <vector>

#include "emu/cpu.h"

namespace {

constexpr std::uint64_t kRamSize = 64 * 4096;
constexpr std::uint64_t kCodeVa = 0x400000;
constexpr std::uint64_t kDataVa = 0x600000;
constexpr std::uint64_t kDataFrame = 2 * 4096;

class Client : public emu::CpuClient {
public:
    std::map<std::uint64_t, emu::TlbEntry> pages;
    emu::Cpu* cpu = nullptr;
    int syscalls = 0;
    std::uint64_t rip_in_hook = 0;
    bool stop_in_syscall = false;

    std::optional<emu::TlbEntry> tlb_fill(std::uint64_t vaddr, emu::MemAccess access) override {
        auto it = pages.find(vaddr);
        if (it == pages.end())
            return std::nullopt;
        if (access == emu::MemAccess::Write && !(it->second.perms & emu::kTlbWrite))
            return std::nullopt;
        return it->second;
    }
    void syscall() override {
        ++syscalls;
        rip_in_hook = cpu->reg(emu::Reg::rip);
        cpu->finish_syscall(1000 + static_cast<std::uint64_t>(syscalls));
        if (stop_in_syscall)
            cpu->stop();
    }
};

struct Machine {
    std::vector<std::byte> ram = std::vector<std::byte>(kRamSize);
    Client client;
    emu::Cpu cpu{ram.data(), kRamSize, client};

    Machine() {
        client.cpu = &cpu;
        cpu.enter_user_mode(0);
        client.pages[kCodeVa] = {1 * 4096, emu::kTlbRead | emu::kTlbExec};
        client.pages[kDataVa] = {kDataFrame, emu::kTlbRead | emu::kTlbWrite};
    }
    void load_code(std::initializer_list<std::uint8_t> bytes) {
        std::memcpy(ram.data() + 4096, std::data(bytes), bytes.size());
        cpu.invalidate_code(4096, 4096);
    }
    emu::FxsaveImage saved_by_guest() const {
        emu::FxsaveImage img;
        std::memcpy(img.data(), ram.data() + kDataFrame, img.size());
        return img;
    }
};

// fxsave64 [0x600000] ; hlt
#define FXSAVE_AND_HLT 0x48, 0x0f, 0xae, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00, 0xf4

// The bytes FXSAVE defines (the 48 software-reserved bytes at the end are not written).
void check_same_fxsave(const emu::FxsaveImage& ours, const emu::FxsaveImage& cpu) {
    for (std::size_t i = 0; i < emu::fxsave::kSwReserved; ++i) {
        INFO("FXSAVE byte " << i);
        CHECK(int(ours[i]) == int(cpu[i]));
    }
}

}  // namespace

TEST_CASE("read_user_state's FXSAVE image is what the CPU's own fxsave64 stores") {
    Machine m;
    m.load_code({
        0xd9, 0xeb,                                                  // fldpi
        0xd9, 0xe8,                                                  // fld1
        0xd9, 0xee,                                                  // fldz
        0x48, 0xb8, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,  // mov rax, 0x8877665544332211
        0x66, 0x48, 0x0f, 0x6e, 0xd8,                                // movq xmm3, rax
        0x66, 0x4c, 0x0f, 0x6e, 0xf8,                                // movq xmm15, rax
        0xc7, 0x04, 0x25, 0x40, 0x00, 0x60, 0x00, 0xc0, 0x9f, 0x00, 0x00,  // mov dword [0x600040], 0x9fc0
        0x0f, 0xae, 0x14, 0x25, 0x40, 0x00, 0x60, 0x00,              // ldmxcsr [0x600040]
        FXSAVE_AND_HLT});
    m.cpu.reset_registers(kCodeVa, 0);
    REQUIRE(m.cpu.run() == emu::StopReason::Exception);  // the hlt
    emu::UserState s;
    m.cpu.read_user_state(s);
    check_same_fxsave(s.fxsave, m.saved_by_guest());
    // And the values are where FXSAVE puts them: TOP = 5, physical registers 5-7 valid.
    CHECK(((emu::fx_get<std::uint16_t>(s.fxsave, emu::fxsave::kFsw) >> 11) & 7) == 5);
    CHECK(emu::fx_get<std::uint8_t>(s.fxsave, emu::fxsave::kFtw) == 0xe0);
    CHECK(emu::fx_get<std::uint32_t>(s.fxsave, emu::fxsave::kMxcsr) == 0x9fc0);
    CHECK(emu::fx_get<std::uint64_t>(s.fxsave, emu::fxsave::kSt0 + 16) == 0x8000000000000000ull);  // ST(1) = 1.0
    CHECK(emu::fx_get<std::uint16_t>(s.fxsave, emu::fxsave::kSt0 + 16 + 8) == 0x3fff);
    CHECK(emu::fx_get<std::uint64_t>(s.fxsave, emu::fxsave::kXmm0 + 16 * 15) == 0x8877665544332211ull);
    CHECK(s.rip == kCodeVa + 54);
    CHECK(s.rax == 0x8877665544332211ull);
}

TEST_CASE("write_user_state installs an FXSAVE image the CPU then stores unchanged") {
    Machine m;
    m.load_code({FXSAVE_AND_HLT});
    emu::UserState s;
    s.rip = kCodeVa;
    s.rflags = 0x202;
    s.rbx = 0x1234;
    s.r15 = 0xfeedface;
    s.fs_base = 0x7000;
    auto& fx = s.fxsave;
    emu::fx_put<std::uint16_t>(fx, emu::fxsave::kFcw, 0x027f);
    emu::fx_put<std::uint16_t>(fx, emu::fxsave::kFsw, 6u << 11);  // TOP = 6: ST(0) = R6, ST(1) = R7
    emu::fx_put<std::uint8_t>(fx, emu::fxsave::kFtw, 0xc0);
    emu::fx_put<std::uint32_t>(fx, emu::fxsave::kMxcsr, 0x1f80 | 0x6000);
    emu::fx_put<std::uint64_t>(fx, emu::fxsave::kSt0, 0xc000000000000000ull);  // 1.5
    emu::fx_put<std::uint16_t>(fx, emu::fxsave::kSt0 + 8, 0x3fff);
    emu::fx_put<std::uint64_t>(fx, emu::fxsave::kSt0 + 16, 0x8000000000000000ull);  // 2.0
    emu::fx_put<std::uint16_t>(fx, emu::fxsave::kSt0 + 16 + 8, 0x4000);
    for (int i = 0; i < 16; ++i)
        for (int b = 0; b < 16; ++b)
            fx[emu::fxsave::kXmm0 + 16 * i + b] = static_cast<std::uint8_t>(i * 16 + b);
    m.cpu.write_user_state(s);
    REQUIRE(m.cpu.run() == emu::StopReason::Exception);
    check_same_fxsave(s.fxsave, m.saved_by_guest());
    emu::UserState back;
    m.cpu.read_user_state(back);
    CHECK(back.rbx == 0x1234);
    CHECK(back.r15 == 0xfeedface);
    CHECK(back.fs_base == 0x7000);
    CHECK(back.rip == kCodeVa + 9);
    check_same_fxsave(back.fxsave, s.fxsave);
}

TEST_CASE("Cpu::stop() in the SYSCALL hook ends the run with RIP after the syscall") {
    Machine m;
    // syscall ; mov eax, 7 ; hlt
    m.load_code({0x0f, 0x05, 0xb8, 0x07, 0x00, 0x00, 0x00, 0xf4});
    m.cpu.reset_registers(kCodeVa, 0);
    m.client.stop_in_syscall = true;
    REQUIRE(m.cpu.run() == emu::StopReason::Stopped);
    CHECK(m.client.rip_in_hook == kCodeVa);         // inside the hook: at the instruction
    CHECK(m.cpu.reg(emu::Reg::rip) == kCodeVa + 2);  // after the run: past it
    CHECK(m.cpu.reg(emu::Reg::rax) == 1001);         // the instruction after it did not run
    // Registers written between runs take effect: resume somewhere else entirely.
    emu::UserState s;
    m.cpu.read_user_state(s);
    s.rip = kCodeVa + 7;  // the hlt
    m.cpu.write_user_state(s);
    REQUIRE(m.cpu.run() == emu::StopReason::Exception);
    CHECK(m.cpu.exception_vector() == 13);
    CHECK(m.cpu.reg(emu::Reg::rax) == 1001);
}

TEST_CASE("Exceptions interleaved with refused translations keep their vectors") {
    Machine m;
    // div ecx (#DE) ; mov eax, [0x700000] (refused) ; ud2 (#UD) ; int3 ; hlt (#GP)
    m.load_code({0xf7, 0xf1, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x70, 0x00, 0x0f, 0x0b, 0xcc, 0xf4});
    struct Step {
        std::uint64_t offset;
        emu::StopReason reason;
        unsigned vector;
        std::uint64_t rip_after;
    };
    const Step steps[] = {
        {0, emu::StopReason::Exception, 0, 0},    {2, emu::StopReason::PageFault, 0, 2},
        {9, emu::StopReason::Exception, 6, 9},    {11, emu::StopReason::Exception, 3, 12},
        {12, emu::StopReason::Exception, 13, 12},
    };
    for (int i = 0; i < 500; ++i) {
        const Step& st = steps[i % 5];
        m.cpu.reset_registers(kCodeVa + st.offset, 0);
        m.cpu.set_reg(emu::Reg::rax, 1);
        INFO("iteration " << i);
        REQUIRE(m.cpu.run() == st.reason);
        if (st.reason == emu::StopReason::Exception)
            REQUIRE(m.cpu.exception_vector() == st.vector);
        REQUIRE(m.cpu.reg(emu::Reg::rip) == kCodeVa + st.rip_after);
    }
}
