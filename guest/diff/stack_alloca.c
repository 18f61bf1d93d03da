/* alloca of 1 MiB (and of 3 MiB in a nested call): the whole block is written from the top
 * down and from the bottom up, checksummed, and a nested call made with the big block
 * live still works (its frame lies below the block). */
#define _GNU_SOURCE
#include <alloca.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t __attribute__((noinline)) checksum(const volatile unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static uint32_t __attribute__((noinline)) nested(size_t n)
{
    volatile unsigned char *b = alloca(n);
    for (size_t i = n; i-- > 0;)
        b[i] = (unsigned char)(i * 7);
    return checksum(b, n);
}

int main(void)
{
    size_t n = 1 << 20;
    volatile unsigned char *b = alloca(n);
    for (size_t i = n; i-- > 0;) /* top down: the order the stack grows in */
        b[i] = (unsigned char)(i ^ (i >> 8));
    uint32_t h1 = checksum(b, n);
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(i ^ (i >> 8));
    uint32_t h2 = checksum(b, n);
    printf("alloca 1 MiB: checksum %08x, stable: %s\n", h1, h1 == h2 ? "yes" : "no");
    uint32_t h3 = nested(3 << 20);
    printf("nested alloca 3 MiB with the first block live: checksum %08x\n", h3);
    printf("first block intact afterwards: %s\n", checksum(b, n) == h1 ? "yes" : "no");
    return 0;
}
