// Guest memory as the syscall trace reads it, and strings as strace quotes them.
//
// The trace reads only what is resident (AddressSpace::peek): it never faults a page in,
// never changes a fault count or an Accessed bit. Whatever is not resident is shown as its
// address, as strace shows memory it cannot read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "os/mm/address_space.h"

namespace syscalls::trace {

// strace -s 32: strings and buffers show at most this many bytes, then "...".
inline constexpr std::size_t kMaxStringBytes = 32;
// A path is shown whole (PATH_MAX).
inline constexpr std::size_t kMaxPathBytes = 4096;
// Arrays (argv, iovecs) show at most this many elements, then "...".
inline constexpr std::size_t kMaxElements = 32;

class GuestMemory {
public:
    // nullptr: nothing can be read (the caller's memory is gone).
    explicit GuestMemory(const os::mm::AddressSpace* mm) : m_mm(mm) {}

    // All `n` bytes at `addr`, or false if any of them is not resident.
    bool read(std::uint64_t addr, void* dst, std::uint64_t n) const;
    template <class T>
    std::optional<T> read(std::uint64_t addr) const {
        T v{};
        if (!read(addr, &v, sizeof(v)))
            return std::nullopt;
        return v;
    }
    // The NUL-terminated string at `addr`, of at most `max` bytes (`truncated`: the NUL lies
    // further); nullopt if it runs into memory that is not resident first.
    struct String {
        std::string bytes;
        bool truncated = false;
    };
    std::optional<String> string(std::uint64_t addr, std::size_t max) const;

private:
    const os::mm::AddressSpace* m_mm;
};

// `bytes` in double quotes with C escapes (\n, \t, \", \\, octal for the rest, like strace),
// then "..." if `truncated`.
std::string quote(std::string_view bytes, bool truncated = false);
// Every byte as \xNN (random bytes, where escapes would not help).
std::string quote_hex(std::string_view bytes, bool truncated = false);
// An address: "NULL" or "0x7ffc1000".
std::string pointer_text(std::uint64_t addr);
// A string argument: quoted (at most `max` bytes), or its address if it cannot be read.
std::string string_arg(const GuestMemory& mem, std::uint64_t addr, std::size_t max);
// A buffer of `len` bytes: quoted (at most kMaxStringBytes), or its address.
enum class Quote : std::uint8_t { Escapes, Hex };
std::string buffer_arg(const GuestMemory& mem, std::uint64_t addr, std::uint64_t len, Quote how = Quote::Escapes);

}  // namespace syscalls::trace
