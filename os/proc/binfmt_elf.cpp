#include "os/proc/binfmt_elf.h"

#include <cstring>

#include "os/abi/elf.h"
#include "os/proc/elf_loader.h"
#include "os/proc/open_exec.h"

namespace os::proc {

using linux_abi::Errno;

namespace {

std::unexpected<ExecFailure> fail(Errno e, std::string message, bool past_point_of_no_return = false) {
    return std::unexpected(ExecFailure{e, std::move(message), past_point_of_no_return});
}

std::string errno_text(Errno e) { return std::strerror(static_cast<int>(e)); }

// The whole file, for parse_elf (which checks every range against the file's size).
std::expected<std::vector<std::byte>, ExecFailure> read_whole(const mm::CachedFile& file, const std::string& what) {
    if (file.size() > kMaxElfFileSize)
        return fail(Errno::enoexec, what + "file too large (" + std::to_string(file.size()) + " bytes, limit " +
                                        std::to_string(kMaxElfFileSize) + ")");
    auto bytes = read_file_head(file, kMaxElfFileSize);
    if (!bytes)
        return fail(bytes.error(), what + "read error: " + errno_text(bytes.error()));
    return std::move(*bytes);
}

// load_elf_binary's checks of the interpreter before the point of no return: the header
// must be readable (EIO), name x86-64 (ELIBBAD), and its program headers must be readable
// (load_elf_phdrs; ELIBBAD). Nothing else about it is checked there.
std::expected<void, ExecFailure> check_interp_header(std::span<const std::byte> bytes, const std::string& what) {
    using namespace linux_abi;
    if (bytes.size() < sizeof(Elf64_Ehdr))
        return fail(Errno::eio, what + "file too short for an ELF header (" + std::to_string(bytes.size()) + " bytes)");
    Elf64_Ehdr eh;
    std::memcpy(&eh, bytes.data(), sizeof eh);
    if (std::memcmp(eh.e_ident, ELFMAG, sizeof ELFMAG) != 0)
        return fail(Errno::elibbad, what + "not an ELF file");
    if (eh.e_machine != EM_X86_64)
        return fail(Errno::elibbad, what + "ELF machine " + std::to_string(eh.e_machine) + " is not x86-64");
    const std::uint64_t table = std::uint64_t{eh.e_phnum} * eh.e_phentsize;
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || table == 0 || table > 65536 || eh.e_phoff > bytes.size() ||
        table > bytes.size() - eh.e_phoff)
        return fail(Errno::elibbad, what + "unreadable ELF program headers");
    return {};
}

}  // namespace

bool is_elf(std::span<const std::byte> head) {
    return head.size() >= sizeof linux_abi::ELFMAG &&
           std::memcmp(head.data(), linux_abi::ELFMAG, sizeof linux_abi::ELFMAG) == 0;
}

std::expected<ElfBinary, ExecFailure> parse_elf_binary(std::shared_ptr<mm::CachedFile> file) {
    auto bytes = read_whole(*file, "");
    if (!bytes)
        return std::unexpected(bytes.error());
    auto image = parse_elf(*bytes);
    if (!image)
        return fail(Errno::enoexec, image.error().message);
    return ElfBinary{std::move(*image), std::move(file), std::nullopt, nullptr};
}

std::expected<void, ExecFailure> attach_interpreter(ElfBinary& binary, std::shared_ptr<mm::CachedFile> interp_file) {
    const std::string what = "interpreter " + binary.program.interpreter.value_or("") + ": ";
    auto interp_bytes = read_whole(*interp_file, what);
    if (!interp_bytes)
        return std::unexpected(interp_bytes.error());
    if (auto ok = check_interp_header(*interp_bytes, what); !ok)
        return std::unexpected(ok.error());
    // Linux would go on and fail in load_elf_interp (or run something broken); either way
    // the process is lost.
    auto interp = parse_elf(*interp_bytes);
    if (!interp)
        return fail(Errno::elibbad, what + interp.error().message, true);
    binary.interp = std::move(*interp);
    binary.interp_file = std::move(interp_file);
    return {};
}

std::expected<ElfBinary, ExecFailure> prepare_elf_binary(mm::PageCache& cache, const fs::Root& root, int dirfd,
                                                         std::shared_ptr<mm::CachedFile> file) {
    auto out = parse_elf_binary(std::move(file));
    if (!out || !out->program.interpreter)
        return out;
    const std::string& path = *out->program.interpreter;
    auto interp_file = open_exec(cache, root, dirfd, path);
    if (!interp_file)
        return fail(interp_file.error(), "interpreter " + path + ": " + errno_text(interp_file.error()));
    if (auto ok = attach_interpreter(*out, std::move(*interp_file)); !ok)
        return std::unexpected(ok.error());
    return out;
}

KResult<LoadedElf> load_elf_binary(mm::AddressSpace& mm, const ElfBinary& binary) {
    const LoadedImage program = TRY(load_elf_image(mm, binary.program, binary.file));
    mm.set_brk_start(program.brk);
    LoadedElf out;
    out.start = out.entry = program.entry;
    out.phdr = program.phdr;
    out.phnum = binary.program.phnum;
    out.phent = binary.program.phentsize;
    if (binary.interp) {
        const LoadedImage interp = TRY(load_elf_interp(mm, *binary.interp, binary.interp_file, program.load_bias));
        out.start = interp.entry;
        out.interp_base = interp.load_bias;
    }
    return out;
}

}  // namespace os::proc
