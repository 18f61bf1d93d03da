// Memory syscalls: brk, mmap, munmap, mprotect, madvise.
#include <unistd.h>

#include <fcntl.h>

#include "os/fs/file.h"
#include "os/mm/page_cache.h"
#include "syscalls/syscall.h"

namespace syscalls {

namespace {

using namespace os::mm;

// Guest ABI values (linux/mman.h), spelled out so no host header is involved.
constexpr std::uint64_t kMapShared = 0x01;
constexpr std::uint64_t kMapPrivate = 0x02;
constexpr std::uint64_t kMapSharedValidate = 0x03;
constexpr std::uint64_t kMapTypeMask = 0x0f;
constexpr std::uint64_t kMapFixed = 0x10;
constexpr std::uint64_t kMapAnonymous = 0x20;
constexpr std::uint64_t kMapGrowsDown = 0x100;
constexpr std::uint64_t kMapNoReserve = 0x4000;
constexpr std::uint64_t kMapPopulate = 0x8000;
constexpr std::uint64_t kMapFixedNoReplace = 0x100000;
constexpr std::uint64_t kProtMask = kProtRead | kProtWrite | kProtExec;
constexpr std::uint64_t kProtGrowsDown = 0x01000000;
constexpr std::uint64_t kProtGrowsUp = 0x02000000;

constexpr int kMadvNormal = 0, kMadvRandom = 1, kMadvSequential = 2, kMadvWillNeed = 3, kMadvDontNeed = 4,
              kMadvFree = 8;

SysResult sys_brk(Context& c, const Args& a) { return static_cast<std::int64_t>(c.mm.brk(a[0])); }

// Faults in every page of a new mapping (MAP_POPULATE); failures are not reported.
void populate(AddressSpace& mm, VirtAddr start, std::uint64_t length, std::uint32_t prot) {
    const Access access = (prot & kProtWrite) ? Access::Write : Access::Read;
    for (VirtAddr va = start; va < start + length; va += kPageSize)
        (void)mm.translate(va, access);
}

// The page-cache object for a file mapping, with Linux's permission checks.
KResult<std::shared_ptr<CachedFile>> mappable_file(Context& c, int fd, std::uint64_t type, std::uint32_t prot,
                                                   std::uint32_t& vm_flags) {
    auto file = TRY(c.proc.files().get(fd));
    if (!file->readable())
        return err(Errno::eacces);
    const bool shared = type != kMapPrivate;
    if (shared && !file->writable()) {
        if (prot & kProtWrite)
            return err(Errno::eacces);
        vm_flags |= kVmWriteForbidden;
    }
    if (shared && (file->status_flags() & os::fs::kOpenAppend) && (prot & kProtWrite))
        return err(Errno::eacces);
    return file->mapping(shared && file->writable());
}

SysResult sys_mmap(Context& c, const Args& a) {
    const VirtAddr addr = a[0];
    const std::uint64_t length = a[1];
    const std::uint64_t prot = a[2];
    const std::uint64_t flags = a[3];
    const int fd = a.fd(4);
    const std::uint64_t offset = a[5];

    const std::uint64_t type = flags & kMapTypeMask;
    if (type != kMapShared && type != kMapPrivate && type != kMapSharedValidate)
        return err(Errno::einval);
    if (!page_aligned(offset) || length == 0)
        return err(Errno::einval);
    if (page_round_up(length) < length || page_round_up(length) > kUserTop)
        return err(Errno::enomem);
    if ((flags & (kMapFixed | kMapFixedNoReplace)) && !page_aligned(addr))
        return err(Errno::einval);
    if (prot & ~(kProtMask | kProtGrowsDown | kProtGrowsUp))
        return err(Errno::einval);

    MapRequest req;
    req.addr = addr;
    req.length = length;
    req.prot = static_cast<std::uint32_t>(prot & kProtMask);
    req.placement = (flags & kMapFixed)            ? Placement::Fixed
                    : (flags & kMapFixedNoReplace) ? Placement::FixedNoReplace
                                                   : Placement::Hint;
    if (type != kMapPrivate)
        req.vm_flags |= kVmShared;
    if (flags & kMapGrowsDown)
        req.vm_flags |= kVmGrowsDown;
    if (flags & kMapNoReserve)
        req.vm_flags |= kVmNoReserve;
    if (!(flags & kMapAnonymous)) {
        req.file = TRY(mappable_file(c, fd, type, req.prot, req.vm_flags));
        req.file_offset = offset;
        req.name = req.file->path();
    }
    const VirtAddr mapped = TRY(c.mm.map(req));
    if (flags & kMapPopulate)
        populate(c.mm, mapped, page_round_up(length), req.prot);
    return static_cast<std::int64_t>(mapped);
}

SysResult sys_munmap(Context& c, const Args& a) {
    TRY_VOID(c.mm.unmap(a[0], a[1]));
    return 0;
}

SysResult sys_mprotect(Context& c, const Args& a) {
    if (a[2] & ~kProtMask)
        return err(Errno::einval);
    TRY_VOID(c.mm.protect(a[0], a[1], static_cast<std::uint32_t>(a[2])));
    return 0;
}

SysResult sys_madvise(Context& c, const Args& a) {
    const VirtAddr start = a[0];
    const int advice = a.i32(2);
    if (!page_aligned(start))
        return err(Errno::einval);
    const std::uint64_t length = page_round_up(a[1]);
    if (length < a[1])
        return err(Errno::einval);
    switch (advice) {
    case kMadvNormal:
    case kMadvRandom:
    case kMadvSequential:
    case kMadvWillNeed:
        return 0;
    case kMadvDontNeed:
    case kMadvFree:
        // Drop the pages of private mappings: anonymous ones read as zero afterwards and
        // file ones re-read the file (MADV_FREE may drop them; we always do).
        TRY_VOID(c.mm.discard(start, length));
        return 0;
    default:
        return err(Errno::einval);
    }
}

constexpr SyscallDef kDefs[] = {
    {12, sys_brk, Support::Full, ""},
    {9, sys_mmap, Support::Full, ""},
    {11, sys_munmap, Support::Full, ""},
    {10, sys_mprotect, Support::Full, ""},
    {28, sys_madvise, Support::Partial, "advice other than NORMAL/RANDOM/SEQUENTIAL/WILLNEED/DONTNEED/FREE is EINVAL"},
};

}  // namespace

std::span<const SyscallDef> mm_syscalls() { return kDefs; }

}  // namespace syscalls
