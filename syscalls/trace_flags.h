// Flag words and enumerations of syscall arguments, named as strace names them
// ("PROT_READ|PROT_WRITE", "MAP_PRIVATE|MAP_ANONYMOUS", "O_RDONLY|O_CLOEXEC", "SIGCHLD").
// Bits without a name are shown in hex after the named ones ("PROT_READ|0x80").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace syscalls::trace {

struct Named {
    std::uint64_t value;
    std::string_view name;
};

// The names of the bits set in `value` (a name may cover several bits; the table's order
// is the output's), "|"-separated; `zero` when `value` is 0.
std::string flags_text(std::uint64_t value, std::span<const Named> names, std::string_view zero = "0");
// The name of `value`, or the number (decimal when small, else hex).
std::string enum_text(std::uint64_t value, std::span<const Named> names);
// A mode in octal as strace prints it: "0644", "000".
std::string octal_text(std::uint64_t value);

std::string mmap_prot_text(std::uint64_t prot);
std::string mmap_flags_text(std::uint64_t flags);
std::string mremap_flags_text(std::uint64_t flags);
std::string msync_flags_text(std::uint64_t flags);
std::string madvise_advice_text(std::uint64_t advice);
std::string mlockall_flags_text(std::uint64_t flags);
// open()'s flags: the access mode first ("O_RDONLY"), then the others.
std::string open_flags_text(std::uint64_t flags);
// Flags of pipe2, dup3, ... (O_CLOEXEC, O_NONBLOCK), without an access mode: "0" if none.
std::string fd_flags_text(std::uint64_t flags);
// A directory descriptor: "AT_FDCWD" or the number.
std::string dirfd_text(std::uint64_t fd);
std::string at_flags_text(std::uint64_t flags);
std::string access_mode_text(std::uint64_t mode);
// A file mode with its type: "S_IFREG|0644", "S_IFDIR|S_ISVTX|0777".
std::string file_mode_text(std::uint64_t mode);
// A device number: "makedev(0x1, 0x3)".
std::string device_text(std::uint64_t dev);
// statx's flags (the sync type first: "AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW") and mask.
std::string statx_flags_text(std::uint64_t flags);
std::string statx_mask_text(std::uint64_t mask);
std::string whence_text(std::uint64_t whence);
// clone()'s flags, the exit signal in the low byte last: "CLONE_CHILD_SETTID|SIGCHLD".
std::string clone_flags_text(std::uint64_t flags);
// clone3()'s flags (no signal in them; CLONE_NEWTIME instead).
std::string clone3_flags_text(std::uint64_t flags);
std::string wait_options_text(std::uint64_t options);
// A wait status as strace decodes it: "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]".
std::string wait_status_text(int status);
std::string idtype_text(std::uint64_t idtype);
// futex's operation: "FUTEX_WAIT_PRIVATE", "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME".
std::string futex_op_text(std::uint64_t op);
std::string signal_text(std::uint64_t sig);
std::string sigprocmask_how_text(std::uint64_t how);
std::string sa_flags_text(std::uint64_t flags);
std::string clock_id_text(std::uint64_t clock);
std::string rlimit_resource_text(std::uint64_t resource);
std::string arch_prctl_code_text(std::uint64_t code);
std::string prctl_option_text(std::uint64_t option);
std::string ioctl_request_text(std::uint64_t request);
std::string fcntl_cmd_text(std::uint64_t cmd);
std::string getrandom_flags_text(std::uint64_t flags);
std::string rusage_who_text(std::uint64_t who);
std::string itimer_which_text(std::uint64_t which);
std::string rename_flags_text(std::uint64_t flags);
std::string poll_events_text(std::uint64_t events);

}  // namespace syscalls::trace
