// FrameList: a doubly linked list of frame numbers kept in arrays indexed by frame number,
// as Linux links each struct page on an LRU list through page->lru: inserting, removing and
// moving a frame are O(1) and allocate nothing once the list is built. The replacement
// policies (os/mm/replacement_policy.h) keep their orders in these.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "os/mm/types.h"

namespace os::mm {

class FrameList {
public:
    // A list that can hold frames [0, frames).
    explicit FrameList(std::size_t frames) : m_links(frames) {}

    bool contains(Pfn pfn) const { return index(pfn) < m_links.size() && m_links[index(pfn)].linked; }
    bool empty() const { return m_size == 0; }
    std::size_t size() const { return m_size; }
    std::optional<Pfn> front() const { return to_pfn(m_head); }
    std::optional<Pfn> back() const { return to_pfn(m_tail); }
    // The frame after `pfn`, or nullopt at the end.
    std::optional<Pfn> next(Pfn pfn) const { return to_pfn(m_links[index(pfn)].next); }
    // The frame after `pfn`, the first one after the last (a circular view, for CLOCK).
    Pfn next_circular(Pfn pfn) const {
        const std::uint32_t n = m_links[index(pfn)].next;
        return static_cast<Pfn>(n == kNone ? m_head : n);
    }

    void push_back(Pfn pfn) { insert(pfn, kNone); }
    // Puts `pfn` just before `pos`, which is on the list.
    void insert_before(Pfn pos, Pfn pfn) { insert(pfn, index(pos)); }
    void erase(Pfn pfn) {
        const std::uint32_t i = index(pfn);
        Link& l = m_links[i];
        assert(l.linked);
        (l.prev == kNone ? m_head : m_links[l.prev].next) = l.next;
        (l.next == kNone ? m_tail : m_links[l.next].prev) = l.prev;
        l = Link{};
        --m_size;
    }
    void move_to_back(Pfn pfn) {
        erase(pfn);
        push_back(pfn);
    }

private:
    static constexpr std::uint32_t kNone = ~std::uint32_t{0};
    struct Link {
        std::uint32_t prev = kNone;
        std::uint32_t next = kNone;
        bool linked = false;
    };
    static std::uint32_t index(Pfn pfn) { return pfn_index(pfn); }
    static std::optional<Pfn> to_pfn(std::uint32_t i) {
        return i == kNone ? std::nullopt : std::optional<Pfn>(static_cast<Pfn>(i));
    }
    // Inserts before index `before` (kNone: at the end).
    void insert(Pfn pfn, std::uint32_t before) {
        const std::uint32_t i = index(pfn);
        assert(i < m_links.size() && !m_links[i].linked);
        Link& l = m_links[i];
        l.linked = true;
        l.next = before;
        l.prev = before == kNone ? m_tail : m_links[before].prev;
        (l.prev == kNone ? m_head : m_links[l.prev].next) = i;
        (before == kNone ? m_tail : m_links[before].prev) = i;
        ++m_size;
    }

    std::vector<Link> m_links;
    std::uint32_t m_head = kNone;
    std::uint32_t m_tail = kNone;
    std::size_t m_size = 0;
};

}  // namespace os::mm
