// FaultRecord: one line of a fault log as the report reads it back (the schema is in the
// README, "Fault logs"; the writer is os/trace/fault_event.h). Only the fields the report
// needs are required; unknown fields are ignored, so the schema may grow.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace tools::report {

struct VmaRecord {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::string perms;  // "rw-p"
    std::string name;   // "" for anonymous memory, "[stack]", "/usr/lib/…/libc.so.6"
};

struct FaultRecord {
    std::uint64_t seq = 0;
    std::uint64_t time_ns = 0;
    int pid = 0;
    std::string comm;
    std::uint64_t page = 0;
    std::string access;  // "read", "write", "exec" ("" when absent)
    std::string kind;    // "demand-zero", "file", … or a kind this report does not know yet
    bool major = false;
    bool by_kernel = false;
    bool to_swap = false;  // a reclaim event whose page is in swap from now on ("swap_slot")
    std::optional<VmaRecord> vma;  // nullopt: no mapping contained the address
};

// Parses one line (without its newline). The error says what is wrong, e.g.
// "missing field \"kind\"" or "column 17: expected ',' or '}'".
std::expected<FaultRecord, std::string> parse_fault_record(std::string_view line);

}  // namespace tools::report
