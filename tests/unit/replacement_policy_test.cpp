// The replacement policies (os/mm/*_policy.cpp) on textbook reference strings: a simulated
// memory of N frames runs the string through the policy exactly as page reclaim would
// (a hit is on_access, a miss with a free frame on_page_added, a miss with every frame in
// use choose_victims(1), on_page_removed, on_page_added), and the fault counts must be the
// books'. Belady's anomaly under FIFO; LRU and FIFO on Silberschatz's string; OPT, LRU,
// FIFO and CLOCK on Stallings' string.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "os/mm/replacement_policy.h"

namespace {

using namespace os::mm;

struct Run {
    unsigned faults = 0;
    std::vector<std::vector<int>> frames_after;  // which page each frame holds after each reference
};

// Runs `refs` through `policy` with `frames` frames. Frames are numbered 0..frames-1 and a
// page gets the lowest free frame, or the victim's.
Run simulate(ReplacementPolicy& policy, unsigned frames, const std::vector<int>& refs,
             const ReferenceProbe& probe = {}) {
    Run run;
    std::vector<int> holds(frames, -1);
    std::map<int, Pfn> where;
    for (int page : refs) {
        if (auto it = where.find(page); it != where.end()) {
            policy.on_access(it->second);
        } else {
            ++run.faults;
            std::optional<Pfn> frame;
            for (unsigned f = 0; f < frames && !frame; ++f)
                if (holds[f] < 0)
                    frame = static_cast<Pfn>(f);
            if (!frame) {
                const auto victims = policy.choose_victims(1, probe);
                REQUIRE(victims.size() == 1);
                frame = victims[0];
                REQUIRE(holds[pfn_index(*frame)] >= 0);
                where.erase(holds[pfn_index(*frame)]);
                policy.on_page_removed(*frame);
            }
            holds[pfn_index(*frame)] = page;
            where[page] = *frame;
            policy.on_page_added(*frame);
        }
        run.frames_after.push_back(holds);
    }
    return run;
}

unsigned faults(std::string_view name, unsigned frames, const std::vector<int>& refs, std::uint64_t seed = 1) {
    auto policy = make_replacement_policy(name, frames, seed);
    REQUIRE(policy);
    return simulate(*policy, frames, refs).faults;
}

const std::vector<int> kBelady = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};
// Silberschatz, Operating System Concepts, section 10.4 (figures 10.12, 10.16).
const std::vector<int> kSilberschatz = {7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};
// Stallings, Operating Systems, figure 8.15 (8.14 in older editions).
const std::vector<int> kStallings = {2, 3, 2, 1, 5, 2, 4, 5, 3, 2, 5, 2};

}  // namespace

TEST_CASE("replacement policy: FIFO shows Belady's anomaly, 9 faults with 3 frames and 10 with 4") {
    CHECK(faults("fifo", 3, kBelady) == 9);
    CHECK(faults("fifo", 4, kBelady) == 10);
}

TEST_CASE("replacement policy: LRU is a stack algorithm, 10 faults with 3 frames and 8 with 4 on Belady's string") {
    CHECK(faults("lru", 3, kBelady) == 10);
    CHECK(faults("lru", 4, kBelady) == 8);
    // More frames never fault more.
    for (unsigned frames = 1; frames < 6; ++frames)
        CHECK(faults("lru", frames + 1, kBelady) <= faults("lru", frames, kBelady));
}

TEST_CASE("replacement policy: Silberschatz's string, FIFO 15 faults and LRU 12 with 3 frames") {
    CHECK(faults("fifo", 3, kSilberschatz) == 15);
    CHECK(faults("lru", 3, kSilberschatz) == 12);
}

TEST_CASE("replacement policy: Stallings' string with 3 frames, LRU 7, FIFO 9 and CLOCK 8 faults") {
    // The book counts the faults after the frames have filled: LRU 4, FIFO 6, CLOCK 5.
    CHECK(faults("lru", 3, kStallings) == 7);
    CHECK(faults("fifo", 3, kStallings) == 9);
    CHECK(faults("clock", 3, kStallings) == 8);
}

TEST_CASE("replacement policy: CLOCK replaces the frames Stallings' figure shows, step by step") {
    auto clock = make_replacement_policy("clock", 3, 0);
    const Run run = simulate(*clock, 3, kStallings);
    // Frame contents after each reference (figure 8.15, CLOCK row; -1 is an empty frame).
    const std::vector<std::vector<int>> expected = {
        {2, -1, -1}, {2, 3, -1}, {2, 3, -1}, {2, 3, 1}, {5, 3, 1}, {5, 2, 1},
        {5, 2, 4},   {5, 2, 4},  {3, 2, 4},  {3, 2, 4}, {3, 2, 5}, {3, 2, 5},
    };
    CHECK(run.frames_after == expected);
}

TEST_CASE("replacement policy: CLOCK gives a page whose Accessed bit is set a second chance") {
    auto clock = make_replacement_policy("clock", 8, 0);
    for (unsigned f = 0; f < 4; ++f)
        clock->on_page_added(static_cast<Pfn>(f));
    // No hardware references: one turn clears the use bits the faults set, then the hand
    // takes frame 0 and stops after it.
    auto never = [](Pfn) { return false; };
    CHECK(clock->choose_victims(1, never) == std::vector<Pfn>{static_cast<Pfn>(0)});
    // Frame 1 was referenced since (its PTE's Accessed bit): passed over, frame 2 goes.
    std::map<Pfn, bool> accessed{{static_cast<Pfn>(1), true}};
    auto probe = [&](Pfn p) { return std::exchange(accessed[p], false); };
    CHECK(clock->choose_victims(1, probe) == std::vector<Pfn>{static_cast<Pfn>(2)});
    // On from frame 3; frame 1 has had its second chance.
    CHECK(clock->choose_victims(3, probe) ==
          std::vector<Pfn>{static_cast<Pfn>(3), static_cast<Pfn>(0), static_cast<Pfn>(1)});
    // A removed frame leaves the circle, also from under the hand.
    clock->on_page_removed(static_cast<Pfn>(1));
    CHECK(clock->size() == 3);
}

