// AnonVma: the reverse map of private anonymous pages (Linux 2.6.x's struct anon_vma, in
// the simple form before 2.6.34's anon_vma_chain).
//
// Every private anonymous page belongs to one AnonVma and has an index in it (FrameInfo's
// rmap fields); the AnonVma lists every VMA, in every address space, that may map its
// pages. A VMA gets one with its first private anonymous page (anon_vma_prepare), or shares
// a compatible neighbour's; a VMA split off it, moved by mremap or copied by fork is on the
// same list. To find where a page is mapped, walk the list: in each VMA that covers the
// page's index, the PTE at that address maps it if its frame is the page's frame (after a
// fork and a copy-on-write the parent and the child hold different frames at that index).
//
// An AnonVma is reference counted: one reference per VMA on its list and one per frame
// that belongs to it, so it lives as long as anything can reach it.
#pragma once

#include <cstdint>

#include "os/mm/vma_list.h"

namespace os::mm {

struct Vma;

class AnonVma {
public:
    // A new AnonVma with no references; the first VMA linked to it takes one.
    static AnonVma* create() { return new AnonVma(); }
    AnonVma(const AnonVma&) = delete;
    AnonVma& operator=(const AnonVma&) = delete;

    void get() { ++m_refcount; }
    // Drops a reference; the AnonVma is freed at zero.
    void put();
    std::uint64_t refcount() const { return m_refcount; }

    // The VMAs that may map this AnonVma's pages.
    const VmaList& vmas() const { return m_vmas; }

    // Puts `vma` on the list and takes a reference (anon_vma_link); the reverse
    // (anon_vma_unlink) may free the AnonVma.
    void link(Vma& vma);
    void unlink(Vma& vma);

private:
    AnonVma() = default;
    ~AnonVma() = default;

    std::uint64_t m_refcount = 0;
    VmaList m_vmas;
};

// Gives `vma` the AnonVma `av` (or none), moving it from its old AnonVma's list to the new
// one's if it is in a VmaTree. The old AnonVma may be freed.
void anon_vma_assign(Vma& vma, AnonVma* av);

}  // namespace os::mm
