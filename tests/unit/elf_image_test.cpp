// ELF parsing and validation (os/proc/elf_image.h): a synthetic image built in memory, one
// corruption at a time, real static binaries from the host, and a mutation fuzzer.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "os/mm/types.h"
#include "os/proc/elf_image.h"

namespace {

using namespace linux_abi;
using Catch::Matchers::Contains;
using os::mm::kUserTop;
using os::proc::ElfImage;
using os::proc::parse_elf;
using os::proc::read_elf_file;

constexpr std::uint64_t kInterpOffset = 0x200;

// A small dynamically linked ET_EXEC laid out the way ld lays out a real one:
//   [0] PT_PHDR       vaddr 0x400040  (the table at file offset 64)
//   [1] PT_INTERP     offset 0x200    "/lib/ld-test.so.1\0"
//   [2] PT_LOAD R     vaddr 0x400000  offset 0       filesz 0x300  memsz 0x300
//   [3] PT_LOAD R X   vaddr 0x401000  offset 0x1000  filesz 0x800  memsz 0x800  (entry 0x401010)
//   [4] PT_LOAD RW    vaddr 0x402900  offset 0x1900  filesz 0x100  memsz 0x2000 (bss)
//   [5] PT_GNU_STACK  RW
// in a file of 0x2000 bytes. Tests edit the fields, then serialize with bytes().
struct TestElf {
    Elf64_Ehdr eh{};
    std::vector<Elf64_Phdr> ph;
    std::string interp = "/lib/ld-test.so.1";
    std::size_t file_size = 0x2000;

    // The phdr vector at e_phoff, the interp string (with its NUL) at 0x200 and the ehdr at 0,
    // each written only as far as it fits, so that corrupt offsets stay corrupt. The ehdr goes
    // last so that a table placed over it cannot change the header under test.
    std::vector<std::byte> bytes() const {
        std::vector<std::byte> out(file_size, std::byte{0xcc});
        put(out, eh.e_phoff, ph.data(), ph.size() * sizeof(Elf64_Phdr));
        put(out, kInterpOffset, interp.c_str(), interp.size() + 1);
        put(out, 0, &eh, sizeof eh);
        return out;
    }

