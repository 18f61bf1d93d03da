// VmaTree: red-black tree of VMAs augmented with the largest free gap per subtree.
//
// The augmented value follows Linux's mm/mmap.c (v3.8 .. v6.0): every node stores
//     subtree_gap = max(gap_below(node), left->subtree_gap, right->subtree_gap)
// where gap_below(v) = v.start - (predecessor's end, or 0). A free-range search can then skip
// every subtree whose subtree_gap is smaller than the length it needs. The gap above the
// highest VMA lies below no node, so the searches treat it separately via m_last.
//
// Keeping subtree_gap right: an update changes gap_below of the node itself and of its
// successor (whose predecessor's end moved), so after every change we recompute the values on
// the path from each of the two to the root (gap_propagate, Linux's vma_gap_update). This is
// done before any rebalancing, because rotations only preserve values that are already right.
#include "os/mm/vma_tree.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <utility>

#include "os/mm/rmap.h"

namespace os::mm {

namespace {

bool is_red(const Vma* v) { return v != nullptr && v->rb.red; }

std::uint64_t subtree_gap(const Vma* v) { return v != nullptr ? v->rb.subtree_gap : 0; }

// The predecessor's end: where the free gap below v begins.
VirtAddr prev_end(const Vma* v) { return v->rb.prev != nullptr ? v->rb.prev->end : 0; }

std::uint64_t gap_below(const Vma* v) { return v->start - prev_end(v); }

std::uint64_t compute_subtree_gap(const Vma* v) {
    return std::max({gap_below(v), subtree_gap(v->rb.left), subtree_gap(v->rb.right)});
}

// Recomputes subtree_gap from v up to the root. Every ancestor is visited (no early stop as
// in Linux's augmented propagate) because erase can move a node whose old value says nothing
// about its new subtree; the cost is still O(log n).
void gap_propagate(Vma* v) {
    for (; v != nullptr; v = v->rb.parent)
        v->rb.subtree_gap = compute_subtree_gap(v);
}

// Page-aligned search limits shared by both free-range searches, in Linux's terms: a gap
// [gap_start, gap_end) fits iff gap_end - gap_start >= length, gap_start <= high_limit (the
// highest acceptable start) and gap_end >= low_limit (the lowest acceptable end).
struct SearchLimits {
    VirtAddr low, high;              // caller's limits, rounded inwards to pages
    VirtAddr low_limit, high_limit;  // low + length, high - length
};

std::optional<SearchLimits> search_limits(std::uint64_t length, VirtAddr low, VirtAddr high) {
    if (length == 0 || !page_aligned(length) || low > kPageMask)
        return std::nullopt;
    SearchLimits l{page_round_up(low), page_round_down(high), 0, 0};
    if (l.high < length || l.low > l.high - length)
        return std::nullopt;
    l.high_limit = l.high - length;
    l.low_limit = l.low + length;  // cannot overflow: low <= high - length
    return l;
}

std::string hex(std::uint64_t v) {
    char buf[16];  // enough for any 64-bit value in hex
    return "0x" + std::string(buf, std::to_chars(buf, buf + sizeof buf, v, 16).ptr);
}

std::string describe(const Vma* v) { return "VMA [" + hex(v->start) + ", " + hex(v->end) + ")"; }

// In-order walk for check_invariants(). check() returns the black height of the subtree, or
// -1 once a violation has been recorded.
struct Checker {
    explicit Checker(std::size_t n) : limit(n) {}
    std::size_t limit;               // a valid tree has exactly size() nodes
    std::size_t visited = 0;
    const Vma* lowest = nullptr;     // first node in address order
    const Vma* prev = nullptr;       // previous node in address order
    std::string error;

    int fail(std::string msg) {
        if (error.empty())
            error = std::move(msg);
        return -1;
    }

