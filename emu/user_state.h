// UserState: the complete user-visible register state of the CPU, as a signal frame saves
// and rt_sigreturn restores it: the general-purpose registers, RIP, RFLAGS, the FS/GS bases
// and the x87/SSE state as a 512-byte FXSAVE image (the 64-bit FXSAVE64 layout Linux
// writes into a signal frame's fpstate).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace emu {

// The FXSAVE64 area (Intel SDM vol. 1, 10.5.1): offsets of its fields.
namespace fxsave {
inline constexpr std::size_t kSize = 512;
inline constexpr std::size_t kFcw = 0;         // u16 x87 control word
inline constexpr std::size_t kFsw = 2;         // u16 x87 status word (TOP in bits 11-13)
inline constexpr std::size_t kFtw = 4;         // u8  abridged tag word: bit i = physical register i valid
inline constexpr std::size_t kFop = 6;         // u16 last x87 opcode
inline constexpr std::size_t kFip = 8;         // u64 last x87 instruction pointer
inline constexpr std::size_t kFdp = 16;        // u64 last x87 data pointer
inline constexpr std::size_t kMxcsr = 24;      // u32
inline constexpr std::size_t kMxcsrMaskOffset = 28;  // u32
inline constexpr std::size_t kSt0 = 32;        // ST(0)..ST(7), 16 bytes each (10 used)
inline constexpr std::size_t kXmm0 = 160;      // XMM0..XMM15, 16 bytes each
inline constexpr std::size_t kSwReserved = 464;  // 48 bytes the hardware leaves alone (Linux's sw_reserved)

// Linux's FPU defaults (fpstate_init_fxstate): what execve and a signal handler start with.
inline constexpr std::uint16_t kDefaultFcw = 0x37f;
inline constexpr std::uint32_t kDefaultMxcsr = 0x1f80;
// The MXCSR bits this CPU implements (FXSAVE's MXCSR_MASK; DAZ included).
inline constexpr std::uint32_t kMxcsrMask = 0xffff;
}  // namespace fxsave

// RFLAGS bits a signal frame and rt_sigreturn care about.
namespace rflags {
inline constexpr std::uint64_t kCf = 1u << 0;
inline constexpr std::uint64_t kFixed1 = 1u << 1;  // always set
inline constexpr std::uint64_t kPf = 1u << 2;
inline constexpr std::uint64_t kAf = 1u << 4;
inline constexpr std::uint64_t kZf = 1u << 6;
inline constexpr std::uint64_t kSf = 1u << 7;
inline constexpr std::uint64_t kTf = 1u << 8;
inline constexpr std::uint64_t kIf = 1u << 9;
inline constexpr std::uint64_t kDf = 1u << 10;
inline constexpr std::uint64_t kOf = 1u << 11;
inline constexpr std::uint64_t kRf = 1u << 16;
inline constexpr std::uint64_t kAc = 1u << 18;
}  // namespace rflags

using FxsaveImage = std::array<std::uint8_t, fxsave::kSize>;

// The FXSAVE image of a freshly initialised FPU (all registers empty, Linux's defaults).
FxsaveImage default_fxsave_image();

struct UserState {
    std::uint64_t rax = 0, rbx = 0, rcx = 0, rdx = 0, rsi = 0, rdi = 0, rbp = 0, rsp = 0;
    std::uint64_t r8 = 0, r9 = 0, r10 = 0, r11 = 0, r12 = 0, r13 = 0, r14 = 0, r15 = 0;
    std::uint64_t rip = 0;
    std::uint64_t rflags = 0;
    std::uint64_t fs_base = 0;
    std::uint64_t gs_base = 0;
    alignas(16) FxsaveImage fxsave = default_fxsave_image();
};

// Little-endian field access into an FXSAVE image.
template <class T>
T fx_get(const FxsaveImage& img, std::size_t off) {
    T v{};
    __builtin_memcpy(&v, img.data() + off, sizeof(T));
    return v;
}
template <class T>
void fx_put(FxsaveImage& img, std::size_t off, T v) {
    __builtin_memcpy(img.data() + off, &v, sizeof(T));
}

}  // namespace emu
