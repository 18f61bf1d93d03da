/* Memory-syscall fuzzer: with a fixed seed, makes N (default 20000) calls of mmap, munmap,
 * mprotect, mremap, madvise, msync, mincore, mlock/munlock/mlock2/mlockall/munlockall and
 * brk with random, mostly nasty arguments (huge, unaligned, overlapping, wild addresses,
 * random flags), touches some of the memory it gets, and prints a histogram of what each
 * call returned (ok, or the errno's name).
 *
 *   mm_fuzz [SEED [CALLS]]
 *
 * It must never destroy itself, so it is confined:
 *  - every address it passes is inside a window it reserves first (64 MiB, between two
 *    1 MiB PROT_NONE guards it never unmaps), or a garbage address for which the call must
 *    fail whatever the layout (unaligned, or at or beyond the top of user space);
 *  - ranges that could unmap or move memory (munmap, mremap, MAP_FIXED) lie inside the
 *    window, or have a length for which the call must fail (beyond the top of user space);
 *    ranges that change attributes (mprotect, madvise, mlock, msync) end inside the guard
 *    above the window (madvise and msync step over holes: anything longer could reach the
 *    stack or the vDSO), or wrap around the top of the address space, which every call
 *    refuses before looking at a VMA; mincore, which only reads, gets any length;
 *  - mappings placed by the kernel outside the window (hints, MREMAP_MAYMOVE) are
 *    remembered and unmapped exactly later;
 *  - nothing is populated beyond 16 MiB at a time (MAP_POPULATE and MAP_LOCKED only for
 *    small lengths; mlockall only with MCL_ONFAULT), and the advice that would poison real
 *    pages (MADV_HWPOISON, MADV_SOFT_OFFLINE) is never given;
 *  - a page is touched only when a shadow of the window says it is mapped, readable or
 *    writable (PROT_EXEC alone may be execute-only, with protection keys) and backed
 *    (anonymous, or a file page inside the file); whenever a call's effect is not
 *    certain (it failed after possibly changing something) the pages become unknown and
 *    are not touched until a later MAP_FIXED makes them known again.
 * No malloc: brk belongs to the fuzzer. Its output differs between Linux and faultline in
 * its counts (placement, overcommit); the program itself must run to the end on both. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define P 4096ul
#define WPAGES 16384ul               /* the window: 64 MiB */
#define GUARD (256 * P)              /* 1 MiB PROT_NONE on each side */
#define TASK_TOP 0x00007ffffffff000ul /* Linux TASK_SIZE on x86-64 */
#define MAX_POPULATE (16ul << 20)
#define FILE_SIZE (16ul << 20)

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
#ifndef SYS_mlock2
#define SYS_mlock2 325
#endif
#define MADV_GUARD_INSTALL 102

/* ---- random numbers (xorshift64*) ---- */
static uint64_t rng_state;
static uint64_t rnd(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }
static int chance(int percent) { return (int)below(100) < percent; }

/* ---- the histogram ---- */
enum { C_MMAP, C_MUNMAP, C_MPROTECT, C_MREMAP, C_MADVISE, C_MSYNC, C_MINCORE, C_MLOCK, C_MUNLOCK, C_MLOCK2,
       C_MLOCKALL, C_MUNLOCKALL, C_BRK, C_COUNT };
static const char *call_names[C_COUNT] = {"mmap",   "munmap",  "mprotect", "mremap",   "madvise",
                                          "msync",  "mincore", "mlock",    "munlock",  "mlock2",
                                          "mlockall", "munlockall", "brk"};
#define MAX_ERRNO 134
static unsigned long hist[C_COUNT][MAX_ERRNO + 2]; /* [0]: ok, [e]: errno e, [MAX+1]: other */
static unsigned long calls, touches, cleanups;

static const char *errno_name(int e) {
    switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case EINVAL: return "EINVAL";
    case ETXTBSY: return "ETXTBSY";
    case EOVERFLOW: return "EOVERFLOW";
    case ENOSYS: return "ENOSYS";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EIO: return "EIO";
    case ENOSPC: return "ENOSPC";
    }
    return NULL;
}

/* Records a raw syscall result; returns it. */
static int last_call;
static long record(int call, long r) {
    last_call = call;
    calls++;
    if (r >= 0 || r < -MAX_ERRNO)
        hist[call][0]++;
    else
        hist[call][-r]++;
    return r;
}

