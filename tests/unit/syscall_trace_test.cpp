// Tests for the syscall trace (--trace-syscalls): the flag and structure decoders against
// what strace prints, reading guest memory without faulting it in, and the output files.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "os/mm/address_space.h"
#include "os/trace/signal_text.h"
#include "os/trace/syscall_tracer.h"
#include "syscalls/trace_flags.h"
#include "syscalls/trace_format.h"
#include "syscalls/trace_memory.h"
#include "syscalls/trace_result.h"

namespace {

using namespace syscalls::trace;
using linux_abi::Errno;
using os::mm::kPageSize;

class NullNotifier final : public os::mm::MmuNotifier {
public:
    void flush_tlb() override {}
    void invalidate_code(os::mm::PhysAddr, std::uint64_t) override {}
};

// An address space with one read-write anonymous mapping at kBase (nothing resident yet).
struct Guest {
    static constexpr std::uint64_t kBase = 0x10000000;
    static constexpr std::uint64_t kPages = 4;
    Guest() : pmem(256 * kPageSize), as(pmem, &mmu) {
        pmem.set_mmu_notifier(&mmu);
        os::mm::MapRequest req;
        req.addr = kBase;
        req.length = kPages * kPageSize;
        req.prot = os::mm::kProtRead | os::mm::kProtWrite;
        req.placement = os::mm::Placement::FixedNoReplace;
        REQUIRE(as.map(req).has_value());
    }
    void put(std::uint64_t addr, const void* data, std::size_t n) { REQUIRE(as.copy_to_user(addr, data, n)); }
    void put_string(std::uint64_t addr, const std::string& s) { put(addr, s.c_str(), s.size() + 1); }
    void put_u64(std::uint64_t addr, std::uint64_t v) { put(addr, &v, sizeof(v)); }
    std::uint64_t faults() const { return as.fault_counters().minor + as.fault_counters().major; }

