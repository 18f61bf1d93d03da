// Memory syscalls: brk, mmap, munmap, mprotect, madvise, mremap, msync, mincore, mlock,
// munlock, mlock2, mlockall, munlockall.
//
// Each handler checks its arguments in the order Linux 6.1 does (so that a call with
// several things wrong gets Linux's errno), then calls into os/mm, which does the rest
// with Linux's semantics. The caller's privileges come from faultline's host user: root
// has CAP_IPC_LOCK (no RLIMIT_MEMLOCK) and CAP_SYS_RAWIO (fixed mappings below
// vm.mmap_min_addr).
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "os/fs/file.h"
#include "os/mm/mman.h"
#include "os/mm/page_cache.h"
#include "syscalls/syscall.h"

namespace syscalls {

namespace {

using namespace os::mm;
using namespace os::mm::abi;

constexpr int kRlimitMemlock = 8;

// PAGE_ALIGN() as Linux computes it: wraps to 0 for lengths within a page of 2^64.
constexpr std::uint64_t page_align(std::uint64_t n) { return (n + kPageSize - 1) & kPageMask; }

bool privileged(const Context& c) { return c.proc.creds.euid == 0; }

// RLIMIT_MEMLOCK in bytes, or kNoLockLimit with CAP_IPC_LOCK.
std::uint64_t lock_limit(const Context& c) {
    return privileged(c) ? kNoLockLimit : c.proc.rlimits[kRlimitMemlock].cur;
}

// can_do_mlock()
bool can_do_mlock(const Context& c) { return c.proc.rlimits[kRlimitMemlock].cur != 0 || privileged(c); }

// __mlock_posix_error_return(): population failures as mlock reports them.
Errno mlock_posix_error(Errno e) {
    if (e == Errno::efault)
        return Errno::enomem;
    if (e == Errno::enomem)
        return Errno::eagain;
    return e;
}

constexpr int kOpenPath = 010000000;  // O_PATH

// /dev/zero (character device 1:5): its ->mmap makes anonymous memory (mmap_zero()).
bool is_dev_zero(os::fs::File& file) {
    auto st = file.stat();
    return st && (st->st_mode & 0170000) == 0020000 && major(st->st_rdev) == 1 && minor(st->st_rdev) == 5;
}

// path_noexec(): a noexec mount, or an internal file system that is never executable
// (pipefs: faultline's own pipes, which have no host descriptor).
bool path_noexec(os::fs::File& file) {
    const int host_fd = file.host_fd();
    if (host_fd < 0) {
        auto st = file.stat();
        return st && (st->st_mode & 0170000) == 0010000;
    }
    struct statvfs st {};
    return ::fstatvfs(host_fd, &st) == 0 && (st.f_flag & ST_NOEXEC);
}

SysResult sys_brk(Context& c, const Args& a) { return static_cast<std::int64_t>(c.mm.brk(a[0])); }

// ksys_mmap_pgoff() + do_mmap() + vm_mmap_pgoff()'s population.
SysResult sys_mmap(Context& c, const Args& a) {
    VirtAddr addr = a[0];
    const std::uint64_t len_in = a[1];
    const std::uint64_t prot = a[2];
    std::uint64_t flags = a[3];
    const std::uint64_t offset = a[5];

    if (!page_aligned(offset))
        return err(Errno::einval);
    const std::uint64_t pgoff = offset >> kPageShift;

    std::shared_ptr<os::fs::File> file;
    if (!(flags & MAP_ANONYMOUS)) {
        file = TRY(c.proc.files().get(a.fd(4)));
        if (file->status_flags() & kOpenPath)
            return err(Errno::ebadf);  // fget() does not see O_PATH descriptors
        if (flags & MAP_HUGETLB)
            return err(Errno::einval);  // not a hugetlbfs file
    } else if (flags & MAP_HUGETLB) {
        // Huge page sizes the machine has: 2 MiB (the default) and 1 GiB; none is reserved
        // (vm.nr_hugepages = 0), so the hugetlbfs file cannot be set up.
        const std::uint64_t size_log = (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
        if (size_log != 0 && size_log != 21 && size_log != 30)
            return err(Errno::einval);
        const std::uint64_t huge = size_log == 30 ? 1ull << 30 : 2ull << 20;
        if (len_in == 0 || ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr & (huge - 1))))
            return err(Errno::einval);
        return err(Errno::enomem);
    }

