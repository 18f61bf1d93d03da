#include "os/proc/exec.h"

#include <sys/stat.h>

#include <cstring>
#include <optional>

#include "os/proc/binfmt_elf.h"
#include "os/proc/binfmt_script.h"
#include "os/proc/open_exec.h"

namespace os::proc {

using linux_abi::Errno;

namespace {

constexpr std::size_t kPathMax = 4096;  // PATH_MAX, with the NUL

std::unexpected<ExecFailure> fail(Errno e, std::string message, bool past_point_of_no_return = false) {
    return std::unexpected(ExecFailure{e, std::move(message), past_point_of_no_return});
}

std::string errno_text(Errno e) { return std::strerror(static_cast<int>(e)); }

std::string base_name(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Why open_exec refused `path` with EACCES, for the message only (the decision was made
// on the opened file; this looks again).
std::string describe_eacces(const fs::Root& root, int dirfd, const std::string& path) {
    struct stat st {};
    const KResult<fs::HostFd> found = root.lookup(dirfd, path, true);
    if (!found || ::fstat(found->get(), &st) != 0)
        return "permission denied";
    if (S_ISDIR(st.st_mode))
        return "permission denied: is a directory";
    if (!S_ISREG(st.st_mode))
        return "permission denied: not a regular file";
    return "permission denied: not executable";
}

// What execve knows while it looks for the program (Linux's struct linux_binprm).
struct Binprm {
    std::shared_ptr<mm::CachedFile> file;  // the file being looked at
    std::string interp;                    // its name, as a "#!" script passes it on
    std::vector<std::string> argv;
};

// exec_binprm(): runs the format handlers until one finds an ELF program; each "#!" script
// hands over to its interpreter, at most kMaxInterpreterDepth times.
std::expected<ElfBinary, ExecFailure> find_elf_binary(mm::PageCache& cache, const fs::Root& root, const ExecRequest& req,
                                                      std::uint64_t budget, Binprm& bprm) {
    for (int depth = 0;; ++depth) {
        if (depth > kMaxInterpreterDepth)
            return fail(Errno::eloop, "too many levels of #! interpreters (Linux allows " +
                                          std::to_string(kMaxInterpreterDepth) + ")");
        auto head = read_file_head(*bprm.file, kBinprmBufSize);
        if (!head)
            return fail(head.error(), "read error: " + errno_text(head.error()));
        if (is_elf(*head))
            return prepare_elf_binary(cache, root, req.dirfd, bprm.file);
        if (!is_script(*head))
            return fail(Errno::enoexec, head->empty() ? "empty file: not an ELF file or #! script"
                                                      : "not an ELF file or #! script");
        auto line = parse_script_line(*head);
        if (!line)
            return fail(Errno::enoexec, line.error());
        bprm.argv = script_argv(*line, bprm.interp, bprm.argv);
        if (!check_arg_strings(budget, req.stack_limit, req.path, bprm.argv, req.envp))
            return fail(Errno::e2big, "argument list too long");
        auto next = open_exec(cache, root, req.dirfd, line->interpreter);
        if (!next)
            return fail(next.error(), "#! interpreter " + line->interpreter + ": " + errno_text(next.error()));
        bprm.file = std::move(*next);
        bprm.interp = line->interpreter;
    }
}

}  // namespace

std::expected<ExecImage, ExecFailure> build_exec_image(mm::PhysicalMemory& pmem, mm::MmuNotifier* mmu,
                                                       mm::PageCache& cache, const ExecRequest& req) {
    // getname(): the path as the syscall copies it in.
    if (req.path.empty() && req.fd < 0)
        return fail(Errno::enoent, errno_text(Errno::enoent) + " (empty path)");
    if (req.path.size() >= kPathMax)
        return fail(Errno::enametoolong, errno_text(Errno::enametoolong));
    // Linux opens the file before it copies the strings, so its errors come first.
    const fs::Root host_root;
    const fs::Root& root = req.root ? *req.root : host_root;
    auto file = req.fd >= 0 ? open_exec_fd(cache, req.fd, req.path) : open_exec(cache, root, req.dirfd, req.path);
    if (!file) {
        if (file.error() == Errno::eacces && req.fd < 0)
            return fail(Errno::eacces, describe_eacces(root, req.dirfd, req.path));
        return fail(file.error(), errno_text(file.error()));
    }

    // An empty argv becomes {""}, so that no program sees argc 0.
    Binprm bprm{std::move(*file), req.path, req.argv.empty() ? std::vector<std::string>{""} : req.argv};
    auto budget = arg_string_budget(req.argv.size(), req.envp.size(), req.stack_limit);
    if (!budget || !check_arg_strings(*budget, req.stack_limit, req.path, bprm.argv, req.envp))
        return fail(Errno::e2big, "argument list too long");

    auto binary = find_elf_binary(cache, root, req, *budget, bprm);
    if (!binary)
        return std::unexpected(binary.error());

    // The point of no return: from here on Linux has dropped the old image.
    ExecImage out;
    out.mm = std::make_unique<mm::AddressSpace>(pmem, mmu);
    out.mm->set_stack_limit(req.stack_limit);
    auto loaded = load_elf_binary(*out.mm, *binary);
    if (!loaded)
        return fail(loaded.error(), "cannot map the program: " + std::string(linux_abi::errno_name(loaded.error())),
                    true);

    StackImage stack;
    stack.execfn = req.path;
    stack.argv = bprm.argv;
    stack.envp = req.envp;
    stack.entry = loaded->entry;
    stack.phdr = loaded->phdr;
    stack.phnum = loaded->phnum;
    stack.phent = loaded->phent;
    stack.interp_base = loaded->interp_base;
    stack.hwcap = req.hwcap;
    stack.creds = req.creds;
    stack.random = req.random;
    stack.stack_limit = req.stack_limit;
    stack.string_budget = *budget;
    auto sp = build_initial_stack(*out.mm, stack);
    if (!sp)
        return fail(sp.error(), "cannot build the initial stack: " + std::string(linux_abi::errno_name(sp.error())),
                    true);
    out.stack_pointer = *sp;
    out.entry = loaded->start;
    out.interp_base = loaded->interp_base;
    out.absolute_path = binary->file->path();
    out.comm = base_name(req.path).substr(0, 15);
    out.argv = std::move(bprm.argv);
    return out;
}

}  // namespace os::proc
