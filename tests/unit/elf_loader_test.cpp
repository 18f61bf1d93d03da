// Tests for exec (os/proc/exec.h, elf_loader.h, initial_stack.h) on the real static guest
// binaries the build produces: the VMAs made from the PT_LOADs, static-PIE placement, brk,
// the [stack] VMA and the initial stack as a program reads it, and execve's errors.
// Guest memory is read back through the AddressSpace, as the kernel personality reads it.
#include "os/mm/page_cache.h"
#include "os/proc/elf_loader.h"
#include "os/proc/exec.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "os/abi/elf.h"
#include "os/mm/address_space.h"
#include "os/proc/elf_image.h"

namespace {

namespace fs = std::filesystem;
using linux_abi::Errno;
using os::mm::AddressSpace;
using os::mm::kPageSize;
using os::mm::kProtExec;
using os::mm::kProtRead;
using os::mm::kProtWrite;
using os::mm::kUserTop;
using os::mm::page_round_down;
using os::mm::page_round_up;
using os::mm::PhysAddr;
using os::mm::PhysicalMemory;
using os::mm::VirtAddr;
using os::mm::Vma;
using os::proc::build_exec_image;
using os::proc::ElfImage;
using os::proc::ElfSegment;
using os::proc::ExecRequest;

constexpr std::uint64_t P = kPageSize;
constexpr std::uint64_t kRamBytes = 256ull << 20;

class NullNotifier final : public os::mm::MmuNotifier {
public:
    void flush_tlb() override {}
    void invalidate_code(PhysAddr, std::uint64_t) override {}
};

// build/tests/unit_tests -> build/guest/<variant>/<name>; nullopt (with a warning) if absent.
std::optional<std::string> guest_binary(const std::string& variant, const std::string& name = "hello_world") {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path p = exe.parent_path().parent_path() / "guest" / variant / name;
        if (fs::is_regular_file(p, ec))
            return fs::canonical(p, ec).string();
    }
    WARN("guest binary " << variant << "/" << name << " not built: skipped");
    return std::nullopt;
}

std::vector<std::byte> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(chars.size());
    std::memcpy(out.data(), chars.data(), chars.size());
    return out;
}

