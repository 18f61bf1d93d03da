// /proc: the generated text of maps, smaps, status, statm, stat, cmdline and meminfo for
// address spaces built here with known mappings and touched pages (no guest code runs), the
// ProcFile open file description, and the path lookup (/proc/self, /proc/<pid>, links).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "os/fs/pipe.h"
#include "os/fs/procfs.h"
#include "os/mm/address_space.h"
#include "os/mm/page_cache.h"
#include "os/proc/process.h"

namespace {

using namespace os::mm;
namespace procfs = os::fs::procfs;
using linux_abi::Errno;
constexpr std::uint64_t P = kPageSize;

class NullMmu : public MmuNotifier {
public:
    void flush_tlb() override {}
    void invalidate_code(PhysAddr, std::uint64_t) override {}
};

class TempFile {
public:
    explicit TempFile(std::uint64_t bytes) {
        char tmpl[] = "/tmp/faultline-procfs-XXXXXX";
        fd = ::mkstemp(tmpl);
        REQUIRE(fd >= 0);
        path = tmpl;
        std::vector<char> data(bytes, 'x');
        REQUIRE(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
        struct stat st {};
        REQUIRE(::fstat(fd, &st) == 0);
        major = ::major(st.st_dev);
        minor = ::minor(st.st_dev);
        inode = st.st_ino;
    }
    ~TempFile() {
        ::close(fd);
        ::unlink(path.c_str());
    }
    int fd = -1;
    std::string path;
    unsigned major = 0, minor = 0;
    std::uint64_t inode = 0;
};

// A machine with one process, as the kernel would have it.
struct Machine {
    PhysicalMemory pmem{4096 * P};
    NullMmu mmu;
    PageCache cache{pmem};
    std::shared_ptr<os::proc::Process> proc_ptr = std::make_shared<os::proc::Process>(
        2, 1, std::make_unique<AddressSpace>(pmem, &mmu), os::fs::FileTable{});
    os::proc::Process& proc = *proc_ptr;
    os::proc::Task task{2, proc_ptr};
    Machine() {
        pmem.set_mmu_notifier(&mmu);
        proc.threads.push_back(2);
        proc.pgid = 2;
        proc.sid = 2;
    }
    AddressSpace& as() { return proc.mm(); }
    procfs::View view() { return procfs::View{proc, pmem, cache, {&proc.mm()}, &task}; }
};

VirtAddr map_anon(AddressSpace& as, VirtAddr addr, std::uint64_t length, std::uint32_t prot, std::uint32_t flags = 0) {
    MapRequest req;
    req.addr = addr;
    req.length = length;
    req.prot = prot;
    req.vm_flags = flags;
    req.placement = Placement::FixedNoReplace;
    auto r = as.map(req);
    REQUIRE(r);
    return *r;
}

VirtAddr map_file(AddressSpace& as, VirtAddr addr, const std::shared_ptr<CachedFile>& file, std::uint64_t length,
                  std::uint32_t prot, std::uint32_t flags, std::uint64_t offset = 0) {
    MapRequest req;
    req.addr = addr;
    req.length = length;
    req.prot = prot;
    req.vm_flags = flags;
    req.placement = Placement::FixedNoReplace;
    req.file = file;
    req.file_offset = offset;
    req.name = file->path();
    auto r = as.map(req);
    REQUIRE(r);
    return *r;
}

std::shared_ptr<CachedFile> cached(Machine& m, const TempFile& f) {
    auto file = m.cache.get(f.fd, f.path);
    REQUIRE(file);
    return *file;
}

void touch_read(AddressSpace& as, VirtAddr va) { REQUIRE(as.translate(va, Access::Read)); }
void touch_write(AddressSpace& as, VirtAddr va) { REQUIRE(as.translate(va, Access::Write)); }

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

// "Name: value" lines of status/smaps/meminfo, for the VMA starting at `start` in smaps.
std::map<std::string, std::string> fields_of(const std::vector<std::string>& lines) {
    std::map<std::string, std::string> out;
    for (const auto& l : lines) {
        const auto colon = l.find(':');
        if (colon == std::string::npos || l.find(' ') < colon)
            continue;
        out[l.substr(0, colon)] = l.substr(colon + 1);
    }
    return out;
}

// The same with the padding before each value removed (the format is checked on its own).
std::map<std::string, std::string> trimmed(std::map<std::string, std::string> fields) {
    for (auto& [name, value] : fields)
        value.erase(0, value.find_first_not_of(" \t"));
    return fields;
}

// A VMA's first line in maps/smaps: hex digits, then '-'.
bool is_vma_line(const std::string& line) {
    std::size_t i = 0;
    while (i < line.size() && std::isxdigit(static_cast<unsigned char>(line[i])))
        ++i;
    return i >= 8 && i < line.size() && line[i] == '-';
}

std::map<std::string, std::string> smaps_of(const std::string& smaps, VirtAddr start) {
    char head[32];
    std::snprintf(head, sizeof(head), "%08lx-", static_cast<unsigned long>(start));
    const auto lines = lines_of(smaps);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (!lines[i].starts_with(head))
            continue;
        std::vector<std::string> block;
        for (std::size_t j = i + 1; j < lines.size() && !is_vma_line(lines[j]); ++j)
            block.push_back(lines[j]);
        return trimmed(fields_of(block));
    }
    FAIL("no smaps entry at " << head);
    return {};
}

std::string kb(std::uint64_t v) { return std::to_string(v) + " kB"; }

// A maps line's prefix padded to column 73, then the name (Linux's seq_pad).
std::string named(const std::string& prefix, const std::string& name) {
    return prefix + std::string(prefix.size() < 73 ? 73 - prefix.size() : 1, ' ') + name;
}

std::string file_prefix(VirtAddr start, VirtAddr end, const char* perms, std::uint64_t offset, const TempFile& f) {
    char buf[128];
    std::snprintf(buf, sizeof(buf), "%08lx-%08lx %s %08lx %02x:%02x %lu ", static_cast<unsigned long>(start),
                  static_cast<unsigned long>(end), perms, static_cast<unsigned long>(offset), f.major, f.minor,
                  static_cast<unsigned long>(f.inode));
    return buf;
}

}  // namespace

