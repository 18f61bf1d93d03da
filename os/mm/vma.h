// Vma: one virtual memory area (Linux's vm_area_struct). A VMA promises what may be mapped
// in [start, end); page tables and frames say what is mapped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "os/mm/types.h"
#include "os/mm/vma_list.h"

namespace os::mm {

class AddressSpace;
class AnonVma;
class CachedFile;
class SharedAnonObject;

// Guest-visible protection bits, numerically equal to Linux PROT_*.
enum VmProt : std::uint32_t {
    kProtNone = 0,
    kProtRead = 1,
    kProtWrite = 2,
    kProtExec = 4,
};

// VMA flags (a subset of Linux's VM_*; our own numbering). Two VMAs merge only when their
// flags are equal, as in Linux, so every flag that Linux keeps in vm_flags and that a
// program can set is here even when faultline does nothing else with it.
enum VmFlag : std::uint32_t {
    kVmShared = 1u << 0,     // MAP_SHARED: writes reach the backing object, never COW
    kVmGrowsDown = 1u << 1,  // the stack: a fault just below grows the VMA
    kVmHeap = 1u << 2,       // the brk area ([heap] in /proc/pid/maps)
    kVmStack = 1u << 3,      // the main stack ([stack] in /proc/pid/maps)
    kVmNoReserve = 1u << 4,  // MAP_NORESERVE
    kVmLocked = 1u << 5,     // mlock
    kVmWriteForbidden = 1u << 6,  // shared mapping of a file opened read-only: never writable
    kVmAccount = 1u << 7,      // VM_ACCOUNT: private writable memory counted as committed
    kVmLockOnFault = 1u << 8,  // VM_LOCKONFAULT: mlock2(MLOCK_ONFAULT), locked but not populated
    kVmSeqRead = 1u << 9,      // VM_SEQ_READ: MADV_SEQUENTIAL
    kVmRandRead = 1u << 10,    // VM_RAND_READ: MADV_RANDOM
    kVmDontCopy = 1u << 11,    // VM_DONTCOPY: MADV_DONTFORK
    kVmDontDump = 1u << 12,    // VM_DONTDUMP: MADV_DONTDUMP
    kVmWipeOnFork = 1u << 13,  // VM_WIPEONFORK: MADV_WIPEONFORK
    kVmHugePage = 1u << 14,    // VM_HUGEPAGE: MADV_HUGEPAGE
    kVmNoHugePage = 1u << 15,  // VM_NOHUGEPAGE: MADV_NOHUGEPAGE, and MAP_STACK (Linux >= 6.7)
    kVmMergeable = 1u << 16,   // VM_MERGEABLE: MADV_MERGEABLE (KSM)
    kVmSync = 1u << 17,        // VM_SYNC: MAP_SYNC
    kVmExecForbidden = 1u << 18,  // no VM_MAYEXEC: a file on a noexec mount
};

// VM_LOCKED_MASK: what mlock/munlock set and clear.
inline constexpr std::uint32_t kVmLockedMask = kVmLocked | kVmLockOnFault;

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

    // Linux's vm_pgoff for memory without a file, in pages: start >> kPageShift when a
    // private anonymous mapping is made, 0 for a shared one. It moves with `start` (split,
    // set_range) and stays with the memory when mremap moves it, so moved anonymous memory
    // that has pages merges with its neighbours only back where it came from, as on Linux.
    std::uint64_t anon_pgoff = 0;
    // Linux's anon_vma (nullptr: none yet): the object the VMA's private anonymous pages
    // belong to, for the reverse map (os/mm/anon_vma.h). A VMA gets one with its first
    // private anonymous page (reusing a compatible neighbour's, as anon_vma_prepare does), a
    // forked child's copy shares its parent's; two VMAs with different ones never merge.
    // While the VMA is in a VmaTree it is on the anon_vma's list (anon_vma_node); change it
    // only through anon_vma_assign().
    AnonVma* anon_vma = nullptr;
    // What the mapping was made from (Linux's vm_file): the open file description of a file
    // mapping made by mmap (two opens of one file never merge), an object of its own for
    // each MAP_SHARED|MAP_ANONYMOUS mapping (a SharedAnonObject, which holds the pages the
    // VMAs holding it share, as shmem's file does), nullptr for private anonymous memory and
    // for exec's segments.
    std::shared_ptr<const void> origin;

    // The name shown in /proc/pid/maps for anonymous VMAs ("[heap]", "[stack]"), or the
    // path of the file.
    std::string name;

    VmaRbLinks rb;
    // Set while the VMA is in an address space's VmaTree (Linux's vm_mm): the reverse map
    // goes from a frame to the VMAs that may map it, and from them to their address space.
    AddressSpace* mm = nullptr;
    // Reverse-map list links, owned by VmaTree like `rb` (a copy of a VMA is on no list
    // until it is inserted): on anon_vma's list, and on the shared anonymous object's.
    VmaListNode anon_vma_node;
    VmaListNode shared_node;

    std::uint64_t size() const { return end - start; }
    bool contains(VirtAddr a) const { return a >= start && a < end; }
    bool is_anonymous() const { return file == nullptr; }
    bool is_shared() const { return (flags & kVmShared) != 0; }
    bool readable() const { return (prot & kProtRead) != 0; }
    bool writable() const { return (prot & kProtWrite) != 0; }
    bool executable() const { return (prot & kProtExec) != 0; }
    // File offset of the page containing `a` (only meaningful for file-backed VMAs).
    std::uint64_t file_offset_of(VirtAddr a) const { return file_offset + (page_round_down(a) - start); }
    // The page offset of `a` in what the VMA maps (Linux's linear_page_index): in the file,
    // or in the anonymous memory's anon_pgoff numbering. It stays with the memory through
    // split, merge and mremap, so it names a page of the VMA's anon_vma.
    std::uint64_t linear_page_index(VirtAddr a) const {
        return (file ? file_offset >> kPageShift : anon_pgoff) + ((a - start) >> kPageShift);
    }
    bool maps_index(std::uint64_t index) const {
        const std::uint64_t first = linear_page_index(start);
        return index >= first && index - first < (size() >> kPageShift);
    }
    // Where page `index` lies in the VMA (Linux's vma_address); maps_index(index) first.
    VirtAddr address_of_index(std::uint64_t index) const {
        return start + ((index - linear_page_index(start)) << kPageShift);
    }
};

// The shared anonymous object (os/mm/shared_anon.h) a VMA maps, or nullptr.
inline SharedAnonObject* shared_anon_object(const Vma& v) {
    if (v.file || !v.is_shared())
        return nullptr;
    // map() makes it non-const; as Vma::origin it is held as an identity only.
    return const_cast<SharedAnonObject*>(static_cast<const SharedAnonObject*>(v.origin.get()));
}

}  // namespace os::mm