    static void put(std::vector<std::byte>& out, std::uint64_t off, const void* src,
                    std::size_t len) {
        if (off >= out.size()) return;
        std::memcpy(out.data() + off, src, std::min<std::uint64_t>(len, out.size() - off));
    }
};

Elf64_Phdr phdr(Elf64_Word type, Elf64_Word flags, std::uint64_t offset, std::uint64_t vaddr,
                std::uint64_t filesz, std::uint64_t memsz, std::uint64_t align = 0x1000) {
    return Elf64_Phdr{.p_type = type,
                      .p_flags = flags,
                      .p_offset = offset,
                      .p_vaddr = vaddr,
                      .p_paddr = vaddr,
                      .p_filesz = filesz,
                      .p_memsz = memsz,
                      .p_align = align};
}

TestElf valid_exec() {
    TestElf t;
    std::memcpy(t.eh.e_ident, ELFMAG, sizeof ELFMAG);
    t.eh.e_ident[EI_CLASS] = ELFCLASS64;
    t.eh.e_ident[EI_DATA] = ELFDATA2LSB;
    t.eh.e_ident[EI_VERSION] = EV_CURRENT;
    t.eh.e_type = ET_EXEC;
    t.eh.e_machine = EM_X86_64;
    t.eh.e_version = EV_CURRENT;
    t.eh.e_entry = 0x401010;
    t.eh.e_phoff = sizeof(Elf64_Ehdr);
    t.eh.e_ehsize = sizeof(Elf64_Ehdr);
    t.eh.e_phentsize = sizeof(Elf64_Phdr);
    t.ph = {
        phdr(PT_PHDR, PF_R, 64, 0x400040, 6 * sizeof(Elf64_Phdr), 6 * sizeof(Elf64_Phdr), 8),
        phdr(PT_INTERP, PF_R, kInterpOffset, 0x400200, 18, 18, 1),
        phdr(PT_LOAD, PF_R, 0, 0x400000, 0x300, 0x300),
        phdr(PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x800, 0x800),
        phdr(PT_LOAD, PF_R | PF_W, 0x1900, 0x402900, 0x100, 0x2000),
        phdr(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16),
    };
    t.eh.e_phnum = static_cast<Elf64_Half>(t.ph.size());
    return t;
}

// The same layout as a static-PIE: ET_DYN linked at 0, no interpreter.
TestElf valid_static_pie() {
    TestElf t = valid_exec();
    t.eh.e_type = ET_DYN;
    t.eh.e_entry = 0x1010;
    t.ph[1].p_type = PT_NULL;
    for (Elf64_Phdr& p : t.ph)
        if (p.p_vaddr) p.p_vaddr = p.p_paddr = p.p_vaddr - 0x400000;
    return t;
}

// The error message of a parse that must fail (and fails the test if it succeeded).
std::string error_of(const std::vector<std::byte>& bytes) {
    auto result = parse_elf(bytes);
    if (result) {
        FAIL_CHECK("parse_elf unexpectedly succeeded");
        return {};
    }
    const std::string& msg = result.error().message;
    CHECK_FALSE(msg.empty());
    CHECK(msg.find('\n') == std::string::npos);
    return msg;
}
std::string error_of(const TestElf& t) { return error_of(t.bytes()); }

bool fits(std::uint64_t off, std::uint64_t len, std::uint64_t limit) {
    return off <= limit && len <= limit - off;
}

// Every documented invariant of a successfully parsed image; the first violated, or "".
std::string violation(const ElfImage& img, std::span<const std::byte> file) {
    if (std::memcmp(&img.header, file.data(), sizeof img.header) != 0) return "header copy";
    if (img.header.e_type != ET_EXEC && img.header.e_type != ET_DYN) return "e_type";
    if (img.is_dyn != (img.header.e_type == ET_DYN)) return "is_dyn";
    if (img.phentsize != sizeof(Elf64_Phdr)) return "phentsize";
    if (img.phnum == 0 || img.phnum > os::proc::kMaxPhnum) return "phnum";
    if (!fits(img.header.e_phoff, std::uint64_t{img.phnum} * img.phentsize, file.size()))
        return "phdr table in file";
    if (img.loads.empty()) return "no loads";
    bool entry_ok = false, phdr_ok = img.phdr_vaddr == 0;
    for (std::size_t i = 0; i < img.loads.size(); ++i) {
        const auto& s = img.loads[i];
        if (s.memsz == 0 || s.filesz > s.memsz) return "sizes";
        if (!fits(s.offset, s.filesz, file.size())) return "file range";
        if (!fits(s.vaddr, s.memsz, kUserTop)) return "address range";
        if (os::mm::page_offset(s.vaddr) != os::mm::page_offset(s.offset)) return "congruence";
        if (i > 0 && s.vaddr < img.loads[i - 1].vaddr + img.loads[i - 1].memsz) return "order";
        if (img.entry >= s.vaddr && img.entry - s.vaddr < s.memsz && (s.flags & PF_X))
            entry_ok = true;
        if (img.phdr_vaddr >= s.vaddr &&
            fits(img.phdr_vaddr - s.vaddr, std::uint64_t{img.phnum} * img.phentsize, s.filesz))
            phdr_ok = true;
    }
    if (!entry_ok) return "entry";
    if (!phdr_ok) return "phdr_vaddr";
    if (img.interpreter &&
        (img.interpreter->empty() || img.interpreter->size() >= os::proc::kMaxInterpPath ||
         img.interpreter->find('\0') != std::string::npos))
        return "interpreter";
    if (!os::mm::page_aligned(img.min_vaddr()) || !os::mm::page_aligned(img.max_vaddr()) ||
        img.min_vaddr() >= img.max_vaddr() || img.max_vaddr() > kUserTop ||
        img.brk_start() != img.max_vaddr())
        return "image bounds";
    return "";
}

// A scratch directory for read_elf_file tests, removed afterwards.
struct TempDir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("faultline_elf_test_" + std::to_string(::getpid()));
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string write(const std::string& name, const std::vector<std::byte>& bytes) const {
        const std::string file = (path / name).string();
        std::ofstream(file, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
        return file;
    }
};

}  // namespace

