#include "emu/user_state.h"

namespace emu {

FxsaveImage default_fxsave_image() {
    FxsaveImage img{};
    fx_put<std::uint16_t>(img, fxsave::kFcw, fxsave::kDefaultFcw);
    fx_put<std::uint32_t>(img, fxsave::kMxcsr, fxsave::kDefaultMxcsr);
    fx_put<std::uint32_t>(img, fxsave::kMxcsrMaskOffset, fxsave::kMxcsrMask);
    return img;  // FSW 0 (TOP 0), abridged tag 0 (every register empty), registers zero
}

}  // namespace emu
