// Vma: one virtual memory area (Linux's vm_area_struct). A VMA promises what may be mapped
// in [start, end); page tables and frames say what is mapped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "os/mm/types.h"

namespace os::mm {

class CachedFile;

// Guest-visible protection bits, numerically equal to Linux PROT_*.
enum VmProt : std::uint32_t {
    kProtNone = 0,
    kProtRead = 1,
    kProtWrite = 2,
    kProtExec = 4,
};

// VMA flags (a subset of Linux's VM_*; our own numbering).
enum VmFlag : std::uint32_t {
    kVmShared = 1u << 0,     // MAP_SHARED: writes reach the backing object, never COW
    kVmGrowsDown = 1u << 1,  // the stack: a fault just below grows the VMA
    kVmHeap = 1u << 2,       // the brk area ([heap] in /proc/pid/maps)
    kVmStack = 1u << 3,      // the main stack ([stack] in /proc/pid/maps)
    kVmNoReserve = 1u << 4,  // MAP_NORESERVE
    kVmLocked = 1u << 5,     // mlock
    kVmWriteForbidden = 1u << 6,  // shared mapping of a file opened read-only: never writable
};

// Intrusive red-black tree links, owned by VmaTree (os/mm/vma_tree.h).
struct VmaRbLinks {
    struct Vma* parent = nullptr;
    struct Vma* left = nullptr;
    struct Vma* right = nullptr;
    bool red = false;
    // Largest free gap below any VMA in this subtree, where the gap below a VMA is
    // vma.start - (previous VMA's end, or 0 for the first VMA). Linux's rb_subtree_gap.
    std::uint64_t subtree_gap = 0;
    // Address-ordered neighbours (Linux's vm_prev/vm_next): the gap below a VMA needs its
    // predecessor's end in O(1), and next()/prev()/iteration become O(1).
    struct Vma* prev = nullptr;
    struct Vma* next = nullptr;
};

struct Vma {
    VirtAddr start = 0;  // page aligned, inclusive
    VirtAddr end = 0;    // page aligned, exclusive
    std::uint32_t prot = kProtNone;
    std::uint32_t flags = 0;

    // File backing (nullptr for anonymous memory). file_offset is the file offset of
    // `start`; it moves with start when the VMA is split.
    std::shared_ptr<CachedFile> file;
    std::uint64_t file_offset = 0;

    // The name shown in /proc/pid/maps for anonymous VMAs ("[heap]", "[stack]"), or the
    // path of the file.
    std::string name;

    VmaRbLinks rb;

    std::uint64_t size() const { return end - start; }
    bool contains(VirtAddr a) const { return a >= start && a < end; }
    bool is_anonymous() const { return file == nullptr; }
    bool is_shared() const { return (flags & kVmShared) != 0; }
    bool readable() const { return (prot & kProtRead) != 0; }
    bool writable() const { return (prot & kProtWrite) != 0; }
    bool executable() const { return (prot & kProtExec) != 0; }
    // File offset of the page containing `a` (only meaningful for file-backed VMAs).
    std::uint64_t file_offset_of(VirtAddr a) const { return file_offset + (page_round_down(a) - start); }
};

}  // namespace os::mm
