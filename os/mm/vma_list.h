// VmaList: an intrusive list of VMAs, possibly of several address spaces: the VMAs that may
// map the pages of one object. Linux keeps two such lists per VMA: anon_vma->head (linked
// through vma->anon_vma_node) and the file's i_mmap (through vma->shared). Linking and
// unlinking are O(1) and never allocate.
#pragma once

#include <cassert>
#include <cstddef>

namespace os::mm {

struct Vma;

// The links a VMA carries for one list. `vma` is null while the VMA is on no list.
struct VmaListNode {
    Vma* vma = nullptr;
    VmaListNode* prev = nullptr;
    VmaListNode* next = nullptr;
    bool linked() const { return vma != nullptr; }
};

class VmaList {
public:
    VmaList() = default;
    VmaList(const VmaList&) = delete;
    VmaList& operator=(const VmaList&) = delete;
    ~VmaList() { assert(m_head == nullptr); }

    // Puts `vma`, whose links for this list are `node`, at the head of the list.
    void push(Vma& vma, VmaListNode& node) {
        assert(!node.linked());
        node.vma = &vma;
        node.prev = nullptr;
        node.next = m_head;
        if (m_head)
            m_head->prev = &node;
        m_head = &node;
        ++m_size;
    }
    void erase(VmaListNode& node) {
        assert(node.linked());
        (node.prev ? node.prev->next : m_head) = node.next;
        if (node.next)
            node.next->prev = node.prev;
        node = VmaListNode{};
        --m_size;
    }

    bool empty() const { return m_head == nullptr; }
    std::size_t size() const { return m_size; }

    // Calls fn(Vma&) for every VMA on the list. fn may not link or unlink VMAs.
    template <class Fn>
    void for_each(Fn&& fn) const {
        for (const VmaListNode* n = m_head; n; n = n->next)
            fn(*n->vma);
    }

private:
    VmaListNode* m_head = nullptr;
    std::size_t m_size = 0;
};

}  // namespace os::mm
