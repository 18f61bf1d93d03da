/* A 1 GiB anonymous private mapping used sparsely: one byte every 4 MiB plus the first
 * and last byte are written; untouched pages must read as zero. Then a hole is punched
 * with munmap and refilled with MAP_FIXED (zero again), and the whole range is unmapped. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define GIB (1024ull * 1024 * 1024)
#define STRIDE (4ull * 1024 * 1024)

static const char *yesno(int b) { return b ? "yes" : "no"; }

static unsigned char marker(uint64_t i) { return (unsigned char)(0x5A ^ (i * 37)) | 1; }

int main(void)
{
    const size_t len = 1 * GIB;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap 1 GiB: %s\n", yesno(p != MAP_FAILED));
    if (p == MAP_FAILED) {
        printf("errno = %d (%s)\n", errno, strerror(errno));
        return 1;
    }
    printf("mapping page-aligned: %s\n", yesno(((uintptr_t)p & 4095) == 0));

    volatile unsigned char *v = p;
    const uint64_t n = len / STRIDE;
    for (uint64_t i = 0; i < n; i++)
        v[i * STRIDE + (i % 7) * 512] = marker(i);
    v[0] ^= 0x80;
    v[len - 1] = 0xEE;

    unsigned long good = 0, zero_ok = 0;
    for (uint64_t i = 0; i < n; i++) {
        unsigned char want = marker(i) ^ (i == 0 ? 0x80 : 0);
        good += v[i * STRIDE + (i % 7) * 512] == want;
        /* a byte next to the written one, and one in an untouched page of the stride */
        zero_ok += v[i * STRIDE + (i % 7) * 512 + 1] == 0 && v[i * STRIDE + STRIDE / 2 + 123] == 0;
    }
    printf("strides: %llu, markers read back: %lu, untouched bytes zero: %lu\n",
           (unsigned long long)n, good, zero_ok);
    printf("first byte ok: %s, last byte ok: %s\n", yesno(v[0] == (marker(0) ^ 0x80)),
           yesno(v[len - 1] == 0xEE));

    /* Punch a 4 MiB hole at 512 MiB and map it again in place: the marker there is gone. */
    unsigned char *hole = p + 512ull * 1024 * 1024;
    printf("munmap 4 MiB hole: %s\n", yesno(munmap(hole, STRIDE) == 0));
    unsigned char *again = mmap(hole, STRIDE, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED remap of hole at same address: %s\n", yesno(again == hole));
    int hole_zero = 1;
    for (size_t off = 0; off < STRIDE; off += 4096)
        hole_zero &= ((volatile unsigned char *)hole)[off + (off / 4096) % 4096] == 0;
    printf("remapped hole reads zero: %s\n", yesno(hole_zero));
    printf("neighbours of hole intact: %s\n",
           yesno(v[(512 / 4 - 1) * STRIDE + ((512 / 4 - 1) % 7) * 512] == marker(512 / 4 - 1) &&
                 v[(512 / 4 + 1) * STRIDE + ((512 / 4 + 1) % 7) * 512] == marker(512 / 4 + 1)));

    /* Read-only protection on the last 4 MiB keeps the data readable. */
    printf("mprotect last stride read-only: %s\n",
           yesno(mprotect(p + len - STRIDE, STRIDE, PROT_READ) == 0));
    printf("last byte still readable: %s\n", yesno(v[len - 1] == 0xEE));

    printf("munmap 1 GiB: %s\n", yesno(munmap(p, len) == 0));
    /* munmap of an already unmapped range is not an error; a misaligned address is EINVAL. */
    printf("munmap again: %s\n", yesno(munmap(p, len) == 0));
    errno = 0;
    int r = munmap(p + 1, 4096);
    printf("munmap misaligned: %d errno=%s\n", r, errno == EINVAL ? "EINVAL" : strerror(errno));
    return good == n && zero_ok == n ? 0 : 1;
}