static int trace; /* "trace": every call on stderr before it is made */

static long sys(long nr, long a, long b, long c, long d, long e, long f) {
    if (trace) {
        char line[160];
        int len = snprintf(line, sizeof line, "%lu: %ld(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n", calls, nr, a, b, c, d, e, f);
        write(2, line, (size_t)len);
    }
    long r = syscall(nr, a, b, c, d, e, f);
    return r == -1 ? -errno : r;
}

/* ---- the window and its shadow ---- */
static char *W; /* first window page */
#define S_UNMAPPED 0x00
#define S_UNKNOWN 0x01 /* may or may not be mapped: never touched */
#define S_MAPPED 0x10  /* | prot bits */
#define S_BACKED 0x20  /* touching cannot SIGBUS (anonymous, or a file page inside the file) */
#define S_ANON 0x40    /* anonymous: growth stays backed */
static unsigned char shadow[WPAGES];

static int in_window(uint64_t a) { return a >= (uint64_t)W && a < (uint64_t)W + WPAGES * P; }
static uint64_t page_of(uint64_t a) { return (a - (uint64_t)W) / P; }

/* Sets the shadow of the window pages in [a, a + len) (parts outside are ignored). */
static void shadow_set(uint64_t a, uint64_t len, unsigned char v) {
    uint64_t lo = a < (uint64_t)W ? (uint64_t)W : a;
    uint64_t end = a + len < a ? UINT64_MAX : a + len;
    uint64_t hi = end > (uint64_t)W + WPAGES * P ? (uint64_t)W + WPAGES * P : end;
    for (uint64_t x = lo & ~(P - 1); x < hi; x += P)
        shadow[page_of(x)] = v;
}

static volatile unsigned char sink;

/* Touches up to n known-good pages of the window in [a, a + len). */
static void touch(uint64_t a, uint64_t len, int n) {
    if (!in_window(a) || len == 0)
        return;
    uint64_t first = page_of(a);
    uint64_t pages = (len + P - 1) / P;
    if (first + pages > WPAGES)
        pages = WPAGES - first;
    for (int i = 0; i < n && pages; i++) {
        uint64_t pg = first + below(pages);
        unsigned char s = shadow[pg];
        if (!(s & S_MAPPED) || !(s & S_BACKED) || !(s & (PROT_READ | PROT_WRITE)))
            continue;
        volatile unsigned char *p = (volatile unsigned char *)W + pg * P + below(P);
        if (s & PROT_WRITE)
            *p = (unsigned char)rnd();
        else
            sink = *p;
        touches++;
    }
}

/* ---- mappings the kernel placed outside the window ---- */
#define MAX_OUTSIDE 32
static struct { uint64_t addr, len; } outside[MAX_OUTSIDE];
static int n_outside;

static void cleanup_one(void) {
    int i = (int)below(n_outside);
    if (sys(SYS_munmap, (long)outside[i].addr, (long)outside[i].len, 0, 0, 0, 0) == 0)
        cleanups++;
    outside[i] = outside[--n_outside];
}

/* A mapping the kernel chose the place of: shadowed if it is in the window, else kept for
 * cleanup (and its first page touched if it may be). */
static void got_mapping(uint64_t a, uint64_t len, unsigned char state) {
    if (in_window(a) && in_window(a + len - 1)) {
        shadow_set(a, len, state);
        touch(a, len, 4);
        return;
    }
    if (in_window(a) || in_window(a + len - 1) || (a < (uint64_t)W && a + len > (uint64_t)W)) {
        shadow_set(a, len, S_UNKNOWN); /* straddles the window: cannot happen, be careful */
        return;
    }
    if ((state & S_BACKED) && (state & (PROT_READ | PROT_WRITE))) {
        volatile unsigned char *p = (volatile unsigned char *)a;
        if (state & PROT_WRITE)
            *p = 1;
        else
            sink = *p;
        touches++;
    }
    if (n_outside == MAX_OUTSIDE)
        cleanup_one();
    outside[n_outside].addr = a;
    outside[n_outside].len = len;
    n_outside++;
}

/* ---- argument generators ---- */
/* A window address: usually page aligned. */
static uint64_t win_addr(void) {
    uint64_t a = (uint64_t)W + below(WPAGES) * P;
    if (chance(8))
        a += 1 + below(P - 1);
    return a;
}