TEST_CASE("replacement policy: LRU learns references from the Accessed bits before it chooses") {
    auto lru = make_replacement_policy("lru", 8, 0);
    for (unsigned f = 0; f < 4; ++f)
        lru->on_page_added(static_cast<Pfn>(f));
    std::map<Pfn, bool> accessed{{static_cast<Pfn>(0), true}, {static_cast<Pfn>(2), true}};
    auto probe = [&](Pfn p) { return std::exchange(accessed[p], false); };
    // 0 and 2 were referenced since: 1 and 3 are now the least recently used, then 0, 2.
    CHECK(lru->choose_victims(4, probe) ==
          std::vector<Pfn>{static_cast<Pfn>(1), static_cast<Pfn>(3), static_cast<Pfn>(0), static_cast<Pfn>(2)});
    // An access it is told of counts as well.
    lru->on_access(static_cast<Pfn>(1));
    CHECK(lru->choose_victims(1, probe) == std::vector<Pfn>{static_cast<Pfn>(3)});
}

TEST_CASE("replacement policy: a page reclaim could not take is rotated, not chosen again at once") {
    for (std::string_view name : {"fifo", "lru", "clock"}) {
        CAPTURE(std::string(name));
        auto policy = make_replacement_policy(name, 8, 0);
        for (unsigned f = 0; f < 3; ++f)
            policy->on_page_added(static_cast<Pfn>(f));
        const auto first = policy->choose_victims(1, {});
        REQUIRE(first.size() == 1);
        policy->on_rotate(first[0]);
        const auto next = policy->choose_victims(1, {});
        REQUIRE(next.size() == 1);
        CHECK(next[0] != first[0]);
    }
}

TEST_CASE("replacement policy: RANDOM is reproducible for a seed and between OPT and the worst case") {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        const unsigned n = faults("random", 3, kSilberschatz, seed);
        CHECK(n == faults("random", 3, kSilberschatz, seed));
        CHECK(n >= 9);  // OPT's count for this string and 3 frames (Silberschatz figure 10.14)
        CHECK(n <= kSilberschatz.size());
    }
    // Victims are distinct and resident.
    auto random = make_replacement_policy("random", 16, 7);
    for (unsigned f = 0; f < 10; ++f)
        random->on_page_added(static_cast<Pfn>(f));
    random->on_page_removed(static_cast<Pfn>(4));
    const auto victims = random->choose_victims(9, {});
    CHECK(victims.size() == 9);
    CHECK(std::set<Pfn>(victims.begin(), victims.end()).size() == 9);
    CHECK(std::find(victims.begin(), victims.end(), static_cast<Pfn>(4)) == victims.end());
}

TEST_CASE("replacement policy: every name is known, an unknown one is not") {
    for (std::string_view name : kReplacementPolicyNames) {
        auto policy = make_replacement_policy(name, 4, 0);
        REQUIRE(policy);
        CHECK(policy->name() == name);
        CHECK(policy->choose_victims(3, {}).empty());
    }
    CHECK(make_replacement_policy("opt", 4, 0) == nullptr);
}

TEST_CASE("replacement policy: a filtered choice takes only eligible pages and leaves the others unaged") {
    for (std::string_view name : kReplacementPolicyNames) {
        CAPTURE(std::string(name));
        auto policy = make_replacement_policy(name, 16, 3);
        for (unsigned f = 0; f < 12; ++f)
            policy->on_page_added(static_cast<Pfn>(f));
        const PageFilter even = [](Pfn p) { return pfn_index(p) % 2 == 0; };
        std::set<Pfn> probed;
        const ReferenceProbe probe = [&](Pfn p) {
            probed.insert(p);
            return false;
        };
        const auto victims = policy->choose_victims(4, probe, even);
        CHECK(victims.size() == 4);
        CHECK(std::set<Pfn>(victims.begin(), victims.end()).size() == 4);
        for (Pfn v : victims)
            CHECK(pfn_index(v) % 2 == 0);
        for (Pfn p : probed)
            CHECK(pfn_index(p) % 2 == 0);
        // Nothing eligible: nothing chosen.
        CHECK(policy->choose_victims(4, probe, [](Pfn) { return false; }).empty());
    }
    // CLOCK: the pages outside the filter kept their use bits, so an unfiltered choice
    // still passes them once (their second chance) and takes page 2, whose bit the
    // filtered scan cleared, first. The filtered scan left the hand after page 2.
    auto clock = make_replacement_policy("clock", 8, 0);
    for (unsigned f = 0; f < 4; ++f)
        clock->on_page_added(static_cast<Pfn>(f));
    const auto never = [](Pfn) { return false; };
    CHECK(clock->choose_victims(1, never, [](Pfn p) { return pfn_index(p) == 2; }) ==
          std::vector<Pfn>{static_cast<Pfn>(2)});
    CHECK(clock->choose_victims(2, never) == std::vector<Pfn>{static_cast<Pfn>(2), static_cast<Pfn>(3)});
}
