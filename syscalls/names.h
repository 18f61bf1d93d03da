// Syscall names for messages and traces.
#pragma once

#include <cstdint>
#include <string_view>

namespace syscalls {

// "mmap" for 9; "unknown" for numbers Linux does not define.
std::string_view syscall_name(std::uint64_t nr);

}  // namespace syscalls