    os::mm::PhysicalMemory pmem;
    NullNotifier mmu;
    os::mm::AddressSpace as;
};

std::string traced(Guest& g, std::uint64_t nr, std::initializer_list<std::uint64_t> list, std::int64_t result) {
    std::uint64_t args[6] = {};
    int i = 0;
    for (std::uint64_t a : list)
        args[i++] = a;
    const GuestMemory mem(&g.as);
    TracedCall call(mem, nr, args, 0);
    return call.text(mem, result) + " = " + call.result_text(result);
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("Syscall trace: mmap protections and flags read as strace prints them") {
    CHECK(mmap_prot_text(0) == "PROT_NONE");
    CHECK(mmap_prot_text(0x3) == "PROT_READ|PROT_WRITE");
    CHECK(mmap_prot_text(0x5) == "PROT_READ|PROT_EXEC");
    CHECK(mmap_prot_text(0x81) == "PROT_READ|0x80");
    CHECK(mmap_flags_text(0x22) == "MAP_PRIVATE|MAP_ANONYMOUS");
    CHECK(mmap_flags_text(0x32) == "MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS");
    CHECK(mmap_flags_text(0x1) == "MAP_SHARED");
    CHECK(mmap_flags_text(0x0) == "MAP_FILE");
    CHECK(mmap_flags_text(0x20) == "MAP_FILE|MAP_ANONYMOUS");
    CHECK(mmap_flags_text(0x100022) == "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE");
    CHECK(mmap_flags_text(0x20022) == "MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK");
    CHECK(mmap_flags_text(0x54040022) == "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|21<<MAP_HUGE_SHIFT");
    CHECK(mremap_flags_text(0x3) == "MREMAP_MAYMOVE|MREMAP_FIXED");
    CHECK(madvise_advice_text(4) == "MADV_DONTNEED");
    CHECK(madvise_advice_text(999) == "0x3e7");
}

TEST_CASE("Syscall trace: open flags, modes and descriptor flags") {
    CHECK(open_flags_text(0) == "O_RDONLY");
    CHECK(open_flags_text(02000000) == "O_RDONLY|O_CLOEXEC");
    CHECK(open_flags_text(01101) == "O_WRONLY|O_CREAT|O_TRUNC");
    CHECK(open_flags_text(0100302) == "O_RDWR|O_CREAT|O_EXCL|O_LARGEFILE");
    CHECK(open_flags_text(0600000) == "O_RDONLY|O_NOFOLLOW|O_DIRECTORY");
    CHECK(open_flags_text(04010001) == "O_WRONLY|O_SYNC");
    CHECK(open_flags_text(020200002) == "O_RDWR|O_TMPFILE");
    CHECK(fd_flags_text(0) == "0");
    CHECK(fd_flags_text(02004000) == "O_NONBLOCK|O_CLOEXEC");
    CHECK(octal_text(0644) == "0644");
    CHECK(octal_text(022) == "022");
    CHECK(octal_text(0) == "000");
    CHECK(file_mode_text(0100644) == "S_IFREG|0644");
    CHECK(file_mode_text(041777) == "S_IFDIR|S_ISVTX|0777");
    CHECK(dirfd_text(static_cast<std::uint64_t>(-100)) == "AT_FDCWD");
    CHECK(dirfd_text(3) == "3");
    CHECK(access_mode_text(0) == "F_OK");
    CHECK(access_mode_text(5) == "R_OK|X_OK");
    CHECK(device_text((136 << 8) | 1) == "makedev(0x88, 0x1)");
}

TEST_CASE("Syscall trace: clone flags carry the exit signal in the low byte") {
    CHECK(clone_flags_text(0x1200011) == "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
    CHECK(clone_flags_text(0x3d0f00) ==
          "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|"
          "CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID");
    CHECK(clone_flags_text(0x4111) == "CLONE_VM|CLONE_VFORK|SIGCHLD");
    CHECK(clone_flags_text(17) == "SIGCHLD");
    CHECK(clone_flags_text(0) == "0");
    CHECK(clone3_flags_text(0x4100) == "CLONE_VM|CLONE_VFORK");
    CHECK(clone3_flags_text(0) == "0");
}

TEST_CASE("Syscall trace: wait options and statuses decode like strace's") {
    CHECK(wait_options_text(0) == "0");
    CHECK(wait_options_text(0x40000001) == "WNOHANG|__WALL");
    CHECK(wait_status_text(0) == "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]");
    CHECK(wait_status_text(3 << 8) == "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]");
    CHECK(wait_status_text(9) == "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]");
    CHECK(wait_status_text(0x80 | 11) == "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]");
    CHECK(wait_status_text((19 << 8) | 0x7f) == "[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}]");
    CHECK(wait_status_text(0xffff) == "[{WIFCONTINUED(s)}]");
}

TEST_CASE("Syscall trace: futex operations, signals and signal sets") {
    CHECK(futex_op_text(128) == "FUTEX_WAIT_PRIVATE");
    CHECK(futex_op_text(1) == "FUTEX_WAKE");
    CHECK(futex_op_text(9 | 128 | 256) == "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME");
    CHECK(futex_op_text(99) == "0x63");
    CHECK(signal_text(0) == "0");
    CHECK(signal_text(17) == "SIGCHLD");
    CHECK(signal_text(32) == "SIGRTMIN");
    CHECK(signal_text(40) == "SIGRT_8");
    CHECK(os::trace::sigset_text(0) == "[]");
    CHECK(os::trace::sigset_text((1u << 1) | (1u << 16)) == "[INT CHLD]");
    // More than two thirds of the signals: the complement.
    CHECK(os::trace::sigset_text(~std::uint64_t{0} & ~(std::uint64_t{3} << 31)) == "~[RTMIN RT_1]");
    CHECK(os::trace::sigset_text(0xffffffffffffffffull) == "~[]");
    CHECK(sa_flags_text(0x14000000) == "SA_RESTORER|SA_RESTART");
}

TEST_CASE("Syscall trace: siginfo and exit lines") {
    linux_abi::SigInfo chld{};
    chld.signo = 17;
    chld.code = 1;  // CLD_EXITED
    chld.fields.chld.pid = 3;
    chld.fields.chld.status = 0;
    CHECK(os::trace::siginfo_text(chld) ==
          "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=3, si_uid=0, si_status=0, si_utime=0, si_stime=0}");
    chld.code = 2;  // CLD_KILLED
    chld.fields.chld.status = 9;
    CHECK(os::trace::siginfo_text(chld).find("si_status=SIGKILL") != std::string::npos);
    linux_abi::SigInfo segv{};
    segv.signo = 11;
    segv.code = linux_abi::SEGV_MAPERR;
    CHECK(os::trace::siginfo_text(segv) == "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL}");
    segv.fields.fault.addr = 0x1000;
    CHECK(os::trace::siginfo_text(segv) == "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x1000}");
    linux_abi::SigInfo alrm{};
    alrm.signo = 14;
    alrm.code = linux_abi::SI_KERNEL;
    CHECK(os::trace::siginfo_text(alrm) == "{si_signo=SIGALRM, si_code=SI_KERNEL}");
    linux_abi::SigInfo term{};
    term.signo = 15;
    term.code = linux_abi::SI_USER;
    term.fields.kill.pid = 2;
    term.fields.kill.uid = 1000;
    CHECK(os::trace::siginfo_text(term) == "{si_signo=SIGTERM, si_code=SI_USER, si_pid=2, si_uid=1000}");
    CHECK(os::trace::exit_text(os::proc::ExitState{3, 0}) == "exited with 3");
    CHECK(os::trace::exit_text(os::proc::ExitState{0, 11, true}) == "killed by SIGSEGV (core dumped)");
}

TEST_CASE("Syscall trace: results name the errno with the C library's message") {
    CHECK(result_text(3, ResultKind::Decimal) == "3");
    CHECK(result_text(-2, ResultKind::Decimal) == "-1 ENOENT (No such file or directory)");
    CHECK(result_text(-38, ResultKind::Decimal) == "-1 ENOSYS (Function not implemented)");
    CHECK(result_text(-12, ResultKind::Hex) == "-1 ENOMEM (Cannot allocate memory)");
    CHECK(result_text(0x7f0000001000, ResultKind::Hex) == "0x7f0000001000");
    CHECK(result_text(022, ResultKind::Octal) == "022");
    CHECK(result_text(-512, ResultKind::Decimal) == "? ERESTARTSYS (To be restarted if SA_RESTART is set)");
    CHECK(result_text(-516, ResultKind::Decimal) == "? ERESTART_RESTARTBLOCK (Interrupted by signal)");
    CHECK(result_text(0x8002, ResultKind::FileStatusFlags) == "0x8002 (flags O_RDWR|O_LARGEFILE)");
    CHECK(result_text(10, ResultKind::Signal) == "10 (SIGUSR1)");
}

TEST_CASE("Syscall trace: strings are quoted with strace's escapes and cut at 32 bytes") {
    CHECK(quote("hello, world\n") == "\"hello, world\\n\"");
    CHECK(quote("tab\there \"q\" back\\") == "\"tab\\there \\\"q\\\" back\\\\\"");
    // Octal as short as possible, unless an octal digit follows.
    CHECK(quote(std::string("\0\1\033[0m", 6)) == "\"\\0\\1\\33[0m\"");
    CHECK(quote(std::string("\0" "7", 2)) == "\"\\0007\"");
    CHECK(quote("\177ELF") == "\"\\177ELF\"");
    CHECK(quote("abc", true) == "\"abc\"...");
    CHECK(quote_hex("\x01\xff") == "\"\\x01\\xff\"");
}

TEST_CASE("Syscall trace: guest memory is read only where it is resident, without faulting") {
    Guest g;
    const std::uint64_t base = Guest::kBase;
    g.put_string(base, "/etc/passwd");
    const std::uint64_t faults = g.faults();
    // The second page was never touched: shown as its address, and still not resident.
    const std::uint64_t untouched = base + 2 * kPageSize;
    CHECK(traced(g, 257, {static_cast<std::uint64_t>(-100), base, 02000000}, 3) ==
          "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3");
    CHECK(traced(g, 257, {static_cast<std::uint64_t>(-100), untouched, 0}, -2) ==
          "openat(AT_FDCWD, 0x10002000, O_RDONLY) = -1 ENOENT (No such file or directory)");
    CHECK(g.faults() == faults);
    CHECK(g.as.resident_pages() == 1);
    // A string running into a page that is not resident is not shown either.
    std::string tail(16, 'x');
    g.put(base + kPageSize - tail.size(), tail.data(), tail.size());
    CHECK(traced(g, 2, {base + kPageSize - tail.size(), 0}, -2).starts_with("open(0x10000ff0, O_RDONLY)"));
    CHECK(g.faults() == faults);
}

TEST_CASE("Syscall trace: buffers, output arguments and argument layouts") {
    Guest g;
    const std::uint64_t base = Guest::kBase;
    const std::string msg = "hello, world\n";
    g.put(base, msg.data(), msg.size());
    CHECK(traced(g, 1, {1, base, msg.size()}, 13) == "write(1, \"hello, world\\n\", 13) = 13");
    const std::string longer(40, 'a');
    g.put(base + 256, longer.data(), longer.size());
    CHECK(traced(g, 1, {1, base + 256, 40}, 40) == "write(1, \"" + std::string(32, 'a') + "\"..., 40) = 40");
    // read shows what it read, after the call; on failure only the address.
    CHECK(traced(g, 0, {0, base, 100}, 5) == "read(0, \"hello\", 100) = 5");
    CHECK(traced(g, 0, {0, base, 100}, -9) == "read(0, 0x10000000, 100) = -1 EBADF (Bad file descriptor)");
    // open's mode only with O_CREAT.
    g.put_string(base + 512, "f");
    CHECK(traced(g, 2, {base + 512, 01101, 0644}, 3) == "open(\"f\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3");
    CHECK(traced(g, 2, {base + 512, 0, 0644}, 3) == "open(\"f\", O_RDONLY) = 3");
    // pipe2's descriptors.
    const std::int32_t fds[2] = {3, 4};
    g.put(base + 1024, fds, sizeof(fds));
    CHECK(traced(g, 293, {base + 1024, 0}, 0) == "pipe2([3, 4], 0) = 0");
    // mmap and friends.
    CHECK(traced(g, 9, {0, 65536, 3, 0x22, static_cast<std::uint64_t>(-1), 0}, 0x7ffff7fef000) ==
          "mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fef000");
    CHECK(traced(g, 12, {0}, 0x5ec000) == "brk(NULL) = 0x5ec000");
    CHECK(traced(g, 25, {0x1000, 4096, 8192, 3, 0x2000}, 0x2000) ==
          "mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x2000) = 0x2000");
    CHECK(traced(g, 25, {0x1000, 4096, 8192, 1, 0x2000}, 0x2000) == "mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE) = 0x2000");
    // clone names its arguments.
    CHECK(traced(g, 56, {0x1200011, 0, 0, 0x5ec690, 0}, 3) ==
          "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x5ec690) = 3");
    // futex's arguments depend on the operation.
    CHECK(traced(g, 202, {0x5000, 129, 1, 0, 0, 0}, 0) == "futex(0x5000, FUTEX_WAKE_PRIVATE, 1) = 0");
    CHECK(traced(g, 202, {0x5000, 128, 2, 0, 0, 0}, 0) == "futex(0x5000, FUTEX_WAIT_PRIVATE, 2, NULL) = 0");
    // wait4's status only when a child was reaped.
    const std::int32_t status = 0;
    g.put(base + 2048, &status, sizeof(status));
    CHECK(traced(g, 61, {static_cast<std::uint64_t>(-1), base + 2048, 0, 0}, 3) ==
          "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 3");
    CHECK(traced(g, 61, {static_cast<std::uint64_t>(-1), base + 2048, 1, 0}, 0) ==
          "wait4(-1, 0x10000800, WNOHANG, NULL) = 0");
    CHECK(traced(g, 62, {3, 15}, 0) == "kill(3, SIGTERM) = 0");
    CHECK(traced(g, 231, {0}, 0) == "exit_group(0) = 0");
    // Syscalls without a signature show their registers; unknown numbers get strace's name.
    CHECK(traced(g, 1000, {1, 2}, -38) == "syscall_0x3e8(0x1, 0x2, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)");
}

TEST_CASE("Syscall trace: execve shows argv whole and counts envp") {
    Guest g;
    const std::uint64_t base = Guest::kBase;
    g.put_string(base, "/bin/cat");
    g.put_string(base + 64, "cat");
    g.put_string(base + 96, "-n");
    g.put_u64(base + 256, base + 64);
    g.put_u64(base + 264, base + 96);
    g.put_u64(base + 272, 0);
    g.put_u64(base + 512, base + 64);
    g.put_u64(base + 520, base + 96);
    g.put_u64(base + 528, base + 64);
    g.put_u64(base + 536, 0);
    CHECK(traced(g, 59, {base, base + 256, base + 512}, 0) ==
          "execve(\"/bin/cat\", [\"cat\", \"-n\"], 0x10000200 /* 3 vars */) = 0");
}

TEST_CASE("Syscall trace: lines are aligned like strace -f -o and written per process") {
    const auto dir = std::filesystem::temp_directory_path() / ("faultline-trace-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    {
        auto tracer = os::trace::SyscallTracer::open(dir.string() + "/");
        REQUIRE(tracer.has_value());
        os::trace::SyscallTracer& t = **tracer;
        t.syscall(2, 2, "getpid()", "2");
        t.syscall(3, 3, "close(4)", "0");
        // A process that ends inside a syscall: its exit line follows the syscall's.
        t.syscall_begin();
        t.process_exited(3, os::proc::ExitState{0, 0});
        t.syscall(3, 3, "exit_group(0)", "?");
        linux_abi::SigInfo info{};
        info.signo = 17;
        info.code = 1;
        info.fields.chld.pid = 3;
        t.signal_delivered(2, 2, info);
    }
    CHECK(slurp(dir / "2.trace") ==
          "2     getpid()                          = 2\n"
          "2     --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=3, si_uid=0, si_status=0, si_utime=0, "
          "si_stime=0} ---\n");
    CHECK(slurp(dir / "3.trace") ==
          "3     close(4)                          = 0\n"
          "3     exit_group(0)                     = ?\n"
          "3     +++ exited with 0 +++\n");
    std::filesystem::remove_all(dir);
}

TEST_CASE("Syscall trace: a file that cannot be created is an error") {
    auto tracer = os::trace::SyscallTracer::open("/nonexistent-dir/trace");
    REQUIRE_FALSE(tracer.has_value());
    CHECK(tracer.error().find("No such file or directory") != std::string::npos);
}
