// One syscall as the trace shows it, in two steps like strace: the arguments the call
// reads are decoded before it runs (execve's argv, write's buffer), the ones it writes
// after it returned (read's buffer, pipe's descriptors, wait4's status).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "syscalls/trace_memory.h"
#include "syscalls/trace_signatures.h"

namespace syscalls::trace {

class TracedCall {
public:
    // Before the call: decodes what it reads from `mem`. `rsp` is the caller's stack
    // pointer (rt_sigreturn shows the mask in the frame there).
    TracedCall(const GuestMemory& mem, std::uint64_t nr, const std::uint64_t args[6], std::uint64_t rsp);

    // "name(args)" once the call returned `result`, with what it wrote read from `mem`
    // (shown as addresses if it failed).
    std::string text(const GuestMemory& mem, std::int64_t result) const;
    // What follows "= ": "3", "0x7f0000000000", "-1 ENOENT (No such file or directory)".
    std::string result_text(std::int64_t result) const;

private:
    struct Slot {
        Arg kind = Arg::None;
        std::uint64_t value = 0;
        std::uint64_t aux = 0;     // the size or count a kind needs (the next argument)
        std::string_view label;    // "flags=" for the named arguments of clone
    };

    void add(Arg kind, std::uint64_t value, std::uint64_t aux = 0, std::string_view label = {});
    void lay_out_table(const Signature& sig, const std::uint64_t args[6]);
    void lay_out_clone(const std::uint64_t args[6]);
    void lay_out_futex(const std::uint64_t args[6]);
    void lay_out_fcntl(const std::uint64_t args[6]);
    void lay_out_prctl(const std::uint64_t args[6]);
    void lay_out_mremap(const std::uint64_t args[6]);

    std::uint64_t m_nr;
    ResultKind m_result;
    std::array<Slot, 6> m_slots;
    std::size_t m_count = 0;
    std::array<std::string, 6> m_inputs;  // the text of each argument shown on entry
};

}  // namespace syscalls::trace