TEST_CASE("ElfImage parses a valid dynamically linked ET_EXEC") {
    const auto bytes = valid_exec().bytes();
    auto img = parse_elf(bytes);
    REQUIRE(img);
    CHECK(violation(*img, bytes) == "");
    CHECK_FALSE(img->is_dyn);
    CHECK(img->entry == 0x401010);
    CHECK(img->interpreter == "/lib/ld-test.so.1");
    CHECK(img->phdr_vaddr == 0x400040);
    CHECK(img->phnum == 6);
    CHECK(img->phentsize == 56);
    CHECK_FALSE(img->exec_stack);
    REQUIRE(img->loads.size() == 3);
    CHECK(img->loads[0].vaddr == 0x400000);
    CHECK(img->loads[0].flags == PF_R);
    CHECK(img->loads[1].vaddr == 0x401000);
    CHECK(img->loads[1].offset == 0x1000);
    CHECK(img->loads[1].flags == (PF_R | PF_X));
    CHECK(img->loads[2].vaddr == 0x402900);
    CHECK(img->loads[2].offset == 0x1900);
    CHECK(img->loads[2].filesz == 0x100);
    CHECK(img->loads[2].memsz == 0x2000);
    CHECK(img->loads[2].align == 0x1000);
    CHECK(img->min_vaddr() == 0x400000);
    CHECK(img->max_vaddr() == 0x405000);  // 0x402900 + 0x2000 rounded up
    CHECK(img->brk_start() == 0x405000);
}

TEST_CASE("ElfImage parses a static-PIE ET_DYN") {
    const auto bytes = valid_static_pie().bytes();
    auto img = parse_elf(bytes);
    REQUIRE(img);
    CHECK(violation(*img, bytes) == "");
    CHECK(img->is_dyn);
    CHECK(img->entry == 0x1010);
    CHECK_FALSE(img->interpreter);
    CHECK(img->phdr_vaddr == 0x40);
    CHECK(img->min_vaddr() == 0);
    CHECK(img->brk_start() == 0x5000);
}

TEST_CASE("ElfImage phdr_vaddr without PT_PHDR") {
    TestElf t = valid_exec();
    t.ph[0].p_type = PT_NULL;
    SECTION("derived from the PT_LOAD whose file bytes hold the table") {
        auto img = parse_elf(t.bytes());
        REQUIRE(img);
        CHECK(img->phdr_vaddr == 0x400040);
    }
    SECTION("0 when no PT_LOAD maps the table") {
        t.ph[2].p_offset = 0x1000;  // the R segment now maps file page 1, not page 0
        auto img = parse_elf(t.bytes());
        REQUIRE(img);
        CHECK(img->phdr_vaddr == 0);
    }
}

TEST_CASE("ElfImage PT_PHDR must point at file-backed PT_LOAD bytes") {
    TestElf t = valid_exec();
    SECTION("outside every segment") { t.ph[0].p_vaddr = 0x900000; }
    SECTION("in bss") { t.ph[0].p_vaddr = 0x402a00; }
    SECTION("overflowing") { t.ph[0].p_vaddr = ~0ull - 8; }
    CHECK_THAT(error_of(t), Contains("PT_PHDR"));
}

TEST_CASE("ElfImage exec_stack follows PT_GNU_STACK") {
    TestElf t = valid_exec();
    SECTION("RWX means an executable stack") {
        t.ph[5].p_flags = PF_R | PF_W | PF_X;
        auto img = parse_elf(t.bytes());
        REQUIRE(img);
        CHECK(img->exec_stack);
    }
    SECTION("absent means a non-executable stack on x86-64 (Linux >= 5.8)") {
        t.ph[5].p_type = PT_NULL;
        auto img = parse_elf(t.bytes());
        REQUIRE(img);
        CHECK_FALSE(img->exec_stack);
    }
}

