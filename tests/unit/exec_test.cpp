// Tests for execve's image builder (os/proc/exec.h) beyond static programs: dynamically
// linked programs with their interpreter (the host's /bin/true and ld.so), "#!" scripts,
// and execve's errors, each checked against what Linux 6.18 does natively.
#include "os/proc/exec.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "os/fs/host_fd.h"
#include "os/mm/page_cache.h"
#include "os/proc/elf_image.h"
#include "os/proc/elf_loader.h"
#include "tests/unit/exec_test_support.h"

namespace {

using namespace exec_test;
using linux_abi::Errno;
using os::mm::AddressSpace;
using os::mm::kUserTop;
using os::mm::page_round_up;
using os::mm::PhysicalMemory;
using os::proc::build_exec_image;
using os::proc::ExecRequest;

constexpr std::uint64_t kRamBytes = 256ull << 20;
constexpr const char kLdSo[] = "/lib64/ld-linux-x86-64.so.2";

struct Machine {
    PhysicalMemory pmem{kRamBytes};
    os::mm::PageCache cache{pmem};
    NullNotifier mmu;
    auto exec(const ExecRequest& req) { return build_exec_image(pmem, &mmu, cache, req); }
};

ExecRequest request(const std::string& path, std::vector<std::string> argv = {"prog", "one", "two"}) {
    ExecRequest req;
    req.path = path;
    req.argv = std::move(argv);
    req.envp = {"HOME=/root", "LANG=C"};
    return req;
}

// The host's dynamically linked /bin/true, or nullopt when this host has none.
std::optional<os::proc::ElfImage> host_dynamic_true() {
    auto elf = os::proc::read_elf_file("/bin/true");
    if (!elf || !elf->interpreter || *elf->interpreter != kLdSo || !elf->is_dyn) {
        WARN("/bin/true is not a dynamic PIE using " << kLdSo << ": skipped");
        return std::nullopt;
    }
    return std::move(*elf);
}

// A copy of the host's /bin/true in `dir` whose PT_INTERP names `interp` instead (at most
// as long as the original: the rest of the field is NUL-padded, which Linux accepts).
fs::path with_interpreter(const fs::path& dir, const std::string& interp) {
    std::string bytes = read_all("/bin/true");
    const std::string original = std::string(kLdSo) + '\0';
    const auto at = bytes.find(original);
    REQUIRE(at != std::string::npos);
    REQUIRE(interp.size() < original.size());
    std::string replacement = interp;
    replacement.resize(original.size(), '\0');
    bytes.replace(at, original.size(), replacement);
    const fs::path p = dir / "prog";
    write_text(p, bytes);
    return p;
}

Errno exec_error(Machine& m, const ExecRequest& req) {
    auto img = m.exec(req);
    if (img) {
        FAIL_CHECK("exec of " << req.path << " succeeded");
        return Errno{};
    }
    INFO("message: " << img.error().message);
    CHECK_FALSE(img.error().message.empty());
    CHECK(img.error().message.find('\n') == std::string::npos);
    return img.error().error;
}

}  // namespace

TEST_CASE("exec: a dynamic PIE is placed at ELF_ET_DYN_BASE, its interpreter top-down below mmap_base") {
    auto elf = host_dynamic_true();
    if (!elf)
        return;
    auto interp = os::proc::read_elf_file(kLdSo);
    REQUIRE(interp.has_value());
    Machine m;
    auto img = m.exec(request("/bin/true"));
    if (!img)
        FAIL("exec failed: " << img.error().message);
    AddressSpace& mm = *img->mm;

    // The program: its first page at ELF_ET_DYN_BASE, brk right after its bss.
    const std::uint64_t bias = os::proc::kElfEtDynBase - elf->min_vaddr();
    const os::mm::Vma* first = mm.vmas().find_containing(os::proc::kElfEtDynBase);
    REQUIRE(first != nullptr);
    CHECK(first->start == os::proc::kElfEtDynBase);
    CHECK(mm.brk_start() == page_round_up(elf->max_vaddr() + bias));

    // ld.so: one span ending at mmap_base, as `setarch -R` shows natively.
    const std::uint64_t span = interp->max_vaddr() - interp->min_vaddr();
    CHECK(img->interp_base == AddressSpace::kMmapBase - span);
    CHECK(img->entry == interp->entry + img->interp_base);
    const os::mm::Vma* ld = mm.vmas().find_containing(img->interp_base);
    REQUIRE(ld != nullptr);
    CHECK(ld->name == fs::canonical(kLdSo).string());
    CHECK(mm.vmas().find_containing(img->entry)->prot & os::mm::kProtExec);
    CHECK(img->absolute_path == fs::canonical("/bin/true").string());
    CHECK(img->comm == "true");

    // The auxiliary vector describes the program; AT_BASE the interpreter; no vDSO.
    const InitialStack stack = read_initial_stack(mm, img->stack_pointer);
    CHECK(stack.argv == std::vector<std::string>{"prog", "one", "two"});
    CHECK(stack.auxv.at(linux_abi::AT_BASE) == img->interp_base);
    CHECK(stack.auxv.at(linux_abi::AT_ENTRY) == elf->entry + bias);
    CHECK(stack.auxv.at(linux_abi::AT_PHDR) == elf->phdr_vaddr + bias);
    CHECK(stack.auxv.at(linux_abi::AT_PHNUM) == elf->phnum);
    CHECK(stack.auxv.at(linux_abi::AT_PHENT) == 56);
    CHECK(stack.auxv.count(linux_abi::AT_SYSINFO_EHDR) == 0);
    CHECK(stack.string_at(mm, stack.auxv.at(linux_abi::AT_EXECFN)) == "/bin/true");
}

