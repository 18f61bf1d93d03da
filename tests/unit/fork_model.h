// The byte model behind the fork property tests (fork_property_test.cpp,
// swap_property_test.cpp): random sequences of mmap (private and shared anonymous, private
// file), writes, fork, munmap, mprotect, mremap (moves, growth, MREMAP_DONTUNMAP),
// MADV_DONTNEED/DONTFORK/WIPEONFORK, address-space teardown and, given page reclaim,
// reclaim, over up to six address spaces, against a byte-level model of what each one must
// read.
#pragma once

#include <array>
#include <memory>
#include <random>

#include "os/mm/mman.h"
#include "os/mm/page_reclaim.h"
#include "tests/unit/fork_fixture.h"

namespace fork_model {

using namespace fork_test;
namespace abi = os::mm::abi;

constexpr VirtAddr kArenaBase = 0x1000'0000;
constexpr std::uint64_t kArenaPages = 96;
constexpr std::uint64_t kFilePages = 48;
constexpr std::size_t kMaxProcs = 6;

using Page = std::array<std::uint8_t, kPageSize>;

enum class Kind : std::uint8_t { Anon, Shared, File };

struct PageModel {
    Kind kind = Kind::Anon;
    int object = -1;         // Shared: which object
    std::uint64_t pgoff = 0;  // Shared: page of the object; File: page of the file
    std::uint32_t prot = kRW;
    bool dontfork = false;
    bool wipeonfork = false;
    std::shared_ptr<const Page> content;  // a private page once written (nullptr: as mapped)
};

struct SharedObject {
    std::uint64_t pages = 0;
    std::map<std::uint64_t, std::shared_ptr<const Page>> content;
};

struct Proc {
    std::unique_ptr<AddressSpace> as;
    std::map<std::uint64_t, PageModel> pages;  // by page number in the arena
};

inline VirtAddr addr(std::uint64_t n) { return kArenaBase + n * P; }

class Model {
public:
    // With `reclaim`, steps also run page reclaim: a round of it, or one page taken at
    // random, so that pages go to swap and come back between the other operations.
    Model(std::uint64_t seed, PhysicalMemory& pmem, MmuNotifier* mmu, const std::shared_ptr<CachedFile>& file,
          PageReclaim* reclaim = nullptr)
        : m_rng(seed), m_pmem(pmem), m_mmu(mmu), m_file(file), m_reclaim(reclaim) {
        m_procs.push_back(Proc{std::make_unique<AddressSpace>(pmem, mmu), {}});
    }

    void step() {
        last_op.clear();
        m_current = 0;
        const unsigned op = pick(100);
        if (op < 30)
            write();
        else if (op < 40)
            check_random_page();
        else if (op < 52)
            map();
        else if (op < 60)
            unmap();
        else if (op < 68)
            protect();
        else if (op < 78)
            remap();
        else if (op < 84)
            fork();
        else if (op < 88)
            destroy();
        else if (op < 92)
            dontneed();
        else if (m_reclaim && op >= 96)
            reclaim();
        else
            fork_advice();
        if (!last_op.empty())
            m_history.push_back("p" + std::to_string(m_current) + ": " + last_op);
    }

    // The operations so far, newest last (for a failure's message).
    std::string history(std::size_t n) const {
        std::string out;
        for (std::size_t i = m_history.size() > n ? m_history.size() - n : 0; i < m_history.size(); ++i)
            out += m_history[i] + "\n";
        return out;
    }

    void check_everything() {
        for (std::size_t p = 0; p < m_procs.size(); ++p) {
            for (std::uint64_t n = 0; n < kArenaPages; ++n)
                check_page(p, n);
            REQUIRE(m_procs[p].as->vmas().check_invariants() == "");
        }
        std::vector<AddressSpace*> all;
        for (Proc& p : m_procs)
            all.push_back(p.as.get());
        REQUIRE(check_mm_consistency(m_pmem, all) == "");
    }

    void destroy_all() { m_procs.clear(); }
    std::string last_op;

private:
    unsigned pick(unsigned n) { return static_cast<unsigned>(m_rng() % n); }
    Proc& any_proc() {
        m_current = pick(static_cast<unsigned>(m_procs.size()));
        return m_procs[m_current];
    }

