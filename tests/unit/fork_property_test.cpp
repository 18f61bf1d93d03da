// A randomized property test of fork and copy-on-write: random sequences of mmap (private
// and shared anonymous, private file), writes, fork, munmap, mprotect, mremap (moves,
// growth, MREMAP_DONTUNMAP), MADV_DONTNEED/DONTFORK/WIPEONFORK and address-space teardown,
// over up to six address spaces, against a byte-level model of what each one must read.
// Frame counts and the reverse map are recomputed from the page tables as it goes, and
// every frame must be free again when all address spaces are gone.
#include "tests/unit/fork_model.h"

namespace {

using namespace fork_model;

}  // namespace

TEST_CASE("fork property: random address-space operations across six processes match a byte model") {
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        Machine m(8192);
        TempFile tf(kFilePages);
        const std::uint64_t free_before = m.pmem.free_frame_count();
        {
            Model model(seed, m.pmem, &m.mmu, cached(m, tf, false));
            for (int i = 0; i < 3000; ++i) {
                CAPTURE(seed, i);
                model.step();
                if (i % 100 == 99)
                    model.check_everything();
            }
            model.check_everything();
            model.destroy_all();
        }
        m.cache.shrink(~std::uint64_t{0});
        CHECK(m.pmem.free_frame_count() == free_before);
    }
}
