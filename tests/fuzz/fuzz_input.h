// The fuzzer's bytes, taken from the front as the fixed-size parameters of one test (an
// operation, counts, addresses); what is left is the data (a file, a memory image). Past
// the end every value reads as zero, so that every input, however short, is a valid test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace fuzz {

class FuzzInput {
public:
    FuzzInput(const std::uint8_t* data, std::size_t size) : m_bytes(data, size) {}

    template <class T>
    T take() {
        T value{};
        const std::size_t n = std::min(sizeof(T), m_bytes.size());
        if (n > 0)
            std::memcpy(&value, m_bytes.data(), n);
        m_bytes = m_bytes.subspan(n);
        return value;
    }
    // Everything not taken yet.
    std::span<const std::uint8_t> rest() const { return m_bytes; }

private:
    std::span<const std::uint8_t> m_bytes;
};

}  // namespace fuzz
