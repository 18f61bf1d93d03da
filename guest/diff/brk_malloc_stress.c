/* Program break and heap allocator stress.
 *
 * Part 1 moves the break with the raw brk system call (musl's brk() wrapper always fails
 * with ENOMEM and its sbrk() only forwards to the system call, so the libc wrappers are
 * not comparable across C libraries). Nothing that could allocate runs while the break is
 * moved away from where malloc left it: glibc's sbrk() caches the break.
 *
 * Part 2 churns malloc/calloc/realloc/free over sizes from 1 byte to several MiB (large
 * ones make both C libraries use mmap), driven by a fixed-seed PRNG, and verifies every
 * block's contents before it is freed or resized. Exit 0 when everything verified. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static uintptr_t raw_brk(uintptr_t addr) { return (uintptr_t)syscall(SYS_brk, addr); }

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint64_t mix(uint64_t x)
{
    /* splitmix64 finaliser */
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Block contents: 8-byte word k holds mix(seed + k); a short tail holds that word's low bytes. */
static void fill(unsigned char *p, size_t n, uint64_t seed)
{
    size_t words = n / 8;
    for (size_t k = 0; k < words; k++) {
        uint64_t w = mix(seed + k);
        memcpy(p + 8 * k, &w, 8);
    }
    if (n % 8) {
        uint64_t w = mix(seed + words);
        memcpy(p + 8 * words, &w, n % 8);
    }
}

/* Verifies the first n bytes against fill(seed); returns 1 when they match. */
static int check(const unsigned char *p, size_t n, uint64_t seed, uint64_t *sum)
{
    size_t words = n / 8;
    uint64_t acc = 0;
    for (size_t k = 0; k < words; k++) {
        uint64_t w, want = mix(seed + k);
        memcpy(&w, p + 8 * k, 8);
        if (w != want)
            return 0;
        acc += w;
    }
    if (n % 8) {
        uint64_t w = 0, want = mix(seed + words);
        memcpy(&w, p + 8 * words, n % 8);
        if (memcmp(&w, &want, n % 8) != 0)
            return 0;
        acc += w;
    }
    *sum = *sum * 31 + acc + n;
    return 1;
}

static int is_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static const char *yesno(int b) { return b ? "yes" : "no"; }

#define PAGE 4096u
#define MIB (1024u * 1024u)

static void brk_part(void)
{
    int r[12] = {0};
    uintptr_t orig = raw_brk(0);
    uintptr_t base = (orig + PAGE - 1) & ~(uintptr_t)(PAGE - 1);

    /* ---- nothing below may call into libc code that allocates ---- */
    r[0] = orig != 0 && orig != (uintptr_t)-1;
    r[1] = raw_brk(base) == base;
    r[2] = raw_brk(base + 4 * MIB) == base + 4 * MIB;            /* grow 4 MiB */
    unsigned char *heap = (unsigned char *)base;
    r[3] = is_zero(heap, 4 * MIB);                                /* fresh memory is zero */
    memset(heap, 0xA5, 4 * MIB);
    r[4] = raw_brk(base + 1 * MIB) == base + 1 * MIB;            /* shrink to 1 MiB */
    r[5] = raw_brk(base + 4 * MIB) == base + 4 * MIB;            /* grow back */
    int low_kept = 1;
    for (size_t i = 0; i < 1 * MIB; i += 997)
        low_kept &= heap[i] == 0xA5;
    r[6] = low_kept && heap[MIB - 1] == 0xA5;                     /* kept part keeps its data */
    r[7] = is_zero(heap + MIB, 3 * MIB);                          /* given back, taken again: zero */
    /* An unaligned break: the system call returns the exact value, the page is usable. */
    r[8] = raw_brk(base + 4 * MIB + 123) == base + 4 * MIB + 123;
    heap[4 * MIB + PAGE - 1] = 1;
    r[9] = heap[4 * MIB + PAGE - 1] == 1;
    /* A break below the start of the heap is refused: the current break comes back. */
    r[10] = raw_brk(4096) == base + 4 * MIB + 123;
    r[11] = raw_brk(orig) == orig;                                /* restore for malloc */
    /* ---- back to where malloc left the break ---- */

    printf("brk(0) succeeds: %s\n", yesno(r[0]));
    printf("brk to page-aligned base: %s\n", yesno(r[1]));
    printf("brk grow 4 MiB: %s\n", yesno(r[2]));
    printf("grown memory reads zero: %s\n", yesno(r[3]));
    printf("brk shrink to 1 MiB: %s\n", yesno(r[4]));
    printf("brk grow back to 4 MiB: %s\n", yesno(r[5]));
    printf("retained 1 MiB keeps its data: %s\n", yesno(r[6]));
    printf("released-then-regrown 3 MiB reads zero: %s\n", yesno(r[7]));
    printf("unaligned brk returns exact value: %s\n", yesno(r[8]));
    printf("page under unaligned break is writable: %s\n", yesno(r[9]));
    printf("brk below heap start refused: %s\n", yesno(r[10]));
    printf("brk restored: %s\n", yesno(r[11]));
    printf("sbrk(0) == brk(0): %s\n", yesno((uintptr_t)sbrk(0) == raw_brk(0)));
}

