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
    std::int64_t run(os::Kernel& kernel, std::uint64_t nr, const std::uint64_t args[6]);
    // dispatch() with --trace-syscalls: the call's line once it completes or a signal
    // interrupts it (syscalls/trace_dispatch.cpp).
    std::int64_t run_traced(os::Kernel& kernel, os::trace::SyscallTracer& tracer, std::uint64_t nr,
                            const std::uint64_t args[6]);

    std::array<const SyscallDef*, kTableSize> m_table{};
};

}  // namespace syscalls