TEST_CASE("ElfImage skips zero-memsz PT_LOAD like Linux") {
    TestElf t = valid_exec();
    t.ph[5] = phdr(PT_LOAD, PF_R, 0xdead000, 0x100, 0, 0);  // garbage, but empty
    auto img = parse_elf(t.bytes());
    REQUIRE(img);
    CHECK(img->loads.size() == 3);
}

TEST_CASE("ElfImage allows PT_LOADs sharing a boundary page, not bytes") {
    TestElf t = valid_exec();
    SECTION("data starting in the page where text ends") {
        t.ph[4].p_vaddr = 0x401900;  // text ends at 0x401800
        auto img = parse_elf(t.bytes());
        REQUIRE(img);
        CHECK(img->loads[2].vaddr == 0x401900);
        CHECK(img->max_vaddr() == 0x404000);
    }
    SECTION("data starting exactly where text ends") {
        t.ph[4].p_vaddr = 0x401800;
        t.ph[4].p_offset = 0x1800;
        CHECK(parse_elf(t.bytes()));
    }
    SECTION("data overlapping the last byte of text") {
        t.ph[4].p_vaddr = 0x4017ff;
        t.ph[4].p_offset = 0x17ff;
        CHECK_THAT(error_of(t), Contains("ELF segment 4") && Contains("overlaps"));
    }
}

TEST_CASE("ElfImage rejects a file too short for a header") {
    auto bytes = valid_exec().bytes();
    SECTION("empty") { bytes.clear(); }
    SECTION("63 bytes") { bytes.resize(63); }
    SECTION("3 bytes") { bytes.resize(3); }
    CHECK_THAT(error_of(bytes), Contains("too short"));
}

TEST_CASE("ElfImage rejects bad magic") {
    TestElf t = valid_exec();
    t.eh.e_ident[1] = 'X';
    CHECK_THAT(error_of(t), Contains("bad magic"));
    const std::string script = "#!/bin/sh\n";
    std::vector<std::byte> bytes(script.size());
    std::memcpy(bytes.data(), script.data(), script.size());
    CHECK_THAT(error_of(bytes), Contains("bad magic"));
}

TEST_CASE("ElfImage rejects a 32-bit ELF") {
    TestElf t = valid_exec();
    t.eh.e_ident[EI_CLASS] = ELFCLASS32;
    CHECK_THAT(error_of(t), Contains("ELFCLASS32"));
    t.eh.e_ident[EI_CLASS] = 7;
    CHECK_THAT(error_of(t), Contains("class 7"));
}

TEST_CASE("ElfImage rejects big-endian") {
    TestElf t = valid_exec();
    t.eh.e_ident[EI_DATA] = ELFDATA2MSB;
    CHECK_THAT(error_of(t), Contains("little-endian"));
}

TEST_CASE("ElfImage rejects a bad version") {
    TestElf t = valid_exec();
    SECTION("e_ident[EI_VERSION]") { t.eh.e_ident[EI_VERSION] = 0; }
    SECTION("e_version") { t.eh.e_version = 2; }
    CHECK_THAT(error_of(t), Contains("version"));
}

TEST_CASE("ElfImage rejects a foreign machine, naming it") {
    TestElf t = valid_exec();
    t.eh.e_machine = EM_ARM;
    CHECK(error_of(t) == "ELF machine 40 (ARM) is not x86-64");
    t.eh.e_machine = EM_AARCH64;
    CHECK_THAT(error_of(t), Contains("183 (AArch64)"));
    t.eh.e_machine = 9999;
    CHECK_THAT(error_of(t), Contains("9999"));
}

TEST_CASE("ElfImage rejects types other than ET_EXEC and ET_DYN") {
    TestElf t = valid_exec();
    t.eh.e_type = ET_REL;
    CHECK_THAT(error_of(t), Contains("ET_REL"));
    t.eh.e_type = ET_CORE;
    CHECK_THAT(error_of(t), Contains("ET_CORE"));
    t.eh.e_type = 0xfe00;
    CHECK_THAT(error_of(t), Contains("0xfe00"));
}

TEST_CASE("ElfImage rejects a wrong program header entry size") {
    TestElf t = valid_exec();
    t.eh.e_phentsize = 32;
    CHECK_THAT(error_of(t), Contains("entry size 32"));
}