    // do_mmap()
    if (len_in == 0)
        return err(Errno::einval);
    if (flags & MAP_FIXED_NOREPLACE)
        flags |= MAP_FIXED;
    const std::uint64_t len = page_align(len_in);
    if (len == 0)
        return err(Errno::enomem);
    if (pgoff + (len >> kPageShift) < pgoff)
        return err(Errno::eoverflow);
    if (c.mm.vmas().size() > AddressSpace::kMaxMapCount)
        return err(Errno::enomem);
    const Placement placement = !(flags & MAP_FIXED)            ? Placement::Hint
                                : (flags & MAP_FIXED_NOREPLACE) ? Placement::FixedNoReplace
                                                                : Placement::Fixed;
    addr = TRY(c.mm.get_unmapped_area(addr, len, placement, (flags & MAP_32BIT) != 0));
    if (addr < AddressSpace::kMmapMinAddr && !privileged(c))
        return err(Errno::eperm);  // security_mmap_addr()
    if (placement == Placement::FixedNoReplace && c.mm.vmas().find_overlap(addr, addr + len))
        return err(Errno::eexist);

    MapRequest req;
    req.addr = addr;
    req.length = len;
    req.prot = static_cast<std::uint32_t>(prot & (PROT_READ | PROT_WRITE | PROT_EXEC));  // other bits ignored
    req.placement = placement == Placement::Hint ? Placement::Fixed : placement;
    req.low_addresses_allowed = privileged(c);
    req.lock_limit = lock_limit(c);
    if (flags & MAP_GROWSDOWN)
        req.vm_flags |= kVmGrowsDown;
    if (flags & MAP_LOCKED)
        req.vm_flags |= kVmLocked;
    if (flags & MAP_SYNC)
        req.vm_flags |= kVmSync;
    if (flags & MAP_STACK)
        req.vm_flags |= kVmNoHugePage;  // Linux >= 6.7 (calc_vm_flag_bits); 6.1 ignored it

    if (flags & MAP_LOCKED) {
        if (!can_do_mlock(c))
            return err(Errno::eperm);
    }
    // mlock_future_check()
    if (((req.vm_flags | c.mm.def_flags()) & kVmLocked) && req.lock_limit != kNoLockLimit &&
        ((c.mm.locked_bytes() + len) >> kPageShift) > (req.lock_limit >> kPageShift))
        return err(Errno::eagain);

