#include "emu/decode_cache.h"

#include <algorithm>
#include <cstring>

namespace emu {

const DecodeCache::Entry& DecodeCache::lookup(std::uint64_t rip, const std::uint8_t* bytes, std::size_t size) {
    size = std::min(size, kMaxBytes);
    // 15 bytes and their count fill two words exactly.
    std::uint8_t padded[16] = {};
    std::memcpy(padded, bytes, size);
    padded[15] = static_cast<std::uint8_t>(size);
    std::uint64_t key[2];
    std::memcpy(key, padded, sizeof(key));
    Entry& slot = m_slots[(rip ^ (rip >> 12)) % m_slots.size()];
    if (slot.rip != rip || slot.key[0] != key[0] || slot.key[1] != key[1]) {
        slot.rip = rip;
        slot.key[0] = key[0];
        slot.key[1] = key[1];
        slot.text = decode_instruction(rip, padded, size).text;
        slot.operands = decode_memory_operands(padded, size);
    }
    return slot;
}

}  // namespace emu
