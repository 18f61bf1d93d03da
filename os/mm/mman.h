// The guest's memory-management ABI (x86-64 Linux, <linux/mman.h> and friends): the flag
// and advice values of mmap, mprotect, mremap, msync, madvise, mlock and mlockall, spelled
// out so that no host header is involved.
#pragma once

#include <cstdint>

namespace os::mm::abi {

// mmap/mprotect prot
inline constexpr std::uint64_t PROT_READ = 0x1;
inline constexpr std::uint64_t PROT_WRITE = 0x2;
inline constexpr std::uint64_t PROT_EXEC = 0x4;
inline constexpr std::uint64_t PROT_SEM = 0x8;
inline constexpr std::uint64_t PROT_GROWSDOWN = 0x01000000;
inline constexpr std::uint64_t PROT_GROWSUP = 0x02000000;

// mmap flags
inline constexpr std::uint64_t MAP_SHARED = 0x01;
inline constexpr std::uint64_t MAP_PRIVATE = 0x02;
inline constexpr std::uint64_t MAP_SHARED_VALIDATE = 0x03;
inline constexpr std::uint64_t MAP_TYPE = 0x0f;
inline constexpr std::uint64_t MAP_FIXED = 0x10;
inline constexpr std::uint64_t MAP_ANONYMOUS = 0x20;
inline constexpr std::uint64_t MAP_32BIT = 0x40;
inline constexpr std::uint64_t MAP_GROWSDOWN = 0x100;
inline constexpr std::uint64_t MAP_DENYWRITE = 0x800;
inline constexpr std::uint64_t MAP_EXECUTABLE = 0x1000;
inline constexpr std::uint64_t MAP_LOCKED = 0x2000;
inline constexpr std::uint64_t MAP_NORESERVE = 0x4000;
inline constexpr std::uint64_t MAP_POPULATE = 0x8000;
inline constexpr std::uint64_t MAP_NONBLOCK = 0x10000;
inline constexpr std::uint64_t MAP_STACK = 0x20000;
inline constexpr std::uint64_t MAP_HUGETLB = 0x40000;
inline constexpr std::uint64_t MAP_SYNC = 0x80000;
inline constexpr std::uint64_t MAP_FIXED_NOREPLACE = 0x100000;
inline constexpr std::uint64_t MAP_UNINITIALIZED = 0x4000000;
inline constexpr unsigned MAP_HUGE_SHIFT = 26;
inline constexpr std::uint64_t MAP_HUGE_MASK = 0x3f;
inline constexpr std::uint64_t MAP_HUGE_2MB = 21ull << MAP_HUGE_SHIFT;
inline constexpr std::uint64_t MAP_HUGE_1GB = 30ull << MAP_HUGE_SHIFT;
// The flags MAP_SHARED silently ignores beyond and MAP_SHARED_VALIDATE accepts (Linux
// LEGACY_MAP_MASK; no file system faultline maps from supports more, e.g. MAP_SYNC).
inline constexpr std::uint64_t LEGACY_MAP_MASK =
    MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED |
    MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT |
    MAP_HUGE_2MB | MAP_HUGE_1GB;

// mremap flags
inline constexpr std::uint64_t MREMAP_MAYMOVE = 1;
inline constexpr std::uint64_t MREMAP_FIXED = 2;
inline constexpr std::uint64_t MREMAP_DONTUNMAP = 4;

// msync flags
inline constexpr std::uint64_t MS_ASYNC = 1;
inline constexpr std::uint64_t MS_INVALIDATE = 2;
inline constexpr std::uint64_t MS_SYNC = 4;

// mlock2 / mlockall flags
inline constexpr std::uint64_t MLOCK_ONFAULT = 1;
inline constexpr std::uint64_t MCL_CURRENT = 1;
inline constexpr std::uint64_t MCL_FUTURE = 2;
inline constexpr std::uint64_t MCL_ONFAULT = 4;

// madvise advice
inline constexpr int MADV_NORMAL = 0;
inline constexpr int MADV_RANDOM = 1;
inline constexpr int MADV_SEQUENTIAL = 2;
inline constexpr int MADV_WILLNEED = 3;
inline constexpr int MADV_DONTNEED = 4;
inline constexpr int MADV_FREE = 8;
inline constexpr int MADV_REMOVE = 9;
inline constexpr int MADV_DONTFORK = 10;
inline constexpr int MADV_DOFORK = 11;
inline constexpr int MADV_MERGEABLE = 12;
inline constexpr int MADV_UNMERGEABLE = 13;
inline constexpr int MADV_HUGEPAGE = 14;
inline constexpr int MADV_NOHUGEPAGE = 15;
inline constexpr int MADV_DONTDUMP = 16;
inline constexpr int MADV_DODUMP = 17;
inline constexpr int MADV_WIPEONFORK = 18;
inline constexpr int MADV_KEEPONFORK = 19;
inline constexpr int MADV_COLD = 20;
inline constexpr int MADV_PAGEOUT = 21;
inline constexpr int MADV_POPULATE_READ = 22;
inline constexpr int MADV_POPULATE_WRITE = 23;
inline constexpr int MADV_DONTNEED_LOCKED = 24;
inline constexpr int MADV_COLLAPSE = 25;
inline constexpr int MADV_HWPOISON = 100;
inline constexpr int MADV_SOFT_OFFLINE = 101;

}  // namespace os::mm::abi
