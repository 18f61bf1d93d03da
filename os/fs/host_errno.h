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
    return static_cast<linux_abi::Errno>(e);
}

}  // namespace os::fs
