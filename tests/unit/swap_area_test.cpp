// The swap area (os/mm/swap_area.h) and swap entries (os/mm/swap_entry.h): the lowest free
// slot first, per-slot counts and the swap cache's flag, page I/O, mkswap's header, a
// temporary file that leaves nothing behind, a named file left in place; and the swap PTE
// format, distinct from empty and PROT_NONE entries.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "os/mm/swap_area.h"
#include "os/mm/swap_entry.h"

namespace {

using namespace os::mm;
constexpr std::uint64_t P = kPageSize;

std::vector<std::byte> page_of(std::uint8_t value) { return std::vector<std::byte>(P, std::byte{value}); }

}  // namespace

TEST_CASE("swap entry: a swap PTE is not present, holds no frame, and is neither empty nor PROT_NONE") {
    for (SwapEntry e : {SwapEntry{0, 0}, SwapEntry{0, 1}, SwapEntry{31, (1ull << 40) - 1}, SwapEntry{5, 12345}}) {
        const Pte pte = swp_entry_to_pte(e);
        CHECK(is_swap_pte(pte));
        CHECK(!pte_present(pte));
        CHECK(!pte_has_frame(pte));
        CHECK(pte != 0);
        CHECK(pte_to_swp_entry(pte) == e);
    }
    CHECK(!is_swap_pte(0));
    CHECK(!is_swap_pte(make_pte(static_cast<Pfn>(7), kPteSoftProtNone)));          // PROT_NONE
    CHECK(!is_swap_pte(make_pte(static_cast<Pfn>(7), kPtePresent | kPteUser)));  // present
}

TEST_CASE("swap area: slots are handed out lowest first, counted, and free again with no user and no cache") {
    SwapArea area(9 * P, "");
    CHECK(area.total_slots() == 8);  // page 0 is the header
    CHECK(area.free_slots() == 8);
    const SwapEntry a = *area.get_swap_page();
    const SwapEntry b = *area.get_swap_page();
    CHECK(a.offset == 1);
    CHECK(b.offset == 2);
    CHECK(area.has_cache(a));
    CHECK(area.swap_count(a) == 0);
    CHECK(area.used_slots() == 2);
    // Two PTEs take slot a; the cache lets go: still in use.
    area.swap_duplicate(a);
    area.swap_duplicate(a);
    area.set_cache_flag(a, false);
    CHECK(area.swap_count(a) == 2);
    CHECK(area.used_slots() == 2);
    CHECK(area.swap_free(a) == 1);
    CHECK(area.swap_free(a) == 0);
    CHECK(area.used_slots() == 1);
    // The freed slot is the lowest again.
    CHECK(area.get_swap_page()->offset == 1);
    for (int i = 0; i < 6; ++i)
        CHECK(area.get_swap_page().has_value());
    CHECK(area.free_slots() == 0);
    CHECK(!area.get_swap_page());
    area.set_cache_flag(SwapEntry{0, 5}, false);
    CHECK(area.get_swap_page()->offset == 5);
}

TEST_CASE("swap area: a page written to a slot reads back; the file has mkswap's header") {
    const std::string path =
        (std::filesystem::temp_directory_path() / ("faultline-swap-test-" + std::to_string(::getpid()))).string();
    {
        SwapArea area(64 * P, path);
        CHECK(area.path() == path);
        const SwapEntry e = *area.get_swap_page();
        auto out = page_of(0x5a);
        out[17] = std::byte{1};
        REQUIRE(area.write_page(e, out.data()));
        auto in = page_of(0);
        REQUIRE(area.read_page(e, in.data()));
        CHECK(in == out);
        CHECK(area.pages_written() == 1);
        CHECK(area.pages_read() == 1);
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK(static_cast<std::uint64_t>(st.st_size) == 64 * P);
        char signature[10];
        const int fd = ::open(path.c_str(), O_RDONLY);
        REQUIRE(::pread(fd, signature, 10, P - 10) == 10);
        ::close(fd);
        CHECK(std::string(signature, 10) == "SWAPSPACE2");
    }
    // A file given by name is the user's: left in place.
    CHECK(std::filesystem::exists(path));
    std::filesystem::remove(path);
}

TEST_CASE("swap area: the default temporary file is unlinked at once; bad sizes and paths are refused") {
    const auto dir = std::filesystem::temp_directory_path();
    auto count = [&] {
        int n = 0;
        for (const auto& entry : std::filesystem::directory_iterator(dir))
            n += entry.path().filename().string().starts_with("faultline-swap-") ? 1 : 0;
        return n;
    };
    const int before = count();
    {
        SwapArea area(16 * P, "");
        CHECK(area.path().empty());
        CHECK(count() == before);
    }
    CHECK_THROWS_AS(SwapArea(P, ""), std::invalid_argument);
    CHECK_THROWS_AS(SwapArea(16 * P, "/dev/null"), std::invalid_argument);
    CHECK_THROWS(SwapArea(16 * P, "/nonexistent-dir/swap"));
}
