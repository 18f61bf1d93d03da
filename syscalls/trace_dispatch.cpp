// The traced path of the dispatcher: every syscall's line, written when it completes.
//
// A syscall that must wait sleeps and is executed again when it wakes (os/kernel.h,
// Kernel::sleep): it returns a kernel-internal restart code and its task is asleep. That
// attempt shows nothing; the line comes from the attempt that completes, as strace shows
// one line per call. A restart code while a signal is pending means the signal
// interrupted the call: strace's "= ? ERESTARTSYS (...)" line, then the signal's, then
// (restarted or EINTR) whatever the kernel makes of it on the way out.
#include "emu/cpu.h"

#include "os/trace/syscall_tracer.h"
#include "syscalls/dispatcher.h"
#include "syscalls/trace_format.h"

namespace syscalls {

namespace {

constexpr std::uint64_t kRtSigreturn = 15;

}  // namespace

std::int64_t Dispatcher::run_traced(os::Kernel& kernel, os::trace::SyscallTracer& tracer, std::uint64_t nr,
                                    const std::uint64_t args[6]) {
    os::proc::Task& task = kernel.current_task();
    const int tid = task.tid();
    const int pid = task.process().pid();
    const std::uint64_t rsp = nr == kRtSigreturn ? kernel.cpu().reg(emu::Reg::rsp) : 0;
    const trace::TracedCall call(trace::GuestMemory(&kernel.current().mm()), nr, args, rsp);

    tracer.syscall_begin();
    const std::int64_t result = run(kernel, nr, args);

    if (task.state == os::proc::TaskState::Dead) {
        // exit, exit_group, a fatal execve: no return, and the memory may be gone.
        tracer.syscall(pid, tid, call.text(trace::GuestMemory(nullptr), result), "?");
        return result;
    }
    const bool restart = trace::is_error(result) && linux_abi::is_restart_code(static_cast<Errno>(-result));
    if (restart && !kernel.signal_pending()) {
        tracer.syscall_end();  // it sleeps, or looks again: executed again, shown when it completes
        return result;
    }
    // After execve the process has its new memory; what the call wrote is in it.
    tracer.syscall(pid, tid, call.text(trace::GuestMemory(task.process().mm_ptr().get()), result),
                   call.result_text(result));
    return result;
}

}  // namespace syscalls