TEST_CASE("ElfImage rejects a bad program header count") {
    TestElf t = valid_exec();
    SECTION("none") {
        t.eh.e_phnum = 0;
        CHECK_THAT(error_of(t), Contains("no program headers"));
    }
    SECTION("huge") {
        t.eh.e_phnum = 1025;
        t.file_size = 0x20000;  // big enough that only the count is wrong
        CHECK_THAT(error_of(t), Contains("1025 program headers"));
    }
    SECTION("PN_XNUM") {
        t.eh.e_phnum = PN_XNUM;
        CHECK_THAT(error_of(t), Contains("PN_XNUM"));
    }
}

TEST_CASE("ElfImage rejects a program header table outside the file") {
    TestElf t = valid_exec();
    SECTION("past the end") { t.eh.e_phoff = 0x1f00; }
    SECTION("offset + size overflows") { t.eh.e_phoff = ~0ull - 100; }
    SECTION("truncated file") { t.file_size = 0x100; }
    CHECK_THAT(error_of(t), Contains("program header table") && Contains("beyond end of file"));
    t = valid_exec();
    t.eh.e_phoff = 8;
    CHECK_THAT(error_of(t), Contains("overlaps the ELF header"));
}

TEST_CASE("ElfImage rejects PT_LOAD with filesz > memsz") {
    TestElf t = valid_exec();
    t.ph[4].p_filesz = 0x2001;
    CHECK_THAT(error_of(t), Contains("ELF segment 4") && Contains("larger than memory size"));
}

TEST_CASE("ElfImage rejects PT_LOAD file range outside the file") {
    TestElf t = valid_exec();
    SECTION("past the end") {
        t.ph[3].p_filesz = 0x999999 - 0x1000;
        t.ph[3].p_memsz = 0x999999 - 0x1000;
        CHECK(error_of(t) ==
              "ELF segment 3: file range [0x1000, 0x999999) is beyond end of file (size 0x2000)");
    }
    SECTION("offset + filesz overflows") {
        t.ph[3].p_offset = ~0ull - 0xfff;  // congruent with vaddr 0x401000
        t.ph[3].p_filesz = t.ph[3].p_memsz = 0x1000;  // ends at 2^64
        CHECK_THAT(error_of(t), Contains("ELF segment 3") && Contains("overflows"));
    }
}

