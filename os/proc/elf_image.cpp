// ELF64 parsing and validation. Every offset, size and address read from the file is
// attacker-controlled, so all arithmetic on them is written to be overflow-safe: ranges are
// checked as "off <= limit && len <= limit - off", never as "off + len <= limit".
#include "os/proc/elf_image.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>
#include <utility>

#include "os/mm/types.h"

namespace os::proc {

namespace {

using namespace linux_abi;
using mm::kUserTop;
using mm::page_offset;

// The structures are read with memcpy straight from little-endian file bytes.
static_assert(std::endian::native == std::endian::little);

std::unexpected<ElfError> fail(std::string message) {
    return std::unexpected(ElfError{std::move(message)});
}

std::string hex(std::uint64_t v) {
    char buf[2 + 16] = {'0', 'x'};
    auto res = std::to_chars(buf + 2, buf + sizeof buf, v, 16);
    return std::string(buf, res.ptr);
}

std::string dec(std::uint64_t v) { return std::to_string(v); }

// "[0x10, 0x20)", or the start and length when the end is not representable.
// (Built with += rather than "[" + ...: GCC 12 at -O3 warns falsely (-Wrestrict) on the latter.)
std::string range(std::uint64_t start, std::uint64_t len) {
    std::string out = "[";
    out += hex(start);
    out += ", ";
    if (len > UINT64_MAX - start) {
        out += hex(start) + " + " + hex(len) + ") (overflows)";
    } else {
        out += hex(start + len) + ")";
    }
    return out;
}

// True if [off, off + len) lies within [0, limit), without computing off + len.
bool fits(std::uint64_t off, std::uint64_t len, std::uint64_t limit) {
    return off <= limit && len <= limit - off;
}

template <class T>
T read_struct(std::span<const std::byte> bytes, std::uint64_t off) {
    T value;
    std::memcpy(&value, bytes.data() + off, sizeof value);  // caller checked the bounds
    return value;
}

const char* machine_name(Elf64_Half machine) {
    switch (machine) {
    case EM_NONE: return "none";
    case EM_SPARC: return "SPARC";
    case EM_386: return "i386";
    case EM_MIPS: return "MIPS";
    case EM_PPC: return "PowerPC";
    case EM_PPC64: return "PowerPC64";
    case EM_S390: return "S/390";
    case EM_ARM: return "ARM";
    case EM_SPARCV9: return "SPARC V9";
    case EM_IA_64: return "IA-64";
    case EM_AARCH64: return "AArch64";
    case EM_RISCV: return "RISC-V";
    case EM_LOONGARCH: return "LoongArch";
    default: return "unknown";
    }
}

// The ELF header and the location of the program header table.
std::expected<void, ElfError> check_header(const Elf64_Ehdr& eh, std::uint64_t file_size) {
    if (eh.e_ident[EI_CLASS] != ELFCLASS64)
        return fail(eh.e_ident[EI_CLASS] == ELFCLASS32
                        ? "ELF class is ELFCLASS32 (32-bit), not ELFCLASS64"
                        : "ELF class " + dec(eh.e_ident[EI_CLASS]) + " is not ELFCLASS64");
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return fail("ELF data encoding " + dec(eh.e_ident[EI_DATA]) +
                    " is not ELFDATA2LSB (little-endian)");
    if (eh.e_ident[EI_VERSION] != EV_CURRENT || eh.e_version != EV_CURRENT)
        return fail("bad ELF version (e_ident " + dec(eh.e_ident[EI_VERSION]) + ", e_version " +
                    dec(eh.e_version) + "; expected EV_CURRENT = 1)");
    if (eh.e_machine != EM_X86_64)
        return fail("ELF machine " + dec(eh.e_machine) + " (" + machine_name(eh.e_machine) +
                    ") is not x86-64");
    switch (eh.e_type) {
    case ET_EXEC:
    case ET_DYN: break;
    case ET_REL: return fail("ELF type ET_REL (relocatable object file) cannot be executed");
    case ET_CORE: return fail("ELF type ET_CORE (core dump) cannot be executed");
    default: return fail("ELF type " + hex(eh.e_type) + " is not ET_EXEC or ET_DYN");
    }
    if (eh.e_phentsize != sizeof(Elf64_Phdr))
        return fail("ELF program header entry size " + dec(eh.e_phentsize) + " is not " +
                    dec(sizeof(Elf64_Phdr)));
    if (eh.e_phnum == PN_XNUM)
        return fail("ELF e_phnum is PN_XNUM (count in section header 0): not supported");
    if (eh.e_phnum == 0) return fail("ELF has no program headers (e_phnum 0)");
    if (eh.e_phnum > kMaxPhnum)
        return fail("ELF has " + dec(eh.e_phnum) + " program headers (limit " + dec(kMaxPhnum) +
                    ")");
    // Cannot overflow: both factors are bounded above.
    const std::uint64_t table_size = std::uint64_t{eh.e_phnum} * eh.e_phentsize;
    if (!fits(eh.e_phoff, table_size, file_size))
        return fail("ELF program header table " + range(eh.e_phoff, table_size) +
                    " is beyond end of file (size " + hex(file_size) + ")");
    // A table overlapping the header would make phdr_vaddr ambiguous and is never produced
    // by a linker.
    if (eh.e_phoff < sizeof(Elf64_Ehdr))
        return fail("ELF program header table at offset " + hex(eh.e_phoff) +
                    " overlaps the ELF header");
    return {};
}

// One PT_LOAD; `prev` is the previous kept segment, if any. Returns nullopt for a segment
// with p_memsz 0, which Linux ignores.
std::expected<std::optional<ElfSegment>, ElfError> check_load(const Elf64_Phdr& ph,
                                                              unsigned index,
                                                              std::uint64_t file_size,
                                                              const ElfSegment* prev) {
    const std::string where = "ELF segment " + dec(index) + ": ";
    if (ph.p_filesz > ph.p_memsz)
        return fail(where + "file size " + hex(ph.p_filesz) + " is larger than memory size " +
                    hex(ph.p_memsz));
    if (ph.p_memsz == 0) return std::optional<ElfSegment>{};
    if (!fits(ph.p_offset, ph.p_filesz, file_size))
        return fail(where + "file range " + range(ph.p_offset, ph.p_filesz) +
                    " is beyond end of file (size " + hex(file_size) + ")");
    if (!fits(ph.p_vaddr, ph.p_memsz, kUserTop))
        return fail(where + "address range " + range(ph.p_vaddr, ph.p_memsz) +
                    " is above the user address limit " + hex(kUserTop));
    // Linux maps the file page containing p_offset at the page containing p_vaddr, which
    // only puts the right bytes at p_vaddr if both sit at the same offset within a page.
    if (page_offset(ph.p_vaddr) != page_offset(ph.p_offset))
        return fail(where + "vaddr " + hex(ph.p_vaddr) + " and file offset " +
                    hex(ph.p_offset) + " are not congruent modulo the page size");
    if (prev) {
        // Linkers emit PT_LOAD sorted by vaddr (the ELF spec requires it), and the loader
        // relies on it to size the image. Sharing a page is fine; sharing bytes is not.
        if (ph.p_vaddr < prev->vaddr)
            return fail(where + "vaddr " + hex(ph.p_vaddr) +
                        " is below the previous PT_LOAD's " + hex(prev->vaddr) +
                        " (PT_LOAD segments not in ascending vaddr order)");
        if (ph.p_vaddr < prev->vaddr + prev->memsz)
            return fail(where + "address range " + range(ph.p_vaddr, ph.p_memsz) +
                        " overlaps the previous PT_LOAD " + range(prev->vaddr, prev->memsz));
    }
    return ElfSegment{.vaddr = ph.p_vaddr,
                      .memsz = ph.p_memsz,
                      .offset = ph.p_offset,
                      .filesz = ph.p_filesz,
                      .flags = ph.p_flags,
                      .align = ph.p_align};
}

// The PT_INTERP path: within the file, at most PATH_MAX, NUL-terminated, non-empty.
std::expected<std::string, ElfError> read_interp(std::span<const std::byte> bytes,
                                                 const Elf64_Phdr& ph, unsigned index) {
    const std::string where = "ELF segment " + dec(index) + " (PT_INTERP): ";
    if (ph.p_filesz == 0) return fail(where + "interpreter path is empty (size 0)");
    if (ph.p_filesz > kMaxInterpPath)
        return fail(where + "interpreter path size " + hex(ph.p_filesz) + " exceeds PATH_MAX (" +
                    dec(kMaxInterpPath) + ")");
    if (!fits(ph.p_offset, ph.p_filesz, bytes.size()))
        return fail(where + "file range " + range(ph.p_offset, ph.p_filesz) +
                    " is beyond end of file (size " + hex(bytes.size()) + ")");
    const char* text = reinterpret_cast<const char*>(bytes.data() + ph.p_offset);
    if (text[ph.p_filesz - 1] != '\0')
        return fail(where + "interpreter path is not NUL-terminated");
    // Like Linux, use the path as a C string: anything after an embedded NUL is ignored.
    std::string path(text);
    if (path.empty()) return fail(where + "interpreter path is empty");
    return path;
}

// True if [vaddr, vaddr + len) lies within the file-backed bytes of a PT_LOAD.
bool file_backed(const std::vector<ElfSegment>& loads, std::uint64_t vaddr, std::uint64_t len) {
    for (const ElfSegment& s : loads)
        if (vaddr >= s.vaddr && fits(vaddr - s.vaddr, len, s.filesz)) return true;
    return false;
}

// Where the program header table appears in memory, for AT_PHDR (0 if it does not).
std::expected<std::uint64_t, ElfError> find_phdr_vaddr(const Elf64_Ehdr& eh,
                                                       const std::optional<Elf64_Phdr>& pt_phdr,
                                                       const std::vector<ElfSegment>& loads) {
    const std::uint64_t table_size = std::uint64_t{eh.e_phnum} * eh.e_phentsize;
    if (pt_phdr) {
        // libc trusts PT_PHDR to find its own headers (and ld.so to compute the load bias),
        // so it has to point at memory that really holds them.
        if (!file_backed(loads, pt_phdr->p_vaddr, table_size))
            return fail("ELF PT_PHDR " + range(pt_phdr->p_vaddr, table_size) +
                        " is not inside the file-backed part of any PT_LOAD");
        return pt_phdr->p_vaddr;
    }
    for (const ElfSegment& s : loads)
        if (eh.e_phoff >= s.offset && fits(eh.e_phoff - s.offset, table_size, s.filesz))
            return s.vaddr + (eh.e_phoff - s.offset);
    return 0;
}

std::expected<void, ElfError> check_entry(std::uint64_t entry,
                                          const std::vector<ElfSegment>& loads) {
    for (const ElfSegment& s : loads) {
        if (entry < s.vaddr || entry - s.vaddr >= s.memsz) continue;
        if (s.flags & PF_X) return {};
        return fail("ELF entry point " + hex(entry) + " is in non-executable PT_LOAD " +
                    range(s.vaddr, s.memsz));
    }
    return fail("ELF entry point " + hex(entry) + " is not inside any PT_LOAD segment");
}

}  // namespace

std::uint64_t ElfImage::min_vaddr() const { return mm::page_round_down(loads.front().vaddr); }

// No overflow: every segment ends at or below kUserTop, which is page aligned.
std::uint64_t ElfImage::max_vaddr() const {
    return mm::page_round_up(loads.back().vaddr + loads.back().memsz);
}

// The loads are sorted and disjoint, so the highest one is the last and ends the image.
std::uint64_t ElfImage::brk_start() const { return max_vaddr(); }

std::expected<ElfImage, ElfError> parse_elf(std::span<const std::byte> bytes) {
    // Check the magic before the length so that a short script or text file is called
    // "not an ELF file" rather than "truncated ELF".
    if (bytes.size() >= sizeof ELFMAG && std::memcmp(bytes.data(), ELFMAG, sizeof ELFMAG) != 0)
        return fail("not an ELF file (bad magic)");
    if (bytes.size() < sizeof(Elf64_Ehdr))
        return fail("file too short for an ELF header (" + dec(bytes.size()) + " bytes, need " +
                    dec(sizeof(Elf64_Ehdr)) + ")");

    ElfImage image{};
    image.header = read_struct<Elf64_Ehdr>(bytes, 0);
    const Elf64_Ehdr& eh = image.header;
    if (auto ok = check_header(eh, bytes.size()); !ok) return std::unexpected(ok.error());
    image.is_dyn = eh.e_type == ET_DYN;
    image.entry = eh.e_entry;
    image.phnum = eh.e_phnum;
    image.phentsize = eh.e_phentsize;
    image.exec_stack = false;  // see ElfImage::exec_stack

    std::optional<Elf64_Phdr> pt_phdr;
    std::optional<unsigned> interp_index;
    Elf64_Phdr interp{};
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        const auto ph =
            read_struct<Elf64_Phdr>(bytes, eh.e_phoff + std::uint64_t{i} * sizeof(Elf64_Phdr));
        switch (ph.p_type) {
        case PT_LOAD: {
            const ElfSegment* prev = image.loads.empty() ? nullptr : &image.loads.back();
            auto seg = check_load(ph, i, bytes.size(), prev);
            if (!seg) return std::unexpected(seg.error());
            if (*seg) image.loads.push_back(**seg);
            break;
        }
        case PT_INTERP:
            if (interp_index)
                return fail("ELF segment " + dec(i) + ": more than one PT_INTERP (first is " +
                            dec(*interp_index) + ")");
            interp_index = i;
            interp = ph;
            break;
        case PT_PHDR:
            if (pt_phdr) return fail("ELF segment " + dec(i) + ": more than one PT_PHDR");
            pt_phdr = ph;
            break;
        case PT_GNU_STACK: image.exec_stack = (ph.p_flags & PF_X) != 0; break;
        default: break;  // PT_TLS, PT_NOTE, ...: found in memory by libc, nothing to load
        }
    }
    if (image.loads.empty()) return fail("ELF has no non-empty PT_LOAD segment");

