// Reading extended attributes: getxattr, lgetxattr, fgetxattr, listxattr, llistxattr,
// flistxattr. The guest's files are the host's, so are their attributes; a pipe or a file
// /proc generates has none (EOPNOTSUPP, an empty list). Setting and removing them is not
// implemented.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <vector>

#include "os/fs/host_errno.h"
#include "syscalls/fs_common.h"

namespace syscalls {

namespace {

using os::fs::host_errno;

constexpr std::uint64_t kXattrNameMax = 255;
constexpr std::uint64_t kXattrSizeMax = 65536;

// import_xattr_name(): 1..255 bytes, ERANGE otherwise.
KResult<std::string> xattr_name(Context& c, std::uint64_t addr) {
    auto name = c.mm.copy_string_from_user(addr, kXattrNameMax + 1);
    if (!name)
        return err(name.error() == Errno::enametoolong ? Errno::erange : name.error());
    if (name->empty())
        return err(Errno::erange);
    return name;
}

// The host call fills a buffer of the guest's size (at most XATTR_SIZE_MAX); the result
// is copied out.
template <class HostCall>
SysResult read_attr(Context& c, std::uint64_t buf, std::uint64_t size, HostCall call) {
    std::vector<char> value(std::min(size, kXattrSizeMax));
    const ssize_t n = call(value.empty() ? nullptr : value.data(), value.size());
    if (n < 0)
        return err(host_errno());
    if (!value.empty())
        TRY_VOID(c.mm.copy_to_user(buf, value.data(), static_cast<std::uint64_t>(n)));
    return n;
}

// A host path for the file the guest's `path` names, looked up through the root: the
// file's descriptor, or for a symlink not followed, its name in its directory's.
struct AttrTarget {
    os::fs::HostFd file;
    os::fs::Root::Parent parent;
    std::string host;
    bool symlink = false;
};

KResult<AttrTarget> attr_target(Context& c, std::uint64_t path_addr, bool follow) {
    const std::string path = TRY(path_arg(c, path_addr));
    AttrTarget t;
    Looked found = TRY(look_up(c, linux_abi::kAtFdcwd, path, follow));
    if (found.made)
        return err(Errno::eopnotsupp);  // a file /proc generates has no attributes
    struct stat st {};
    if (::fstatat(found.fd.get(), "", &st, AT_EMPTY_PATH) != 0)
        return err(host_errno());
    if (S_ISLNK(st.st_mode)) {
        t.parent = TRY(parent_of(c, linux_abi::kAtFdcwd, path));
        t.host = host_fd_path(t.parent.dir) + "/" + t.parent.name;
        t.symlink = true;
        return t;
    }
    t.file = std::move(found.fd);
    t.host = host_fd_path(t.file.get());
    return t;
}

SysResult path_getxattr(Context& c, const Args& a, bool follow) {
    const std::string name = TRY(xattr_name(c, a[1]));
    const AttrTarget t = TRY(attr_target(c, a[0], follow));
    return read_attr(c, a[2], a[3], [&](char* v, std::size_t n) {
        return t.symlink ? ::lgetxattr(t.host.c_str(), name.c_str(), v, n) : ::getxattr(t.host.c_str(), name.c_str(), v, n);
    });
}

SysResult path_listxattr(Context& c, const Args& a, bool follow) {
    const AttrTarget t = TRY(attr_target(c, a[0], follow));
    return read_attr(c, a[1], a[2], [&](char* v, std::size_t n) {
        return t.symlink ? ::llistxattr(t.host.c_str(), v, n) : ::listxattr(t.host.c_str(), v, n);
    });
}

SysResult sys_getxattr(Context& c, const Args& a) { return path_getxattr(c, a, true); }
SysResult sys_lgetxattr(Context& c, const Args& a) { return path_getxattr(c, a, false); }
SysResult sys_listxattr(Context& c, const Args& a) { return path_listxattr(c, a, true); }
SysResult sys_llistxattr(Context& c, const Args& a) { return path_listxattr(c, a, false); }

SysResult sys_fgetxattr(Context& c, const Args& a) {
    auto file = TRY(file_of(c, a.fd(0)));
    const std::string name = TRY(xattr_name(c, a[1]));
    const int fd = file->host_fd();
    if (fd < 0)
        return err(Errno::eopnotsupp);
    return read_attr(c, a[2], a[3], [&](char* v, std::size_t n) { return ::fgetxattr(fd, name.c_str(), v, n); });
}

SysResult sys_flistxattr(Context& c, const Args& a) {
    auto file = TRY(file_of(c, a.fd(0)));
    const int fd = file->host_fd();
    if (fd < 0)
        return 0;
    return read_attr(c, a[1], a[2], [&](char* v, std::size_t n) { return ::flistxattr(fd, v, n); });
}

constexpr SyscallDef kDefs[] = {
    {191, sys_getxattr, Support::Full, ""},
    {192, sys_lgetxattr, Support::Full, ""},
    {193, sys_fgetxattr, Support::Full, ""},
    {194, sys_listxattr, Support::Full, ""},
    {195, sys_llistxattr, Support::Full, ""},
    {196, sys_flistxattr, Support::Full, ""},
};

}  // namespace

std::span<const SyscallDef> fs_xattr_syscalls() { return kDefs; }

}  // namespace syscalls
