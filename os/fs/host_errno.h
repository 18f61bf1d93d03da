// The one place where a host errno becomes a guest errno. The host is x86-64 Linux, whose
// numbers are the guest's, but the conversion stays explicit so that a host value is never
// passed through by accident.
#pragma once

#include <cerrno>

#include "os/abi/errno.h"

namespace os::fs {

inline linux_abi::Errno host_errno(int e = errno) {
    if (e <= 0 || e > 133)
        return linux_abi::Errno::eio;
    // Every guest descriptor of a host file is one of faultline's: the host running out of
    // them is the whole machine's table being full (ENFILE) for the guest. A process's own
    // limit (EMFILE) is the guest file table's to answer.
    if (e == EMFILE)
        return linux_abi::Errno::enfile;
    return static_cast<linux_abi::Errno>(e);
}

}  // namespace os::fs