    int check(const Vma* v, const Vma* parent) {
        if (v == nullptr)
            return 1;  // nil leaves are black
        if (++visited > limit)
            return fail("more nodes reachable than size() (a cycle or a bad count)");
        if (v->rb.parent != parent)
            return fail(describe(v) + ": parent link does not point to its parent");
        if (v->rb.red && is_red(parent))
            return fail(describe(v) + ": red node with a red parent");

        int left_height = check(v->rb.left, v);
        if (left_height < 0)
            return -1;

        if (v->start >= v->end || !page_aligned(v->start) || !page_aligned(v->end))
            return fail(describe(v) + ": empty or unaligned range");
        if (v->rb.prev != prev)
            return fail(describe(v) + ": list prev link is not its in-order predecessor");
        if (prev != nullptr && prev->rb.next != v)
            return fail(describe(prev) + ": list next link is not its in-order successor");
        if (prev != nullptr && prev->start >= v->start)
            return fail(describe(v) + ": out of order after " + describe(prev));
        if (prev != nullptr && prev->end > v->start)
            return fail(describe(v) + ": overlaps " + describe(prev));
        if (prev == nullptr)
            lowest = v;
        prev = v;

        int right_height = check(v->rb.right, v);
        if (right_height < 0)
            return -1;
        if (left_height != right_height)
            return fail(describe(v) + ": black heights differ between its subtrees");
        // Children are verified by now, so the recomputed value is the true maximum.
        if (v->rb.subtree_gap != compute_subtree_gap(v))
            return fail(describe(v) + ": subtree_gap " + hex(v->rb.subtree_gap) + " but should be " +
                        hex(compute_subtree_gap(v)));
        return left_height + (v->rb.red ? 0 : 1);
    }
};

}  // namespace

VmaTree::~VmaTree() {
    for (Vma* v = m_first; v != nullptr;) {
        Vma* next = v->rb.next;
        vma_unlink_rmap(*v);
        delete v;
        v = next;
    }
}

VmaTree::VmaTree(VmaTree&& other) noexcept
    : m_mm(other.m_mm),
      m_root(std::exchange(other.m_root, nullptr)),
      m_first(std::exchange(other.m_first, nullptr)),
      m_last(std::exchange(other.m_last, nullptr)),
      m_size(std::exchange(other.m_size, 0)),
      m_total_bytes(std::exchange(other.m_total_bytes, 0)),
      m_peak_total_bytes(std::exchange(other.m_peak_total_bytes, 0)) {}

VmaTree& VmaTree::operator=(VmaTree&& other) noexcept {
    if (this != &other) {
        VmaTree old(std::move(*this));  // frees our VMAs on scope exit
        m_mm = other.m_mm;
        m_root = std::exchange(other.m_root, nullptr);
        m_first = std::exchange(other.m_first, nullptr);
        m_last = std::exchange(other.m_last, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_total_bytes = std::exchange(other.m_total_bytes, 0);
        m_peak_total_bytes = std::exchange(other.m_peak_total_bytes, 0);
    }
    return *this;
}

void VmaTree::add_bytes(std::uint64_t n) {
    m_total_bytes += n;
    m_peak_total_bytes = std::max(m_peak_total_bytes, m_total_bytes);
}

// ---- Red-black primitives -------------------------------------------------------------------

void VmaTree::replace_child(Vma* parent, Vma* old_child, Vma* new_child) {
    if (parent == nullptr)
        m_root = new_child;
    else if (parent->rb.left == old_child)
        parent->rb.left = new_child;
    else
        parent->rb.right = new_child;
}

// Puts the subtree rooted at v where u was (CLRS RB-TRANSPLANT); u's own links are left as is.
void VmaTree::transplant(Vma* u, Vma* v) {
    replace_child(u->rb.parent, u, v);
    if (v != nullptr)
        v->rb.parent = u->rb.parent;
}

// rotate_left(x) turns x(a, y(b, c)) into y(x(a, b), c); rotate_right is its inverse.
// y now covers exactly the nodes x covered, so it inherits x's subtree_gap; x lost y and c
// and is recomputed from its (correct) children. Linux's augment_rotate callback.
void VmaTree::rotate_left(Vma* x) {
    Vma* y = x->rb.right;
    x->rb.right = y->rb.left;
    if (y->rb.left != nullptr)
        y->rb.left->rb.parent = x;
    transplant(x, y);
    y->rb.left = x;
    x->rb.parent = y;
    y->rb.subtree_gap = x->rb.subtree_gap;
    x->rb.subtree_gap = compute_subtree_gap(x);
}

void VmaTree::rotate_right(Vma* x) {
    Vma* y = x->rb.left;
    x->rb.left = y->rb.right;
    if (y->rb.right != nullptr)
        y->rb.right->rb.parent = x;
    transplant(x, y);
    y->rb.right = x;
    x->rb.parent = y;
    y->rb.subtree_gap = x->rb.subtree_gap;
    x->rb.subtree_gap = compute_subtree_gap(x);
}

// Restores "no red node has a red parent" after z was inserted red (CLRS RB-INSERT-FIXUP).
void VmaTree::insert_fixup(Vma* z) {
    while (is_red(z->rb.parent)) {
        Vma* parent = z->rb.parent;
        Vma* grandparent = parent->rb.parent;  // exists: a red node is never the root
        bool parent_is_left = parent == grandparent->rb.left;
        Vma* uncle = parent_is_left ? grandparent->rb.right : grandparent->rb.left;
        if (is_red(uncle)) {
            // Case 1: recolour and push the red-red problem two levels up.
            parent->rb.red = false;
            uncle->rb.red = false;
            grandparent->rb.red = true;
            z = grandparent;
            continue;
        }
        if (parent_is_left) {
            if (z == parent->rb.right) {  // case 2: turn the zig-zag into a straight line
                rotate_left(parent);
                std::swap(z, parent);
            }
            parent->rb.red = false;  // case 3
            grandparent->rb.red = true;
            rotate_right(grandparent);
        } else {
            if (z == parent->rb.left) {
                rotate_right(parent);
                std::swap(z, parent);
            }
            parent->rb.red = false;
            grandparent->rb.red = true;
            rotate_left(grandparent);
        }
    }
    m_root->rb.red = false;
}

// Unlinks z from list and tree (CLRS RB-DELETE), keeping subtree_gap right throughout.
void VmaTree::erase(Vma* z) {
    // Leave the list first, so that the successor's gap already reaches down to z's predecessor
    // when the values are recomputed below.
    Vma* successor = z->rb.next;
    (z->rb.prev != nullptr ? z->rb.prev->rb.next : m_first) = successor;
    (successor != nullptr ? successor->rb.prev : m_last) = z->rb.prev;
    --m_size;
    m_total_bytes -= z->end - z->start;

    Vma* x;         // the subtree that moved up into the removed position (may be nil)
    Vma* x_parent;  // x's parent afterwards: where the tree lost a node
    bool removed_black = !z->rb.red;
    if (z->rb.left == nullptr || z->rb.right == nullptr) {
        x = z->rb.left != nullptr ? z->rb.left : z->rb.right;
        x_parent = z->rb.parent;
        transplant(z, x);
    } else {
        // Two children: the successor (leftmost in z's right subtree, so without a left child)
        // takes z's place and colour; it is the one that leaves its old position.
        Vma* y = successor;
        assert(y != nullptr && y->rb.left == nullptr);
        removed_black = !y->rb.red;
        x = y->rb.right;
        if (y->rb.parent == z) {
            x_parent = y;
        } else {
            x_parent = y->rb.parent;
            transplant(y, x);
            y->rb.right = z->rb.right;
            y->rb.right->rb.parent = y;
        }
        transplant(z, y);
        y->rb.left = z->rb.left;
        y->rb.left->rb.parent = y;
        y->rb.red = z->rb.red;
    }
    // x_parent's path covers every node whose set of descendants changed (y included, as it now
    // sits above x_parent). The successor's gap widened: it is on that path too unless z had
    // only a right child, of which the successor is then the leftmost descendant.
    gap_propagate(x_parent);
    gap_propagate(successor);
    if (removed_black)
        erase_fixup(x, x_parent);
}

// x's path is one black node short (CLRS RB-DELETE-FIXUP); x may be nil, hence `parent`.
void VmaTree::erase_fixup(Vma* x, Vma* parent) {
    while (x != m_root && !is_red(x)) {
        if (x == parent->rb.left) {
            Vma* sibling = parent->rb.right;  // non-nil: it has black height >= 1
            if (sibling->rb.red) {  // case 1: make the sibling black
                sibling->rb.red = false;
                parent->rb.red = true;
                rotate_left(parent);
                sibling = parent->rb.right;
            }
            if (!is_red(sibling->rb.left) && !is_red(sibling->rb.right)) {
                sibling->rb.red = true;  // case 2: both sides short, move the problem up
                x = parent;
                parent = x->rb.parent;
                continue;
            }
            if (!is_red(sibling->rb.right)) {  // case 3: make the far nephew red
                sibling->rb.left->rb.red = false;
                sibling->rb.red = true;
                rotate_right(sibling);
                sibling = parent->rb.right;
            }
            sibling->rb.red = parent->rb.red;  // case 4: rotate a black node onto x's side
            parent->rb.red = false;
            sibling->rb.right->rb.red = false;
            rotate_left(parent);
        } else {
            Vma* sibling = parent->rb.left;
            if (sibling->rb.red) {
                sibling->rb.red = false;
                parent->rb.red = true;
                rotate_right(parent);
                sibling = parent->rb.left;
            }
            if (!is_red(sibling->rb.left) && !is_red(sibling->rb.right)) {
                sibling->rb.red = true;
                x = parent;
                parent = x->rb.parent;
                continue;
            }
            if (!is_red(sibling->rb.left)) {
                sibling->rb.right->rb.red = false;
                sibling->rb.red = true;
                rotate_left(sibling);
                sibling = parent->rb.left;
            }
            sibling->rb.red = parent->rb.red;
            parent->rb.red = false;
            sibling->rb.left->rb.red = false;
            rotate_right(parent);
        }
        x = m_root;
    }
    if (x != nullptr)
        x->rb.red = false;
}

bool VmaTree::owns(const Vma* v) const {
    while (v->rb.parent != nullptr)
        v = v->rb.parent;
    return v == m_root;
}

// ---- Updates ----------------------------------------------------------------------------------

Vma* VmaTree::insert(std::unique_ptr<Vma> vma) {
    if (!vma || vma->start >= vma->end || !page_aligned(vma->start) || !page_aligned(vma->end))
        return nullptr;
    // Descend to the leaf position, remembering the nearest VMA on either side: with the
    // existing VMAs disjoint, the new one overlaps some VMA iff it overlaps one of those two.
    Vma* parent = nullptr;
    Vma** link = &m_root;
    Vma* prev = nullptr;
    Vma* next = nullptr;
    while (*link != nullptr) {
        parent = *link;
        if (vma->start < parent->start) {
            next = parent;
            link = &parent->rb.left;
        } else {
            prev = parent;
            link = &parent->rb.right;
        }
    }
    if ((prev != nullptr && prev->end > vma->start) || (next != nullptr && next->start < vma->end))
        return nullptr;

    Vma* z = vma.release();
    z->rb = VmaRbLinks{};
    z->rb.parent = parent;
    z->rb.red = true;
    *link = z;
    z->rb.prev = prev;
    z->rb.next = next;
    (prev != nullptr ? prev->rb.next : m_first) = z;
    (next != nullptr ? next->rb.prev : m_last) = z;
    ++m_size;
    add_bytes(z->end - z->start);

    // z's gap is new and next's gap shrank. A new leaf's successor is always one of its
    // ancestors (the lowest one it lies to the left of), so one pass from z covers both.
    gap_propagate(z);
    insert_fixup(z);
    vma_link_rmap(*z, m_mm);
    return z;
}

std::unique_ptr<Vma> VmaTree::remove(Vma* vma) {
    if (vma == nullptr)
        return nullptr;
    assert(owns(vma));
    erase(vma);
    vma->rb = VmaRbLinks{};
    vma_unlink_rmap(*vma);
    return std::unique_ptr<Vma>(vma);
}

Vma* VmaTree::split(Vma* vma, VirtAddr at) {
    if (vma == nullptr || at <= vma->start || at >= vma->end || !page_aligned(at))
        return nullptr;
    auto upper = std::make_unique<Vma>(*vma);  // insert() resets the copied links
    upper->start = at;
    upper->file_offset += at - vma->start;
    upper->anon_pgoff += (at - vma->start) >> kPageShift;
    set_range(vma, vma->start, at);
    return insert(std::move(upper));
}

void VmaTree::set_range(Vma* vma, VirtAddr new_start, VirtAddr new_end) {
    assert(new_start < new_end && page_aligned(new_start) && page_aligned(new_end));
    assert(vma->rb.prev == nullptr || vma->rb.prev->end <= new_start);
    assert(vma->rb.next == nullptr || new_end <= vma->rb.next->start);
    // Unsigned wrap-around makes this right for a start moving down as well as up.
    if (vma->file)
        vma->file_offset += new_start - vma->start;
    vma->anon_pgoff += (new_start >> kPageShift) - (vma->start >> kPageShift);
    m_total_bytes -= vma->end - vma->start;
    add_bytes(new_end - new_start);
    vma->start = new_start;
    vma->end = new_end;
    // Still between the same neighbours, so the tree's shape is unchanged; only the gap below
    // vma (start moved) and the one below its successor (end moved) differ.
    gap_propagate(vma);
    gap_propagate(vma->rb.next);
}

// ---- Lookups ----------------------------------------------------------------------------------

Vma* VmaTree::find_vma(VirtAddr addr) const {
    Vma* best = nullptr;
    for (Vma* v = m_root; v != nullptr;) {
        if (v->end > addr) {
            best = v;  // a candidate; an earlier one can only be to the left
            if (v->start <= addr)
                break;  // contains addr: nothing to the left ends above addr
            v = v->rb.left;
        } else {
            v = v->rb.right;
        }
    }
    return best;
}

Vma* VmaTree::find_containing(VirtAddr addr) const {
    Vma* v = find_vma(addr);
    return v != nullptr && v->start <= addr ? v : nullptr;
}

Vma* VmaTree::find_overlap(VirtAddr start, VirtAddr end) const {
    if (start >= end)
        return nullptr;
    Vma* v = find_vma(start);
    return v != nullptr && v->start < end ? v : nullptr;
}

// Lowest fit, after Linux's unmapped_area(): an in-order walk over the gaps below VMAs that
// skips each subtree whose subtree_gap is too small or whose gaps all end below low_limit,
// and stops at the first gap starting above high_limit (all later ones start higher still).
std::optional<VirtAddr> VmaTree::find_free_bottomup(std::uint64_t length, VirtAddr low,
                                                    VirtAddr high) const {
    std::optional<SearchLimits> l = search_limits(length, low, high);
    if (!l)
        return std::nullopt;
    auto fits = [&](const Vma* c) { return c != nullptr && c->rb.subtree_gap >= length; };

    Vma* v = fits(m_root) ? m_root : nullptr;
    bool descend = true;  // false when we came back up from the left subtree
    while (v != nullptr) {
        // The left subtree's gaps lie below v's gap; they can only fit if v's gap ends high enough.
        if (descend && v->start >= l->low_limit && fits(v->rb.left)) {
            v = v->rb.left;
            continue;
        }
        VirtAddr gap_start = prev_end(v);
        if (gap_start > l->high_limit)
            return std::nullopt;
        if (v->start >= l->low_limit && v->start - gap_start >= length)
            return std::max(gap_start, l->low);
        if (fits(v->rb.right)) {
            v = v->rb.right;
            descend = true;
            continue;
        }
        // Climb to the first ancestor we reach from its left side: the next node in order.
        const Vma* child;
        do {
            child = v;
            v = v->rb.parent;
        } while (v != nullptr && child == v->rb.right);
        descend = false;
    }
    // The gap above the highest VMA: unbounded, and below no node of the tree.
    VirtAddr gap_start = m_last != nullptr ? m_last->end : 0;
    if (gap_start > l->high_limit)
        return std::nullopt;
    return std::max(gap_start, l->low);
}

// Highest fit, after Linux's unmapped_area_topdown(): the mirror image, walking the gaps from
// the top down, after first trying the gap above the highest VMA.
std::optional<VirtAddr> VmaTree::find_free_topdown(std::uint64_t length, VirtAddr low,
                                                   VirtAddr high) const {
    std::optional<SearchLimits> l = search_limits(length, low, high);
    if (!l)
        return std::nullopt;
    if ((m_last != nullptr ? m_last->end : 0) <= l->high_limit)
        return l->high_limit;
    auto fits = [&](const Vma* c) { return c != nullptr && c->rb.subtree_gap >= length; };

    Vma* v = fits(m_root) ? m_root : nullptr;
    bool descend = true;  // false when we came back up from the right subtree
    while (v != nullptr) {
        VirtAddr gap_start = prev_end(v);
        // The right subtree's gaps lie above v's; they can only fit if v's gap starts low enough.
        if (descend && gap_start <= l->high_limit && fits(v->rb.right)) {
            v = v->rb.right;
            continue;
        }
        if (v->start < l->low_limit)
            return std::nullopt;  // this gap and every lower one ends too low
        if (gap_start <= l->high_limit && v->start - gap_start >= length)
            return std::min(v->start, l->high) - length;
        if (fits(v->rb.left)) {
            v = v->rb.left;
            descend = true;
            continue;
        }
        const Vma* child;
        do {
            child = v;
            v = v->rb.parent;
        } while (v != nullptr && child == v->rb.left);
        descend = false;
    }
    return std::nullopt;
}

// ---- Verification -----------------------------------------------------------------------------

std::string VmaTree::check_invariants() const {
    if (m_root != nullptr && m_root->rb.red)
        return describe(m_root) + ": the root is red";
    Checker c(m_size);
    if (c.check(m_root, nullptr) < 0)
        return c.error;
    if (c.visited != m_size)
        return "size() is " + std::to_string(m_size) + " but the tree has " +
               std::to_string(c.visited) + " nodes";
    if (c.prev != m_last)
        return "last() is not the highest VMA";
    if (m_last != nullptr && m_last->rb.next != nullptr)
        return describe(m_last) + ": the highest VMA has a next link";
    if (m_first != c.lowest)
        return "first() is not the lowest VMA";
    std::uint64_t total = 0;
    for (const Vma* v = m_first; v != nullptr; v = v->rb.next)
        total += v->end - v->start;
    if (total != m_total_bytes)
        return "total_bytes() is " + std::to_string(m_total_bytes) + " but the VMAs cover " + std::to_string(total);
    if (m_peak_total_bytes < m_total_bytes)
        return "peak_total_bytes() is below total_bytes()";
    return "";
}

}  // namespace os::mm
