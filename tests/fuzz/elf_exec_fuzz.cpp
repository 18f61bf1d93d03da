// Fuzz target: execve of a file whose contents the fuzzer chooses, past opening the file.
// A "#!" script: its first line parsed as load_script() does (os/proc/binfmt_script.cpp) and
// the interpreter's argv built. An ELF program: parsing and validating the ELF header, the program headers, PT_INTERP, PT_PHDR and
// PT_GNU_STACK (os/proc/elf_image.cpp), the interpreter's checks (binfmt_elf.cpp), mapping
// the segments and the bss into an address space (elf_loader.cpp), the brk and the initial
// stack (initial_stack.cpp); then the first accesses a program makes (its entry point, its
// program headers, argc), which fault file pages in from the page cache.
//
// Input: the program file; if it contains kInterpSeparator, the bytes after it are the
// interpreter's file, otherwise the program is its own interpreter (when it names one). Both
// are memfds, so the page cache reads them as it reads any host file.
//
// Properties: a parsed image keeps the invariants ElfImage documents; a loaded program's
// entry point is in an executable mapping, everything is mapped below the end of user space,
// and the initial stack holds argc.
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string_view>

#include "os/mm/address_space.h"
#include "os/mm/page_cache.h"
#include "os/proc/binfmt_elf.h"
#include "os/proc/binfmt_script.h"
#include "os/proc/elf_image.h"
#include "os/proc/initial_stack.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/guest_region.h"

namespace {

using namespace os::mm;
using os::proc::ElfImage;

constexpr std::string_view kInterpSeparator = "\n--faultline-interp--\n";

// A memfd holding `bytes`, as the page cache's file.
std::shared_ptr<CachedFile> memfd_file(PhysicalMemory& pmem, std::span<const std::uint8_t> bytes, const char* name) {
    const int fd = ::memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        std::abort();
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0)
            std::abort();
        done += static_cast<std::size_t>(n);
    }
    struct stat st {};
    ::fstat(fd, &st);
    return std::make_shared<CachedFile>(
        pmem, fd, name, FileIdentity{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)});
}

void check_image(const ElfImage& image, std::uint64_t file_size) {
    FUZZ_CHECK(!image.loads.empty(), "an image has a PT_LOAD");
    FUZZ_CHECK(image.phnum >= 1 && image.phnum <= os::proc::kMaxPhnum, "phnum is within limits");
    const os::proc::ElfSegment* prev = nullptr;
    bool entry_executable = false;
    for (const auto& s : image.loads) {
        FUZZ_CHECK(s.memsz > 0 && s.filesz <= s.memsz, "0 < filesz <= memsz");
        FUZZ_CHECK(s.offset <= file_size && s.filesz <= file_size - s.offset, "a segment's file bytes are in the file");
        FUZZ_CHECK(s.vaddr <= kUserTop && s.memsz <= kUserTop - s.vaddr, "a segment is below the end of user space");
        FUZZ_CHECK(page_offset(s.vaddr) == page_offset(s.offset), "vaddr and offset are congruent");
        if (prev)
            FUZZ_CHECK(s.vaddr >= prev->vaddr + prev->memsz, "segments are sorted and disjoint");
        if (image.entry >= s.vaddr && image.entry - s.vaddr < s.memsz && (s.flags & linux_abi::PF_X))
            entry_executable = true;
        prev = &s;
    }
    FUZZ_CHECK(entry_executable, "the entry point is in an executable segment");
    if (image.interpreter)
        FUZZ_CHECK(!image.interpreter->empty() && image.interpreter->size() < os::proc::kMaxInterpPath &&
                       image.interpreter->find('\0') == std::string::npos,
                   "an interpreter path is a non-empty C string shorter than PATH_MAX");
}

