/* realloc of large blocks (above both C libraries' mmap thresholds, so they use mmap and,
 * in glibc, mremap): a block grown step by step from 256 KiB to 64 MiB and shrunk back
 * keeps its contents at every step; several large blocks interleaved stay independent. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t word(uint64_t i) { return (i * 0x9E3779B97F4A7C15ull) ^ (i >> 7); }

static void fill(uint64_t *p, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        p[i] = word(i);
}

static int check(const uint64_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 1 + (i & 7))
        if (p[i] != word(i))
            return 0;
    return p[n - 1] == word(n - 1);
}

int main(void)
{
    size_t n = (256 * 1024) / 8;
    uint64_t *p = malloc(n * 8);
    if (!p)
        return 1;
    fill(p, 0, n);
    int ok = 1, steps = 0;
    while (n * 8 < 64u * 1024 * 1024) {
        size_t m = n * 2;
        uint64_t *q = realloc(p, m * 8);
        if (!q) {
            printf("realloc to %zu KiB failed\n", m * 8 / 1024);
            return 1;
        }
        ok &= check(q, n);
        fill(q, n, m);
        p = q;
        n = m;
        steps++;
    }
    printf("grown in %d doublings to %zu MiB, contents kept: %s\n", steps, n * 8 >> 20, ok ? "yes" : "no");
    while (n * 8 > 256u * 1024) {
        n /= 4;
        uint64_t *q = realloc(p, n * 8);
        if (!q)
            return 1;
        ok &= check(q, n);
        p = q;
    }
    printf("shrunk back to %zu KiB, contents kept: %s\n", n * 8 >> 10, ok ? "yes" : "no");
    free(p);

    /* Interleaved growth of three blocks. */
    uint64_t *b[3];
    size_t len[3];
    for (int k = 0; k < 3; k++) {
        len[k] = (300 * 1024 + k * 4096) / 8;
        b[k] = malloc(len[k] * 8);
        for (size_t i = 0; i < len[k]; i++)
            b[k][i] = word(i) + k;
    }
    for (int round = 0; round < 4; round++)
        for (int k = 0; k < 3; k++) {
            size_t m = len[k] + (1u << 17) * (round + 1);
            uint64_t *q = realloc(b[k], m * 8);
            if (!q)
                return 1;
            for (size_t i = len[k]; i < m; i++)
                q[i] = word(i) + k;
            b[k] = q;
            len[k] = m;
        }
    int iok = 1;
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < len[k]; i += 97)
            iok &= b[k][i] == word(i) + k;
        iok &= b[k][len[k] - 1] == word(len[k] - 1) + k;
        free(b[k]);
    }
    printf("three interleaved blocks grown to %zu/%zu/%zu KiB, independent: %s\n", len[0] * 8 >> 10,
           len[1] * 8 >> 10, len[2] * 8 >> 10, iok ? "yes" : "no");
    return ok && iok ? 0 : 1;
}