    // A mapped page of `p`, or nullopt.
    std::optional<std::uint64_t> mapped_page(const Proc& p) {
        if (p.pages.empty())
            return std::nullopt;
        auto it = p.pages.begin();
        std::advance(it, pick(static_cast<unsigned>(p.pages.size())));
        return it->first;
    }
    // From mapped page n, up to `max` pages that are all mapped (and satisfy `ok`).
    template <class Ok>
    std::uint64_t run_from(const Proc& p, std::uint64_t n, std::uint64_t max, Ok&& ok) {
        std::uint64_t len = 0;
        while (len < max && p.pages.contains(n + len) && ok(p.pages.at(n + len)))
            ++len;
        return len;
    }

    // What page n of `p` must read: nullopt when the access must fail.
    std::optional<Page> expected(const Proc& p, std::uint64_t n) const {
        auto it = p.pages.find(n);
        if (it == p.pages.end())
            return std::nullopt;
        const PageModel& pm = it->second;
        if (!(pm.prot & (kProtRead | kProtWrite)))
            return std::nullopt;
        if (pm.kind == Kind::Shared) {
            const SharedObject& o = m_objects[static_cast<std::size_t>(pm.object)];
            if (pm.pgoff >= o.pages)
                return std::nullopt;  // SIGBUS
            auto c = o.content.find(pm.pgoff);
            return c == o.content.end() ? Page{} : *c->second;
        }
        if (pm.kind == Kind::File && pm.pgoff >= kFilePages)
            return std::nullopt;  // SIGBUS
        if (pm.content)
            return *pm.content;
        Page page{};
        if (pm.kind == Kind::File)
            for (std::uint64_t i = 0; i < P; ++i)
                page[i] = file_byte(pm.pgoff * P + i);
        return page;
    }

    void check_page(std::size_t proc, std::uint64_t n) {
        Proc& p = m_procs[proc];
        const std::optional<Page> want = expected(p, n);
        Page got{};
        const bool ok = p.as->copy_from_user(got.data(), addr(n), P).has_value();
        INFO("process " << proc << " page " << n << "; recent operations:\n" << history(40));
        INFO("model: " << describe_model(p, n) << "; VMA: " << describe_vma(*p.as, addr(n)));
        REQUIRE(ok == want.has_value());
        if (!ok || got == *want)
            return;
        std::size_t i = 0;
        while (got[i] == (*want)[i])
            ++i;
        INFO("first difference at byte " << i << ": read " << int(got[i]) << ", expected " << int((*want)[i]));
        FAIL("page contents differ");
    }

    static std::string describe_model(const Proc& p, std::uint64_t n) {
        auto it = p.pages.find(n);
        if (it == p.pages.end())
            return "unmapped";
        const PageModel& pm = it->second;
        return "kind " + std::to_string(int(pm.kind)) + " object " + std::to_string(pm.object) + " pgoff " +
               std::to_string(pm.pgoff) + " prot " + std::to_string(pm.prot) + (pm.content ? " written" : "");
    }
    static std::string describe_vma(const AddressSpace& as, VirtAddr va) {
        const Vma* v = as.vmas().find_containing(va);
        if (!v)
            return "none";
        return "[" + std::to_string((v->start - kArenaBase) / P) + ", " + std::to_string((v->end - kArenaBase) / P) +
               ") prot " + std::to_string(v->prot) + " flags " + std::to_string(v->flags) +
               (v->file ? " file offset " + std::to_string(v->file_offset / P) : " anon_pgoff " + std::to_string(v->anon_pgoff));
    }

    void check_random_page() {
        const std::size_t proc = m_current = pick(static_cast<unsigned>(m_procs.size()));
        const std::uint64_t n = pick(kArenaPages);
        check_page(proc, n);
        last_op = "read " + std::to_string(n);
    }

    void write() {
        Proc& p = any_proc();
        const auto n = mapped_page(p);
        if (!n)
            return;
        const std::uint64_t off = pick(P);
        const auto value = static_cast<std::uint8_t>(1 + pick(255));
        PageModel& pm = p.pages.at(*n);
        bool want = (pm.prot & kProtWrite) != 0;
        if (pm.kind == Kind::Shared && pm.pgoff >= m_objects[static_cast<std::size_t>(pm.object)].pages)
            want = false;
        if (pm.kind == Kind::File && pm.pgoff >= kFilePages)
            want = false;
        last_op = "write page " + std::to_string(*n);
        REQUIRE(try_write(*p.as, addr(*n) + off, value) == want);
        if (!want)
            return;
        if (pm.kind == Kind::Shared) {
            auto& slot = m_objects[static_cast<std::size_t>(pm.object)].content[pm.pgoff];
            auto page = std::make_shared<Page>(slot ? *slot : Page{});
            (*page)[off] = value;
            slot = std::move(page);
        } else {
            auto page = std::make_shared<Page>(*expected(p, *n));
            (*page)[off] = value;
            pm.content = std::move(page);
        }
    }

