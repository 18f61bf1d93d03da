// execve's core: builds a fresh address space from an ELF file (segments, bss, brk, the
// initial stack) and reports where the program starts.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "os/abi/errno.h"
#include "os/mm/address_space.h"
#include "os/mm/page_cache.h"
#include "os/proc/initial_stack.h"

namespace os::proc {

struct ExecRequest {
    std::string path;  // as the caller named it (argv[0] is separate)
    std::vector<std::string> argv;
    std::vector<std::string> envp;
    std::uint32_t hwcap = 0;
    std::array<std::uint8_t, 16> random{};
    Credentials creds;
};

struct ExecImage {
    std::unique_ptr<mm::AddressSpace> mm;
    std::uint64_t entry = 0;
    std::uint64_t stack_pointer = 0;
    std::string absolute_path;
};

struct ExecFailure {
    linux_abi::Errno error;  // what execve would return
    std::string message;     // one line for the user
};

std::expected<ExecImage, ExecFailure> build_exec_image(mm::PhysicalMemory& pmem, mm::MmuNotifier* mmu,
                                                       mm::PageCache& cache, const ExecRequest& req);

}  // namespace os::proc
