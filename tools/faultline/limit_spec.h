// The text of --limit: WHO:LIMITS, a memory cgroup (os/mm/mem_cgroup.h) for
//   PID   that process and every descendant it has from then on, one group together;
//   NAME  every process running the program NAME (its comm, or its executable's basename),
//         each in a group of its own;
// and LIMITS is SIZE (memory.max) or a comma-separated list of max=SIZE and high=SIZE.
// Examples: "2:64M", "sort:8M", "gzip:high=4M,max=16M".
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "os/mm/mem_cgroup.h"

namespace tools {

std::expected<os::mm::MemcgRule, std::string> parse_limit_spec(std::string_view text);

}  // namespace tools
