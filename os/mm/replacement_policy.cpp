#include "os/mm/replacement_policy.h"

namespace os::mm {

std::unique_ptr<ReplacementPolicy> make_replacement_policy(std::string_view name, std::size_t frames,
                                                           std::uint64_t seed) {
    if (name == "clock")
        return make_clock_policy(frames);
    if (name == "fifo")
        return make_fifo_policy(frames);
    if (name == "random")
        return make_random_policy(frames, seed);
    if (name == "lru")
        return make_lru_policy(frames);
    return nullptr;
}

}  // namespace os::mm
