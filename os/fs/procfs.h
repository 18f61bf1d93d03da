// /proc: Linux's process and system information files, generated from faultline's own
// state (the frame table, the page tables, the VMAs, the process), in Linux 6.1's formats
// (fs/proc/task_mmu.c, fs/proc/array.c, fs/proc/meminfo.c).
//
//   /proc/self/{maps,smaps,status,statm,stat,cmdline,comm}, the same under /proc/<pid>/ for
//   the current pid, /proc/thread-self/ and /proc/<pid>/task/<pid>/, and /proc/meminfo are
//   generated here (procfs_maps.cpp, procfs_status.cpp, procfs_meminfo.cpp);
//   /proc/self/{exe,cwd,fd/N} are the process's own links (readlink, and opening through
//   them reaches the guest's executable, working directory and descriptors);
//   another process's /proc/<pid>/ does not exist (ENOENT: there is only one process);
//   everything else (/proc/cpuinfo, /proc/self/mounts, ...) is the host's.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "os/fs/file.h"

namespace os::proc {
class Process;
class Task;
}
namespace os::mm {
class AddressSpace;
class PhysicalMemory;
class PageCache;
struct Vma;
}  // namespace os::mm

namespace os::fs {

class Root;

// A generated /proc file (Linux's seq_file opened with single_open): the text is made when
// the file is opened and read from then on; it is a regular file of size 0 with mode 0444,
// as Linux reports /proc files. lseek allows SEEK_SET and SEEK_CUR only (seq_lseek).
class ProcFile final : public File {
public:
    ProcFile(std::string path, std::string text, const linux_abi::Stat& st, int status_flags = kOpenReadOnly);

    KResult<std::uint64_t> read(std::span<std::byte> buf) override;
    KResult<std::uint64_t> write(std::span<const std::byte> buf) override;
    KResult<std::uint64_t> pread(std::span<std::byte> buf, std::uint64_t offset) override;
    KResult<std::int64_t> seek(std::int64_t offset, int whence) override;
    KResult<linux_abi::Stat> stat() override;

    const std::string& text() const { return m_text; }

private:
    std::string m_text;
    std::uint64_t m_pos = 0;
    linux_abi::Stat m_stat;
};

namespace procfs {

// What /proc looks at: the process that asks (/proc/self) and the machine.
struct View {
    proc::Process& self;
    mm::PhysicalMemory& pmem;
    const mm::PageCache& cache;
    // Every process's address space (system-wide totals: Dirty, Shmem, Committed_AS).
    std::vector<mm::AddressSpace*> address_spaces;
    // The thread that asks (its signal mask and pending signals), if any.
    const proc::Task* task = nullptr;
    // The guest's "/" (--root): links and map names show guest paths. Null: the host's.
    const Root* root = nullptr;
};

// --- The files' text ---
// File names are as `root` shows them to the guest (null: host paths).
std::string maps(mm::AddressSpace& mm, const Root* root = nullptr);
// The name /proc/pid/maps gives a VMA: its file's path, [heap], [stack], or empty.
std::string vma_name(const mm::AddressSpace& mm, const mm::Vma& vma, const Root* root = nullptr);
std::string smaps(mm::AddressSpace& mm, const Root* root = nullptr);
std::string statm(mm::AddressSpace& mm);
std::string status(proc::Process& p, const proc::Task* t);
std::string stat(proc::Process& p, const proc::Task* t);
std::string cmdline(const mm::AddressSpace& mm);
std::string comm(const proc::Process& p);
std::string meminfo(const mm::PhysicalMemory& pmem, const mm::PageCache& cache,
                    std::span<mm::AddressSpace* const> address_spaces);

// --- Paths (absolute, under /proc) ---

// Whether an absolute path lies under /proc ("/proc", "/proc/...", "//proc//...").
bool is_proc_path(std::string_view path);

// How a /proc path is answered.
struct Resolved {
    enum class Kind : std::uint8_t {
        Host,        // the host answers for `host_path`, reached as `reach` says
        Generated,   // a file generated here (`entry` names it)
        Descriptor,  // a guest descriptor's file that has no host path (a pipe): `file`
    };
    // How a Host answer is reached.
    enum class Reach : std::uint8_t {
        // A guest path, resolved in the guest's root (os/fs/root.h): from host directory
        // descriptor `at` when relative (-1: the caller's own dirfd or working directory).
        // /proc/self/cwd/x, /proc/self/root/x, /proc/self/fd/N/x and every non-/proc path.
        Guest,
        // A file the guest already holds, reopened by faultline through its host path
        // (/proc/self/exe, /proc/self/fd/N, whose description is `file`): as Linux lets a
        // process reopen its own files.
        Reopen,
        // The host's /proc itself (cpuinfo, uptime, ...). `self_entry`: one of faultline's
        // own /proc/self entries that is not emulated (mem, environ, or a link when it is not
        // followed), which describe faultline rather than the guest.
        HostProc,
    };
    Kind kind = Kind::Host;
    Reach reach = Reach::Guest;
    int at = -1;
    bool self_entry = false;
    std::string host_path;
    std::string entry;  // "maps", "status", ..., "meminfo"
    std::shared_ptr<File> file;
};
// `follow`: whether a final symlink (/proc/self/exe, cwd, fd/N) is followed. ENOENT for
// another process's directory or a descriptor that is not open.
KResult<Resolved> resolve(const View& view, const std::string& path, bool follow);

// open(2) of a /proc path that is not left to the host (Generated or Descriptor); nullopt
// for Host paths, which the caller opens at resolved.host_path.
std::optional<KResult<std::shared_ptr<File>>> open(const View& view, const Resolved& resolved, int flags);
// stat of a Generated entry (without generating its text).
linux_abi::Stat entry_stat(const View& view, const std::string& entry);
// readlink(2): the target of /proc/self/{exe,cwd,fd/N} (also under /proc/<pid>/); nullopt
// for paths that are not one of those links.
std::optional<KResult<std::string>> readlink(const View& view, const std::string& path);

}  // namespace procfs
}  // namespace os::fs