TEST_CASE("procfs maps: Linux's line format, offsets, devices, [heap] and [stack]") {
    Machine m;
    TempFile f(4 * P);
    auto file = cached(m, f);
    AddressSpace& as = m.as();
    map_file(as, 0x400000, file, 2 * P, kProtRead | kProtExec, 0);
    map_file(as, 0x402000, file, P, kProtRead | kProtWrite, 0, 2 * P);
    map_file(as, 0x403000, file, P, kProtRead, kVmShared | kVmWriteForbidden, 3 * P);
    map_anon(as, 0x4ff000, P, kProtRead | kProtWrite);  // a bss right below the brk area
    as.set_brk_start(0x500000);
    REQUIRE(as.brk(0x501800) == 0x501800);
    map_anon(as, 0x10000000, 3 * P, kProtRead | kProtWrite);
    map_anon(as, 0x10004000, P, kProtNone);
    map_anon(as, 0x20000000, 2 * P, kProtRead | kProtWrite, kVmShared);
    map_anon(as, kUserTop - 8 * P, 8 * P, kProtRead | kProtWrite, kVmGrowsDown | kVmStack);

    auto lines = lines_of(procfs::maps(as));
    REQUIRE(lines.size() == 9);
    CHECK(lines[0] == named(file_prefix(0x400000, 0x402000, "r-xp", 0, f), f.path));
    CHECK(lines[1] == named(file_prefix(0x402000, 0x403000, "rw-p", 0x2000, f), f.path));
    CHECK(lines[2] == named(file_prefix(0x403000, 0x404000, "r--s", 0x3000, f), f.path));
    // The bss is not the heap although it ends where the brk area starts (as on a Linux
    // whose brk base is randomized away from it).
    CHECK(lines[3] == "004ff000-00500000 rw-p 00000000 00:00 0 ");
    lines.erase(lines.begin() + 3);
    CHECK(lines[3] == named("00500000-00502000 rw-p 00000000 00:00 0 ", "[heap]"));
    // Anonymous memory without a name: the line ends with the space after the inode.
    CHECK(lines[4] == "10000000-10003000 rw-p 00000000 00:00 0 ");
    CHECK(lines[5] == "10004000-10005000 ---p 00000000 00:00 0 ");
    // Shared anonymous memory is shmem's "/dev/zero (deleted)" on device 00:01 (its inode
    // number is made up).
    CHECK(lines[6].starts_with("20000000-20002000 rw-s 00000000 00:01 "));
    CHECK(lines[6].find("/dev/zero (deleted)") == 73);
    CHECK(lines[6].substr(38, 2) != "0 ");
    CHECK(lines[7] == named("7fffffff7000-7ffffffff000 rw-p 00000000 00:00 0 ", "[stack]"));
    // The name starts after 73 characters.
    CHECK(lines[0].find(f.path) == 73);
    CHECK(lines[3].find("[heap]") == 73);

    // Splitting by mprotect moves the offset of the upper part, as vm_pgoff does.
    REQUIRE(as.protect(0x401000, P, kProtRead));
    const auto split = lines_of(procfs::maps(as));
    REQUIRE(split.size() == 10);
    CHECK(split[0] == named(file_prefix(0x400000, 0x401000, "r-xp", 0, f), f.path));
    CHECK(split[1] == named(file_prefix(0x401000, 0x402000, "r--p", 0x1000, f), f.path));
}

