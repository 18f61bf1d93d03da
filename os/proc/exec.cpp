#include "os/proc/exec.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <cstdlib>

#include "os/fs/host_errno.h"
#include "os/proc/elf_image.h"
#include "os/proc/elf_loader.h"

namespace os::proc {

using linux_abi::Errno;

namespace {

std::unexpected<ExecFailure> fail(Errno e, std::string message) {
    return std::unexpected(ExecFailure{e, std::move(message)});
}

std::string absolute(const std::string& path) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf))
        return buf;
    return path;
}

}  // namespace

std::expected<ExecImage, ExecFailure> build_exec_image(mm::PhysicalMemory& pmem, mm::MmuNotifier* mmu,
                                                       mm::PageCache& cache, const ExecRequest& req) {
    struct stat st {};
    if (::stat(req.path.c_str(), &st) != 0)
        return fail(fs::host_errno(), std::string(std::strerror(errno)));
    if (S_ISDIR(st.st_mode))
        return fail(Errno::eacces, "is a directory");
    if (!S_ISREG(st.st_mode))
        return fail(Errno::eacces, "not a regular file");
    if (::access(req.path.c_str(), X_OK) != 0)
        return fail(Errno::eacces, "permission denied (not executable)");
    const int fd = ::open(req.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(fs::host_errno(), std::string(std::strerror(errno)));
    auto file = cache.get(fd, req.path);
    ::close(fd);
    if (!file)
        return fail(file.error(), "cannot open: " + std::string(linux_abi::errno_name(file.error())));

    auto image = read_elf_file(req.path);
    if (!image) {
        // read_elf_file's message starts with the path; our caller names the path itself.
        std::string message = image.error().message;
        if (message.starts_with(req.path + ": "))
            message.erase(0, req.path.size() + 2);
        return fail(Errno::enoexec, message);
    }
    if (image->interpreter)
        return fail(Errno::enoexec, "dynamically linked (interpreter " + *image->interpreter +
                                        "): only static programs are supported so far");

    ExecImage out;
    out.absolute_path = absolute(req.path);
    out.mm = std::make_unique<mm::AddressSpace>(pmem, mmu);
    auto loaded = load_elf_image(*out.mm, *image, *file);
    if (!loaded)
        return fail(loaded.error(), "cannot map the program: " + std::string(linux_abi::errno_name(loaded.error())));
    out.mm->set_brk_start(loaded->brk);
    out.entry = loaded->entry;

    StackImage stack;
    stack.execfn = req.path;
    stack.argv = req.argv;
    stack.envp = req.envp;
    stack.entry = loaded->entry;
    stack.phdr = loaded->phdr;
    stack.phnum = image->phnum;
    stack.phent = image->phentsize;
    stack.hwcap = req.hwcap;
    stack.creds = req.creds;
    stack.random = req.random;
    auto sp = build_initial_stack(*out.mm, stack);
    if (!sp) {
        if (sp.error() == Errno::e2big)
            return fail(Errno::e2big, "argument list too long");
        return fail(sp.error(), "cannot build the initial stack: " + std::string(linux_abi::errno_name(sp.error())));
    }
    out.stack_pointer = *sp;
    return out;
}

}  // namespace os::proc
