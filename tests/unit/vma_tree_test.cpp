// Tests for os::mm::VmaTree: unit cases for each operation and its edges, a check that the
// invariant checker can fail, and a deterministic randomized test against a std::map model.
#include "os/mm/vma_tree.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace os::mm {
class CachedFile;  // incomplete here: the tests only need a non-null pointer to one
}

namespace {

using os::mm::kPageSize;
using os::mm::VirtAddr;
using os::mm::Vma;
using os::mm::VmaTree;

constexpr std::uint64_t P = kPageSize;
constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

std::unique_ptr<Vma> make_vma(VirtAddr start, VirtAddr end) {
    auto v = std::make_unique<Vma>();
    v->start = start;
    v->end = end;
    return v;
}

// A non-null shared_ptr<CachedFile> that is never dereferenced (aliasing constructor).
std::shared_ptr<os::mm::CachedFile> fake_file() {
    auto owner = std::make_shared<int>(0);
    return std::shared_ptr<os::mm::CachedFile>(owner, reinterpret_cast<os::mm::CachedFile*>(owner.get()));
}

std::vector<std::pair<VirtAddr, VirtAddr>> ranges(const VmaTree& t) {
    std::vector<std::pair<VirtAddr, VirtAddr>> out;
    for (Vma& v : t)
        out.emplace_back(v.start, v.end);
    return out;
}

// [0x10000,0x20000) [0x30000,0x40000) [0x42000,0x50000): gaps below of 0x10000, 0x10000 and
// 0x2000, then everything from 0x50000 up.
void fill_three(VmaTree& t) {
    REQUIRE(t.insert(make_vma(0x30000, 0x40000)));
    REQUIRE(t.insert(make_vma(0x10000, 0x20000)));
    REQUIRE(t.insert(make_vma(0x42000, 0x50000)));
    REQUIRE(t.check_invariants() == "");
}

}  // namespace

TEST_CASE("VmaTree: empty tree", "[vma_tree]") {
    VmaTree t;
    CHECK(t.empty());
    CHECK(t.size() == 0);
    CHECK(t.first() == nullptr);
    CHECK(t.last() == nullptr);
    CHECK(t.begin() == t.end());
    CHECK(t.find_vma(0) == nullptr);
    CHECK(t.find_containing(0x1000) == nullptr);
    CHECK(t.find_overlap(0, kMax) == nullptr);
    CHECK(t.check_invariants() == "");
    CHECK(t.find_free_bottomup(P, 0, 0x100000) == VirtAddr{0});
    CHECK(t.find_free_topdown(P, 0, 0x100000) == VirtAddr{0xff000});
    CHECK(t.find_free_topdown(0x100000, 0, 0x100000) == VirtAddr{0});  // exact fit
    CHECK(t.find_free_topdown(0x101000, 0, 0x100000) == std::nullopt);
    CHECK(t.find_free_bottomup(P, 0x5000, 0x5000) == std::nullopt);
    CHECK(t.find_free_topdown(P, kMax, kMax) == std::nullopt);
    CHECK(t.find_free_topdown(P, 0, kMax) == VirtAddr{kMax - 0xfff - P});
    CHECK(t.remove(nullptr) == nullptr);
}

TEST_CASE("VmaTree: insert, order and lookups", "[vma_tree]") {
    VmaTree t;
    fill_three(t);
    CHECK(t.size() == 3);
    CHECK(ranges(t) == std::vector<std::pair<VirtAddr, VirtAddr>>{
                           {0x10000, 0x20000}, {0x30000, 0x40000}, {0x42000, 0x50000}});
    Vma* a = t.first();
    Vma* c = t.last();
    REQUIRE(a != nullptr);
    REQUIRE(c != nullptr);
    Vma* b = t.next(a);
    CHECK(b->start == 0x30000);
    CHECK(t.next(b) == c);
    CHECK(t.next(c) == nullptr);
    CHECK(t.prev(c) == b);
    CHECK(t.prev(a) == nullptr);

    CHECK(t.find_vma(0) == a);
    CHECK(t.find_vma(0x10000) == a);
    CHECK(t.find_vma(0x1ffff) == a);
    CHECK(t.find_vma(0x20000) == b);  // end is exclusive: the next VMA
    CHECK(t.find_vma(0x40000) == c);
    CHECK(t.find_vma(0x4ffff) == c);
    CHECK(t.find_vma(0x50000) == nullptr);

    CHECK(t.find_containing(0xffff) == nullptr);
    CHECK(t.find_containing(0x10000) == a);
    CHECK(t.find_containing(0x20000) == nullptr);
    CHECK(t.find_containing(0x3abcd) == b);
    CHECK(t.find_containing(0x50000) == nullptr);

    CHECK(t.find_overlap(0, 0x10000) == nullptr);
    CHECK(t.find_overlap(0, 0x10001) == a);
    CHECK(t.find_overlap(0x20000, 0x30000) == nullptr);
    CHECK(t.find_overlap(0x20000, 0x60000) == b);
    CHECK(t.find_overlap(0x41000, 0x42000) == nullptr);
    CHECK(t.find_overlap(0x41000, 0x42001) == c);
    CHECK(t.find_overlap(0x30000, 0x30000) == nullptr);  // empty range
}