TEST_CASE("procfs smaps: Rss, Pss and sharing from the frame table; the zero frame is not counted") {
    Machine m;
    TempFile f(2 * P);
    auto file = cached(m, f);
    AddressSpace& as = m.as();
    const VirtAddr s1 = map_file(as, 0x400000, file, P, kProtRead, kVmShared);
    const VirtAddr s2 = map_file(as, 0x410000, file, P, kProtRead, kVmShared);
    const VirtAddr anon = map_anon(as, 0x10000000, 4 * P, kProtRead | kProtWrite);
    touch_read(as, s1);
    touch_read(as, s2);
    touch_write(as, anon);
    touch_write(as, anon + P);
    touch_read(as, anon + 2 * P);  // the shared zero frame: in nobody's RSS

    std::string text = procfs::smaps(as);
    auto a = smaps_of(text, s1);
    CHECK(a["Size"] == kb(4));
    CHECK(a["KernelPageSize"] == kb(4));
    CHECK(a["Rss"] == kb(4));
    CHECK(a["Pss"] == kb(2));  // one page mapped twice
    CHECK(a["Shared_Clean"] == kb(4));
    CHECK(a["Private_Clean"] == kb(0));
    CHECK(a["Anonymous"] == kb(0));
    CHECK(smaps_of(text, s2)["Pss"] == kb(2));
    auto n = smaps_of(text, anon);
    CHECK(n["Size"] == kb(16));
    CHECK(n["Rss"] == kb(8));
    CHECK(n["Pss"] == kb(8));
    CHECK(n["Pss_Dirty"] == kb(8));
    CHECK(n["Private_Dirty"] == kb(8));
    CHECK(n["Shared_Clean"] == kb(0));
    CHECK(n["Referenced"] == kb(8));
    CHECK(n["Anonymous"] == kb(8));
    CHECK(n["Swap"] == kb(0));
    CHECK(n["THPeligible"] == "0");
    CHECK(n["VmFlags"] == "rd wr mr mw me ac ");

    // A third mapping of the page: each has a third of it. A write to a private mapping
    // copies the page: anonymous, private and dirty, and the others' share grows back.
    const VirtAddr p = map_file(as, 0x420000, file, P, kProtRead | kProtWrite, 0);
    touch_read(as, p);
    text = procfs::smaps(as);
    CHECK(smaps_of(text, s1)["Pss"] == kb(1));  // 4096 / 3 bytes
    CHECK(smaps_of(text, p)["Shared_Clean"] == kb(4));
    touch_write(as, p);
    text = procfs::smaps(as);
    auto c = smaps_of(text, p);
    CHECK(c["Rss"] == kb(4));
    CHECK(c["Anonymous"] == kb(4));
    CHECK(c["Private_Dirty"] == kb(4));
    CHECK(c["Shared_Clean"] == kb(0));
    CHECK(smaps_of(text, s1)["Pss"] == kb(2));

    // Every smaps entry has Linux 6.1's fields in its order.
    const std::vector<std::string> order = {
        "Size", "KernelPageSize", "MMUPageSize", "Rss", "Pss", "Pss_Dirty", "Shared_Clean", "Shared_Dirty",
        "Private_Clean", "Private_Dirty", "Referenced", "Anonymous", "LazyFree", "AnonHugePages",
        "ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb", "Private_Hugetlb", "Swap", "SwapPss", "Locked",
        "THPeligible", "VmFlags"};
    const auto lines = lines_of(text);
    REQUIRE(lines.size() == 4 * (order.size() + 1));
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::size_t k = i % (order.size() + 1);
        if (k == 0)
            continue;
        INFO(lines[i]);
        CHECK(lines[i].starts_with(order[k - 1] + ":"));
        if (lines[i].ends_with(" kB"))
            CHECK(lines[i].size() == 27);  // "%-16s%8lu kB"
    }
}

