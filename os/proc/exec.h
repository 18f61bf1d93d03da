// execve's core (Linux's do_execveat_common and exec_binprm): opens the file, finds its
// format (an ELF program, with its interpreter if it names one, or a "#!" script, whose
// interpreter is executed in turn) and builds a fresh address space for it: segments,
// bss, brk, the initial stack. Reports where the program starts.
#pragma once

#include <fcntl.h>

#include <array>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "os/abi/errno.h"
#include "os/mm/address_space.h"
#include "os/fs/root.h"
#include "os/mm/page_cache.h"
#include "os/proc/initial_stack.h"

namespace os::proc {

struct ExecRequest {
    // As the caller named it (argv[0] is separate). Becomes AT_EXECFN, and the script path
    // an interpreter is given.
    std::string path;
    // Host directory descriptor relative paths resolve against: the process's working
    // directory for execve. The path is reported as given (execveat with another
    // directory would name it /dev/fd/N/path, which is the caller's business). Relative
    // interpreter paths (PT_INTERP, "#!") resolve against it too, which is right when it is
    // the working directory.
    int dirfd = AT_FDCWD;
    // Where paths resolve (the program's, "#!" interpreters', PT_INTERP): --root's
    // confinement; null is the host's "/".
    const fs::Root* root = nullptr;
    // A host descriptor of the file to run instead of looking `path` up (execveat with
    // AT_EMPTY_PATH, fexecve; or a /proc link such as /proc/self/exe, which only the caller
    // can resolve); `path` then only names it (AT_EXECFN, a script's argument: Linux uses
    // "/dev/fd/N"). -1: look `path` up.
    int fd = -1;
    std::vector<std::string> argv;  // empty is allowed: the program then gets argv {""}
    std::vector<std::string> envp;
    std::uint32_t hwcap = 0;
    std::array<std::uint8_t, 16> random{};
    Credentials creds;
    std::uint64_t stack_limit = kStkLim;  // RLIMIT_STACK soft limit: bounds argv + envp
};

struct ExecImage {
    std::unique_ptr<mm::AddressSpace> mm;
    std::uint64_t entry = 0;          // initial RIP: the interpreter's entry, or the program's
    std::uint64_t stack_pointer = 0;  // initial RSP
    std::string absolute_path;        // the ELF program that runs (/proc/self/exe)
    std::string comm;                 // Linux's comm: basename of the path as given (15 chars)
    std::uint64_t interp_base = 0;    // AT_BASE: where the interpreter was loaded, or 0
    std::vector<std::string> argv;    // as the program gets it (after "#!" rewriting)
};

struct ExecFailure {
    linux_abi::Errno error;  // what execve would return
    std::string message;     // one line for the user, not naming the path (the caller does)
    // Linux would already have torn down the old image (begin_new_exec, "the point of no
    // return"): instead of returning `error`, execve kills the process with SIGSEGV. Set
    // for failures while mapping, and for an interpreter Linux only rejects while loading it.
    bool past_point_of_no_return = false;
};

// Linux's limit on nested interpreters: a "#!" chain may be 5 scripts deep (exec_binprm
// runs the format handlers at depths 0..5; the sixth script is ELOOP).
inline constexpr int kMaxInterpreterDepth = 5;

// Errors as execve returns them: ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP, EACCES for the
// path (and for a script's or a program's interpreter); ENOEXEC for a file that is
// neither a valid ELF program nor a "#!" script; E2BIG when argv and envp are over
// Linux's limits; ELOOP beyond kMaxInterpreterDepth; ELIBBAD (EIO when too short to read
// its header) for an interpreter that is not an x86-64 ELF file. An empty path is ENOENT
// (unless `fd` is given).
std::expected<ExecImage, ExecFailure> build_exec_image(mm::PhysicalMemory& pmem, mm::MmuNotifier* mmu,
                                                       mm::PageCache& cache, const ExecRequest& req);

}  // namespace os::proc
