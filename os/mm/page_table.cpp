#include "os/mm/page_table.h"

#include <new>

namespace os::mm {

namespace {

constexpr int kLevels = 4;  // level 3 = PML4 ... level 0 = PT
constexpr unsigned kEntries = 512;

constexpr unsigned index_at(VirtAddr va, int level) { return (va >> (kPageShift + 9 * level)) & (kEntries - 1); }
constexpr std::uint64_t span_of(int level) { return 1ull << (kPageShift + 9 * level); }

bool table_is_empty(const Pte* t) {
    for (unsigned i = 0; i < kEntries; ++i)
        if (t[i] != 0)
            return false;
    return true;
}

}  // namespace

PageTable::PageTable(PhysicalMemory& pmem) : m_pmem(pmem) {
    auto root = pmem.allocate(FrameUse::PageTable);
    if (!root)
        throw std::bad_alloc();
    m_root = *root;
    m_table_frames = 1;
}

PageTable::~PageTable() { free_table_tree(m_root, kLevels - 1); }

void PageTable::free_table_tree(Pfn table_pfn, int level) {
    if (level > 0) {
        Pte* t = table(table_pfn);
        for (unsigned i = 0; i < kEntries; ++i)
            if (pte_present(t[i]))
                free_table_tree(pte_pfn(t[i]), level - 1);
    }
    m_pmem.put(table_pfn);
    --m_table_frames;
}

Pte* PageTable::walk(VirtAddr va, Alloc alloc) {
    Pte* t = table(m_root);
    for (int level = kLevels - 1; level > 0; --level) {
        Pte& e = t[index_at(va, level)];
        if (!pte_present(e)) {
            if (alloc == Alloc::No)
                return nullptr;
            auto pfn = m_pmem.allocate(FrameUse::PageTable);
            if (!pfn)
                return nullptr;
            ++m_table_frames;
            e = make_pte(*pfn, kPteTable);
        }
        t = table(pte_pfn(e));
    }
    return &t[index_at(va, 0)];
}

const Pte* PageTable::lookup(VirtAddr va) const {
    const Pte* t = table(m_root);
    for (int level = kLevels - 1; level > 0; --level) {
        Pte e = t[index_at(va, level)];
        if (!pte_present(e))
            return nullptr;
        t = table(pte_pfn(e));
    }
    return &t[index_at(va, 0)];
}

void PageTable::for_each_pte(VirtAddr start, VirtAddr end, const std::function<void(VirtAddr, Pte&)>& fn) {
    if (start < end)
        for_each_in(m_root, kLevels - 1, 0, start, end, fn);
}

void PageTable::for_each_in(Pfn table_pfn, int level, VirtAddr base, VirtAddr start, VirtAddr end,
                            const std::function<void(VirtAddr, Pte&)>& fn) {
    Pte* t = table(table_pfn);
    const std::uint64_t span = span_of(level);
    unsigned first = start > base ? index_at(start, level) : 0;
    for (unsigned i = first; i < kEntries; ++i) {
        VirtAddr va = base + i * span;
        if (va >= end)
            break;
        if (t[i] == 0)
            continue;
        if (level == 0)
            fn(va, t[i]);
        else if (pte_present(t[i]))
            for_each_in(pte_pfn(t[i]), level - 1, va, start, end, fn);
    }
}

void PageTable::free_empty_tables(VirtAddr start, VirtAddr end) {
    if (start < end)
        free_empty_in(m_root, kLevels - 1, 0, start, end);
}

// Returns true when the table at `table_pfn` became empty (the caller may free it).
bool PageTable::free_empty_in(Pfn table_pfn, int level, VirtAddr base, VirtAddr start, VirtAddr end) {
    Pte* t = table(table_pfn);
    if (level > 0) {
        const std::uint64_t span = span_of(level);
        unsigned first = start > base ? index_at(start, level) : 0;
        for (unsigned i = first; i < kEntries; ++i) {
            VirtAddr va = base + i * span;
            if (va >= end)
                break;
            if (!pte_present(t[i]))
                continue;
            Pfn child = pte_pfn(t[i]);
            if (free_empty_in(child, level - 1, va, start, end)) {
                t[i] = 0;
                m_pmem.put(child);
                --m_table_frames;
            }
        }
    }
    return table_is_empty(t);
}

}  // namespace os::mm
