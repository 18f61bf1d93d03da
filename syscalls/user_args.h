// Syscall arguments that live in guest memory (Linux's copy_from_user-based readers): each
// function copies a structure or an array from the caller's address space (demand paging,
// EFAULT exactly as the guest's own access would) and validates what it read. They need
// nothing but the address space, so each can be tested and fuzzed on its own
// (tests/fuzz/syscall_args_fuzz.cpp); the handlers in syscalls/*.cpp call them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "os/abi/signal.h"
#include "os/kernel.h"
#include "os/mm/address_space.h"
#include "os/result.h"

namespace syscalls {

using os::KResult;

// struct iovec.
struct GuestIovec {
    std::uint64_t base;
    std::uint64_t len;
};

// struct pollfd.
struct GuestPollfd {
    std::int32_t fd;
    std::int16_t events;
    std::int16_t revents;
};

// Linux's UIO_MAXIOV: readv/writev with more iovecs is EINVAL.
inline constexpr int kMaxIov = 1024;
// RLIMIT_NOFILE: poll with more pollfds than that is EINVAL.
inline constexpr int kMaxPollFds = 1024;
// struct clone_args: the first version (CLONE_ARGS_SIZE_VER0) and the largest known.
inline constexpr std::uint64_t kCloneArgsSizeVer0 = 64;
inline constexpr std::uint64_t kCloneArgsSizeMax = 88;

// execve's argv or envp: the NULL-terminated array of string pointers at `array` (NULL:
// empty). E2BIG for a string longer than MAX_ARG_STRLEN; EFAULT for an unreadable pointer or
// string.
KResult<std::vector<std::string>> read_string_array(os::mm::AddressSpace& mm, std::uint64_t array);

// readv/writev's `count` iovecs at `addr`: EINVAL for a count outside [0, UIO_MAXIOV] or
// lengths whose sum exceeds SSIZE_MAX.
KResult<std::vector<GuestIovec>> read_iovecs(os::mm::AddressSpace& mm, std::uint64_t addr, int count);

// poll's `nfds` pollfds at `addr`: EINVAL beyond kMaxPollFds.
KResult<std::vector<GuestPollfd>> read_pollfds(os::mm::AddressSpace& mm, std::uint64_t addr, std::uint64_t nfds);

// A struct timespec timeout (ppoll, pselect6, nanosleep, clock_nanosleep) in nanoseconds:
// EINVAL for a negative one or tv_nsec beyond a second.
KResult<std::uint64_t> read_timespec(os::mm::AddressSpace& mm, std::uint64_t addr);

// clone3's struct clone_args of `size` bytes at `addr`, as a clone request: EINVAL for a
// size outside [CLONE_ARGS_SIZE_VER0, PAGE_SIZE], signal bits in flags, an exit signal
// beyond the last one, or a stack without a size (or the reverse); E2BIG for a larger
// struct whose unknown tail is not zero; EPERM for set_tid (choosing pids needs
// CAP_SYS_ADMIN in the pid namespace).
KResult<os::CloneRequest> read_clone_args(os::mm::AddressSpace& mm, std::uint64_t addr, std::uint64_t size);

// rt_sigaction's new action at `addr`, as the kernel keeps it: SIGKILL and SIGSTOP never
// in the mask, unknown sa_flags bits dropped.
KResult<linux_abi::KernelSigaction> read_sigaction(os::mm::AddressSpace& mm, std::uint64_t addr);

}  // namespace syscalls
