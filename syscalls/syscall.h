// What every syscall handler sees, and the shape of the syscall table.
//
// Handlers decode and validate arguments, then call into os/. They return a value or an
// errno (KResult); the conversion to the guest's -errno in rax happens in exactly one
// place, Dispatcher::dispatch().
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "os/kernel.h"
#include "os/result.h"

namespace syscalls {

using linux_abi::Errno;
using os::err;
using os::KResult;

struct Context {
    os::Kernel& kernel;
    os::proc::Task& task;     // the calling thread
    os::proc::Process& proc;  // its process
    os::mm::AddressSpace& mm;
};

struct Args {
    std::uint64_t v[6];
    std::uint64_t operator[](int i) const { return v[i]; }
    int fd(int i) const { return static_cast<int>(static_cast<std::int32_t>(v[i])); }
    std::int32_t i32(int i) const { return static_cast<std::int32_t>(v[i]); }
    std::uint32_t u32(int i) const { return static_cast<std::uint32_t>(v[i]); }
};

using SysResult = KResult<std::int64_t>;
using Handler = SysResult (*)(Context&, const Args&);

// How completely a syscall is implemented (gVisor's Supported/PartiallySupported).
enum class Support : std::uint8_t { Full, Partial };

struct SyscallDef {
    std::uint64_t nr;
    Handler handler;
    Support support;
    std::string_view note;  // what Partial leaves out
};

// Each family lists its syscalls (syscalls/<family>.cpp).
std::span<const SyscallDef> mm_syscalls();
std::span<const SyscallDef> proc_syscalls();
std::span<const SyscallDef> process_syscalls();
std::span<const SyscallDef> futex_syscalls();
std::span<const SyscallDef> poll_syscalls();
std::span<const SyscallDef> fs_io_syscalls();
std::span<const SyscallDef> fs_fd_syscalls();
std::span<const SyscallDef> fs_path_syscalls();
std::span<const SyscallDef> signal_syscalls();
std::span<const SyscallDef> time_syscalls();
std::span<const SyscallDef> misc_syscalls();
std::span<const SyscallDef> fs_statfs_syscalls();
std::span<const SyscallDef> fs_xattr_syscalls();
std::span<const SyscallDef> fs_attr_syscalls();

}  // namespace syscalls
