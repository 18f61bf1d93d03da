// How many pages a second go out to and come back from a swap file (not a test: hidden,
// run it by hand with `unit_tests "[.swap-benchmark]"`; the swap file goes to $TMPDIR).
// 256 MiB of anonymous memory in 16 MiB of RAM is written twice in order and read once,
// so nearly every access pages one page out and, after the first pass, one page in.
#include <chrono>
#include <cstdio>

#include "tests/unit/swap_fixture.h"

namespace {

using namespace swap_test;
using Clock = std::chrono::steady_clock;

void measure(const std::string& policy) {
    constexpr std::uint64_t kRamPages = 4096;   // 16 MiB
    constexpr std::uint64_t kPages = 65536;     // 256 MiB
    SwapMachine m(kRamPages, swap_config(2 * kPages, policy));
    AddressSpace as(m.pmem, &m.mmu);
    const VirtAddr a = map_at(as, 0x1000'0000, kPages * P);
    const auto t0 = Clock::now();
    for (int pass = 0; pass < 2; ++pass)
        for (std::uint64_t i = 0; i < kPages; ++i)
            write_byte(as, a + i * P, static_cast<std::uint8_t>(pass + 1));
    for (std::uint64_t i = 0; i < kPages; ++i)
        REQUIRE(read_byte(as, a + i * P) == 2);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    const std::uint64_t out = m.swap().area().pages_written(), in = m.swap().area().pages_read();
    std::printf("%-6s: %llu page-outs + %llu page-ins in %.2f s: %.0f pages/s (%.1f us per page moved); "
                "%llu clean drops, %llu swap-cache hits\n",
                policy.c_str(), static_cast<unsigned long long>(out), static_cast<unsigned long long>(in), s,
                static_cast<double>(out + in) / s, s * 1e6 / static_cast<double>(out + in),
                static_cast<unsigned long long>(m.reclaim.stats().clean_dropped),
                static_cast<unsigned long long>(m.swap().swap_cache_hits()));
}

}  // namespace

TEST_CASE("swap benchmark: page-outs and page-ins per second, 256 MiB through 16 MiB of RAM", "[.swap-benchmark]") {
    for (std::string_view policy : kReplacementPolicyNames)
        measure(std::string(policy));
}
