// How long fork() takes for a parent with 64 MiB and 512 MiB resident (not a test: hidden,
// run it by hand with `unit_tests "[.fork-benchmark]"`).
#include <chrono>
#include <cstdio>

#include "tests/unit/fork_fixture.h"

namespace {

using namespace fork_test;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void measure(std::uint64_t resident_bytes) {
    const std::uint64_t pages = resident_bytes / P;
    Machine m(pages + pages / 8 + 4096);
    AddressSpace parent(m.pmem, &m.mmu);
    const VirtAddr a = map_at(parent, 0x1000'0000, resident_bytes);
    REQUIRE(parent.populate(a, resident_bytes, false));
    constexpr int kRounds = 5;
    double best_fork = 1e9, best_exit = 1e9, first_cow = 0;
    std::uint64_t tables = 0;
    for (int r = 0; r < kRounds; ++r) {
        auto t0 = Clock::now();
        auto child = parent.fork(nullptr);
        best_fork = std::min(best_fork, ms_since(t0));
        REQUIRE(child);
        tables = child->page_table().table_frames();
        if (r == 0) {
            // The price comes later: every page the parent writes is copied once.
            t0 = Clock::now();
            for (std::uint64_t i = 0; i < pages; i += 64)
                write_byte(parent, a + i * P, 1);
            first_cow = ms_since(t0) / static_cast<double>(pages / 64) * 1000.0;
        }
        t0 = Clock::now();
        child.reset();
        best_exit = std::min(best_exit, ms_since(t0));
    }
    std::printf("fork of %4llu MiB resident (%llu pages, %llu page-table frames): fork %.2f ms, child exit %.2f ms, "
                "a COW copy %.2f us\n",
                static_cast<unsigned long long>(resident_bytes >> 20), static_cast<unsigned long long>(pages),
                static_cast<unsigned long long>(tables), best_fork, best_exit, first_cow);
}

}  // namespace

TEST_CASE("fork benchmark: 64 MiB and 512 MiB resident", "[.fork-benchmark]") {
    measure(64ull << 20);
    measure(512ull << 20);
}