    const std::uint64_t type = flags & MAP_TYPE;
    if (file) {
        // file_mmap_ok(): a regular file's offsets end at MAX_LFS_FILESIZE.
        constexpr std::uint64_t kMaxFileSize = 0x7fff'ffff'ffff'ffffull;
        if (len > kMaxFileSize || pgoff > (kMaxFileSize - len) >> kPageShift)
            return err(Errno::eoverflow);
        switch (type) {
        case MAP_SHARED:
            // Unknown flags are ignored with MAP_SHARED, refused with MAP_SHARED_VALIDATE.
            flags &= LEGACY_MAP_MASK;
            [[fallthrough]];
        case MAP_SHARED_VALIDATE:
            if (flags & ~LEGACY_MAP_MASK)
                return err(Errno::eopnotsupp);
            if ((prot & PROT_WRITE) && !file->writable())
                return err(Errno::eacces);
            req.vm_flags |= kVmShared;
            if (!file->writable())
                req.vm_flags |= kVmWriteForbidden;  // VM_MAYWRITE cleared
            [[fallthrough]];
        case MAP_PRIVATE:
            if (!file->readable())
                return err(Errno::eacces);
            if (path_noexec(*file)) {
                if (prot & PROT_EXEC)
                    return err(Errno::eperm);
                req.vm_flags |= kVmExecForbidden;
            }
            if (is_dev_zero(*file)) {
                if (flags & MAP_GROWSDOWN)
                    return err(Errno::einval);
                // mmap_zero(): shared, a new shared anonymous object; private, anonymous
                // memory that still names /dev/zero (and merges only with its own kind).
                req.vm_flags &= ~kVmWriteForbidden;
                req.file_offset = offset;
                if (!(req.vm_flags & kVmShared)) {
                    req.origin = file;
                    req.name = "/dev/zero";
                }
                break;
            }
            req.file = TRY(file->mapping(type != MAP_PRIVATE && file->writable()));  // ENODEV: no ->mmap
            if (flags & MAP_GROWSDOWN)
                return err(Errno::einval);
            // ext4 and xfs refuse VM_SYNC without DAX, which no file here has.
            if (req.vm_flags & kVmSync)
                return err(Errno::eopnotsupp);
            req.file_offset = offset;
            req.name = req.file->path();
            req.origin = file;  // the open file description (Linux's vm_file)
            break;
        default:
            return err(Errno::einval);
        }
    } else {
        switch (type) {
        case MAP_SHARED:
            if (flags & MAP_GROWSDOWN)
                return err(Errno::einval);
            req.vm_flags |= kVmShared;
            break;
        case MAP_PRIVATE:
            break;
        default:
            return err(Errno::einval);
        }
    }
    // Honoured because faultline overcommits (as vm.overcommit_memory=0 allows).
    if (flags & MAP_NORESERVE)
        req.vm_flags |= kVmNoReserve;