TEST_CASE("VmaTree: insert rejects overlapping and malformed ranges", "[vma_tree]") {
    VmaTree t;
    fill_three(t);
    CHECK(t.insert(make_vma(0x30000, 0x40000)) == nullptr);  // identical
    CHECK(t.insert(make_vma(0x30000, 0x31000)) == nullptr);  // same start
    CHECK(t.insert(make_vma(0x31000, 0x32000)) == nullptr);  // inside
    CHECK(t.insert(make_vma(0x20000, 0x42000)) == nullptr);  // covers one
    CHECK(t.insert(make_vma(0x2f000, 0x31000)) == nullptr);  // straddles a start
    CHECK(t.insert(make_vma(0x3f000, 0x41000)) == nullptr);  // straddles an end
    CHECK(t.insert(make_vma(0x0, 0x60000)) == nullptr);      // covers all
    CHECK(t.insert(make_vma(0x5000, 0x5000)) == nullptr);    // empty
    CHECK(t.insert(make_vma(0x6000, 0x5000)) == nullptr);    // reversed
    CHECK(t.insert(make_vma(0x5001, 0x6000)) == nullptr);    // unaligned
    CHECK(t.insert(nullptr) == nullptr);
    CHECK(t.size() == 3);
    CHECK(t.check_invariants() == "");
    // Exactly filling a gap, touching both neighbours, is fine.
    Vma* fill = t.insert(make_vma(0x40000, 0x42000));
    REQUIRE(fill != nullptr);
    CHECK(t.prev(fill)->end == 0x40000);
    CHECK(t.next(fill)->start == 0x42000);
    CHECK(t.insert(make_vma(0, 0x10000)) != nullptr);  // at address 0
    CHECK(t.size() == 5);
    CHECK(t.check_invariants() == "");
}

TEST_CASE("VmaTree: split copies fields and advances the file offset", "[vma_tree]") {
    VmaTree t;
    fill_three(t);
    Vma* b = t.find_containing(0x30000);
    b->prot = os::mm::kProtRead | os::mm::kProtExec;
    b->flags = os::mm::kVmShared;
    b->file = fake_file();
    b->file_offset = 0x7000;
    b->name = "/lib/libc.so.6";

    CHECK(t.split(b, 0x30000) == nullptr);  // at start
    CHECK(t.split(b, 0x40000) == nullptr);  // at end
    CHECK(t.split(b, 0x50000) == nullptr);  // outside
    CHECK(t.split(b, 0x34800) == nullptr);  // unaligned
    CHECK(t.size() == 3);

    Vma* upper = t.split(b, 0x34000);
    REQUIRE(upper != nullptr);
    CHECK(t.check_invariants() == "");
    CHECK(t.size() == 4);
    CHECK(b->start == 0x30000);
    CHECK(b->end == 0x34000);
    CHECK(b->file_offset == 0x7000);
    CHECK(upper->start == 0x34000);
    CHECK(upper->end == 0x40000);
    CHECK(upper->file_offset == 0x7000 + 0x4000);
    CHECK(upper->prot == b->prot);
    CHECK(upper->flags == b->flags);
    CHECK(upper->file == b->file);
    CHECK(upper->name == b->name);
    CHECK(t.next(b) == upper);
    CHECK(t.find_containing(0x33fff) == b);
    CHECK(t.find_containing(0x34000) == upper);
    // No gap opened between the halves.
    CHECK(t.find_free_bottomup(P, 0x30000, 0x40000) == std::nullopt);
}