/* An address every call must refuse or find nothing at: unaligned, or at or beyond the top
 * of user space (non-canonical, kernel). */
static uint64_t garbage_addr(void) {
    static const uint64_t picks[] = {TASK_TOP, TASK_TOP + P, 1ul << 47, 1ul << 48, 0xffff800000000000ul,
                                     0xffffffffff600000ul, 0xfffffffffffff000ul, ~0ul};
    if (chance(40))
        return (rnd() & ~(P - 1)) | (1 + below(P - 1)); /* unaligned */
    if (chance(30))
        return TASK_TOP + (rnd() & ~(P - 1)) % (~0ul - TASK_TOP); /* anywhere above */
    return picks[below(sizeof picks / sizeof picks[0])];
}

/* An address beyond user space: nothing is mapped there on any layout. */
static uint64_t high_addr(void) {
    uint64_t a = garbage_addr();
    return a >= TASK_TOP ? a : TASK_TOP + (a & ~(P - 1)) % (1ul << 40);
}

/* A length that stays inside the window from `a` (0 when there is no room). */
static uint64_t fit_len(uint64_t a) {
    if (!in_window(a))
        return P;
    uint64_t room = (uint64_t)W + WPAGES * P - (a & ~(P - 1));
    uint64_t len;
    switch (below(6)) {
    case 0: len = P; break;
    case 1: len = (1 + below(16)) * P; break;
    case 2: len = (1 + below(256)) * P; break;
    case 3: len = 1 + below(room); break; /* unaligned */
    case 4: len = room; break;
    default: len = (1 + below(room / P)) * P; break;
    }
    return len > room ? room : len;
}

/* A length any call must refuse: beyond user space, or one that wraps when rounded up. */
static uint64_t bad_len(void) {
    static const uint64_t picks[] = {1ul << 47, TASK_TOP + 1, 1ul << 63, ~0ul, ~0ul - P + 2, (1ul << 52) | 123};
    return picks[below(sizeof picks / sizeof picks[0])];
}

/* A length for calls that change attributes: within the window, running into the guard
 * above it, or wrapping around the top of the address space (refused at once). */
static uint64_t attr_len(uint64_t a) {
    const uint64_t to_guard_end = (uint64_t)W + WPAGES * P + GUARD - (a & ~(P - 1));
    switch (below(10)) {
    case 0: return 0;
    case 1: return chance(50) ? ~0ul - below(P) : (0 - a) + below(1ul << 40);
    case 2: return in_window(a) ? 1 + below(to_guard_end) : P;
    default: return fit_len(a);
    }
}

/* Any length at all: for mincore, which only reads. */
static uint64_t any_len(uint64_t a) {
    switch (below(10)) {
    case 0: return bad_len();
    case 1: return 1ul << (20 + below(28)); /* 1 MiB .. 128 TiB */
    default: return attr_len(a);
    }
}

static int rw_fd, ro_fd, wo_fd, ap_fd, zero_fd, pipe_fds[2], dir_fd;

static int pick_fd(void) {
    switch (below(12)) {
    case 0: return ro_fd;
    case 1: return wo_fd;
    case 2: return ap_fd;
    case 3: return zero_fd;
    case 4: return pipe_fds[0];
    case 5: return dir_fd;
    case 6: return -1;
    case 7: return 4000;
    default: return rw_fd;
    }
}

static uint64_t pick_offset(void) {
    switch (below(8)) {
    case 0: return 1 + below(P - 1);                 /* unaligned */
    case 1: return rnd() & ~(P - 1);                  /* anywhere */
    case 2: return 0x7ffffffffffff000ul - below(4) * P; /* at MAX_LFS_FILESIZE */
    case 3: return FILE_SIZE + below(64) * P;         /* beyond the end of the file */
    default: return below(FILE_SIZE / P) * P;
    }
}

static const uint64_t map_flag_bits[] = {MAP_FIXED,      MAP_ANONYMOUS,  MAP_32BIT,       MAP_GROWSDOWN,
                                         MAP_DENYWRITE,  MAP_EXECUTABLE, MAP_LOCKED,      MAP_NORESERVE,
                                         MAP_POPULATE,   MAP_NONBLOCK,   MAP_STACK,       MAP_HUGETLB,
                                         MAP_SYNC,       MAP_FIXED_NOREPLACE, MAP_UNINITIALIZED};

