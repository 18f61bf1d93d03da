// Structures in guest memory as strace prints them ("{tv_sec=1, tv_nsec=0}", ["a", "b"],
// [{iov_base="hi", iov_len=2}]). Each reads only resident memory (GuestMemory) and falls
// back to the address when it cannot; a null address is "NULL".
#pragma once

#include <cstdint>
#include <string>

#include "syscalls/trace_memory.h"

namespace syscalls::trace {

std::string timespec_text(const GuestMemory& mem, std::uint64_t addr);
std::string timeval_text(const GuestMemory& mem, std::uint64_t addr);
// A sigset_t (8 bytes): "[INT CHLD]".
std::string sigset_arg_text(const GuestMemory& mem, std::uint64_t addr);
// struct kernel_sigaction: "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}".
std::string sigaction_text(const GuestMemory& mem, std::uint64_t addr);
// stack_t (sigaltstack): "{ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}".
std::string stack_text(const GuestMemory& mem, std::uint64_t addr);
std::string siginfo_arg_text(const GuestMemory& mem, std::uint64_t addr);
// `count` iovecs; the data shown stops after `data_bytes` in all (what readv returned).
std::string iovec_text(const GuestMemory& mem, std::uint64_t addr, std::uint64_t count, std::uint64_t data_bytes);
// A NULL-terminated array of strings (execve's argv): ["ls", "-l"].
std::string argv_text(const GuestMemory& mem, std::uint64_t addr);
// execve's envp as strace abbreviates it: "0x7ffc1000 /* 23 vars */".
std::string envp_text(const GuestMemory& mem, std::uint64_t addr);
// struct stat, abbreviated: "{st_mode=S_IFREG|0644, st_size=1024, ...}".
std::string stat_text(const GuestMemory& mem, std::uint64_t addr);
// struct statx, abbreviated: "{stx_mask=STATX_BASIC_STATS, stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=12, ...}".
std::string statx_text(const GuestMemory& mem, std::uint64_t addr);
// struct rlimit: "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}".
std::string rlimit_text(const GuestMemory& mem, std::uint64_t addr);
// mincore's vector of `pages` bytes: "[1, 0, 1]".
std::string mincore_vec_text(const GuestMemory& mem, std::uint64_t addr, std::uint64_t pages);
// `count` ints: "[3, 4]".
std::string int_array_text(const GuestMemory& mem, std::uint64_t addr, std::size_t count);
// struct utsname, abbreviated: "{sysname="Linux", nodename="host", ...}".
std::string utsname_text(const GuestMemory& mem, std::uint64_t addr);
// struct clone_args of `size` bytes: "{flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, ...}".
std::string clone_args_text(const GuestMemory& mem, std::uint64_t addr, std::uint64_t size);
// `count` struct pollfd: "[{fd=3, events=POLLIN}]".
std::string pollfd_text(const GuestMemory& mem, std::uint64_t addr, std::uint64_t count);

}  // namespace syscalls::trace