struct TempDir {
    TempDir() {
        static std::atomic<int> counter{0};
        path = fs::temp_directory_path() /
               ("faultline-elf-loader-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path path;
};

void write_file(const fs::path& path, const void* data, std::size_t n, fs::perms perms) {
    {
        std::ofstream out(path, std::ios::binary);
        out.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
        REQUIRE(out);
    }
    fs::permissions(path, perms);
}

std::uint32_t prot_of(const ElfSegment& seg) {
    std::uint32_t prot = 0;
    if (seg.flags & linux_abi::PF_R)
        prot |= kProtRead;
    if (seg.flags & linux_abi::PF_W)
        prot |= kProtWrite;
    if (seg.flags & linux_abi::PF_X)
        prot |= kProtExec;
    return prot;
}

ExecRequest small_request(const std::string& path) {
    ExecRequest req;
    req.path = path;
    req.argv = {"hello_world", "first arg", "", "last"};
    req.envp = {"HOME=/root", "LANG=C", "EMPTY="};
    req.hwcap = 0x178bfbff;
    for (std::size_t i = 0; i < req.random.size(); ++i)
        req.random[i] = static_cast<std::uint8_t>(0xa0 + i * 3);
    req.creds = {1000, 1001, 100, 101};
    return req;
}

std::uint64_t read_u64(AddressSpace& mm, VirtAddr va) {
    std::uint64_t v = 0;
    REQUIRE(mm.copy_from_user(&v, va, sizeof v));
    return v;
}

std::vector<std::uint8_t> read_bytes(AddressSpace& mm, VirtAddr va, std::uint64_t n) {
    std::vector<std::uint8_t> out(n, 0xee);
    REQUIRE(mm.copy_from_user(out.data(), va, n));
    return out;
}

// The bias the loader chose, from the entry point (an ElfImage's entry is unbiased).
std::uint64_t bias_of(const os::proc::ExecImage& img, const ElfImage& elf) { return img.entry - elf.entry; }

}  // namespace

TEST_CASE("ElfLoader maps each PT_LOAD as a VMA with its protection, file and bss") {
    const std::string variant = GENERATE(as<std::string>{}, "musl", "glibc", "glibc-pie");
    INFO("variant " << variant);
    auto path = guest_binary(variant);
    if (!path)
        return;
    auto elf = os::proc::read_elf_file(*path);
    REQUIRE(elf.has_value());
    const auto bytes = read_file(*path);

    PhysicalMemory pmem(kRamBytes);
    os::mm::PageCache cache(pmem);
    NullNotifier mmu;
    auto img = build_exec_image(pmem, &mmu, cache, small_request(*path));
    if (!img)
        FAIL("exec failed: " << img.error().message);
    AddressSpace& mm = *img->mm;
    CHECK(img->absolute_path == *path);

    const std::uint64_t bias = bias_of(*img, *elf);
    CHECK(os::mm::page_aligned(bias));
    if (variant == "glibc-pie") {
        REQUIRE(elf->is_dyn);
        CHECK(bias != 0);
        // A static PIE is placed like an mmap without a hint: top-down below mmap_base.
        const std::uint64_t span = elf->max_vaddr() - elf->min_vaddr();
        CHECK(elf->min_vaddr() + bias == AddressSpace::kMmapBase - span);
        CHECK(elf->max_vaddr() + bias == AddressSpace::kMmapBase);
    } else {
        REQUIRE_FALSE(elf->is_dyn);
        CHECK(bias == 0);
    }
    CHECK(img->entry == elf->entry + bias);
    CHECK(mm.translate(img->entry, os::mm::Access::Execute).has_value());

    std::size_t expected_vmas = 1;  // [stack]
    bool saw_text = false, saw_data = false, saw_bss = false;
    for (std::size_t i = 0; i < elf->loads.size(); ++i) {
        const ElfSegment& seg = elf->loads[i];
        INFO("PT_LOAD " << i << " vaddr 0x" << std::hex << seg.vaddr);
        const VirtAddr start = seg.vaddr + bias;
        const VirtAddr file_end = start + seg.filesz;
        const VirtAddr mem_end = start + seg.memsz;

        // The segment's first page is its own (a later segment may take over its last one).
        const Vma* v = mm.vmas().find_containing(start);
        REQUIRE(v != nullptr);
        CHECK(v->prot == prot_of(seg));
        if (seg.filesz > 0) {
            ++expected_vmas;
            CHECK_FALSE(v->is_anonymous());
            CHECK(v->name == *path);
            CHECK(v->file_offset_of(start) == page_round_down(seg.offset));
            CHECK(v->start == page_round_down(start));
            CHECK(v->end == page_round_up(file_end));
        }
        if (seg.flags & linux_abi::PF_X) {
            saw_text = true;
            CHECK(v->prot == (kProtRead | kProtExec));
            CHECK_FALSE(v->writable());
        }
        if (seg.flags & linux_abi::PF_W) {
            saw_data = true;
            CHECK(v->prot == (kProtRead | kProtWrite));
            CHECK_FALSE(v->executable());
        }

        // File bytes, up to a page shared with the next segment, are the file's.
        VirtAddr cmp_end = file_end;
        if (i + 1 < elf->loads.size())
            cmp_end = std::min(cmp_end, page_round_down(elf->loads[i + 1].vaddr + bias));
        if (cmp_end > start) {
            const auto mem = read_bytes(mm, start, cmp_end - start);
            CHECK(std::memcmp(mem.data(), bytes.data() + seg.offset, mem.size()) == 0);
        }

        // bss reads zero; beyond the last file page it is an anonymous VMA.
        if (seg.memsz > seg.filesz) {
            const auto bss = read_bytes(mm, file_end, seg.memsz - seg.filesz);
            CHECK(std::all_of(bss.begin(), bss.end(), [](std::uint8_t b) { return b == 0; }));
            if (page_round_up(mem_end) > page_round_up(file_end)) {
                saw_bss = true;
                ++expected_vmas;
                const Vma* b = mm.vmas().find_containing(page_round_up(file_end));
                REQUIRE(b != nullptr);
                CHECK(b->is_anonymous());
                CHECK(b->prot == prot_of(seg));
                CHECK(b->start == page_round_up(file_end));
                CHECK(b->end == page_round_up(mem_end));
            }
        }
    }
    CHECK(saw_text);
    CHECK(saw_data);
    if (variant != "musl")
        CHECK(saw_bss);  // the glibc data segments have bss beyond their last file page
    CHECK(mm.vmas().size() == expected_vmas);
    CHECK(mm.vmas().check_invariants() == "");

    // brk starts on the page after the highest segment, with nothing mapped there; a static
    // PIE's brk is at ELF_ET_DYN_BASE (2/3 of TASK_SIZE) page-aligned up instead, as Linux
    // places it (0x555555555000 natively with `setarch -R`).
    std::uint64_t highest = 0;
    for (const ElfSegment& seg : elf->loads)
        highest = std::max(highest, seg.vaddr + seg.memsz);
    if (elf->is_dyn && !elf->interpreter) {
        CHECK(mm.brk_start() == 0x5555'5555'5000ull);
    } else {
        CHECK(mm.brk_start() == page_round_up(highest) + bias);
        CHECK(mm.brk_start() == elf->brk_start() + bias);
    }
    CHECK(os::mm::page_aligned(mm.brk_start()));
    CHECK(mm.current_brk() == mm.brk_start());
    CHECK(mm.vmas().find_containing(mm.brk_start()) == nullptr);
    CHECK(mm.brk(mm.brk_start() + 3 * P) == mm.brk_start() + 3 * P);

    // The stack: [stack], ending at the top of user space, 128 KiB below one argument page.
    const Vma* stack = mm.vmas().find_containing(kUserTop - 1);
    REQUIRE(stack != nullptr);
    CHECK(stack->name == "[stack]");
    CHECK(stack->end == kUserTop);
    CHECK(stack->size() == 132 * 1024);
    CHECK(stack->is_anonymous());
    CHECK(stack->prot == (kProtRead | kProtWrite));
    CHECK((stack->flags & os::mm::kVmGrowsDown) != 0);
    CHECK((stack->flags & os::mm::kVmStack) != 0);
}

TEST_CASE("ElfLoader builds the initial stack: argc, argv, envp, auxv") {
    const std::string variant = GENERATE(as<std::string>{}, "musl", "glibc", "glibc-pie");
    INFO("variant " << variant);
    auto path = guest_binary(variant);
    if (!path)
        return;
    auto elf = os::proc::read_elf_file(*path);
    REQUIRE(elf.has_value());
    const auto bytes = read_file(*path);

    PhysicalMemory pmem(kRamBytes);
    os::mm::PageCache cache(pmem);
    NullNotifier mmu;
    const ExecRequest req = small_request(*path);
    auto img = build_exec_image(pmem, &mmu, cache, req);
    if (!img)
        FAIL("exec failed: " << img.error().message);
    AddressSpace& mm = *img->mm;
    const std::uint64_t bias = bias_of(*img, *elf);

    const VirtAddr rsp = img->stack_pointer;
    CHECK(rsp % 16 == 0);
    const Vma* stack = mm.vmas().find_containing(rsp);
    REQUIRE(stack != nullptr);
    CHECK(stack->name == "[stack]");
    auto on_stack = [&](VirtAddr a) { return a >= rsp && a < kUserTop; };

    VirtAddr sp = rsp;
    const std::uint64_t argc = read_u64(mm, sp);
    sp += 8;
    REQUIRE(argc == req.argv.size());
    for (std::size_t i = 0; i < argc; ++i, sp += 8) {
        const VirtAddr s = read_u64(mm, sp);
        CHECK(on_stack(s));
        CHECK(mm.copy_string_from_user(s, 4096).value() == req.argv[i]);
    }
    CHECK(read_u64(mm, sp) == 0);
    sp += 8;
    for (std::size_t i = 0; i < req.envp.size(); ++i, sp += 8) {
        const VirtAddr s = read_u64(mm, sp);
        CHECK(on_stack(s));
        CHECK(mm.copy_string_from_user(s, 4096).value() == req.envp[i]);
    }
    CHECK(read_u64(mm, sp) == 0);
    sp += 8;

    std::map<std::uint64_t, std::uint64_t> auxv;
    for (int n = 0;; ++n, sp += 16) {
        REQUIRE(n < 64);
        const std::uint64_t type = read_u64(mm, sp);
        const std::uint64_t value = read_u64(mm, sp + 8);
        if (type == linux_abi::AT_NULL) {
            CHECK(value == 0);
            break;
        }
        CHECK(auxv.count(type) == 0);  // each entry once
        auxv[type] = value;
    }
    using namespace linux_abi;
    CHECK(auxv.at(AT_PAGESZ) == 4096);
    CHECK(auxv.at(AT_PHNUM) == elf->phnum);
    CHECK(auxv.at(AT_PHNUM) == elf->header.e_phnum);
    CHECK(auxv.at(AT_PHENT) == sizeof(Elf64_Phdr));
    CHECK(auxv.at(AT_ENTRY) == img->entry);
    CHECK(auxv.at(AT_BASE) == 0);  // no interpreter
    CHECK(auxv.at(AT_SECURE) == 0);
    CHECK(auxv.at(AT_HWCAP) == req.hwcap);
    CHECK(auxv.at(AT_UID) == 1000);
    CHECK(auxv.at(AT_EUID) == 1001);
    CHECK(auxv.at(AT_GID) == 100);
    CHECK(auxv.at(AT_EGID) == 101);
    CHECK(auxv.at(AT_CLKTCK) == 100);

    // AT_PHDR: the program headers as mapped, equal to the file's.
    REQUIRE(auxv.at(AT_PHDR) != 0);
    CHECK(auxv.at(AT_PHDR) == elf->phdr_vaddr + bias);
    const std::uint64_t table = std::uint64_t{elf->header.e_phnum} * sizeof(Elf64_Phdr);
    const auto phdrs = read_bytes(mm, auxv.at(AT_PHDR), table);
    CHECK(std::memcmp(phdrs.data(), bytes.data() + elf->header.e_phoff, table) == 0);

    const VirtAddr random = auxv.at(AT_RANDOM);
    CHECK(on_stack(random));
    const auto rnd = read_bytes(mm, random, 16);
    CHECK(std::equal(rnd.begin(), rnd.end(), req.random.begin()));

    CHECK(on_stack(auxv.at(AT_EXECFN)));
    CHECK(mm.copy_string_from_user(auxv.at(AT_EXECFN), 4096).value() == req.path);
    CHECK(on_stack(auxv.at(AT_PLATFORM)));
    CHECK(mm.copy_string_from_user(auxv.at(AT_PLATFORM), 64).value() == "x86_64");
}

TEST_CASE("ElfLoader zeroes a data segment's last file page past p_filesz") {
    const std::string variant = GENERATE(as<std::string>{}, "musl", "glibc", "glibc-pie");
    INFO("variant " << variant);
    auto path = guest_binary(variant);
    if (!path)
        return;
    auto elf = os::proc::read_elf_file(*path);
    REQUIRE(elf.has_value());
    const auto bytes = read_file(*path);

    const ElfSegment* data = nullptr;
    for (const ElfSegment& seg : elf->loads)
        if ((seg.flags & linux_abi::PF_W) && seg.memsz > seg.filesz && !os::mm::page_aligned(seg.vaddr + seg.filesz))
            data = &seg;
    REQUIRE(data != nullptr);

    PhysicalMemory pmem(kRamBytes);
    os::mm::PageCache cache(pmem);
    NullNotifier mmu;
    auto img = build_exec_image(pmem, &mmu, cache, small_request(*path));
    if (!img)
        FAIL("exec failed: " << img.error().message);
    const std::uint64_t bias = bias_of(*img, *elf);

    const VirtAddr file_end = data->vaddr + bias + data->filesz;
    const std::uint64_t tail = page_round_up(file_end) - file_end;
    // The file has data after p_filesz on that page (else the test could not fail).
    const std::uint64_t tail_off = data->offset + data->filesz;
    bool file_has_data = false;
    for (std::uint64_t i = 0; i < tail && tail_off + i < bytes.size(); ++i)
        file_has_data |= bytes[tail_off + i] != std::byte{0};
    if (!file_has_data)
        WARN("the file has only zeros after p_filesz: this check cannot fail for " << variant);

    const auto mem = read_bytes(*img->mm, file_end, tail);
    CHECK(std::all_of(mem.begin(), mem.end(), [](std::uint8_t b) { return b == 0; }));
    // ... while the bytes before p_filesz are the file's.
    const auto head = read_bytes(*img->mm, file_end - 64, 64);
    CHECK(std::memcmp(head.data(), bytes.data() + tail_off - 64, 64) == 0);
}

TEST_CASE("ElfLoader refuses argument lists over the limit with E2BIG") {
    auto path = guest_binary("musl");
    if (!path)
        return;
    PhysicalMemory pmem(kRamBytes);
    os::mm::PageCache cache(pmem);
    NullNotifier mmu;
    const auto free_before = pmem.free_frame_count();

    ExecRequest req = small_request(*path);
    req.argv.assign(40, std::string(64 * 1024, 'a'));  // 2.5 MiB of strings
    auto img = build_exec_image(pmem, &mmu, cache, req);
    REQUIRE_FALSE(img.has_value());
    CHECK(img.error().error == Errno::e2big);
    CHECK_FALSE(img.error().message.empty());

    ExecRequest env = small_request(*path);
    env.envp.assign(40, "X=" + std::string(64 * 1024, 'b'));
    auto img2 = build_exec_image(pmem, &mmu, cache, env);
    REQUIRE_FALSE(img2.has_value());
    CHECK(img2.error().error == Errno::e2big);
    // Nothing of the half-built address spaces is left behind.
    // Frames are either free again or held by the page cache (file pages stay cached).
    CHECK(pmem.free_frame_count() + cache.cached_pages() == free_before);

    // Large but within the limit works, and the stack VMA grows to hold the strings.
    ExecRequest big = small_request(*path);
    big.argv.assign(16, std::string(64 * 1024, 'c'));
    auto ok = build_exec_image(pmem, &mmu, cache, big);
    if (!ok)
        FAIL("exec failed: " << ok.error().message);
    const Vma* stack = ok->mm->vmas().find_containing(kUserTop - 1);
    REQUIRE(stack);
    CHECK(stack->size() > 16 * 64 * 1024 + 128 * 1024);
    CHECK(read_u64(*ok->mm, ok->stack_pointer) == 16);
}

TEST_CASE("ElfLoader exec errors: ENOEXEC, ENOENT, EACCES") {
    TempDir dir;
    PhysicalMemory pmem(kRamBytes);
    os::mm::PageCache cache(pmem);
    NullNotifier mmu;
    const auto free_before = pmem.free_frame_count();
    const auto exec_perms = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec;

    SECTION("ENOEXEC for a file that is not ELF") {
        const std::string text = "this is not an executable\n";
        const fs::path p = dir.path / "text";
        write_file(p, text.data(), text.size(), exec_perms);
        auto img = build_exec_image(pmem, &mmu, cache, small_request(p.string()));
        REQUIRE_FALSE(img.has_value());
        CHECK(img.error().error == Errno::enoexec);
        CHECK_FALSE(img.error().message.empty());
        // One line; the caller names the path itself.
        CHECK(img.error().message.find('\n') == std::string::npos);
        CHECK(img.error().message.find("ELF") != std::string::npos);
    }

    SECTION("ENOEXEC for truncated copies of a real binary") {
        auto path = guest_binary("glibc");
        if (!path)
            return;
        const auto bytes = read_file(*path);
        auto elf = os::proc::read_elf_file(*path);
        REQUIRE(elf.has_value());
        // Cut inside the header, the program headers, the text, and the last file byte of
        // the last PT_LOAD (what follows, section headers and debug info, is not needed).
        const ElfSegment& text = elf->loads.at(1);
        const ElfSegment& last = elf->loads.back();
        for (std::size_t keep : {std::size_t{0}, std::size_t{20}, std::size_t{63}, std::size_t{200},
                                 static_cast<std::size_t>(text.offset + text.filesz / 2),
                                 static_cast<std::size_t>(last.offset + last.filesz - 1)}) {
            INFO("truncated to " << keep << " of " << bytes.size() << " bytes");
            const fs::path p = dir.path / ("trunc" + std::to_string(keep));
            write_file(p, bytes.data(), keep, exec_perms);
            auto img = build_exec_image(pmem, &mmu, cache, small_request(p.string()));
            REQUIRE_FALSE(img.has_value());
            CHECK(img.error().error == Errno::enoexec);
            CHECK_FALSE(img.error().message.empty());
        }
    }

    SECTION("ENOENT for a missing file") {
        auto img = build_exec_image(pmem, &mmu, cache, small_request((dir.path / "missing").string()));
        REQUIRE_FALSE(img.has_value());
        CHECK(img.error().error == Errno::enoent);
        CHECK_FALSE(img.error().message.empty());
    }

    SECTION("EACCES for a file without execute permission, and for a directory") {
        auto path = guest_binary("musl");
        if (!path)
            return;
        const auto bytes = read_file(*path);
        const fs::path p = dir.path / "noexec";
        write_file(p, bytes.data(), bytes.size(), fs::perms::owner_read | fs::perms::owner_write |
                                                      fs::perms::group_read | fs::perms::others_read);  // 0644
        auto img = build_exec_image(pmem, &mmu, cache, small_request(p.string()));
        REQUIRE_FALSE(img.has_value());
        CHECK(img.error().error == Errno::eacces);
        CHECK_FALSE(img.error().message.empty());

        // The same bytes with the execute bit run.
        fs::permissions(p, exec_perms);
        auto ok = build_exec_image(pmem, &mmu, cache, small_request(p.string()));
        CHECK(ok.has_value());

        auto d = build_exec_image(pmem, &mmu, cache, small_request(dir.path.string()));
        REQUIRE_FALSE(d.has_value());
        CHECK(d.error().error == Errno::eacces);
    }
    // Frames are either free again or held by the page cache (file pages stay cached).
    CHECK(pmem.free_frame_count() + cache.cached_pages() == free_before);
}