TEST_CASE("ElfImage rejects PT_LOAD addresses beyond user space") {
    TestElf t = valid_exec();
    SECTION("vaddr + memsz overflows") { t.ph[4].p_memsz = ~0ull - 0x1000; }
    SECTION("far above kUserTop") { t.ph[4].p_vaddr = 0xffff'8000'0000'0900; }
    SECTION("ending one byte past kUserTop") {
        t.ph[4].p_vaddr = kUserTop - 0x1700;
        t.ph[4].p_memsz = 0x1701;
    }
    CHECK_THAT(error_of(t), Contains("ELF segment 4") && Contains("user address limit"));
    t = valid_exec();
    t.ph[4].p_vaddr = kUserTop - 0x1700;  // ends exactly at the limit: fine
    t.ph[4].p_memsz = 0x1700;
    CHECK(parse_elf(t.bytes()));
}

TEST_CASE("ElfImage rejects PT_LOAD with vaddr and offset not congruent") {
    TestElf t = valid_exec();
    t.ph[4].p_offset = 0x1908;
    CHECK_THAT(error_of(t), Contains("ELF segment 4") && Contains("congruent"));
}

TEST_CASE("ElfImage rejects PT_LOADs out of order or overlapping") {
    TestElf t = valid_exec();
    SECTION("descending") {
        std::swap(t.ph[3], t.ph[4]);
        CHECK_THAT(error_of(t), Contains("ELF segment 4") && Contains("ascending"));
    }
    SECTION("overlapping") {
        t.ph[3].p_memsz = 0x1a00;  // text now runs into data at 0x402900
        CHECK_THAT(error_of(t), Contains("ELF segment 4") && Contains("overlaps"));
    }
}

TEST_CASE("ElfImage rejects an image without PT_LOAD") {
    TestElf t = valid_exec();
    SECTION("none at all") {
        for (int i : {2, 3, 4}) t.ph[i].p_type = PT_NOTE;
    }
    SECTION("only empty ones") {
        for (int i : {2, 3, 4}) t.ph[i].p_memsz = t.ph[i].p_filesz = 0;
    }
    CHECK_THAT(error_of(t), Contains("no non-empty PT_LOAD"));
}

TEST_CASE("ElfImage rejects a bad PT_INTERP") {
    TestElf t = valid_exec();
    SECTION("two of them") {
        t.ph[5] = t.ph[1];
        CHECK_THAT(error_of(t), Contains("more than one PT_INTERP"));
    }
    SECTION("size 0") {
        t.ph[1].p_filesz = 0;
        CHECK_THAT(error_of(t), Contains("PT_INTERP") && Contains("empty"));
    }
    SECTION("only a NUL") {
        t.interp = "";
        t.ph[1].p_filesz = 1;
        CHECK_THAT(error_of(t), Contains("PT_INTERP") && Contains("empty"));
    }
    SECTION("longer than PATH_MAX") {
        t.ph[1].p_filesz = 4097;
        CHECK_THAT(error_of(t), Contains("PT_INTERP") && Contains("PATH_MAX"));
    }
    SECTION("outside the file") {
        t.ph[1].p_offset = 0x1ff8;
        CHECK_THAT(error_of(t), Contains("PT_INTERP") && Contains("beyond end of file"));
        t.ph[1].p_offset = ~0ull - 4;
        CHECK_THAT(error_of(t), Contains("PT_INTERP") && Contains("overflows"));
    }
    SECTION("not NUL-terminated") {
        t.ph[1].p_filesz = 17;  // stops just before the NUL
        CHECK_THAT(error_of(t), Contains("PT_INTERP") && Contains("NUL"));
    }
}

TEST_CASE("ElfImage PT_INTERP is cut at an embedded NUL, as Linux uses it") {
    TestElf t = valid_exec();
    t.interp = std::string("/lib/ld.so\0junk", 15);
    t.ph[1].p_filesz = 16;
    auto img = parse_elf(t.bytes());
    REQUIRE(img);
    CHECK(img->interpreter == "/lib/ld.so");
}

TEST_CASE("ElfImage rejects an entry point outside executable code") {
    TestElf t = valid_exec();
    SECTION("ET_EXEC, in a read-only segment") {
        t.eh.e_entry = 0x400100;
        CHECK_THAT(error_of(t), Contains("entry point 0x400100") && Contains("non-executable"));
    }
    SECTION("ET_EXEC, in no segment") {
        t.eh.e_entry = 0x300000;
        CHECK_THAT(error_of(t), Contains("entry point 0x300000") && Contains("not inside"));
    }
    SECTION("ET_EXEC, one past the end of text") {
        t.eh.e_entry = 0x401800;
        CHECK_THAT(error_of(t), Contains("entry point"));
    }
    SECTION("ET_DYN, beyond the image") {
        t = valid_static_pie();
        t.eh.e_entry = 0x10000;
        CHECK_THAT(error_of(t), Contains("entry point 0x10000") && Contains("not inside"));
    }
}

TEST_CASE("ElfImage parses the host's static binaries") {
    // busybox-static and bash-static on Debian 12 are static non-PIE ET_EXEC (`file` says
    // "LSB executable ... statically linked"), linked at 0x400000 with the phdrs at +64.
    for (const char* path : {"/bin/busybox", "/bin/bash-static"}) {
        INFO(path);
        if (!std::filesystem::exists(path)) {
            WARN(std::string(path) + " not installed: skipped");
            continue;
        }
        auto img = read_elf_file(path);
        REQUIRE(img);
        std::ifstream in(path, std::ios::binary);
        std::vector<char> raw((std::istreambuf_iterator<char>(in)), {});
        CHECK(violation(*img, std::as_bytes(std::span(raw))) == "");
        CHECK(img->header.e_type == ET_EXEC);
        CHECK_FALSE(img->is_dyn);
        CHECK_FALSE(img->interpreter);
        CHECK(img->loads.size() >= 2);
        CHECK(img->min_vaddr() == 0x400000);
        CHECK(img->phdr_vaddr == img->min_vaddr() + img->header.e_phoff);
        CHECK_FALSE(img->exec_stack);  // both carry PT_GNU_STACK RW
    }
}

TEST_CASE("ElfImage read_elf_file refuses what it cannot or must not read") {
    TempDir dir;
    SECTION("missing") {
        auto r = read_elf_file((dir.path / "nope").string());
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Contains("nope") && Contains("cannot open"));
    }
    SECTION("a directory") {
        auto r = read_elf_file(dir.path.string());
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Contains("not a regular file"));
    }
    SECTION("a character device") {
        auto r = read_elf_file("/dev/null");
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Contains("not a regular file"));
    }
    SECTION("a FIFO without a writer, which must not block") {
        const std::string fifo = (dir.path / "fifo").string();
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        auto r = read_elf_file(fifo);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Contains("not a regular file"));
    }
    SECTION("larger than 1 GiB (sparse)") {
        const std::string big = dir.write("big", {});
        std::filesystem::resize_file(big, os::proc::kMaxElfFileSize + 1);
        auto r = read_elf_file(big);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Contains("too large"));
    }
    SECTION("a valid file") {
        auto r = read_elf_file(dir.write("ok", valid_exec().bytes()));
        REQUIRE(r);
        CHECK(r->interpreter == "/lib/ld-test.so.1");
    }
    SECTION("an invalid file: the message names the path") {
        TestElf t = valid_exec();
        t.eh.e_machine = EM_RISCV;
        const std::string file = dir.write("riscv", t.bytes());
        auto r = read_elf_file(file);
        REQUIRE_FALSE(r);
        CHECK(r.error().message == file + ": ELF machine 243 (RISC-V) is not x86-64");
    }
}