void check_script(std::span<const std::uint8_t> file) {
    const auto head = std::as_bytes(file.first(std::min(file.size(), os::proc::kBinprmBufSize)));
    auto line = os::proc::parse_script_line(head);
    if (!line)
        return;
    FUZZ_CHECK(line->interpreter.find_first_of(std::string_view(" \t\n\0", 4)) == std::string::npos,
               "an interpreter name has no blank, newline or NUL");
    if (line->argument)
        FUZZ_CHECK(line->argument->find_first_of(std::string_view("\n\0", 2)) == std::string::npos,
                   "the optional argument is one line without a NUL");
    const auto argv = os::proc::script_argv(*line, "/fuzz/script", {"script", "a", "b"});
    FUZZ_CHECK(argv.size() == (line->argument ? 5u : 4u) && argv.front() == line->interpreter &&
                   argv[argv.size() - 3] == "/fuzz/script",
               "the interpreter gets [interpreter, argument?, script, argv[1..]]");
}

// The VMA containing `va` allows `prot`.
bool mapped_with(const AddressSpace& mm, VirtAddr va, std::uint32_t prot) {
    for (const Vma& v : mm.vmas())
        if (va >= v.start && va < v.end)
            return (v.prot & prot) == prot;
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const std::size_t sep = all.find(kInterpSeparator);
    const std::span<const std::uint8_t> program(data, std::min(sep, size));
    const std::span<const std::uint8_t> interp =
        sep == std::string_view::npos ? program : std::span(data + sep + kInterpSeparator.size(),
                                                            size - sep - kInterpSeparator.size());

    if (os::proc::is_script(std::as_bytes(program))) {
        check_script(program);
        return 0;
    }

    fuzz::NullMmu mmu;
    PhysicalMemory pmem(16ull << 20);
    pmem.set_mmu_notifier(&mmu);

    auto binary = os::proc::parse_elf_binary(memfd_file(pmem, program, "program"));
    if (!binary)
        return 0;
    check_image(binary->program, program.size());
    if (binary->program.interpreter) {
        if (!os::proc::attach_interpreter(*binary, memfd_file(pmem, interp, "interp")))
            return 0;
        check_image(*binary->interp, interp.size());
    }

    AddressSpace mm(pmem, &mmu);
    auto loaded = os::proc::load_elf_binary(mm, *binary);
    if (!loaded)
        return 0;
    for (const Vma& v : mm.vmas())
        FUZZ_CHECK(v.start < v.end && v.end <= kUserTop, "every mapping is in user space");
    FUZZ_CHECK(mapped_with(mm, loaded->start, kProtExec), "execution starts in an executable mapping");
    FUZZ_CHECK(mapped_with(mm, loaded->entry, kProtExec), "AT_ENTRY is in an executable mapping");

    os::proc::StackImage stack;
    stack.execfn = "/fuzz/program";
    stack.argv = {"program", "arg"};
    stack.envp = {"HOME=/"};
    stack.entry = loaded->entry;
    stack.phdr = loaded->phdr;
    stack.phnum = loaded->phnum;
    stack.phent = loaded->phent;
    stack.interp_base = loaded->interp_base;
    auto sp = os::proc::build_initial_stack(mm, stack);
    if (!sp)
        return 0;
    std::uint64_t argc = 0;
    FUZZ_CHECK(mm.copy_from_user(&argc, *sp, sizeof argc) && argc == 2, "the initial stack holds argc");

    // What the program's first instructions touch: the code at the entry point (a file
    // page, or beyond end of file: SIGBUS), its program headers, the bss and the brk.
    std::uint8_t code[16];
    (void)mm.translate(loaded->start, Access::Execute, AddressSpace::Requester::Kernel);
    (void)mm.copy_from_user(code, loaded->start, sizeof code);
    if (loaded->phdr) {
        std::uint8_t phdrs[4 * sizeof(linux_abi::Elf64_Phdr)];
        (void)mm.copy_from_user(phdrs, loaded->phdr, std::min<std::uint64_t>(sizeof phdrs, loaded->phnum * 56ull));
    }
    for (const auto& s : binary->program.loads) {
        const std::uint64_t bias = loaded->entry - binary->program.entry;
        const std::uint8_t byte = 1;
        if (s.flags & linux_abi::PF_W)
            (void)mm.copy_to_user(s.vaddr + bias + s.memsz - 1, &byte, 1);
    }
    const VirtAddr brk = mm.current_brk();
    (void)mm.brk(brk + 3 * kPageSize);
    return 0;
}