TEST_CASE("VmaTree: set_range grows and shrinks, keeping gaps and file offsets", "[vma_tree]") {
    VmaTree t;
    fill_three(t);
    Vma* a = t.find_containing(0x10000);
    Vma* b = t.find_containing(0x30000);
    b->file = fake_file();
    b->file_offset = 0x5000;

    // brk-style growth of a's end into the gap below b: that gap shrinks to 0x1000.
    t.set_range(a, 0x10000, 0x2f000);
    CHECK(t.check_invariants() == "");
    CHECK(a->file_offset == 0);
    CHECK(t.find_free_bottomup(0x2000, 0x10000, 0x40000) == std::nullopt);
    CHECK(t.find_free_bottomup(P, 0x10000, 0x40000) == VirtAddr{0x2f000});

    // Stack-style growth of b's start down to a's end: the file offset follows the start.
    t.set_range(b, 0x2f000, 0x40000);
    CHECK(t.check_invariants() == "");
    CHECK(b->file_offset == 0x4000);
    CHECK(t.find_containing(0x2f000) == b);
    CHECK(t.find_free_bottomup(P, 0x10000, 0x40000) == std::nullopt);

    // Anonymous VMAs keep their offset when the start moves (stack growth must not wrap).
    t.set_range(a, 0x8000, 0x2f000);
    CHECK(a->file_offset == 0);
    CHECK(t.find_free_topdown(0x8000, 0, 0x60000) == VirtAddr{0x58000});
    CHECK(t.find_free_topdown(0x8000, 0, 0x50000) == VirtAddr{0});
    CHECK(t.find_free_topdown(0x9000, 0, 0x50000) == std::nullopt);

    // Shrink both ends of b: gaps reappear below b and below c.
    t.set_range(b, 0x31000, 0x3e000);
    CHECK(t.check_invariants() == "");
    CHECK(b->file_offset == 0x6000);
    CHECK(t.find_free_topdown(0x4000, 0, 0x50000) == VirtAddr{0x3e000});
    CHECK(t.find_free_topdown(0x2000, 0x2f000, 0x3e000) == VirtAddr{0x2f000});
    CHECK(t.find_free_topdown(0x2000, 0x30000, 0x3e000) == std::nullopt);
    CHECK(t.find_containing(0x30fff) == nullptr);
    CHECK(t.find_vma(0x30fff) == b);
}

TEST_CASE("VmaTree: remove returns ownership and relinks neighbours", "[vma_tree]") {
    VmaTree t;
    fill_three(t);
    Vma* b = t.find_containing(0x30000);
    std::unique_ptr<Vma> owned = t.remove(b);
    REQUIRE(owned.get() == b);
    CHECK(owned->start == 0x30000);
    CHECK(owned->rb.parent == nullptr);
    CHECK(owned->rb.left == nullptr);
    CHECK(owned->rb.right == nullptr);
    CHECK(owned->rb.prev == nullptr);
    CHECK(owned->rb.next == nullptr);
    CHECK(t.size() == 2);
    CHECK(t.check_invariants() == "");
    CHECK(t.next(t.first()) == t.last());
    CHECK(t.prev(t.last()) == t.first());
    CHECK(t.find_containing(0x30000) == nullptr);
    CHECK(t.find_vma(0x20000)->start == 0x42000);
    // The gap below the old successor now reaches down to 0x20000.
    CHECK(t.find_free_bottomup(0x22000, 0, 0x50000) == VirtAddr{0x20000});

    // The removed VMA can be inserted again, into this or another tree.
    CHECK(t.insert(std::move(owned)) == b);
    CHECK(t.check_invariants() == "");
    while (!t.empty())
        t.remove(t.first());
    CHECK(t.check_invariants() == "");
    CHECK(t.first() == nullptr);
    CHECK(t.last() == nullptr);
}

