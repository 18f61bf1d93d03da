#include "os/fs/host_stat.h"

namespace os::fs {

linux_abi::Stat to_guest_stat(const struct stat& st) {
    linux_abi::Stat g{};
    g.st_dev = st.st_dev;
    g.st_ino = st.st_ino;
    g.st_nlink = st.st_nlink;
    g.st_mode = st.st_mode;
    g.st_uid = st.st_uid;
    g.st_gid = st.st_gid;
    g.st_rdev = st.st_rdev;
    g.st_size = st.st_size;
    g.st_blksize = st.st_blksize;
    g.st_blocks = st.st_blocks;
    g.st_atime_sec = static_cast<std::uint64_t>(st.st_atim.tv_sec);
    g.st_atime_nsec = static_cast<std::uint64_t>(st.st_atim.tv_nsec);
    g.st_mtime_sec = static_cast<std::uint64_t>(st.st_mtim.tv_sec);
    g.st_mtime_nsec = static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
    g.st_ctime_sec = static_cast<std::uint64_t>(st.st_ctim.tv_sec);
    g.st_ctime_nsec = static_cast<std::uint64_t>(st.st_ctim.tv_nsec);
    return g;
}

}  // namespace os::fs