TEST_CASE("procfs smaps VmFlags: Linux's mnemonics from the VMA's protection and flags, in bit order") {
    Machine m;
    TempFile f(2 * P);
    auto file = cached(m, f);
    AddressSpace& as = m.as();
    const VirtAddr locked =
        map_anon(as, 0x10000000, 4 * P, kProtRead | kProtWrite, kVmLocked | kVmDontDump | kVmHugePage);
    touch_write(as, locked);
    touch_write(as, locked + P);
    const VirtAddr ro_shared = map_file(as, 0x20000000, file, P, kProtRead, kVmShared | kVmWriteForbidden);
    const VirtAddr noexec = map_file(as, 0x30000000, file, P, kProtRead, kVmExecForbidden | kVmSeqRead);
    const VirtAddr stack = map_anon(as, kUserTop - 4 * P, 4 * P, kProtRead | kProtWrite, kVmGrowsDown | kVmStack);
    const VirtAddr noreserve = map_anon(as, 0x40000000, P, kProtRead | kProtWrite | kProtExec, kVmNoReserve);
    const std::string text = procfs::smaps(as);
    auto l = smaps_of(text, locked);
    CHECK(l["VmFlags"] == "rd wr mr mw me lo ac dd hg ");
    CHECK(l["Locked"] == kb(8));
    CHECK(smaps_of(text, ro_shared)["VmFlags"] == "rd mr me ms ");  // no VM_SHARED, no VM_MAYWRITE
    CHECK(smaps_of(text, noexec)["VmFlags"] == "rd mr mw sr ");
    CHECK(smaps_of(text, stack)["VmFlags"] == "rd wr mr mw me gd ac ");
    CHECK(smaps_of(text, noreserve)["VmFlags"] == "rd wr ex mr mw me nr ");
    CHECK(procfs::status(m.proc, &m.task).find("VmLck:\t      16 kB\n") != std::string::npos);
}

