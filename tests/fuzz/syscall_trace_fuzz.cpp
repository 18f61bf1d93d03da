// Fuzz target: the --trace-syscalls decoders (syscalls/trace_*.cpp), which read strings,
// arrays and structures from guest memory the fuzzer fills: any syscall number, any
// arguments, any result.
//
// Input: a 16-bit syscall number (mod 1024: unknown numbers too), six arguments of 5 bytes
// each (a kind byte and 32 value bits), a 32-bit result, then the memory image written at
// GuestRegion::kBase. An argument's kind says how its value is meant: an address
// (GuestRegion::address), a small number, a negative one, or 64 bits taken from the input.
//
// Properties: decoding never faults a page in or changes a fault count (the trace reads only
// resident memory); the same call decodes the same way twice; a line never contains a raw
// newline or NUL (a guest cannot forge trace lines).
#include <cstddef>
#include <cstdint>
#include <string>

#include "syscalls/trace_format.h"
#include "syscalls/trace_memory.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/guest_region.h"

namespace {

using fuzz::GuestRegion;

std::uint64_t argument(fuzz::FuzzInput& in) {
    const auto kind = in.take<std::uint8_t>();
    const auto v = in.take<std::uint32_t>();
    switch (kind % 4) {
    case 0: return GuestRegion::address(v);
    case 1: return v;
    case 2: return static_cast<std::uint64_t>(-static_cast<std::int64_t>(v));
    default: return (static_cast<std::uint64_t>(in.take<std::uint32_t>()) << 32) | v;
    }
}

std::uint64_t faults(const os::mm::AddressSpace& mm) {
    const auto& c = mm.fault_counters();
    return c.minor + c.major + c.errors;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::FuzzInput in(data, size);
    const std::uint64_t nr = in.take<std::uint16_t>() % 1024;
    std::uint64_t args[6];
    for (std::uint64_t& a : args)
        a = argument(in);
    // Results as the dispatcher produces them: small values, errnos, and addresses.
    const auto raw_result = in.take<std::uint32_t>();
    const std::int64_t result = (raw_result >> 31) ? -static_cast<std::int64_t>(raw_result & 0xfff)
                                                   : static_cast<std::int64_t>(raw_result);
    GuestRegion g(in.rest());
    const os::mm::AddressSpace& mm = g.mm();
    const std::uint64_t resident = mm.resident_pages();
    const std::uint64_t faulted = faults(mm);

    const syscalls::trace::GuestMemory mem(&mm);
    const syscalls::trace::TracedCall call(mem, nr, args, GuestRegion::kBase + 0x1000);
    const std::string line = call.text(mem, result);
    const std::string result_text = call.result_text(result);

    FUZZ_CHECK(mm.resident_pages() == resident && faults(mm) == faulted, "the trace faults nothing in");
    FUZZ_CHECK(call.text(mem, result) == line, "a call decodes the same way twice");
    FUZZ_CHECK(line.find('\n') == std::string::npos && line.find('\0') == std::string::npos,
               "a trace line has no raw newline or NUL");
    FUZZ_CHECK(!result_text.empty() && result_text.find('\n') == std::string::npos, "a result reads as one line");
    return 0;
}