TEST_CASE("exec: the interpreter is opened and checked like load_elf_binary does") {
    if (!host_dynamic_true())
        return;
    TempDir dir;
    Machine m;
    // A relative PT_INTERP resolves against the request's directory descriptor.
    const fs::path prog = with_interpreter(dir.path, "./interp");
    os::fs::HostFd dirfd(::open(dir.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(dirfd.valid());
    ExecRequest req = request("prog");
    req.dirfd = dirfd.get();

    SECTION("missing: ENOENT") { CHECK(exec_error(m, req) == Errno::enoent); }
    SECTION("not executable or a directory: EACCES") {
        write_text(dir.path / "interp", read_all(kLdSo), fs::perms::owner_read);
        CHECK(exec_error(m, req) == Errno::eacces);
        fs::remove(dir.path / "interp");
        fs::create_directory(dir.path / "interp");
        CHECK(exec_error(m, req) == Errno::eacces);
    }
    SECTION("too short for an ELF header: EIO") {
        write_text(dir.path / "interp", "#!/bin/sh\n");
        CHECK(exec_error(m, req) == Errno::eio);
    }
    SECTION("not ELF, or not x86-64: ELIBBAD") {
        write_text(dir.path / "interp", std::string(200, 'x'));
        CHECK(exec_error(m, req) == Errno::elibbad);
        std::string arm = read_all(kLdSo);
        arm[18] = static_cast<char>(183);  // e_machine = EM_AARCH64
        write_text(dir.path / "interp", arm);
        CHECK(exec_error(m, req) == Errno::elibbad);
    }
    SECTION("a wrong e_type is only found past the point of no return") {
        std::string rel = read_all(kLdSo);
        rel[16] = 1;  // e_type = ET_REL
        write_text(dir.path / "interp", rel);
        auto img = m.exec(req);
        REQUIRE_FALSE(img.has_value());
        CHECK(img.error().past_point_of_no_return);
    }
    SECTION("the real ld.so under another name works") {
        write_text(dir.path / "interp", read_all(kLdSo));
        auto img = m.exec(req);
        if (!img)
            FAIL("exec failed: " << img.error().message);
        CHECK(img->interp_base != 0);
        CHECK(img->absolute_path == fs::canonical(prog).string());
    }
}

TEST_CASE("exec: #! scripts run their interpreter with the rewritten argv") {
    auto printer = guest_binary("musl", "args_env_auxv");
    if (!printer)
        return;
    TempDir dir;
    Machine m;
    const fs::path script = dir.path / "script.sh";
    write_text(script, "#! " + *printer + "  -x  y \n echo not read by faultline\n");

    auto img = m.exec(request(script.string(), {"whatever", "a", "b"}));
    if (!img)
        FAIL("exec failed: " << img.error().message);
    const InitialStack stack = read_initial_stack(*img->mm, img->stack_pointer);
    CHECK(stack.argv == std::vector<std::string>{*printer, "-x  y", script.string(), "a", "b"});
    // AT_EXECFN is the path execve was given; /proc/self/exe the interpreter; comm the script.
    CHECK(stack.string_at(*img->mm, stack.auxv.at(linux_abi::AT_EXECFN)) == script.string());
    CHECK(img->absolute_path == *printer);
    CHECK(img->comm == "script.sh");
    CHECK(img->argv == stack.argv);

    SECTION("a script's interpreter may be a script, five levels deep at most") {
        write_text(dir.path / "s1", "#!" + *printer + "\n");
        for (int i = 2; i <= 6; ++i)
            write_text(dir.path / ("s" + std::to_string(i)), "#!" + (dir.path / ("s" + std::to_string(i - 1))).string());
        auto five = m.exec(request((dir.path / "s5").string(), {"s5", "arg"}));
        if (!five)
            FAIL("exec failed: " << five.error().message);
        const InitialStack nested = read_initial_stack(*five->mm, five->stack_pointer);
        std::vector<std::string> expected{*printer};
        for (int i = 1; i <= 5; ++i)
            expected.push_back((dir.path / ("s" + std::to_string(i))).string());
        expected.push_back("arg");
        CHECK(nested.argv == expected);
        CHECK(exec_error(m, request((dir.path / "s6").string())) == Errno::eloop);
    }
    SECTION("relative script paths resolve against dirfd and are passed on as given") {
        os::fs::HostFd dirfd(::open(dir.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        ExecRequest req = request("script.sh", {});
        req.dirfd = dirfd.get();
        auto rel = m.exec(req);
        if (!rel)
            FAIL("exec failed: " << rel.error().message);
        const InitialStack stack2 = read_initial_stack(*rel->mm, rel->stack_pointer);
        // An empty argv counts as {""}, whose argv[0] the script line replaces.
        CHECK(stack2.argv == std::vector<std::string>{*printer, "-x  y", "script.sh"});
    }
    SECTION("script errors") {
        write_text(dir.path / "missing", "#!/nonexistent/interpreter\n");
        CHECK(exec_error(m, request((dir.path / "missing").string())) == Errno::enoent);
        write_text(dir.path / "blank", "#!   \nexit 0\n");
        CHECK(exec_error(m, request((dir.path / "blank").string())) == Errno::enoexec);
        // "#!" then the end of the file: the name is "", which opens the working directory.
        write_text(dir.path / "empty-name", "#!");
        CHECK(exec_error(m, request((dir.path / "empty-name").string())) == Errno::eacces);
        write_text(dir.path / "text", "echo hello\n");
        CHECK(exec_error(m, request((dir.path / "text").string())) == Errno::enoexec);
        write_text(dir.path / "interp-dir", "#!" + dir.path.string() + "\n");
        CHECK(exec_error(m, request((dir.path / "interp-dir").string())) == Errno::eacces);
    }
}

TEST_CASE("exec: path errors are execve's") {
    TempDir dir;
    Machine m;
    write_text(dir.path / "file", "data\n", fs::perms::owner_read);
    fs::create_symlink(dir.path / "loop1", dir.path / "loop2");
    fs::create_symlink(dir.path / "loop2", dir.path / "loop1");
    CHECK(exec_error(m, request("")) == Errno::enoent);
    CHECK(exec_error(m, request((dir.path / "missing").string())) == Errno::enoent);
    CHECK(exec_error(m, request((dir.path / "file" / "below").string())) == Errno::enotdir);
    CHECK(exec_error(m, request((dir.path / std::string(300, 'n')).string())) == Errno::enametoolong);
    CHECK(exec_error(m, request("/" + std::string(4096, 'p'))) == Errno::enametoolong);
    CHECK(exec_error(m, request((dir.path / "loop1").string())) == Errno::eloop);
    CHECK(exec_error(m, request((dir.path / "file").string())) == Errno::eacces);
    CHECK(exec_error(m, request(dir.path.string())) == Errno::eacces);
    CHECK(exec_error(m, request("/dev/null")) == Errno::eacces);
}

TEST_CASE("exec: E2BIG follows Linux's argument limits") {
    auto path = guest_binary("musl", "hello_world");
    if (!path)
        return;
    Machine m;
    auto string_bytes = [](const ExecRequest& r) {
        std::uint64_t n = r.path.size() + 1;
        for (const auto& s : r.argv)
            n += s.size() + 1;
        for (const auto& s : r.envp)
            n += s.size() + 1;
        return n;
    };

    SECTION("one string: MAX_ARG_STRLEN (128 KiB) with its NUL") {
        CHECK(m.exec(request(*path, {"p", std::string(131071, 'a')})).has_value());
        CHECK(exec_error(m, request(*path, {"p", std::string(131072, 'a')})) == Errno::e2big);
        ExecRequest env = request(*path);
        env.envp.push_back("X=" + std::string(131072, 'b'));
        CHECK(exec_error(m, env) == Errno::e2big);
    }
    SECTION("all strings and their pointers: a quarter of the 8 MiB stack limit") {
        // Fill exactly 2 MiB with strings plus 8 bytes per argv and envp pointer.
        ExecRequest req = request(*path, {"p"});
        for (int i = 0; i < 20; ++i)
            req.argv.push_back(std::string(100000, 'c'));
        const std::uint64_t pointers = 8 * (req.argv.size() + 1 + req.envp.size());
        req.argv.push_back(std::string((2ull << 20) - pointers - string_bytes(req) - 1, 'd'));
        REQUIRE(string_bytes(req) + 8 * (req.argv.size() + req.envp.size()) == 2ull << 20);
        CHECK(m.exec(req).has_value());
        req.argv.back().push_back('e');
        CHECK(exec_error(m, req) == Errno::e2big);
    }
    SECTION("a larger stack limit allows more, up to 6 MiB") {
        ExecRequest req = request(*path, {"p"});
        for (int i = 0; i < 30; ++i)
            req.argv.push_back(std::string(100000, 'c'));  // 3 MB
        CHECK(exec_error(m, req) == Errno::e2big);
        req.stack_limit = 64ull << 20;
        CHECK(m.exec(req).has_value());
        for (int i = 0; i < 40; ++i)
            req.argv.push_back(std::string(100000, 'c'));  // 7 MB
        CHECK(exec_error(m, req) == Errno::e2big);
    }
    SECTION("a small stack limit: ARG_MAX at least, but the pages must fit the stack") {
        ExecRequest req = request(*path, {"p", std::string(60000, 'f')});
        req.envp.clear();
        req.stack_limit = 100 * 1024;  // a quarter is 25 KiB, below ARG_MAX (128 KiB)
        CHECK(m.exec(req).has_value());
        // Strings plus the word above them must fit in 25 pages (102400 bytes). When they
        // fill them exactly, the pointers below cannot grow the stack any further: Linux
        // gets that far and kills the process (SIGSEGV).
        req.argv.push_back(std::string(102400 - 8 - string_bytes(req) - 1, 'g'));
        REQUIRE(string_bytes(req) + 8 == 102400);
        auto full = m.exec(req);
        REQUIRE_FALSE(full.has_value());
        CHECK(full.error().past_point_of_no_return);
        req.argv.back().push_back('h');
        CHECK(exec_error(m, req) == Errno::e2big);
    }
}

TEST_CASE("exec: an empty argv becomes {\"\"}") {
    auto path = guest_binary("musl", "hello_world");
    if (!path)
        return;
    Machine m;
    auto img = m.exec(request(*path, {}));
    if (!img)
        FAIL("exec failed: " << img.error().message);
    CHECK(read_initial_stack(*img->mm, img->stack_pointer).argv == std::vector<std::string>{""});
}

TEST_CASE("exec: a file given by descriptor (execveat AT_EMPTY_PATH, fexecve)") {
    auto path = guest_binary("musl", "args_env_auxv");
    if (!path)
        return;
    Machine m;
    os::fs::HostFd fd(::open(path->c_str(), O_PATH | O_CLOEXEC));
    REQUIRE(fd.valid());
    ExecRequest req = request("/dev/fd/7", {"prog"});
    req.fd = fd.get();
    auto img = m.exec(req);
    if (!img)
        FAIL("exec failed: " << img.error().message);
    CHECK(img->absolute_path == *path);
    const InitialStack stack = read_initial_stack(*img->mm, img->stack_pointer);
    CHECK(stack.string_at(*img->mm, stack.auxv.at(linux_abi::AT_EXECFN)) == "/dev/fd/7");

    // The same checks as for a path: a directory or a file without x permission is EACCES.
    os::fs::HostFd dir(::open("/", O_PATH | O_CLOEXEC));
    req.fd = dir.get();
    CHECK(exec_error(m, req) == Errno::eacces);
    TempDir tmp;
    write_text(tmp.path / "noexec", read_all(*path), fs::perms::owner_read);
    os::fs::HostFd noexec(::open((tmp.path / "noexec").c_str(), O_RDONLY | O_CLOEXEC));
    req.fd = noexec.get();
    CHECK(exec_error(m, req) == Errno::eacces);
}

TEST_CASE("exec: a script's added arguments count against the budget of execve's own counts") {
    auto printer = guest_binary("musl", "args_env_auxv");
    if (!printer)
        return;
    TempDir dir;
    Machine m;
    const fs::path script = dir.path / "s";
    write_text(script, "#!" + *printer + "\n");
    ExecRequest req = request(script.string(), {"x"});
    for (int i = 0; i < 20; ++i)
        req.argv.push_back(std::string(100000, 'c'));
    // Linux's budget comes from argc 22 and envc 2; the strings after the "#!" rewriting
    // (interpreter and script path instead of "x") fill it exactly.
    const std::uint64_t budget = (2ull << 20) - 8 * (22 + req.envp.size());
    std::uint64_t final_strings = 2 * (script.string().size() + 1) + printer->size() + 1 + 20 * 100001;
    for (const auto& e : req.envp)
        final_strings += e.size() + 1;
    req.argv.push_back(std::string(budget - final_strings - 1, 'd'));
    auto img = m.exec(req);
    if (!img)
        FAIL("exec failed: " << img.error().message);
    CHECK(img->argv.size() == 23);
    req.argv.back().push_back('e');
    CHECK(exec_error(m, req) == Errno::e2big);
}