TEST_CASE("VmaTree: free-range search at the edges", "[vma_tree]") {
    VmaTree t;
    fill_three(t);
    // Bottom-up: below the first VMA, then the low limit pushes the answer up.
    CHECK(t.find_free_bottomup(P, 0, kMax) == VirtAddr{0});
    CHECK(t.find_free_bottomup(0x10000, 0, kMax) == VirtAddr{0});  // exact fit below first
    CHECK(t.find_free_bottomup(0x11000, 0, kMax) == VirtAddr{0x50000});
    CHECK(t.find_free_bottomup(P, 0xf000, kMax) == VirtAddr{0xf000});
    CHECK(t.find_free_bottomup(P, 0x10000, kMax) == VirtAddr{0x20000});
    CHECK(t.find_free_bottomup(P, 0x2f000, kMax) == VirtAddr{0x2f000});
    CHECK(t.find_free_bottomup(0x2000, 0x2f000, kMax) == VirtAddr{0x40000});  // exact fit
    CHECK(t.find_free_bottomup(0x3000, 0x2f000, kMax) == VirtAddr{0x50000});  // above last
    CHECK(t.find_free_bottomup(P, 0x2e001, kMax) == VirtAddr{0x2f000});       // low rounds up
    CHECK(t.find_free_bottomup(P, 0x60000, kMax) == VirtAddr{0x60000});
    // High limits.
    CHECK(t.find_free_bottomup(0x3000, 0x2f000, 0x50000) == std::nullopt);
    CHECK(t.find_free_bottomup(0x3000, 0x2f000, 0x53000) == VirtAddr{0x50000});
    CHECK(t.find_free_bottomup(0x3000, 0x2f000, 0x52fff) == std::nullopt);  // high rounds down
    CHECK(t.find_free_bottomup(0x2000, 0x25000, 0x27000) == VirtAddr{0x25000});
    CHECK(t.find_free_bottomup(0x3000, 0x25000, 0x27000) == std::nullopt);

    // Top-down: the gap above the last VMA first, then down through the tree.
    CHECK(t.find_free_topdown(P, 0, 0x100000) == VirtAddr{0xff000});
    CHECK(t.find_free_topdown(P, 0, 0x51000) == VirtAddr{0x50000});
    CHECK(t.find_free_topdown(P, 0, 0x50fff) == VirtAddr{0x41000});
    CHECK(t.find_free_topdown(0x2000, 0, 0x50000) == VirtAddr{0x40000});  // exact fit
    CHECK(t.find_free_topdown(0x3000, 0, 0x50000) == VirtAddr{0x2d000});
    CHECK(t.find_free_topdown(0x3000, 0, 0x25000) == VirtAddr{0x22000});  // high mid-gap
    CHECK(t.find_free_topdown(0x10000, 0, 0x50000) == VirtAddr{0x20000});
    CHECK(t.find_free_topdown(0x10000, 0x20001, 0x50000) == std::nullopt);
    CHECK(t.find_free_topdown(0x10000, 0x1000, 0x50000) == VirtAddr{0x20000});
    CHECK(t.find_free_topdown(0x10000, 0, 0x2ffff) == VirtAddr{0});
    CHECK(t.find_free_topdown(0x11000, 0, 0x50000) == std::nullopt);  // no fit
    CHECK(t.find_free_topdown(P, 0x41000, 0x42000) == VirtAddr{0x41000});
    CHECK(t.find_free_topdown(P, 0x41001, 0x42000) == std::nullopt);
    CHECK(t.find_free_topdown(P, 0x10000, 0x20000) == std::nullopt);  // inside a VMA
    CHECK(t.find_free_topdown(P, 0, kMax) == VirtAddr{kMax - 0xfff - P});

    // Degenerate requests.
    CHECK(t.find_free_topdown(0, 0, kMax) == std::nullopt);
    CHECK(t.find_free_bottomup(0x800, 0, kMax) == std::nullopt);
    CHECK(t.find_free_bottomup(P, 0x60000, 0x50000) == std::nullopt);
    CHECK(t.find_free_topdown(0x10000, 0, 0xf000) == std::nullopt);
    CHECK(t.find_free_bottomup(P, kMax, kMax) == std::nullopt);

    // A VMA at address 0 leaves no gap below it; one reaching the top leaves none above it.
    VmaTree edge;
    REQUIRE(edge.insert(make_vma(0, 0x5000)));
    REQUIRE(edge.insert(make_vma(kMax - 0xfff - 0x3000, kMax - 0xfff)));
    CHECK(edge.check_invariants() == "");
    CHECK(edge.find_free_bottomup(P, 0, kMax) == VirtAddr{0x5000});
    CHECK(edge.find_free_topdown(P, 0, kMax) == VirtAddr{kMax - 0xfff - 0x4000});
    CHECK(edge.find_free_topdown(P, 0, 0x5000) == std::nullopt);
}