/* ---- the calls ---- */
static void do_mmap(void) {
    uint64_t flags;
    switch (below(10)) {
    case 0: flags = MAP_SHARED; break;
    case 1: flags = MAP_SHARED_VALIDATE; break;
    case 2:
        /* Any type, most invalid; not MAP_DROPPABLE (8, Linux >= 6.11), which mlockall()
         * cannot lock and so faults in whole even with MCL_ONFAULT. */
        flags = below(15);
        flags += flags >= 8;
        break;
    default: flags = MAP_PRIVATE; break;
    }
    if (chance(65))
        flags |= MAP_ANONYMOUS;
    if (chance(50))
        flags |= MAP_FIXED;
    for (unsigned i = 0; i < sizeof map_flag_bits / sizeof map_flag_bits[0]; i++)
        if (chance(6))
            flags |= map_flag_bits[i];
    if (chance(3))
        flags |= rnd() & 0xfc000000ul; /* huge-page size bits and beyond */
    uint64_t prot = chance(90) ? below(8) : rnd();

    uint64_t addr, len;
    const int fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
    if (fixed) {
        if (chance(85)) {
            addr = win_addr();
            len = chance(90) ? fit_len(addr) : bad_len();
        } else {
            addr = garbage_addr();
            len = chance(50) ? P : bad_len();
        }
    } else {
        addr = chance(50) ? 0 : chance(60) ? win_addr() : garbage_addr();
        switch (below(8)) {
        case 0: len = 0; break;
        case 1: len = bad_len(); break;
        case 2: len = 1ul << (30 + below(15)); break; /* 1 GiB .. 16 TiB */
        case 3: len = 1 + below(1 << 20); break;
        default: len = (1 + below(64)) * P; break;
        }
    }
    /* Nothing big is faulted in at once. */
    if (len > MAX_POPULATE && len <= TASK_TOP)
        flags &= ~(uint64_t)(MAP_POPULATE | MAP_LOCKED);
    int fd = (flags & MAP_ANONYMOUS) && chance(80) ? -1 : pick_fd();
    uint64_t offset = chance(60) ? 0 : pick_offset();

    long r = record(C_MMAP, sys(SYS_mmap, (long)addr, (long)len, (long)prot, (long)flags, fd, (long)offset));
    if (r < 0 && r >= -MAX_ERRNO) {
        /* MAP_FIXED may have unmapped the target before failing (a file system's ->mmap). */
        if ((flags & MAP_FIXED) && !(flags & MAP_FIXED_NOREPLACE) && in_window(addr) && r != -EINVAL &&
            r != -EBADF && r != -EEXIST)
            shadow_set(addr & ~(P - 1), len, S_UNKNOWN);
        return;
    }
    uint64_t rlen = (len + P - 1) & ~(P - 1);
    if (flags & MAP_HUGETLB) {
        /* Mapped (MAP_NORESERVE) in whole huge pages of 2 MiB or 1 GiB: never touched. */
        const uint64_t huge = ((flags >> 26) & 0x3f) == 30 ? 1ul << 30 : 2ul << 20;
        got_mapping((uint64_t)r, (len + huge - 1) & ~(huge - 1), S_UNKNOWN);
        return;
    }
    /* Backed: private anonymous memory (MAP_ANONYMOUS or /dev/zero); shared anonymous
     * memory up to its size (a shared /dev/zero mapping starts at its offset in an object
     * of its own length: past the end with any offset but 0); a file range inside the
     * file. Only private anonymous memory stays backed when mremap grows it. */
    const int anon = (flags & MAP_ANONYMOUS) || fd == zero_fd;
    const int shared = (flags & MAP_TYPE) != MAP_PRIVATE;
    int backed;
    if (flags & MAP_HUGETLB)
        backed = 0; /* huge pages: none may be reserved (with MAP_NORESERVE it maps, then SIGBUS) */
    else if (anon)
        backed = !shared || (flags & MAP_ANONYMOUS) || offset == 0;
    else
        backed = offset + rlen <= FILE_SIZE && (fd == rw_fd || fd == ro_fd || fd == ap_fd);
    unsigned char state = S_MAPPED | (prot & 7) | (backed ? S_BACKED : 0) | (anon && !shared ? S_ANON : 0);
    got_mapping((uint64_t)r, rlen, state);
}

