// FaultEvent: one line of a fault log (DIR/<pid>.faults.jsonl), and its JSON form. The
// field names are stable and documented in the README; every value is a pure function of
// the run (virtual time, no host addresses), so two runs give byte-identical logs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace os::trace {

struct FaultEvent {
    std::uint64_t seq = 0;      // order of the event in the whole run (all processes)
    std::uint64_t time_ns = 0;  // virtual time since the run started
    int pid = 0;
    int tid = 0;
    std::string_view comm;
    std::uint64_t address = 0;  // the byte address the access named
    std::uint64_t page = 0;
    std::uint64_t rip = 0;
    std::string_view instruction;  // decoded by Zydis (Intel syntax)
    std::string_view access;       // "read", "write", "exec"
    std::string_view kind;         // "demand-zero", "cow-copy", "segv-maperr", ...
    bool major = false;
    bool by_kernel = false;  // faultline touched the page for a syscall (copy_to_user)
    bool has_vma = false;
    std::uint64_t vma_start = 0, vma_end = 0;
    std::string_view vma_perms;  // as /proc/pid/maps shows them, e.g. "rw-p"
    std::string_view vma_name;
    std::int64_t frame = -1;  // the frame given, or -1
    // Reclaim events (kinds page-out, drop, write-back, oom-kill); each written only when set.
    std::string_view policy;          // the replacement policy that chose the page
    std::int64_t swap_slot = -1;      // the swap slot the page went to (or still has)
    int victim_pid = 0;               // oom-kill: the process killed
    std::string_view victim_comm;
    std::uint64_t victim_pages = 0;   // its resident + swapped pages when chosen
};

// One JSON object and a newline.
std::string to_json_line(const FaultEvent& e);
// The same written at `out`, which has room for json_line_bound(e) bytes; returns its end.
std::size_t json_line_bound(const FaultEvent& e);
char* write_json_line(const FaultEvent& e, char* out);
// Appends `s` as a JSON string literal (quotes and escapes).
void append_json_string(std::string& out, std::string_view s);

}  // namespace os::trace
