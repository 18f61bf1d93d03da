// The guest's "/" and how every guest path reaches the host (Linux's fs_struct root and
// path walk, done by the host kernel).
//
// Unconfined (the default), guest paths are host paths: the guest sees the host's files
// with the user's permissions, as under qemu-user. Confined (--root DIR), every lookup is
// one openat2() from DIR's descriptor with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: "..",
// absolute symlinks and symlink loops resolve inside DIR as if DIR were "/", and
// /proc/<pid>/fd-style magic links are refused. A relative path is joined to the guest
// path of the directory it starts from (the working directory or a dirfd), so a
// descriptor kept across chdir() or exec still cannot lead outside.
//
// Read-only (--read-only, either way): nothing the guest does changes a host file: opens
// for writing, creating, truncating, and every namespace or attribute change get EROFS
// (devices, FIFOs and sockets stay writable, as on a read-only mount).
#pragma once

#include <cstdint>
#include <expected>
#include <string>

#include "os/fs/host_fd.h"
#include "os/result.h"

namespace os::fs {

class Root {
public:
    // The host's "/": nothing confined.
    Root() = default;
    // DIR as the guest's "/" (it must be a directory faultline can open).
    static std::expected<Root, std::string> confine(const std::string& dir);

    bool confined() const { return m_dir.valid(); }
    // DIR's canonical host path (confined only).
    const std::string& host_path() const { return m_host_path; }
    // A new descriptor of the root directory (O_PATH): the first working directory.
    KResult<HostFd> open_root() const;

    bool read_only() const { return m_read_only; }
    void set_read_only(bool on) { m_read_only = on; }

    // open(2) of guest `path` from host directory `at` (a working directory or a dirfd's;
    // ignored for an absolute path). `flags` are open(2)'s; O_CLOEXEC is always added.
    KResult<HostFd> open(int at, const std::string& path, int flags, std::uint32_t mode = 0) const;
    // The file `path` names, as an O_PATH descriptor; `follow`: a final symlink too.
    KResult<HostFd> lookup(int at, const std::string& path, bool follow) const;
    // Opens a file the guest already holds again, by the host path faultline knows it by
    // (/proc/self/fd/N, the executable): Linux lets a process do that even in a chroot.
    // `writable`: the guest already holds it open for writing (stdout redirected to a
    // file), which --read-only does not take away.
    KResult<HostFd> reopen(const std::string& host_path, int flags, bool writable) const;
    // The host's /proc for a confined guest: `proc_path` ("/proc/cpuinfo") opened
    // read-only (EACCES for writing), without following any symlink and without leaving
    // /proc; "self" is faultline's own directory.
    KResult<HostFd> open_host_proc(const std::string& proc_path, int flags) const;

    // The directory holding `path`'s last component, and that component: what mkdir,
    // unlink, rename, link, symlink and mknod act on. Unconfined, `dir` is `at` and `name`
    // the whole path; confined, `name` is one component (trailing slashes kept).
    struct Parent {
        int dir = -1;
        HostFd owned;  // `dir` when it was opened here
        std::string name;
    };
    KResult<Parent> parent(int at, const std::string& path) const;

    // The path the guest sees for a host path (getcwd, /proc/self/fd/N, maps): below the
    // root, the part below it; elsewhere (a descriptor inherited from the host) unchanged.
    std::string guest_path(const std::string& host_path) const;
    bool contains(const std::string& host_path) const;
    // The guest path of what host descriptor `fd` names (ENOENT outside the root).
    KResult<std::string> guest_path_of(int fd) const;

    // --read-only: EROFS unless the open file `fd` is a device, FIFO or socket.
    KResult<void> check_write(int fd) const;
    // --read-only: EROFS for a change to the namespace (after the parent was found).
    KResult<void> check_namespace_change() const;
    // --read-only: EEXIST if `name` exists in `dir` (creation fails so first), else EROFS.
    KResult<void> check_create(const Parent& parent) const;

private:
    // The guest path `path` is, started from `at`: absolute paths as they are, relative
    // ones below the guest path of `at`.
    KResult<std::string> absolute(int at, const std::string& path) const;
    // open() without the read-only checks.
    KResult<HostFd> open_unchecked(int at, const std::string& path, int flags, std::uint32_t mode) const;
    KResult<HostFd> openat2(const std::string& absolute_path, int flags, std::uint32_t mode) const;

    HostFd m_dir;
    std::string m_host_path;
    bool m_read_only = false;
};

}  // namespace os::fs