static void do_munmap(void) {
    uint64_t addr, len;
    if (chance(85)) {
        addr = win_addr();
        len = chance(90) ? fit_len(addr) : chance(50) ? 0 : bad_len();
    } else {
        addr = garbage_addr();
        len = chance(50) ? (1 + below(64)) * P : bad_len();
    }
    long r = record(C_MUNMAP, sys(SYS_munmap, (long)addr, (long)len, 0, 0, 0, 0));
    if (r == 0 && in_window(addr))
        shadow_set(addr, len, S_UNMAPPED);
    else if (r < 0 && r != -EINVAL && in_window(addr))
        shadow_set(addr, len, S_UNKNOWN);
}

static void do_mprotect(void) {
    uint64_t addr = chance(85) ? win_addr() : garbage_addr();
    uint64_t len = attr_len(addr);
    uint64_t prot = below(8);
    if (chance(10))
        prot |= PROT_GROWSDOWN;
    if (chance(5))
        prot |= PROT_GROWSUP;
    if (chance(5))
        prot |= 8; /* PROT_SEM */
    if (chance(5))
        prot = rnd();
    long r = record(C_MPROTECT, sys(SYS_mprotect, (long)addr, (long)len, (long)prot, 0, 0, 0));
    if (!in_window(addr) || (r < 0 && r == -EINVAL))
        return;
    uint64_t first = page_of(addr), pages = len > WPAGES * P ? WPAGES : (len + P - 1) / P;
    if (first + pages > WPAGES)
        pages = WPAGES - first;
    if (r < 0 || (prot & PROT_GROWSDOWN)) {
        /* Partly applied (ENOMEM, EACCES), or applied from the start of a growing VMA. */
        for (uint64_t i = 0; i < (prot & PROT_GROWSDOWN ? first + pages : pages); i++) {
            uint64_t pg = prot & PROT_GROWSDOWN ? i : first + i;
            if (shadow[pg] != S_UNMAPPED)
                shadow[pg] = S_UNKNOWN;
        }
        return;
    }
    for (uint64_t i = 0; i < pages; i++)
        if (shadow[first + i] & S_MAPPED)
            shadow[first + i] = (unsigned char)((shadow[first + i] & ~7) | (prot & 7));
    touch(addr, len, 4);
}