TEST_CASE("VmaTree: check_invariants reports a corrupted tree", "[vma_tree]") {
    VmaTree t;
    for (VirtAddr a = 0; a < 64; ++a)
        REQUIRE(t.insert(make_vma((a * 3 + (a % 5)) * P * 4, (a * 3 + (a % 5)) * P * 4 + P)));
    REQUIRE(t.size() == 64);
    REQUIRE(t.check_invariants() == "");

    Vma* lowest = t.first();
    Vma* root = lowest;
    while (root->rb.parent != nullptr)
        root = root->rb.parent;

    SECTION("wrong subtree_gap at the root") {
        root->rb.subtree_gap += P;
        CHECK_THAT(t.check_invariants(), Catch::Contains("subtree_gap"));
        root->rb.subtree_gap -= P;
    }
    SECTION("wrong subtree_gap in the lowest node") {
        lowest->rb.subtree_gap += P;
        CHECK_THAT(t.check_invariants(), Catch::Contains("subtree_gap"));
        lowest->rb.subtree_gap -= P;
    }
    SECTION("red root") {
        root->rb.red = true;
        CHECK_THAT(t.check_invariants(), Catch::Contains("root is red"));
        root->rb.red = false;
    }
    SECTION("colour flip breaks the red-black rules") {
        Vma* v = t.last();
        v->rb.red = !v->rb.red;
        CHECK(t.check_invariants() != "");
        v->rb.red = !v->rb.red;
    }
    SECTION("overlap") {
        Vma* v = t.next(t.first());
        v->end = t.next(v)->start + P;
        CHECK_THAT(t.check_invariants(), Catch::Contains("overlaps"));
        v->end = v->start + P;
    }
    SECTION("broken parent link") {
        Vma* child = root->rb.left;
        child->rb.parent = nullptr;
        CHECK_THAT(t.check_invariants(), Catch::Contains("parent link"));
        child->rb.parent = root;
    }
    SECTION("broken list link") {
        Vma* v = t.next(t.first());
        Vma* saved = v->rb.next;
        v->rb.next = nullptr;
        CHECK(t.check_invariants() != "");
        v->rb.next = saved;
    }
    CHECK(t.check_invariants() == "");
}

