// KResult<T>: the kernel personality's error type. A value, or a Linux errno.
#pragma once

#include <expected>

#include "os/abi/errno.h"

namespace os {

template <class T>
using KResult = std::expected<T, linux_abi::Errno>;

// Shorthand for returning an error: `return err(Errno::EFAULT);`
inline std::unexpected<linux_abi::Errno> err(linux_abi::Errno e) { return std::unexpected(e); }

}  // namespace os

// TRY(expr): evaluates a KResult; on error returns the error from the enclosing function,
// otherwise yields the value. Uses a GCC/Clang statement expression (as SerenityOS does).
#define TRY(expr)                                                   \
    ({                                                              \
        auto _try_result = (expr);                                  \
        if (!_try_result) [[unlikely]]                              \
            return std::unexpected(_try_result.error());            \
        std::move(_try_result).value();                             \
    })

// TRY_VOID(expr): as TRY for KResult<void>.
#define TRY_VOID(expr)                                              \
    do {                                                            \
        auto _try_result = (expr);                                  \
        if (!_try_result) [[unlikely]]                              \
            return std::unexpected(_try_result.error());            \
    } while (0)
