// The fork property test's random operations (fork_model.h) on a machine with very little
// RAM and a swap file, with page reclaim also run at random (a round of it, or one page):
// every page of every address space must read as the byte model says after any amount of
// swapping, the frame, swap-slot and swap-cache accounting must be exact throughout, and
// every frame and slot must be free again once all address spaces are gone.
#include "tests/unit/fork_model.h"
#include "tests/unit/swap_fixture.h"

namespace {

using namespace fork_model;

}  // namespace

TEST_CASE("swap property: random address-space operations with tiny RAM and swap match a byte model") {
    // 48 frames hold little more than the page tables of six processes.
    const std::uint64_t frames = GENERATE(48, 64, 96);
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        const std::string policy(kReplacementPolicyNames[seed % std::size(kReplacementPolicyNames)]);
        CAPTURE(frames, seed, policy);
        ReclaimConfig config = swap_test::swap_config(4096, policy);
        config.seed = seed;
        swap_test::SwapMachine m(frames, config);
        TempFile tf(kFilePages);
        const std::uint64_t free_before = m.pmem.free_frame_count();
        {
            auto file = m.cache.get(tf.fd, tf.path);
            REQUIRE(file);
            Model model(seed, m.pmem, &m.mmu, *file, &m.reclaim);
            for (int i = 0; i < 3000; ++i) {
                CAPTURE(i);
                model.step();
                if (i % 100 == 99)
                    model.check_everything();
            }
            model.check_everything();
            model.destroy_all();
        }
        CHECK(m.reclaim.stats().kswapd_runs > 0);
        CHECK(m.reclaim.stats().anon_written > 0);
        CHECK(m.reclaim.stats().shmem_written > 0);
        CHECK(m.swap().area().pages_read() > 0);
        CHECK(m.swap().area().used_slots() == 0);
        CHECK(m.swap().cache().pages() == 0);
        m.cache.shrink(~std::uint64_t{0});
        CHECK(m.pmem.free_frame_count() == free_before);
    }
}
