// /proc: the generated files' open file description (ProcFile), the path lookup, the
// process's links (exe, cwd, fd/N), and the two small per-process files (cmdline, comm).
#include "os/fs/procfs.h"
#include "os/fs/root.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <ctime>

#include "os/fs/host_errno.h"
#include "os/mm/address_space.h"
#include "os/proc/process.h"

namespace os::fs {

using linux_abi::Errno;

// --- ProcFile ---

ProcFile::ProcFile(std::string path, std::string text, const linux_abi::Stat& st, int status_flags)
    : File(std::move(path), status_flags), m_text(std::move(text)), m_stat(st) {}

// The files take no writes: EINVAL when opened for writing, as for a file without a write
// operation (comm's write is not supported).
KResult<std::uint64_t> ProcFile::write(std::span<const std::byte>) {
    return err(writable() ? Errno::einval : Errno::ebadf);
}

KResult<std::uint64_t> ProcFile::pread(std::span<std::byte> buf, std::uint64_t offset) {
    if (!readable())
        return err(Errno::ebadf);
    if (offset >= m_text.size())
        return 0;
    const std::uint64_t n = std::min<std::uint64_t>(buf.size(), m_text.size() - offset);
    std::memcpy(buf.data(), m_text.data() + offset, n);
    return n;
}

KResult<std::uint64_t> ProcFile::read(std::span<std::byte> buf) {
    const std::uint64_t n = TRY(pread(buf, m_pos));
    m_pos += n;
    return n;
}

KResult<std::int64_t> ProcFile::seek(std::int64_t offset, int whence) {
    // seq_lseek(): SEEK_SET and SEEK_CUR to any non-negative offset; nothing else.
    constexpr int kSeekSet = 0, kSeekCur = 1;
    if (whence == kSeekCur)
        offset += static_cast<std::int64_t>(m_pos);
    else if (whence != kSeekSet)
        return err(Errno::einval);
    if (offset < 0)
        return err(Errno::einval);
    m_pos = static_cast<std::uint64_t>(offset);
    return offset;
}

KResult<linux_abi::Stat> ProcFile::stat() { return m_stat; }

namespace procfs {

namespace {

constexpr std::string_view kProcPrefix = "/proc/";

// The generated entries of a process directory, and their modes (comm is writable by its
// owner on Linux; writing it is not supported here).
struct EntryInfo {
    std::string_view name;
    std::uint32_t mode;
};
constexpr std::array<EntryInfo, 7> kProcessEntries = {{
    {"maps", 0444},
    {"smaps", 0444},
    {"status", 0444},
    {"statm", 0444},
    {"stat", 0444},
    {"cmdline", 0444},
    {"comm", 0644},
}};
constexpr std::string_view kMeminfo = "meminfo";

std::optional<std::size_t> entry_index(std::string_view name) {
    for (std::size_t i = 0; i < kProcessEntries.size(); ++i)
        if (kProcessEntries[i].name == name)
            return i;
    return std::nullopt;
}

std::optional<std::uint64_t> parse_number(std::string_view s) {
    if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
        return std::nullopt;
    std::uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

std::vector<std::string_view> components(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i < path.size()) {
        const std::size_t slash = path.find('/', i);
        const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
        const std::string_view part = path.substr(i, end - i);
        if (!part.empty() && part != ".")
            parts.push_back(part);
        i = end + 1;
    }
    return parts;
}

std::string join(std::span<const std::string_view> parts) {
    std::string out;
    for (std::string_view p : parts) {
        out += '/';
        out += p;
    }
    return out;
}

// The host's own descriptor path: faultline holds the descriptor, so the host kernel
// resolves it to the guest's file.
std::string host_fd_path(int host_fd) { return "/proc/self/fd/" + std::to_string(host_fd); }

KResult<std::string> host_readlink(const std::string& path) {
    char buf[4096];
    const ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
    if (n < 0)
        return err(host_errno());
    return std::string(buf, static_cast<std::size_t>(n));
}

// The device number the host's procfs has (st_dev of /proc files), asked once.
std::uint64_t proc_device() {
    static const std::uint64_t dev = [] {
        struct stat st {};
        return ::stat("/proc/self/stat", &st) == 0 ? static_cast<std::uint64_t>(st.st_dev) : 0x15;
    }();
    return dev;
}

// A per-process path split into the process directory's part: /proc/self/X,
// /proc/thread-self/X, /proc/<pid>/X and /proc/<pid>/task/<pid>/X all give X.
struct ProcessPath {
    bool is_process = false;
    std::vector<std::string_view> rest;
};

KResult<ProcessPath> split_process_path(const View& view, const std::vector<std::string_view>& parts) {
    ProcessPath pp;
    if (parts.empty())
        return pp;
    const auto pid = static_cast<std::uint64_t>(view.self.pid());
    if (parts[0] != "self" && parts[0] != "thread-self") {
        const auto n = parse_number(parts[0]);
        if (!n)
            return pp;
        if (*n != pid)
            return err(Errno::enoent);  // there is no other process (yet)
    }
    pp.is_process = true;
    std::size_t at = 1;
    if (parts[0] != "thread-self" && parts.size() >= 3 && parts[1] == "task") {
        const auto tid = parse_number(parts[2]);
        if (!tid || *tid != pid)
            return err(Errno::enoent);
        at = 3;
    }
    pp.rest.assign(parts.begin() + static_cast<std::ptrdiff_t>(at), parts.end());
    return pp;
}

linux_abi::Stat make_stat(const View& view, std::uint64_t inode, std::uint32_t mode) {
    linux_abi::Stat st{};
    st.st_dev = proc_device();
    st.st_ino = inode;
    st.st_nlink = 1;
    st.st_mode = S_IFREG | mode;
    st.st_uid = view.self.creds.euid;
    st.st_gid = view.self.creds.egid;
    st.st_blksize = 1024;
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    st.st_atime_sec = st.st_mtime_sec = st.st_ctime_sec = static_cast<std::uint64_t>(now.tv_sec);
    st.st_atime_nsec = st.st_mtime_nsec = st.st_ctime_nsec = static_cast<std::uint64_t>(now.tv_nsec);
    return st;
}

std::string generate(const View& view, const std::string& entry) {
    proc::Process& p = view.self;
    if (entry == kMeminfo)
        return meminfo(view.pmem, view.cache, view.address_spaces);
    if (entry == "maps")
        return maps(p.mm(), view.root);
    if (entry == "smaps")
        return smaps(p.mm(), view.root);
    if (entry == "status")
        return status(p, view.task);
    if (entry == "statm")
        return statm(p.mm());
    if (entry == "stat")
        return stat(p, view.task);
    if (entry == "cmdline")
        return cmdline(p.mm());
    return comm(p);
}

}  // namespace

bool is_proc_path(std::string_view path) {
    const std::size_t start = path.find_first_not_of('/');
    if (start == 0 || start == std::string_view::npos)
        return false;
    const std::string_view rest = path.substr(start);
    return rest == "proc" || rest.starts_with("proc/");
}

KResult<Resolved> resolve(const View& view, const std::string& path, bool follow) {
    Resolved host;
    host.host_path = path;
    if (!is_proc_path(path))
        return host;
    host.reach = Resolved::Reach::HostProc;
    // Components after "proc" ("." and empty ones dropped).
    std::vector<std::string_view> parts = components(path);
    parts.erase(parts.begin());
    // ".." is left to the host rather than resolved by hand.
    if (std::find(parts.begin(), parts.end(), "..") != parts.end())
        return host;
    if (!parts.empty() && parts[0] == kMeminfo) {
        if (parts.size() > 1)
            return err(Errno::enotdir);
        Resolved r;
        r.kind = Resolved::Kind::Generated;
        r.entry = kMeminfo;
        return r;
    }
    const ProcessPath pp = TRY(split_process_path(view, parts));
    if (!pp.is_process)
        return host;
    const auto& rest = pp.rest;
    // What is not emulated is the host's view of faultline itself, not of a host process
    // that happens to have the guest's pid.
    host.host_path = "/proc/self" + join(rest);
    host.self_entry = true;
    if (rest.empty())
        return host;
    const std::string_view entry = rest[0];
    const bool last = rest.size() == 1;
    // faultline's own memory is not the guest's: writing it would corrupt faultline, reading
    // it would show the host's addresses. Not emulated (yet), so not there.
    if (entry == "mem")
        return err(Errno::enoent);
    const std::span<const std::string_view> below(rest.begin() + 1, rest.end());
    if (entry_index(entry)) {
        if (!last)
            return err(Errno::enotdir);
        Resolved r;
        r.kind = Resolved::Kind::Generated;
        r.entry = entry;
        return r;
    }
    // A link that is followed leads to the guest's file; one that is not stays the host's.
    Resolved guest;
    guest.reach = Resolved::Reach::Guest;
    if (entry == "exe") {
        if (!last)
            return err(Errno::enotdir);
        if (follow) {
            Resolved reopen;
            reopen.reach = Resolved::Reach::Reopen;
            reopen.host_path = view.self.exe_path();
            return reopen;
        }
        return host;
    }
    if (entry == "cwd") {
        if (!follow && last)
            return host;
        guest.at = view.self.cwd_fd();
        guest.host_path = last ? std::string(".") : join(below).substr(1);
        return guest;
    }
    if (entry == "root") {
        if (!follow && last)
            return host;
        guest.host_path = last ? std::string("/") : join(below);
        return guest;
    }
    if (entry == "fd" && rest.size() >= 2) {
        const auto fd = parse_number(rest[1]);
        if (!fd || *fd >= static_cast<std::uint64_t>(FileTable::kMaxFds))
            return err(Errno::enoent);
        auto file = view.self.files().get(static_cast<int>(*fd));
        if (!file)
            return err(Errno::enoent);
        if ((*file)->host_fd() >= 0) {
            if (rest.size() > 2) {
                guest.at = (*file)->host_fd();
                guest.host_path = join(below.subspan(1)).substr(1);
                return guest;
            }
            if (!follow) {
                host.host_path = host_fd_path((*file)->host_fd());
                return host;
            }
            Resolved reopen;
            reopen.reach = Resolved::Reach::Reopen;
            reopen.host_path = host_fd_path((*file)->host_fd());
            reopen.file = *file;
            return reopen;
        }
        if (rest.size() > 2)
            return err(Errno::enotdir);
        Resolved r;
        r.kind = Resolved::Kind::Descriptor;
        r.file = *file;
        return r;
    }
    return host;
}

linux_abi::Stat entry_stat(const View& view, const std::string& entry) {
    // Inode numbers: made up, stable and distinct per process and entry.
    if (entry == kMeminfo)
        return make_stat(view, 0x400, 0444);
    const std::size_t i = entry_index(entry).value_or(0);
    const std::uint64_t inode = 0x10000 + (static_cast<std::uint64_t>(view.self.pid()) << 8) + i;
    return make_stat(view, inode, kProcessEntries[i].mode);
}

std::optional<KResult<std::shared_ptr<File>>> open(const View& view, const Resolved& resolved, int flags) {
    using Result = KResult<std::shared_ptr<File>>;
    if (resolved.kind == Resolved::Kind::Host)
        return std::nullopt;
    const int access = flags & kOpenAccessMode;
    if (resolved.kind == Resolved::Kind::Descriptor) {
        // A descriptor without a host path (a pipe end): opening it again gives the same
        // open file description when the access mode fits it (Linux would open a new one).
        const auto& file = resolved.file;
        if ((access != kOpenWriteOnly && !file->readable()) || (access != kOpenReadOnly && !file->writable()))
            return Result(err(Errno::eacces));
        return Result(file);
    }
    constexpr int kOpenCreat = 0100, kOpenExcl = 0200, kOpenDirectory = 0200000;
    if ((flags & (kOpenCreat | kOpenExcl)) == (kOpenCreat | kOpenExcl))
        return Result(err(Errno::eexist));
    if (flags & kOpenDirectory)
        return Result(err(Errno::enotdir));
    const linux_abi::Stat st = entry_stat(view, resolved.entry);
    // Permission as generic_permission() decides it: root may open anything for writing;
    // others need the owner's write bit (only comm has it).
    if (access != kOpenReadOnly && view.self.creds.euid != 0 && !(st.st_mode & 0200))
        return Result(err(Errno::eacces));
    // Its name, as /proc/self/fd/N shows it.
    const std::string name = std::string(kProcPrefix) +
                             (resolved.entry == kMeminfo ? "" : std::to_string(view.self.pid()) + "/") + resolved.entry;
    return Result(std::make_shared<ProcFile>(name,
                                             generate(view, resolved.entry), st,
                                             flags & (kOpenAccessMode | kOpenNonBlock)));
}

std::optional<KResult<std::string>> readlink(const View& view, const std::string& path) {
    using Result = KResult<std::string>;
    if (!is_proc_path(path))
        return std::nullopt;
    std::vector<std::string_view> parts = components(path);
    parts.erase(parts.begin());
    auto pp = split_process_path(view, parts);
    if (!pp)
        return Result(err(pp.error()));
    if (!pp->is_process)
        return std::nullopt;
    const auto& rest = pp->rest;
    const auto as_guest = [&](KResult<std::string> host) -> KResult<std::string> {
        if (!host || !view.root)
            return host;
        return view.root->guest_path(*host);
    };
    if (rest.size() == 1 && rest[0] == "exe")
        return as_guest(view.self.exe_path());
    if (rest.size() == 1 && rest[0] == "cwd")
        return as_guest(host_readlink(host_fd_path(view.self.cwd_fd())));
    if (rest.size() == 1 && rest[0] == "root")
        return Result(std::string("/"));
    if (rest.size() == 2 && rest[0] == "fd") {
        const auto fd = parse_number(rest[1]);
        if (!fd || *fd >= static_cast<std::uint64_t>(FileTable::kMaxFds))
            return Result(err(Errno::enoent));
        auto file = view.self.files().get(static_cast<int>(*fd));
        if (!file)
            return Result(err(Errno::enoent));
        if ((*file)->host_fd() >= 0)
            return as_guest(host_readlink(host_fd_path((*file)->host_fd())));
        return Result((*file)->path());  // "pipe:[inode]" for pipes
    }
    return std::nullopt;
}

std::string cmdline(const mm::AddressSpace& mm) {
    // get_mm_cmdline(): the argument strings as they are in memory now. When the byte at the
    // end of the arguments is no longer NUL (setproctitle), the text runs on into the
    // environment up to the first NUL.
    const auto& l = mm.layout;
    if (l.arg_start >= l.arg_end)
        return {};
    const std::uint64_t env_end = (l.env_start == l.arg_end && l.env_end >= l.env_start) ? l.env_end : l.arg_end;
    std::string text(env_end - l.arg_start, '\0');
    text.resize(mm.peek(l.arg_start, text.data(), text.size()));
    const std::uint64_t arg_len = l.arg_end - l.arg_start;
    if (text.size() >= arg_len && text[arg_len - 1] != '\0') {
        text.resize(std::strlen(text.c_str()));
        return text;
    }
    text.resize(std::min<std::uint64_t>(text.size(), arg_len));
    return text;
}

std::string comm(const proc::Process& p) { return p.comm() + "\n"; }

}  // namespace procfs
}  // namespace os::fs
