// VmaTree: the set of VMAs of one address space (Linux's mm_struct::mm_rb before the maple
// tree). An intrusive red-black tree keyed by start address, augmented with the largest
// free gap in every subtree (rb_subtree_gap in mm/mmap.c), so that lookups, updates and the
// search for a free range of a given length are all O(log n).
//
// The VMAs are also threaded on an address-ordered doubly linked list (vm_prev/vm_next), which
// gives O(1) neighbours and iteration and lets a node compute the gap below itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "os/mm/types.h"
#include "os/mm/vma.h"

namespace os::mm {

class VmaTree {
public:
    // `mm` is the address space the tree belongs to (nullptr: none, as in the tree's own
    // tests): a VMA in the tree has vma.mm == mm and, with an mm, is on the reverse-map
    // lists of its anon_vma and shared object (os/mm/rmap.h) from insert() to remove().
    // Moving a tree moves its VMAs with their owner.
    explicit VmaTree(AddressSpace* mm = nullptr) : m_mm(mm) {}
    ~VmaTree();
    VmaTree(const VmaTree&) = delete;
    VmaTree& operator=(const VmaTree&) = delete;
    VmaTree(VmaTree&& other) noexcept;
    VmaTree& operator=(VmaTree&& other) noexcept;

    // Inserts a VMA and takes ownership. Returns nullptr (and destroys `vma`) if its range is
    // empty, not page aligned, or overlaps an existing VMA.
    Vma* insert(std::unique_ptr<Vma> vma);
    // Unlinks `vma` (which must belong to this tree) and returns ownership; its links are reset.
    std::unique_ptr<Vma> remove(Vma* vma);

    // Linux find_vma(): the first VMA with end > addr, or nullptr.
    Vma* find_vma(VirtAddr addr) const;
    // The VMA containing addr, or nullptr.
    Vma* find_containing(VirtAddr addr) const;
    // The first VMA overlapping [start, end), or nullptr (also for an empty range).
    Vma* find_overlap(VirtAddr start, VirtAddr end) const;

    // Splits `vma` at page-aligned `at` (vma->start < at < vma->end): `vma` keeps [start, at);
    // a copy of it with file_offset and anon_pgoff advanced by (at - start) gets [at, end),
    // is inserted and returned. Returns nullptr if `at` is not a valid split point.
    Vma* split(Vma* vma, VirtAddr at);
    // Changes a VMA's range in place (brk growth, stack growth, merging with a neighbour).
    // Precondition: page aligned, new_start < new_end, no overlap with the neighbours. Moving
    // the start of a file-backed VMA moves its file_offset by the same amount, and the start
    // of any VMA its anon_pgoff (in pages).
    void set_range(Vma* vma, VirtAddr new_start, VirtAddr new_end);

    Vma* first() const { return m_first; }
    Vma* last() const { return m_last; }
    Vma* next(const Vma* v) const { return v->rb.next; }
    Vma* prev(const Vma* v) const { return v->rb.prev; }
    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    // Bytes covered by all VMAs (Linux's total_vm in bytes), and the most they ever covered
    // (hiwater_vm): kept by insert, remove and set_range, the only operations that change it.
    std::uint64_t total_bytes() const { return m_total_bytes; }
    std::uint64_t peak_total_bytes() const { return m_peak_total_bytes; }

    // Free-range search, like Linux's unmapped_area_topdown()/unmapped_area(): the highest
    // (topdown) / lowest (bottomup) page-aligned s with low <= s, s + length <= high and
    // [s, s + length) overlapping no VMA; std::nullopt if there is none, or if length is zero
    // or not page aligned. low is rounded up and high down to page boundaries.
    std::optional<VirtAddr> find_free_topdown(std::uint64_t length, VirtAddr low,
                                              VirtAddr high) const;
    std::optional<VirtAddr> find_free_bottomup(std::uint64_t length, VirtAddr low,
                                               VirtAddr high) const;

    // Verifies every invariant of the tree, the list and the gap augmentation. Returns "" when
    // all hold, otherwise a description of the first violation found.
    std::string check_invariants() const;

    // Address-ordered iteration: for (Vma& v : tree).
    class Iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Vma;
        using difference_type = std::ptrdiff_t;
        using pointer = Vma*;
        using reference = Vma&;

        Iterator() = default;
        explicit Iterator(Vma* v) : m_v(v) {}
        Vma& operator*() const { return *m_v; }
        Vma* operator->() const { return m_v; }
        Iterator& operator++() {
            m_v = m_v->rb.next;
            return *this;
        }
        Iterator operator++(int) {
            Iterator old = *this;
            ++*this;
            return old;
        }
        bool operator==(const Iterator&) const = default;

    private:
        Vma* m_v = nullptr;
    };
    Iterator begin() const { return Iterator(m_first); }
    Iterator end() const { return Iterator(); }

private:
    // Red-black machinery (CLRS / lib/rbtree.c names).
    void rotate_left(Vma* x);
    void rotate_right(Vma* x);
    void replace_child(Vma* parent, Vma* old_child, Vma* new_child);
    void transplant(Vma* u, Vma* v);
    void insert_fixup(Vma* z);
    void erase(Vma* z);
    void erase_fixup(Vma* x, Vma* parent);
    bool owns(const Vma* v) const;

    AddressSpace* m_mm = nullptr;
    Vma* m_root = nullptr;
    Vma* m_first = nullptr;  // lowest VMA: head of the address-ordered list
    Vma* m_last = nullptr;   // highest VMA: its end starts the gap that is below no VMA
    std::size_t m_size = 0;
    std::uint64_t m_total_bytes = 0;
    std::uint64_t m_peak_total_bytes = 0;
    void add_bytes(std::uint64_t n);
};

}  // namespace os::mm