TEST_CASE("ElfImage survives 20000 random mutations") {
    // Mutations aim mostly at the header, the phdr table and the interp string, where a
    // changed byte changes what gets validated; the rest of the file is opaque payload.
    std::mt19937_64 rng(0x5eed'e1f0);
    const std::vector<std::byte> bases[] = {valid_exec().bytes(), valid_static_pie().bytes()};
    const std::uint64_t interesting[] = {0,       1,         0xfff,       0x1000,    0x2000,
                                         0x400000, kUserTop, kUserTop - 1, ~0ull,     ~0ull >> 1,
                                         1ull << 32, 0x401010, 0x40,       PT_LOAD,   PF_X};
    int parsed = 0, rejected = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        std::vector<std::byte> bytes = bases[iter % 2];
        const int mutations = 1 + static_cast<int>(rng() % 4);
        for (int m = 0; m < mutations && !bytes.empty(); ++m) {
            const auto hot = std::min<std::size_t>(bytes.size(), kInterpOffset + 32);
            switch (rng() % 10) {
            case 0: bytes.resize(rng() % (bytes.size() + 1)); break;
            case 1: bytes[rng() % bytes.size()] = static_cast<std::byte>(rng() & 0xff); break;
            case 2:
            case 3: {  // a whole field-sized interesting value, 8-aligned
                const std::uint64_t v = interesting[rng() % std::size(interesting)];
                const std::size_t off = (rng() % hot) & ~std::size_t{7};
                std::memcpy(bytes.data() + off, &v, std::min<std::size_t>(8, bytes.size() - off));
                break;
            }
            default: bytes[rng() % hot] = static_cast<std::byte>(rng() & 0xff); break;
            }
        }
        auto img = parse_elf(bytes);
        if (img) {
            ++parsed;
            const std::string bad = violation(*img, bytes);
            if (!bad.empty()) FAIL("iteration " << iter << ": invariant violated: " << bad);
        } else {
            ++rejected;
            if (img.error().message.empty() ||
                img.error().message.find('\n') != std::string::npos)
                FAIL("iteration " << iter << ": malformed message: " << img.error().message);
        }
    }
    INFO("parsed " << parsed << ", rejected " << rejected);
    CHECK(parsed > 1000);  // the fuzzer would be useless if it only produced garbage
    CHECK(rejected > 1000);
}