TEST_CASE("VmaTree: move construction and assignment transfer the VMAs", "[vma_tree]") {
    VmaTree a;
    fill_three(a);
    Vma* first = a.first();
    VmaTree b(std::move(a));
    CHECK(b.size() == 3);
    CHECK(b.first() == first);
    CHECK(b.check_invariants() == "");
    CHECK(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    CHECK(a.check_invariants() == "");

    VmaTree c;
    REQUIRE(c.insert(make_vma(0x1000, 0x2000)));
    c = std::move(b);  // c's own VMA is freed
    CHECK(c.size() == 3);
    CHECK(c.first() == first);
    CHECK(c.check_invariants() == "");
    CHECK(b.empty());  // NOLINT(bugprone-use-after-move)
}

// ---- Randomized test against a model ----------------------------------------------------------

namespace {

// The model: a map from start to the rest of a VMA, and brute-force answers to every query.
struct ModelVma {
    VirtAddr end;
    std::uint64_t file_offset;
    bool file;
};
using Model = std::map<VirtAddr, ModelVma>;

// SplitMix64: small, fast, and the same sequence with every standard library.
struct Rng {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    bool chance(unsigned percent) { return below(100) < percent; }
};

const Model::value_type* model_find_vma(const Model& m, VirtAddr addr) {
    auto it = m.upper_bound(addr);  // first start > addr
    if (it != m.begin() && std::prev(it)->second.end > addr)
        return &*std::prev(it);
    return it != m.end() ? &*it : nullptr;
}

// Every free gap in ascending order: [prev end, start) below each VMA, then [last end, max].
template <class F>
void model_gaps(const Model& m, F&& f) {
    VirtAddr prev_end = 0;
    for (const auto& [start, v] : m) {
        f(prev_end, start);
        prev_end = v.end;
    }
    f(prev_end, kMax);
}

std::optional<VirtAddr> model_bottomup(const Model& m, std::uint64_t len, VirtAddr low,
                                       VirtAddr high) {
    low = low > os::mm::kPageMask ? kMax : os::mm::page_round_up(low);
    high = os::mm::page_round_down(high);
    std::optional<VirtAddr> found;
    model_gaps(m, [&](VirtAddr gs, VirtAddr ge) {
        VirtAddr s = std::max(gs, low);
        VirtAddr e = std::min(ge, high);
        if (!found && s <= e && e - s >= len)
            found = s;
    });
    return found;
}

std::optional<VirtAddr> model_topdown(const Model& m, std::uint64_t len, VirtAddr low,
                                      VirtAddr high) {
    low = low > os::mm::kPageMask ? kMax : os::mm::page_round_up(low);
    high = os::mm::page_round_down(high);
    std::optional<VirtAddr> found;
    model_gaps(m, [&](VirtAddr gs, VirtAddr ge) {
        VirtAddr s = std::max(gs, low);
        VirtAddr e = std::min(ge, high);
        if (s <= e && e - s >= len)
            found = e - len;  // the last fitting gap wins
    });
    return found;
}

struct PropertyTest {
    static constexpr std::uint64_t kSpacePages = 1 << 15;  // addresses in [0, 128 MiB)
    VmaTree tree;
    Model model;
    Rng rng{0x5eed'f00d'1234'5678ull};
    std::shared_ptr<os::mm::CachedFile> file = fake_file();
    std::size_t target = 0;  // the size inserts and removes steer towards
    std::uint64_t counts[8] = {};

    // A random VMA of the model (by a random address), and the tree's node for it.
    std::pair<VirtAddr, Vma*> pick() {
        auto it = model.lower_bound(rng.below(kSpacePages) * P);
        if (it == model.end())
            it = model.begin();
        Vma* v = tree.find_containing(it->first);
        REQUIRE(v != nullptr);
        REQUIRE(v->start == it->first);
        return {it->first, v};
    }

    VirtAddr random_addr() {
        if (!model.empty() && rng.chance(30)) {  // near a boundary, where bugs live
            auto [start, v] = pick();
            VirtAddr base = rng.chance(50) ? start : v->end;
            return base + rng.below(3) - 1;
        }
        return rng.below(kSpacePages * P + P);
    }

    std::uint64_t random_pages() {
        return rng.chance(80) ? 1 + rng.below(8) : 1 + rng.below(128);
    }

    void op_insert() {
        VirtAddr start = rng.below(kSpacePages) * P;
        if (!model.empty() && rng.chance(30))
            start = pick().second->end;  // adjacent to an existing VMA: a zero gap
        VirtAddr end = start + random_pages() * P;
        auto vma = make_vma(start, end);
        bool with_file = rng.chance(50);
        if (with_file) {
            vma->file = file;
            vma->file_offset = rng.below(1024) * P;
        }
        std::uint64_t offset = vma->file_offset;
        bool overlaps = false;
        if (auto it = model.lower_bound(end); it != model.begin())
            overlaps = std::prev(it)->second.end > start;
        Vma* v = tree.insert(std::move(vma));
        REQUIRE((v == nullptr) == overlaps);
        if (v != nullptr)
            model[start] = {end, offset, with_file};
        ++counts[0];
    }

    void op_remove() {
        auto [start, v] = pick();
        std::unique_ptr<Vma> owned = tree.remove(v);
        REQUIRE(owned.get() == v);
        REQUIRE(owned->end == model[start].end);
        model.erase(start);
        ++counts[1];
    }

    void op_split() {
        auto [start, v] = pick();
        std::uint64_t pages = (v->end - start) / P;
        if (pages < 2)
            return;
        VirtAddr at = start + (1 + rng.below(pages - 1)) * P;
        Vma* upper = tree.split(v, at);
        REQUIRE(upper != nullptr);
        ModelVma& lower = model[start];
        REQUIRE(upper->file_offset == lower.file_offset + (at - start));
        model[at] = {lower.end, upper->file_offset, lower.file};
        model[start].end = at;
        ++counts[2];
    }

    void op_set_range() {
        auto [start, v] = pick();
        VirtAddr floor = tree.prev(v) != nullptr ? tree.prev(v)->end : 0;
        VirtAddr ceiling = tree.next(v) != nullptr ? tree.next(v)->start : kSpacePages * P;
        ceiling = std::max(ceiling, v->end);
        // Each end moves to a random page within the room the neighbours leave.
        VirtAddr new_start = rng.chance(50) ? start : floor + rng.below((v->end - floor) / P) * P;
        VirtAddr new_end = rng.chance(50) ? v->end
                                          : new_start + (1 + rng.below((ceiling - new_start) / P)) * P;
        ModelVma m = model[start];
        if (m.file)
            m.file_offset += new_start - start;
        m.end = new_end;
        tree.set_range(v, new_start, new_end);
        REQUIRE(v->file_offset == m.file_offset);
        model.erase(start);
        model[new_start] = m;
        ++counts[3];
    }

    void op_lookup() {
        VirtAddr addr = random_addr();
        const Model::value_type* want = model_find_vma(model, addr);
        Vma* got = tree.find_vma(addr);
        REQUIRE((got == nullptr) == (want == nullptr));
        if (got != nullptr) {
            REQUIRE(got->start == want->first);
            REQUIRE(got->end == want->second.end);
            REQUIRE(got->file_offset == want->second.file_offset);
        }
        Vma* containing = tree.find_containing(addr);
        bool contains = want != nullptr && want->first <= addr;
        REQUIRE((containing != nullptr) == contains);
        if (contains)
            REQUIRE(containing == got);
        VirtAddr end = addr + rng.below(64 * P);
        Vma* overlap = tree.find_overlap(addr, end);
        bool overlaps = want != nullptr && want->first < end && addr < end;
        REQUIRE((overlap != nullptr) == overlaps);
        if (overlaps)
            REQUIRE(overlap == got);
        ++counts[4];
    }

    void op_free_search() {
        std::uint64_t len = (rng.chance(70) ? 1 + rng.below(16) : 1 + rng.below(4096)) * P;
        VirtAddr low = rng.chance(30) ? 0 : random_addr();
        VirtAddr high = rng.chance(20) ? kMax : low + rng.below(kSpacePages * P);
        if (rng.chance(5))
            high = rng.below(kSpacePages * P);  // often below low: no answer
        INFO("len " << len << " low " << low << " high " << high);
        REQUIRE(tree.find_free_bottomup(len, low, high) == model_bottomup(model, len, low, high));
        REQUIRE(tree.find_free_topdown(len, low, high) == model_topdown(model, len, low, high));
        ++counts[5];
    }

    void compare_all() {
        REQUIRE(tree.size() == model.size());
        auto it = model.begin();
        for (Vma& v : tree) {
            REQUIRE(it != model.end());
            REQUIRE(v.start == it->first);
            REQUIRE(v.end == it->second.end);
            REQUIRE(v.file_offset == it->second.file_offset);
            REQUIRE((v.file != nullptr) == it->second.file);
            ++it;
        }
        REQUIRE(it == model.end());
    }

    void step(std::uint64_t i) {
        // Steer the size through small and large trees: 8 phases of the run.
        static constexpr std::size_t kTargets[] = {40, 2000, 300, 4, 1200, 50, 3000, 0};
        target = kTargets[(i / 12'500) % 8];
        bool grow = tree.size() < target;
        unsigned r = static_cast<unsigned>(rng.below(100));
        if (model.empty() || r < (grow ? 30u : 8u))
            op_insert();
        else if (r < 40)
            op_remove();
        else if (r < 48)
            op_split();
        else if (r < 60)
            op_set_range();
        else if (r < 80)
            op_lookup();
        else
            op_free_search();
        REQUIRE(tree.size() == model.size());
        if (tree.size() < 64 || i % 100 == 0) {
            std::string problem = tree.check_invariants();
            INFO("after op " << i);
            REQUIRE(problem == "");
        }
        if (i % 5000 == 0)
            compare_all();
    }
};

}  // namespace

TEST_CASE("VmaTree: randomized operations match a std::map model", "[vma_tree][property]") {
    constexpr std::uint64_t kOps = 200'000;
    PropertyTest t;
    std::size_t largest = 0;
    for (std::uint64_t i = 0; i < kOps; ++i) {
        t.step(i);
        largest = std::max(largest, t.tree.size());
    }
    t.compare_all();
    REQUIRE(t.tree.check_invariants() == "");
    // The run really exercised every kind of operation, on small and large trees.
    for (std::uint64_t c : {t.counts[0], t.counts[1], t.counts[2], t.counts[3], t.counts[4],
                            t.counts[5]})
        CHECK(c > 5'000);
    CHECK(largest >= 1000);
}