    if (interp_index) {
        auto path = read_interp(bytes, interp, *interp_index);
        if (!path) return std::unexpected(path.error());
        image.interpreter = std::move(*path);
    }
    auto phdr_vaddr = find_phdr_vaddr(eh, pt_phdr, image.loads);
    if (!phdr_vaddr) return std::unexpected(phdr_vaddr.error());
    image.phdr_vaddr = *phdr_vaddr;
    // For ET_DYN this also keeps the entry within the image, whatever bias is chosen.
    if (auto ok = check_entry(eh.e_entry, image.loads); !ok) return std::unexpected(ok.error());
    return image;
}

namespace {

// Closes a file descriptor on scope exit.
struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
};

std::string errno_text(int e) { return std::generic_category().message(e); }

}  // namespace

std::expected<ElfImage, ElfError> read_elf_file(const std::string& path) {
    // O_NONBLOCK: opening a FIFO for reading would otherwise block until a writer appears;
    // it has no effect on the regular files we accept.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return fail(path + ": cannot open: " + errno_text(errno));
    FdCloser closer{fd};

    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail(path + ": cannot stat: " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) return fail(path + ": not a regular file");
    if (st.st_size < 0 || static_cast<std::uint64_t>(st.st_size) > kMaxElfFileSize)
        return fail(path + ": file too large (" + dec(static_cast<std::uint64_t>(st.st_size)) +
                    " bytes, limit " + dec(kMaxElfFileSize) + ")");

    // Read at most the size fstat reported; a file that shrinks meanwhile is just shorter.
    std::vector<std::byte> bytes(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(path + ": read error: " + errno_text(errno));
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    bytes.resize(got);

    auto image = parse_elf(bytes);
    if (!image) return fail(path + ": " + image.error().message);
    return image;
}

}  // namespace os::proc
