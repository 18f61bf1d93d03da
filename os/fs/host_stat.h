// Converting the host's struct stat into the guest's.
#pragma once

#include <sys/stat.h>

#include "os/abi/stat.h"

namespace os::fs {

linux_abi::Stat to_guest_stat(const struct stat& st);

}  // namespace os::fs