#define SLOTS 192
#define ITERATIONS 6000

struct slot {
    unsigned char *p;
    size_t n;
    uint64_t seed;
};

static size_t pick_size(void)
{
    uint64_t r = rng();
    unsigned cls = r % 1000;
    r >>= 10;
    if (cls < 700)
        return 1 + r % 256;                 /* small */
    if (cls < 950)
        return 257 + r % (16 * 1024);       /* medium */
    if (cls < 995)
        return 64 * 1024 + r % (192 * 1024); /* around the mmap thresholds */
    return 1 * MIB + r % (5 * MIB);         /* several MiB: mmap in both C libraries */
}

static int malloc_part(void)
{
    static struct slot slots[SLOTS];
    uint64_t sum = 0;
    unsigned long mallocs = 0, callocs = 0, reallocs = 0, frees = 0, bad = 0, failed = 0;
    size_t peak_bytes = 0, live_bytes = 0, largest = 0;

    for (int it = 0; it < ITERATIONS; it++) {
        struct slot *s = &slots[rng() % SLOTS];
        unsigned op = rng() % 10;
        if (s->p == NULL) {
            size_t n = pick_size();
            uint64_t seed = rng();
            if (op < 3) {
                s->p = calloc(1, n);
                callocs++;
                if (s->p && !is_zero(s->p, n))
                    bad++;
            } else {
                s->p = malloc(n);
                mallocs++;
            }
            if (!s->p) {
                failed++;
                continue;
            }
            fill(s->p, n, seed);
            s->n = n;
            s->seed = seed;
            live_bytes += n;
            if (n > largest)
                largest = n;
        } else if (op < 4) {
            /* realloc: the common prefix must survive the move, then refill */
            size_t n = pick_size();
            unsigned char *q = realloc(s->p, n);
            reallocs++;
            if (!q) {
                failed++;
                continue;
            }
            size_t keep = n < s->n ? n : s->n;
            if (!check(q, keep, s->seed, &sum))
                bad++;
            live_bytes = live_bytes - s->n + n;
            s->p = q;
            s->n = n;
            s->seed = rng();
            fill(s->p, n, s->seed);
            if (n > largest)
                largest = n;
        } else {
            if (!check(s->p, s->n, s->seed, &sum))
                bad++;
            free(s->p);
            frees++;
            live_bytes -= s->n;
            s->p = NULL;
        }
        if (live_bytes > peak_bytes)
            peak_bytes = live_bytes;
    }
    for (int i = 0; i < SLOTS; i++) {
        if (!slots[i].p)
            continue;
        if (!check(slots[i].p, slots[i].n, slots[i].seed, &sum))
            bad++;
        free(slots[i].p);
        frees++;
    }

    printf("malloc=%lu calloc=%lu realloc=%lu free=%lu failed=%lu\n", mallocs, callocs, reallocs,
           frees, failed);
    printf("peak live bytes=%zu largest block=%zu\n", peak_bytes, largest);
    printf("verification failures=%lu\n", bad);
    printf("content checksum=%016llx\n", (unsigned long long)sum);
    return bad == 0 && failed == 0;
}

int main(void)
{
    brk_part();
    int ok = malloc_part();
    printf("%s\n", ok ? "all heap contents verified" : "HEAP CORRUPTION");
    return ok ? 0 : 1;
}