    const VirtAddr mapped = TRY(c.mm.map(req));
    if (((req.vm_flags | c.mm.def_flags()) & kVmLocked) || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE)
        (void)c.mm.populate(mapped, len, true);
    return static_cast<std::int64_t>(mapped);
}

SysResult sys_munmap(Context& c, const Args& a) {
    TRY_VOID(c.mm.unmap(a[0], a[1]));
    return 0;
}

// do_mprotect_pkey()'s checks; the VMA walk is AddressSpace::protect.
SysResult sys_mprotect(Context& c, const Args& a) {
    const VirtAddr start = a[0];
    const std::uint64_t len = a[1];
    std::uint64_t prot = a[2];
    const std::uint64_t grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    prot &= ~grows;
    if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
        return err(Errno::einval);
    if (!page_aligned(start))
        return err(Errno::einval);
    if (len == 0)
        return 0;
    if (start + page_align(len) <= start)
        return err(Errno::enomem);
    // arch_validate_prot(): PROT_SEM is accepted (and means nothing on x86).
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
        return err(Errno::einval);
    TRY_VOID(c.mm.protect(start, len, static_cast<std::uint32_t>(prot & ~PROT_SEM), grows));
    return 0;
}

SysResult sys_madvise(Context& c, const Args& a) {
    TRY_VOID(c.mm.advise(a[0], a[1], a.i32(2)));
    return 0;
}

SysResult sys_mremap(Context& c, const Args& a) {
    RemapLimits limits;
    limits.lock_limit = lock_limit(c);
    limits.low_addresses_allowed = privileged(c);
    return static_cast<std::int64_t>(TRY(c.mm.remap(a[0], a[1], a[2], a[3], a[4], limits)));
}

SysResult sys_msync(Context& c, const Args& a) {
    const VirtAddr start = a[0];
    const std::uint32_t flags = a.u32(2);
    if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
        return err(Errno::einval);
    if (!page_aligned(start))
        return err(Errno::einval);
    if ((flags & MS_ASYNC) && (flags & MS_SYNC))
        return err(Errno::einval);
    TRY_VOID(c.mm.sync_range(start, a[1], flags));
    return 0;
}

SysResult sys_mincore(Context& c, const Args& a) {
    VirtAddr start = a[0];
    const std::uint64_t len = a[1];
    VirtAddr vec = a[2];
    if (!page_aligned(start))
        return err(Errno::einval);
    // access_ok() on the range, then on the vector.
    if (len > kUserTop || start > kUserTop - len)
        return err(Errno::enomem);
    std::uint64_t pages = (len >> kPageShift) + (page_offset(len) != 0);
    if (pages > kUserTop || vec > kUserTop - pages)
        return err(Errno::efault);
    // At most a page of the vector at a time, as Linux does.
    std::uint8_t chunk[kPageSize];
    while (pages) {
        const std::uint64_t n = TRY(c.mm.residency(start, std::min<std::uint64_t>(pages, kPageSize), chunk));
        TRY_VOID(c.mm.copy_to_user(vec, chunk, n));
        pages -= n;
        vec += n;
        start += n << kPageShift;
    }
    return 0;
}

// do_mlock()
SysResult do_mlock(Context& c, VirtAddr start, std::uint64_t len, std::uint32_t lock_flags) {
    if (!can_do_mlock(c))
        return err(Errno::eperm);
    len = page_align(len + page_offset(start));
    start = page_round_down(start);
    if (const std::uint64_t limit = lock_limit(c); limit != kNoLockLimit) {
        std::uint64_t locked = (len >> kPageShift) + (c.mm.locked_bytes() >> kPageShift);
        // Pages of the range already locked are not counted twice.
        if (locked > limit >> kPageShift)
            locked -= c.mm.locked_bytes_in(start, len) >> kPageShift;
        if (locked > limit >> kPageShift)
            return err(Errno::enomem);
    }
    TRY_VOID(c.mm.lock_range(start, len, lock_flags));
    if (auto r = c.mm.populate(start, len, false); !r)
        return err(mlock_posix_error(r.error()));
    return 0;
}

SysResult sys_mlock(Context& c, const Args& a) { return do_mlock(c, a[0], a[1], kVmLocked); }

SysResult sys_mlock2(Context& c, const Args& a) {
    const std::uint32_t flags = a.u32(2);
    if (flags & ~MLOCK_ONFAULT)
        return err(Errno::einval);
    return do_mlock(c, a[0], a[1], (flags & MLOCK_ONFAULT) ? kVmLockedMask : std::uint32_t{kVmLocked});
}

SysResult sys_munlock(Context& c, const Args& a) {
    const VirtAddr start = a[0];
    TRY_VOID(c.mm.lock_range(page_round_down(start), page_align(a[1] + page_offset(start)), 0));
    return 0;
}

SysResult sys_mlockall(Context& c, const Args& a) {
    const std::uint32_t flags = a.u32(0);
    if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
        return err(Errno::einval);
    if (!can_do_mlock(c))
        return err(Errno::eperm);
    const std::uint64_t limit = lock_limit(c);
    if ((flags & MCL_CURRENT) && limit != kNoLockLimit && (c.mm.mapped_bytes() >> kPageShift) > (limit >> kPageShift))
        return err(Errno::enomem);
    c.mm.lock_all(flags);
    if (flags & MCL_CURRENT)
        (void)c.mm.populate(0, kUserTop, true);
    return 0;
}

SysResult sys_munlockall(Context& c, const Args&) {
    c.mm.lock_all(0);
    return 0;
}

constexpr SyscallDef kDefs[] = {
    {12, sys_brk, Support::Full, ""},
    {9, sys_mmap, Support::Partial, "MAP_HUGETLB is ENOMEM (no huge pages are reserved); no overcommit limit"},
    {11, sys_munmap, Support::Full, ""},
    {10, sys_mprotect, Support::Full, ""},
    {28, sys_madvise, Support::Partial,
     "flag-setting advice only splits and merges VMAs; FREE, COLD, PAGEOUT and COLLAPSE do nothing after their "
     "checks; HWPOISON, SOFT_OFFLINE and the 6.13 guard advice are EINVAL"},
    {25, sys_mremap, Support::Full, ""},
    {26, sys_msync, Support::Full, ""},
    {27, sys_mincore, Support::Full, ""},
    {149, sys_mlock, Support::Full, ""},
    {150, sys_munlock, Support::Full, ""},
    {325, sys_mlock2, Support::Full, ""},
    {151, sys_mlockall, Support::Full, ""},
    {152, sys_munlockall, Support::Full, ""},
};

}  // namespace

std::span<const SyscallDef> mm_syscalls() { return kDefs; }

}  // namespace syscalls
