#include "syscalls/dispatcher.h"

#include <stdexcept>
#include <string>

#include "syscalls/names.h"

namespace syscalls {

Dispatcher::Dispatcher() {
    for (auto family : {mm_syscalls(), proc_syscalls(), process_syscalls(), futex_syscalls(), poll_syscalls(),
                        fs_io_syscalls(), fs_fd_syscalls(), fs_path_syscalls(), fs_statfs_syscalls(),
                        fs_xattr_syscalls(), fs_attr_syscalls(), signal_syscalls(), time_syscalls(), misc_syscalls()}) {
        for (const SyscallDef& def : family) {
            if (def.nr >= kTableSize || m_table[def.nr])
                throw std::logic_error("syscall table: bad or duplicate entry " + std::to_string(def.nr));
            m_table[def.nr] = &def;
        }
    }
}

const SyscallDef* Dispatcher::lookup(std::uint64_t nr) const { return nr < kTableSize ? m_table[nr] : nullptr; }

std::int64_t Dispatcher::dispatch(os::Kernel& kernel, std::uint64_t nr, const std::uint64_t raw[6]) {
    if (os::trace::SyscallTracer* tracer = kernel.config().syscall_trace) [[unlikely]]
        return run_traced(kernel, *tracer, nr, raw);
    return run(kernel, nr, raw);
}

std::int64_t Dispatcher::run(os::Kernel& kernel, std::uint64_t nr, const std::uint64_t raw[6]) {
    const SyscallDef* def = lookup(nr);
    if (!def) {
        kernel.report_unimplemented(nr, syscall_name(nr));
        return linux_abi::to_syscall_return(Errno::enosys);
    }
    Context ctx{kernel, kernel.current_task(), kernel.current(), kernel.current().mm()};
    Args args{{raw[0], raw[1], raw[2], raw[3], raw[4], raw[5]}};
    SysResult r = def->handler(ctx, args);
    return r ? *r : linux_abi::to_syscall_return(r.error());
}

}  // namespace syscalls