static void do_mremap(void) {
    uint64_t flags = 0;
    if (chance(70))
        flags |= MREMAP_MAYMOVE;
    if (chance(35))
        flags |= MREMAP_FIXED;
    if (chance(15))
        flags |= MREMAP_DONTUNMAP;
    if (chance(3))
        flags |= 8 << below(8);
    uint64_t addr, old_len, new_len, new_addr = 0;
    if (chance(90)) {
        addr = win_addr();
        old_len = chance(8) ? 0 : chance(5) ? ~0ul : fit_len(addr);
    } else {
        addr = garbage_addr();
        old_len = (1 + below(16)) * P;
    }
    switch (below(6)) {
    case 0: new_len = old_len; break;
    case 1: new_len = chance(50) ? 0 : bad_len(); break;
    default: new_len = fit_len(addr); break;
    }
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
        new_addr = chance(90) ? win_addr() : garbage_addr();
        /* A fixed target must fit in the window. */
        if ((flags & MREMAP_FIXED) && in_window(new_addr) && new_len <= TASK_TOP) {
            uint64_t room = (uint64_t)W + WPAGES * P - (new_addr & ~(P - 1));
            if (new_len > room)
                new_len = room;
        }
    }
    /* Growth of a locked mapping is faulted in: keep it small. */
    if (new_len > MAX_POPULATE && new_len <= TASK_TOP)
        new_len = MAX_POPULATE;

    static unsigned char before[WPAGES]; /* the old range's shadow, for a move */
    uint64_t old_pages = 0;
    if (in_window(addr) && old_len <= WPAGES * P) {
        old_pages = (old_len + P - 1) / P;
        if (page_of(addr) + old_pages > WPAGES)
            old_pages = WPAGES - page_of(addr);
        if (old_pages > sizeof before)
            old_pages = sizeof before;
        memcpy(before, shadow + page_of(addr), old_pages);
    }

    long r = record(C_MREMAP, sys(SYS_mremap, (long)addr, (long)old_len, (long)new_len, (long)flags, (long)new_addr, 0));
    if (r < 0 && r >= -MAX_ERRNO) {
        if (r == -EINVAL)
            return;
        /* A fixed target is unmapped first; a shrink may have happened. */
        if ((flags & MREMAP_FIXED) && in_window(new_addr))
            shadow_set(new_addr, new_len, S_UNKNOWN);
        if (in_window(addr))
            shadow_set(addr, old_len > WPAGES * P ? WPAGES * P : old_len, S_UNKNOWN);
        return;
    }
    if (!in_window(addr))
        return; /* cannot succeed */
    const uint64_t res = (uint64_t)r;
    const uint64_t aligned_old = (old_len + P - 1) & ~(P - 1), aligned_new = (new_len + P - 1) & ~(P - 1);
    if (aligned_old == 0 || old_pages * P != aligned_old) {
        /* A duplicated shared mapping (old_len 0), or an old range beyond the window (a
         * shrink may have unmapped its tail). */
        if (aligned_old)
            shadow_set(addr, aligned_old, S_UNKNOWN);
        got_mapping(res, aligned_new, S_UNKNOWN);
        return;
    }
    const unsigned char last = before[old_pages - 1];
    const unsigned char grown = (last & S_MAPPED) && (last & S_ANON) ? last : S_UNKNOWN;
    if (res == addr) {
        if (aligned_new < aligned_old)
            shadow_set(addr + aligned_new, aligned_old - aligned_new, S_UNMAPPED);
        else if (aligned_new > aligned_old)
            shadow_set(addr + aligned_old, aligned_new - aligned_old, grown);
        touch(addr, aligned_new, 4);
        return;
    }
    /* Moved: the pages go with their state; the old range is empty (or, with
     * MREMAP_DONTUNMAP, mapped and reading zero or the file). */
    if (!(flags & MREMAP_DONTUNMAP))
        shadow_set(addr, aligned_old, S_UNMAPPED);
    const uint64_t kept = aligned_new < aligned_old ? aligned_new : aligned_old;
    if (in_window(res) && in_window(res + aligned_new - 1)) {
        /* A move that spans several VMAs (Linux >= 6.17) leaves the target opposite a gap
         * in the source as it was. */
        for (uint64_t i = 0; i < kept / P; i++)
            shadow[page_of(res) + i] = before[i] == S_UNMAPPED ? S_UNKNOWN : before[i];
        if (aligned_new > kept)
            shadow_set(res + kept, aligned_new - kept, grown);
        touch(res, aligned_new, 4);
    } else {
        got_mapping(res, aligned_new, S_UNKNOWN);
    }
}

static void do_madvise(void) {
    uint64_t addr = chance(85) ? win_addr() : garbage_addr();
    uint64_t len = attr_len(addr);
    int advice;
    switch (below(5)) {
    case 0: advice = (int)below(40) - 2; break;
    case 1: advice = 102 + (int)below(2); break; /* guard install/remove (Linux 6.13) */
    case 2: advice = (int)rnd(); break;
    default: advice = (int)below(26); break;
    }
    if (advice == 100 || advice == 101)
        advice = 4; /* never MADV_HWPOISON / MADV_SOFT_OFFLINE: they would poison real pages */
    long r = record(C_MADVISE, sys(SYS_madvise, (long)addr, (long)len, advice, 0, 0, 0));
    /* Guard pages fault when touched (where the kernel has them). Whatever it returns, the
     * VMAs before a hole (ENOMEM) or a VMA that cannot have them (EINVAL) got them. */
    if (advice == MADV_GUARD_INSTALL && in_window(addr))
        shadow_set(addr, len > WPAGES * P ? WPAGES * P : len, S_UNKNOWN);
    else if (r == 0)
        touch(addr, len, 2);
}

static void do_msync(void) {
    uint64_t addr = chance(85) ? win_addr() : garbage_addr();
    uint64_t len = attr_len(addr);
    int flags = chance(85) ? (int)below(8) : (int)rnd();
    record(C_MSYNC, sys(SYS_msync, (long)addr, (long)len, flags, 0, 0, 0));
}

static unsigned char mincore_vec[32768]; /* the window and the guard above it, with room */

