// struct stat as the x86-64 Linux kernel writes it for stat/fstat/newfstatat.
#pragma once

#include <cstdint>

namespace linux_abi {

struct Stat {
    std::uint64_t st_dev;
    std::uint64_t st_ino;
    std::uint64_t st_nlink;
    std::uint32_t st_mode;
    std::uint32_t st_uid;
    std::uint32_t st_gid;
    std::uint32_t pad0;
    std::uint64_t st_rdev;
    std::int64_t st_size;
    std::int64_t st_blksize;
    std::int64_t st_blocks;
    std::uint64_t st_atime_sec;
    std::uint64_t st_atime_nsec;
    std::uint64_t st_mtime_sec;
    std::uint64_t st_mtime_nsec;
    std::uint64_t st_ctime_sec;
    std::uint64_t st_ctime_nsec;
    std::int64_t unused[3];
};
static_assert(sizeof(Stat) == 144);

// struct statfs as x86-64 Linux writes it for statfs/fstatfs.
struct Statfs {
    std::int64_t f_type;
    std::int64_t f_bsize;
    std::uint64_t f_blocks;
    std::uint64_t f_bfree;
    std::uint64_t f_bavail;
    std::uint64_t f_files;
    std::uint64_t f_ffree;
    std::int32_t f_fsid[2];
    std::int64_t f_namelen;
    std::int64_t f_frsize;
    std::int64_t f_flags;
    std::int64_t f_spare[4];
};
static_assert(sizeof(Statfs) == 120);

inline constexpr int kAtFdcwd = -100;
inline constexpr int kAtSymlinkNofollow = 0x100;
inline constexpr int kAtEmptyPath = 0x1000;

}  // namespace linux_abi