    void map() {
        Proc& p = any_proc();
        const std::uint64_t len = 1 + pick(8);
        const std::uint64_t n = pick(static_cast<unsigned>(kArenaPages - len + 1));
        const unsigned k = pick(10);
        const Kind kind = k < 6 ? Kind::Anon : k < 8 ? Kind::Shared : Kind::File;
        const std::uint32_t prot = pick(4) == 0 ? kProtRead : kRW;
        const std::uint64_t file_page = pick(static_cast<unsigned>(kFilePages - len + 1));
        if (kind == Kind::File)
            map_at(*p.as, addr(n), len * P, prot, 0, m_file, file_page * P);
        else
            map_at(*p.as, addr(n), len * P, prot, kind == Kind::Shared ? kVmShared : 0u);
        if (kind == Kind::Shared)
            m_objects.push_back(SharedObject{len, {}});
        for (std::uint64_t i = 0; i < len; ++i) {
            PageModel pm;
            pm.kind = kind;
            pm.prot = prot;
            pm.object = kind == Kind::Shared ? static_cast<int>(m_objects.size() - 1) : -1;
            pm.pgoff = kind == Kind::Shared ? i : kind == Kind::File ? file_page + i : 0;
            p.pages[n + i] = pm;
        }
        last_op = "map " + std::to_string(n) + "+" + std::to_string(len);
    }

    void unmap() {
        Proc& p = any_proc();
        const std::uint64_t len = 1 + pick(8);
        const std::uint64_t n = pick(static_cast<unsigned>(kArenaPages - len + 1));
        REQUIRE(p.as->unmap(addr(n), len * P));
        for (std::uint64_t i = 0; i < len; ++i)
            p.pages.erase(n + i);
        last_op = "unmap " + std::to_string(n) + "+" + std::to_string(len);
    }

    void protect() {
        Proc& p = any_proc();
        const auto n = mapped_page(p);
        if (!n)
            return;
        const std::uint64_t len = run_from(p, *n, 1 + pick(8), [](const PageModel&) { return true; });
        const unsigned k = pick(3);
        const std::uint32_t prot = k == 0 ? kProtNone : k == 1 ? kProtRead : kRW;
        REQUIRE(p.as->protect(addr(*n), len * P, prot));
        for (std::uint64_t i = 0; i < len; ++i)
            p.pages.at(*n + i).prot = prot;
        last_op = "mprotect " + std::to_string(*n) + "+" + std::to_string(len) + " " + std::to_string(prot);
    }

    void remap() {
        Proc& p = any_proc();
        const auto n = mapped_page(p);
        if (!n)
            return;
        const Vma* vma = p.as->vmas().find_containing(addr(*n));
        REQUIRE(vma);
        const std::uint64_t in_vma = (vma->end - addr(*n)) / P;
        const std::uint64_t old_len = 1 + pick(static_cast<unsigned>(std::min<std::uint64_t>(in_vma, 8)));
        const PageModel last = p.pages.at(*n + old_len - 1);
        const std::uint64_t grow = pick(4);
        const std::uint64_t new_len = old_len + grow;
        const bool dontunmap = grow == 0 && pick(4) == 0;
        std::uint64_t t = 0;
        for (int tries = 0;; ++tries) {
            if (tries == 20)
                return;
            t = pick(static_cast<unsigned>(kArenaPages - new_len + 1));
            if (t + new_len <= *n || *n + old_len <= t)
                break;
        }
        std::uint64_t flags = abi::MREMAP_MAYMOVE | abi::MREMAP_FIXED;
        if (dontunmap)
            flags |= abi::MREMAP_DONTUNMAP;
        last_op = "mremap " + std::to_string(*n) + "+" + std::to_string(old_len) + " to " + std::to_string(t) + "+" +
                  std::to_string(new_len) + (dontunmap ? " dontunmap" : "");
        INFO(describe_model(p, *n) << "; VMA: " << describe_vma(*p.as, addr(*n)));
        auto r = p.as->remap(addr(*n), old_len * P, new_len * P, flags, addr(t));
        INFO(last_op << (r ? "" : " failed: errno " + std::to_string(static_cast<int>(r.error()))));
        REQUIRE(r.has_value());
        REQUIRE(*r == addr(t));
        std::vector<PageModel> moved;
        for (std::uint64_t i = 0; i < old_len; ++i)
            moved.push_back(p.pages.at(*n + i));
        for (std::uint64_t i = 0; i < new_len; ++i)
            p.pages.erase(t + i);
        for (std::uint64_t i = 0; i < old_len; ++i) {
            if (dontunmap)
                p.pages.at(*n + i).content = nullptr;  // empty: private memory reads as mapped
            else
                p.pages.erase(*n + i);
            p.pages[t + i] = moved[i];
        }
        for (std::uint64_t j = 0; j < grow; ++j) {
            PageModel pm = last;
            pm.content = nullptr;
            pm.pgoff = last.pgoff + 1 + j;
            p.pages[t + old_len + j] = pm;
        }
    }