static void do_mincore(void) {
    uint64_t addr = chance(85) ? win_addr() : garbage_addr();
    uint64_t len = any_len(addr);
    uint64_t vec;
    switch (below(8)) {
    case 0: vec = 0; break;
    case 1: vec = garbage_addr(); break;
    case 2: vec = (uint64_t)(void *)do_mincore; break; /* read-only */
    default: vec = (uint64_t)mincore_vec; break;
    }
    record(C_MINCORE, sys(SYS_mincore, (long)addr, (long)len, (long)vec, 0, 0, 0));
}

static void do_mlock(void) {
    /* mlock rounds an unaligned start down and faults in what it locks: never an address
     * outside the window that is still in user space. */
    uint64_t addr = chance(85) ? win_addr() : high_addr();
    uint64_t len = attr_len(addr);
    int which = (int)below(10);
    long r;
    if (which < 4) {
        r = record(C_MLOCK, sys(SYS_mlock, (long)addr, (long)len, 0, 0, 0, 0));
    } else if (which < 7) {
        r = record(C_MUNLOCK, sys(SYS_munlock, (long)addr, (long)len, 0, 0, 0, 0));
    } else if (which < 9) {
        int flags = chance(80) ? (int)below(2) : (int)rnd();
        r = record(C_MLOCK2, sys(SYS_mlock2, (long)addr, (long)len, flags, 0, 0, 0));
    } else if (chance(60)) {
        /* Never without MCL_ONFAULT: locking everything now or in future would fault in
         * every mapping, huge ones included. Invalid combinations are fine. */
        static const int picks[] = {MCL_CURRENT | MCL_ONFAULT, MCL_FUTURE | MCL_ONFAULT,
                                    MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT, 0, MCL_ONFAULT, 8, 16 | MCL_CURRENT, -1};
        r = record(C_MLOCKALL, sys(SYS_mlockall, picks[below(sizeof picks / sizeof picks[0])], 0, 0, 0, 0, 0));
    } else {
        r = record(C_MUNLOCKALL, sys(SYS_munlockall, 0, 0, 0, 0, 0, 0));
    }
    if (r == 0 && which < 9)
        touch(addr, len, 2);
}

/* With "check": after every call, the shadow's certain pages must agree with
 * /proc/self/maps (a known mapped page has its protection, a known unmapped page no VMA).
 * Returns the number of disagreeing pages. */
static char maps_buf[1 << 20];
static unsigned long check_shadow(void) {
    int fd = open("/proc/self/maps", O_RDONLY);
    if (fd < 0)
        return 0;
    size_t n = 0;
    ssize_t r;
    while (n < sizeof maps_buf - 1 && (r = read(fd, maps_buf + n, sizeof maps_buf - 1 - n)) > 0)
        n += (size_t)r;
    close(fd);
    maps_buf[n] = 0;
    static unsigned char actual[WPAGES]; /* 0: unmapped, else 0x10 | prot */
    memset(actual, 0, sizeof actual);
    for (char *line = maps_buf; *line;) {
        char *next = strchr(line, '\n');
        unsigned long lo = strtoul(line, &line, 16), hi = strtoul(line + 1, &line, 16);
        const char *perm = line + 1;
        unsigned char prot = (perm[0] == 'r' ? PROT_READ : 0) | (perm[1] == 'w' ? PROT_WRITE : 0) |
                             (perm[2] == 'x' ? PROT_EXEC : 0);
        if (lo < (uint64_t)W)
            lo = (uint64_t)W;
        if (hi > (uint64_t)W + WPAGES * P)
            hi = (uint64_t)W + WPAGES * P;
        for (uint64_t a = lo; a < hi; a += P)
            actual[page_of(a)] = S_MAPPED | prot;
        if (!next)
            break;
        line = next + 1;
    }
    unsigned long bad = 0;
    for (uint64_t i = 0; i < WPAGES; i++) {
        unsigned char s = shadow[i];
        if (s == S_UNKNOWN)
            continue;
        unsigned char want = s == S_UNMAPPED ? 0 : (unsigned char)(S_MAPPED | (s & 7));
        if (actual[i] != want) {
            if (!bad)
                printf("  page %llu: shadow %#x, maps %#x\n", (unsigned long long)i, s, actual[i]);
            bad++;
        }
    }
    return bad;
}

static uint64_t brk_base, brk_cur;

