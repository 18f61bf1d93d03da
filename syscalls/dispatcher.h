// The syscall table: number -> handler, built once from the families' lists.
#pragma once

#include <array>

#include "syscalls/syscall.h"

namespace syscalls {

class Dispatcher final : public os::SyscallDispatcher {
public:
    static constexpr std::size_t kTableSize = 512;

    Dispatcher();
    std::int64_t dispatch(os::Kernel& kernel, std::uint64_t nr, const std::uint64_t args[6]) override;
    const SyscallDef* lookup(std::uint64_t nr) const;

private:
    std::array<const SyscallDef*, kTableSize> m_table{};
};

}  // namespace syscalls
