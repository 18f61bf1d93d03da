// DecodeCache: what the fault log needs of recently faulting instructions (their text and
// memory operands), decoded once per instruction instead of once per fault.
//
// An entry is keyed on the instruction's address and its bytes as they are now, so code
// that changes under the same address (self-modifying code, exec, a new mapping after
// munmap, another process) is decoded again: nothing has to be flushed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "emu/decoder.h"

namespace emu {

class DecodeCache {
public:
    static constexpr std::size_t kMaxBytes = 15;

    struct Entry {
        std::uint64_t rip = ~std::uint64_t{0};
        std::uint64_t key[2] = {};  // the bytes, and how many there were
        std::string text;           // Intel syntax, as decode_instruction() gives it
        MemoryOperands operands;
    };

    // `bytes` are the (up to 15) bytes at `rip` that could be read.
    const Entry& lookup(std::uint64_t rip, const std::uint8_t* bytes, std::size_t size);

private:
    std::vector<Entry> m_slots = std::vector<Entry>(1024);
};

}  // namespace emu