TEST_CASE("procfs status: memory counters, peaks, identity and signal masks in Linux's format") {
    Machine m;
    TempFile f(3 * P);
    auto file = cached(m, f);
    AddressSpace& as = m.as();
    m.proc.set_executable("/usr/bin/some-long-program-name");
    const VirtAddr text = map_file(as, 0x400000, file, 3 * P, kProtRead | kProtExec, 0);
    as.layout.start_code = 0x400000;
    as.layout.end_code = 0x402800;
    const VirtAddr data = map_anon(as, 0x10000000, 16 * P, kProtRead | kProtWrite);
    map_anon(as, kUserTop - 8 * P, 8 * P, kProtRead | kProtWrite, kVmGrowsDown | kVmStack);
    touch_read(as, text);
    touch_read(as, text + P);
    for (int i = 0; i < 10; ++i)
        touch_write(as, data + i * P);
    touch_read(as, data + 12 * P);  // zero frame
    m.task.signal_mask = (1ull << 9) | (1ull << 14);  // SIGUSR1, SIGTERM
    m.proc.sigaction(12).handler = linux_abi::SIG_IGN;  // SIGUSR2
    m.proc.sigaction(2).handler = 0x401000;             // SIGINT caught

    auto st = fields_of(lines_of(procfs::status(m.proc, &m.task)));
    CHECK(st["Name"] == "\tsome-long-progr");
    CHECK(st["Umask"] == "\t0022");
    CHECK(st["State"] == "\tR (running)");
    CHECK(st["Pid"] == "\t2");
    CHECK(st["PPid"] == "\t1");
    CHECK(st["FDSize"] == "\t64");
    CHECK(st["VmSize"] == "\t     108 kB");  // 3 + 16 + 8 pages
    CHECK(st["VmPeak"] == "\t     108 kB");
    // 3 file pages (2 read, the third mapped by fault-around: the test wrote the file, so
    // it is in the page cache) + 10 anonymous pages
    CHECK(st["VmRSS"] == "\t      52 kB");
    CHECK(st["VmHWM"] == "\t      52 kB");
    CHECK(st["RssAnon"] == "\t      40 kB");
    CHECK(st["RssFile"] == "\t      12 kB");
    CHECK(st["RssShmem"] == "\t       0 kB");
    CHECK(st["VmData"] == "\t      64 kB");
    CHECK(st["VmStk"] == "\t      32 kB");
    CHECK(st["VmExe"] == "\t      12 kB");
    CHECK(st["VmLib"] == "\t       0 kB");
    CHECK(st["VmSwap"] == "\t       0 kB");
    CHECK(st["Threads"] == "\t1");
    CHECK(st["SigBlk"] == "\t0000000000004200");
    CHECK(st["SigIgn"] == "\t0000000000000800");
    CHECK(st["SigCgt"] == "\t0000000000000002");
    CHECK(st["Cpus_allowed"] == "\t1");
    CHECK(st["Cpus_allowed_list"] == "\t0");
    // 1024 nodes: 32 groups of 32 bits, node 0 in the last one.
    std::string mems = "\t";
    for (int g = 0; g < 31; ++g)
        mems += "00000000,";
    CHECK(st["Mems_allowed"] == mems + "00000001");

    // Unmapping lowers VmRSS and VmSize; the high-water marks stay.
    REQUIRE(as.unmap(data, 16 * P));
    st = fields_of(lines_of(procfs::status(m.proc, &m.task)));
    CHECK(st["VmSize"] == "\t      44 kB");
    CHECK(st["VmPeak"] == "\t     108 kB");
    CHECK(st["VmRSS"] == "\t      12 kB");
    CHECK(st["VmHWM"] == "\t      52 kB");

    // Linux 6.1's fields, in its order.
    const std::vector<std::string> order = {
        "Name", "Umask", "State", "Tgid", "Ngid", "Pid", "PPid", "TracerPid", "Uid", "Gid", "FDSize", "Groups",
        "NStgid", "NSpid", "NSpgid", "NSsid", "VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS", "RssAnon",
        "RssFile", "RssShmem", "VmData", "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap", "HugetlbPages",
        "CoreDumping", "THP_enabled", "Threads", "SigQ", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt",
        "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters",
        "Speculation_Store_Bypass", "SpeculationIndirectBranch", "Cpus_allowed", "Cpus_allowed_list",
        "Mems_allowed", "Mems_allowed_list", "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"};
    const auto lines = lines_of(procfs::status(m.proc, &m.task));
    REQUIRE(lines.size() == order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        CHECK(lines[i].starts_with(order[i] + ":\t"));
}

TEST_CASE("procfs statm and stat: pages, text, data and the exec layout") {
    Machine m;
    TempFile f(2 * P);
    auto file = cached(m, f);
    AddressSpace& as = m.as();
    const VirtAddr text = map_file(as, 0x400000, file, 2 * P, kProtRead | kProtExec, 0);
    as.layout.start_code = 0x400000;
    as.layout.end_code = 0x401100;
    const VirtAddr data = map_anon(as, 0x10000000, 4 * P, kProtRead | kProtWrite);
    map_anon(as, kUserTop - 2 * P, 2 * P, kProtRead | kProtWrite, kVmGrowsDown | kVmStack);
    const VirtAddr shared = map_anon(as, 0x20000000, P, kProtRead | kProtWrite, kVmShared);
    touch_read(as, text);
    touch_write(as, data);
    touch_write(as, data + P);
    touch_write(as, shared);
    // size resident shared text lib data dt: 9 pages; 2 file (1 read, 1 by fault-around) +
    // 2 anon + 1 shmem resident; file + shmem shared; text 2 pages; data 4 + stack 2.
    CHECK(procfs::statm(as) == "9 5 3 2 0 6 0\n");

    m.proc.set_comm("prog");
    const std::string s = procfs::stat(m.proc, &m.task);
    std::vector<std::string> f52;
    std::istringstream in(s);
    for (std::string w; in >> w;)
        f52.push_back(w);
    REQUIRE(f52.size() == 52);
    CHECK(f52[0] == "2");
    CHECK(f52[1] == "(prog)");
    CHECK(f52[2] == "R");
    CHECK(f52[3] == "1");
    CHECK(f52[22] == std::to_string(9 * P));  // vsize
    CHECK(f52[23] == "5");                     // rss
    CHECK(f52[25] == std::to_string(0x400000));
    CHECK(f52[26] == std::to_string(0x401100));
}

TEST_CASE("procfs cmdline: the argument strings in memory, and setproctitle's overflow") {
    Machine m;
    AddressSpace& as = m.as();
    const VirtAddr stack = map_anon(as, 0x7f0000000000, P, kProtRead | kProtWrite);
    const char args[] = "prog\0-x\0two words\0HOME=/root\0";
    REQUIRE(as.copy_to_user(stack, args, sizeof(args) - 1));
    as.layout.arg_start = stack;
    as.layout.arg_end = as.layout.env_start = stack + 18;
    as.layout.env_end = stack + sizeof(args) - 1;
    CHECK(procfs::cmdline(as) == std::string("prog\0-x\0two words\0", 18));
    // The program overwrote its arguments with a longer title (setproctitle).
    const char title[] = "a much longer title";
    REQUIRE(as.copy_to_user(stack, title, sizeof(title)));
    CHECK(procfs::cmdline(as) == "a much longer title");
}

TEST_CASE("procfs meminfo: Linux's fields and format, numbers from the frame table") {
    Machine m;
    TempFile f(4 * P);
    auto file = cached(m, f);
    AddressSpace& as = m.as();
    const VirtAddr shared = map_file(as, 0x400000, file, 2 * P, kProtRead | kProtWrite, kVmShared);
    file->adopt_write_fd(::dup(f.fd));
    const VirtAddr anon = map_anon(as, 0x10000000, 8 * P, kProtRead | kProtWrite);
    touch_write(as, shared);      // dirty shared file page
    touch_read(as, shared + P);   // clean mapped file page
    bool major = false;
    REQUIRE(file->get_page(3, &major));  // cached, mapped by nobody: reclaimable
    for (int i = 0; i < 3; ++i)
        touch_write(as, anon + i * P);
    touch_read(as, anon + 4 * P);  // zero frame

    const auto lines = lines_of(procfs::meminfo(m.pmem, m.cache, m.view().address_spaces));
    const std::vector<std::string> order = {
        "MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active", "Inactive",
        "Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable", "Mlocked", "SwapTotal",
        "SwapFree", "Zswap", "Zswapped", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem", "KReclaimable",
        "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "SecPageTables", "NFS_Unstable",
        "Bounce", "WritebackTmp", "CommitLimit", "Committed_AS", "VmallocTotal", "VmallocUsed", "VmallocChunk",
        "Percpu", "HardwareCorrupted", "AnonHugePages", "ShmemHugePages", "ShmemPmdMapped", "FileHugePages",
        "FilePmdMapped", "HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp", "Hugepagesize",
        "Hugetlb", "DirectMap4k", "DirectMap2M"};
    REQUIRE(lines.size() == order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        INFO(lines[i]);
        CHECK(lines[i].starts_with(order[i] + ":"));
        if (order[i].starts_with("HugePages_"))
            CHECK(lines[i].size() == 24);  // "%-16s%8lu" without a unit
        else if (order[i] != "VmallocTotal")
            CHECK(lines[i].size() == 27);  // "%-16s%8lu kB"
    }
    auto v = trimmed(fields_of(lines));
    const std::uint64_t free_kb = m.pmem.free_frame_count() * 4;
    CHECK(v["MemTotal"] == kb(4096 * 4));
    CHECK(v["MemFree"] == kb(free_kb));
    CHECK(v["MemAvailable"] == kb(free_kb + 4));  // + the unmapped cached page
    CHECK(v["Cached"] == kb(12));
    CHECK(v["Dirty"] == kb(4));
    CHECK(v["AnonPages"] == kb(12));
    CHECK(v["Mapped"] == kb(8));
    CHECK(v["Shmem"] == kb(0));
    CHECK(v["Active(anon)"] == kb(12));
    CHECK(v["Active(file)"] == kb(8));
    CHECK(v["Inactive(file)"] == kb(4));
    CHECK(v["PageTables"] == kb(m.pmem.stats().frames_by_use[static_cast<int>(FrameUse::PageTable)] * 4));
    CHECK(v["SwapTotal"] == kb(0));
    CHECK(v["Committed_AS"] == kb(8 * 4));  // the private writable mapping
    CHECK(v["CommitLimit"] == kb(4096 * 4 / 2));
    CHECK(v["VmallocTotal"] == "34359738367 kB");
    CHECK(v["HugePages_Total"] == "0");
}

TEST_CASE("procfs ProcFile: read, pread, lseek and fstat behave as Linux's seq_file") {
    Machine m;
    auto view = m.view();
    auto resolved = procfs::resolve(view, "/proc/self/comm", true);
    REQUIRE(resolved);
    CHECK(resolved->kind == procfs::Resolved::Kind::Generated);
    m.proc.set_comm("hello");
    auto opened = procfs::open(view, *resolved, os::fs::kOpenReadOnly);
    REQUIRE(opened);
    REQUIRE(*opened);
    auto file = **opened;
    std::byte buf[4];
    CHECK(file->read(buf).value() == 4);
    CHECK(file->read(buf).value() == 2);
    CHECK(std::memcmp(buf, "o\n", 2) == 0);
    CHECK(file->read(buf).value() == 0);
    CHECK(file->pread(buf, 1).value() == 4);
    CHECK(std::memcmp(buf, "ello", 4) == 0);
    CHECK(file->seek(1, 0).value() == 1);
    CHECK(file->seek(2, 1).value() == 3);
    CHECK(file->seek(0, 2).error() == Errno::einval);   // SEEK_END
    CHECK(file->seek(-5, 1).error() == Errno::einval);
    CHECK(file->write(std::span<const std::byte>(buf, 1)).error() == Errno::ebadf);
    const auto st = file->stat().value();
    CHECK((st.st_mode & S_IFMT) == S_IFREG);
    CHECK((st.st_mode & 07777) == 0644);  // comm is writable by its owner
    CHECK(st.st_size == 0);
    CHECK(st.st_blksize == 1024);
    auto maps = procfs::resolve(view, "/proc/2/maps", true);
    REQUIRE(maps);
    CHECK((procfs::entry_stat(view, maps->entry).st_mode & 07777) == 0444);
}

TEST_CASE("procfs paths: /proc/self, the current pid, other pids, links and the host's files") {
    Machine m;
    m.proc.set_executable("/opt/prog");
    auto pipe = std::make_shared<os::fs::PipeBuffer>(77);
    REQUIRE(m.proc.files().install(std::make_shared<os::fs::PipeEnd>(pipe, os::fs::PipeEnd::Side::Read, 0), 5, false));
    auto view = m.view();
    using Kind = procfs::Resolved::Kind;
    auto kind_of = [&](const std::string& path) { return procfs::resolve(view, path, true).value().kind; };

    CHECK(kind_of("/proc/self/maps") == Kind::Generated);
    CHECK(kind_of("/proc/2/status") == Kind::Generated);
    CHECK(kind_of("/proc/thread-self/smaps") == Kind::Generated);
    CHECK(kind_of("/proc/2/task/2/statm") == Kind::Generated);
    CHECK(kind_of("//proc//self/./cmdline") == Kind::Generated);
    CHECK(procfs::is_proc_path("//proc//self/./cmdline"));
    CHECK(procfs::is_proc_path("/proc"));
    CHECK_FALSE(procfs::is_proc_path("/procfoo/self/maps"));
    CHECK_FALSE(procfs::is_proc_path("proc/self/maps"));
    CHECK(kind_of("/proc/meminfo") == Kind::Generated);
    CHECK(procfs::resolve(view, "/proc/3/maps", true).error() == Errno::enoent);
    CHECK(procfs::resolve(view, "/proc/2/task/9/maps", true).error() == Errno::enoent);
    CHECK(procfs::resolve(view, "/proc/self/maps/x", true).error() == Errno::enotdir);
    CHECK(procfs::resolve(view, "/proc/self/fd/9", true).error() == Errno::enoent);
    // faultline's own memory is never the guest's to open.
    CHECK(procfs::resolve(view, "/proc/self/mem", true).error() == Errno::enoent);
    CHECK(procfs::resolve(view, "/proc/2/task/2/mem", false).error() == Errno::enoent);

    // The host answers for the rest: system files as they are, per-process ones for faultline
    // (marked as faultline's own: a confined guest does not reach them).
    using Reach = procfs::Resolved::Reach;
    const auto cpuinfo = procfs::resolve(view, "/proc/cpuinfo", true).value();
    CHECK(cpuinfo.host_path == "/proc/cpuinfo");
    CHECK((cpuinfo.reach == Reach::HostProc && !cpuinfo.self_entry));
    const auto mounts = procfs::resolve(view, "/proc/2/mounts", true).value();
    CHECK(mounts.host_path == "/proc/self/mounts");
    CHECK((mounts.reach == Reach::HostProc && mounts.self_entry));
    // Followed links lead to the guest's files: the executable is reopened by its host path,
    // a path below cwd, root or a directory descriptor is a guest path for the root.
    const auto exe = procfs::resolve(view, "/proc/self/exe", true).value();
    CHECK((exe.reach == Reach::Reopen && exe.host_path == "/opt/prog"));
    const auto exe_link = procfs::resolve(view, "/proc/self/exe", false).value();
    CHECK((exe_link.reach == Reach::HostProc && exe_link.host_path == "/proc/self/exe"));
    const auto below_cwd = procfs::resolve(view, "/proc/self/cwd/x/y", true).value();
    CHECK((below_cwd.reach == Reach::Guest && below_cwd.at == m.proc.cwd_fd() && below_cwd.host_path == "x/y"));
    const auto cwd_itself = procfs::resolve(view, "/proc/self/cwd", true).value();
    CHECK((cwd_itself.reach == Reach::Guest && cwd_itself.host_path == "."));
    const auto below_root = procfs::resolve(view, "/proc/self/root/etc/passwd", true).value();
    CHECK((below_root.reach == Reach::Guest && below_root.at == -1 && below_root.host_path == "/etc/passwd"));

    // A pipe descriptor: its link names the pipe; opening it reaches the same pipe end.
    auto fd5 = procfs::resolve(view, "/proc/self/fd/5", true);
    REQUIRE(fd5);
    CHECK(fd5->kind == Kind::Descriptor);
    CHECK(procfs::open(view, *fd5, os::fs::kOpenReadOnly).value().value() == m.proc.files().get(5).value());
    CHECK(procfs::open(view, *fd5, os::fs::kOpenWriteOnly).value().error() == Errno::eacces);
    CHECK(procfs::readlink(view, "/proc/self/fd/5").value().value() == "pipe:[77]");
    CHECK(procfs::readlink(view, "/proc/2/exe").value().value() == "/opt/prog");
    CHECK(procfs::readlink(view, "/proc/self/fd/6").value().error() == Errno::enoent);
    CHECK(procfs::readlink(view, "/proc/4/exe").value().error() == Errno::enoent);
    CHECK_FALSE(procfs::readlink(view, "/proc/self/maps").has_value());
    char cwd[4096];
    REQUIRE(::getcwd(cwd, sizeof(cwd)));
    CHECK(procfs::readlink(view, "/proc/self/cwd").value().value() == cwd);

    // Opening a generated file: never a directory; writing only for root (or comm's owner).
    auto maps = procfs::resolve(view, "/proc/self/maps", true).value();
    CHECK(procfs::open(view, maps, 0200000).value().error() == Errno::enotdir);
    CHECK(procfs::open(view, maps, 0100 | 0200).value().error() == Errno::eexist);
    m.proc.creds.euid = 1000;
    CHECK(procfs::open(view, maps, os::fs::kOpenWriteOnly).value().error() == Errno::eacces);
    m.proc.creds.euid = 0;
    auto w = procfs::open(view, maps, os::fs::kOpenReadWrite).value();
    REQUIRE(w);
    std::byte b{};
    CHECK((*w)->write(std::span<const std::byte>(&b, 1)).error() == Errno::einval);
}