static void do_brk(void) {
    uint64_t want;
    switch (below(10)) {
    case 0: want = 0; break;
    case 1: want = brk_base - 1 - below(1 << 20); break; /* below the start: refused */
    case 2: want = rnd(); break;
    case 3: want = bad_len(); break;
    case 4: want = brk_base + (1ul << (30 + below(10))); break; /* 1 GiB .. 512 GiB */
    case 5: want = brk_base + below(64ul << 20); break;         /* unaligned */
    default: want = brk_base + below(16384) * P; break;
    }
    long r = record(C_BRK, sys(SYS_brk, (long)want, 0, 0, 0, 0, 0));
    if ((uint64_t)r < brk_base)
        return; /* cannot happen */
    brk_cur = (uint64_t)r;
    /* The heap is ours: touch a few of its pages. */
    uint64_t pages = (brk_cur - brk_base) / P;
    for (int i = 0; i < 3 && pages; i++) {
        ((volatile unsigned char *)brk_base)[below(pages) * P + below(P)] = 7;
        touches++;
    }
}

int main(int argc, char **argv) {
    const uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
    const unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 20000;
    const int check = argc > 3 && strcmp(argv[3], "check") == 0;
    trace = argc > 3 && strcmp(argv[3], "trace") == 0;
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;

    /* The window with its guards: one PROT_NONE reservation. */
    char *res = mmap(NULL, WPAGES * P + 2 * GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (res == MAP_FAILED) {
        perror("mmap window");
        return 2;
    }
    W = res + GUARD;
    for (uint64_t i = 0; i < WPAGES; i++)
        shadow[i] = S_MAPPED | S_BACKED | S_ANON | PROT_NONE;

    char path[] = "/tmp/mm_fuzz.XXXXXX";
    rw_fd = mkstemp(path);
    if (rw_fd < 0 || ftruncate(rw_fd, FILE_SIZE) != 0) {
        perror("temporary file");
        return 2;
    }
    ro_fd = open(path, O_RDONLY);
    wo_fd = open(path, O_WRONLY);
    ap_fd = open(path, O_RDWR | O_APPEND);
    unlink(path);
    zero_fd = open("/dev/zero", O_RDWR);
    dir_fd = open("/", O_RDONLY | O_DIRECTORY);
    if (pipe(pipe_fds) != 0 || ro_fd < 0 || wo_fd < 0 || ap_fd < 0 || zero_fd < 0 || dir_fd < 0) {
        perror("descriptors");
        return 2;
    }
    brk_base = brk_cur = (uint64_t)sys(SYS_brk, 0, 0, 0, 0, 0, 0);

    for (unsigned long i = 0; i < n; i++) {
        switch (below(20)) {
        case 0: case 1: case 2: case 3: do_mmap(); break;
        case 4: case 5: case 6: do_munmap(); break;
        case 7: case 8: do_mprotect(); break;
        case 9: case 10: case 11: do_mremap(); break;
        case 12: case 13: do_madvise(); break;
        case 14: do_msync(); break;
        case 15: do_mincore(); break;
        case 16: case 17: do_mlock(); break;
        default: do_brk(); break;
        }
        if (check && check_shadow()) {
            printf("shadow disagrees with /proc/self/maps after call %lu (%s)\n", i, call_names[last_call]);
            return 1;
        }
    }
    sys(SYS_munlockall, 0, 0, 0, 0, 0, 0);
    while (n_outside)
        cleanup_one();

    printf("seed %llu: %lu calls, %lu pages touched, %lu outside mappings unmapped\n", (unsigned long long)seed,
           calls, touches, cleanups);
    unsigned long errors = 0;
    for (int c = 0; c < C_COUNT; c++) {
        printf("%-10s", call_names[c]);
        for (int e = 0; e <= MAX_ERRNO + 1; e++) {
            if (!hist[c][e])
                continue;
            if (e == 0) {
                printf(" ok:%lu", hist[c][e]);
                continue;
            }
            errors += hist[c][e];
            const char *name = e <= MAX_ERRNO ? errno_name(e) : NULL;
            if (name)
                printf(" %s:%lu", name, hist[c][e]);
            else
                printf(" E%d:%lu", e, hist[c][e]);
        }
        printf("\n");
    }
    printf("errors returned: %lu\n", errors);
    return 0;
}