    void fork() {
        if (m_procs.size() >= kMaxProcs)
            return;
        const std::size_t parent = m_current = pick(static_cast<unsigned>(m_procs.size()));
        Proc child;
        child.as = m_procs[parent].as->fork(nullptr);
        REQUIRE(child.as);
        for (const auto& [n, pm] : m_procs[parent].pages) {
            if (pm.dontfork)
                continue;
            PageModel c = pm;
            if (pm.wipeonfork)
                c.content = nullptr;
            child.pages[n] = c;
        }
        m_procs.push_back(std::move(child));
        last_op = "fork " + std::to_string(parent);
    }

    void destroy() {
        const std::size_t victim = m_current = pick(static_cast<unsigned>(m_procs.size()));
        if (m_procs.size() == 1 || pick(3) == 0) {
            // exec: a new address space replaces the old one
            m_procs[victim] = Proc{std::make_unique<AddressSpace>(m_pmem, m_mmu), {}};
            last_op = "exec " + std::to_string(victim);
            return;
        }
        m_procs.erase(m_procs.begin() + static_cast<std::ptrdiff_t>(victim));
        last_op = "exit " + std::to_string(victim);
    }

    void dontneed() {
        Proc& p = any_proc();
        const auto n = mapped_page(p);
        if (!n)
            return;
        const std::uint64_t len = run_from(p, *n, 1 + pick(8), [](const PageModel&) { return true; });
        REQUIRE(p.as->advise(addr(*n), len * P, abi::MADV_DONTNEED));
        for (std::uint64_t i = 0; i < len; ++i)
            p.pages.at(*n + i).content = nullptr;  // shared pages keep theirs in the object
        last_op = "MADV_DONTNEED " + std::to_string(*n) + "+" + std::to_string(len);
    }

    void fork_advice() {
        Proc& p = any_proc();
        const auto n = mapped_page(p);
        if (!n)
            return;
        const unsigned k = pick(4);
        const bool wipe = k < 2;
        const bool set = k % 2 == 0;
        const std::uint64_t len = run_from(p, *n, 1 + pick(8), [&](const PageModel& pm) {
            return !wipe || pm.kind == Kind::Anon;
        });
        if (len == 0)
            return;
        const int advice = wipe ? (set ? abi::MADV_WIPEONFORK : abi::MADV_KEEPONFORK)
                                : (set ? abi::MADV_DONTFORK : abi::MADV_DOFORK);
        REQUIRE(p.as->advise(addr(*n), len * P, advice));
        for (std::uint64_t i = 0; i < len; ++i)
            (wipe ? p.pages.at(*n + i).wipeonfork : p.pages.at(*n + i).dontfork) = set;
        last_op = "madvise " + std::to_string(advice) + " " + std::to_string(*n) + "+" + std::to_string(len);
    }

    void reclaim() {
        if (pick(2) == 0) {
            const std::uint64_t n = 1 + pick(16);
            m_reclaim->reclaim_pages(n);
            last_op = "reclaim " + std::to_string(n);
            return;
        }
        Proc& p = any_proc();
        const auto n = mapped_page(p);
        if (!n)
            return;
        const Pte pte = pte_of(*p.as, addr(*n));
        if (!pte_has_frame(pte) || m_pmem.is_zero_frame(pte_pfn(pte)))
            return;
        const bool freed = m_reclaim->reclaim_page(pte_pfn(pte));
        last_op = "reclaim page " + std::to_string(*n) + (freed ? "" : " (kept)");
    }

    std::mt19937_64 m_rng;
    PhysicalMemory& m_pmem;
    MmuNotifier* m_mmu;
    std::shared_ptr<CachedFile> m_file;
    PageReclaim* m_reclaim;
    std::vector<Proc> m_procs;
    std::vector<SharedObject> m_objects;
    std::size_t m_current = 0;
    std::vector<std::string> m_history;
};

}  // namespace fork_model
