/* Address hints without MAP_FIXED: a free, page-aligned hint is used as is; an unaligned
 * hint is rounded down to its page (x86-64 arch_get_unmapped_area_topdown); an occupied
 * hint is not an error, the mapping goes elsewhere and the occupant is untouched; a hint
 * below the lowest mappable address or in kernel space is ignored. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE 4096ul


static const char *yesno(int b) { return b ? "yes" : "no"; }

static unsigned char *map_at(void *hint, size_t len)
{
    return mmap(hint, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(void)
{
    unsigned char *area = map_at(NULL, 64 * PAGE);
    if (area == MAP_FAILED)
        return 1;
    munmap(area, 64 * PAGE);

    unsigned char *a = map_at(area + 8 * PAGE, 2 * PAGE);
    printf("free aligned hint used: %s\n", yesno(a == area + 8 * PAGE));
    a[0] = 0x5A;

    unsigned char *b = map_at(area + 20 * PAGE + 123, PAGE);
    printf("unaligned hint (page 20 + 123 bytes): %s\n",
           b == area + 20 * PAGE ? "rounded down to page 20" :
           b == area + 21 * PAGE ? "rounded up to page 21" : "elsewhere");

    unsigned char *c = map_at(area + 8 * PAGE, PAGE);
    printf("occupied hint: mapping succeeds: %s, elsewhere: %s\n", yesno(c != MAP_FAILED),
           yesno(c != area + 8 * PAGE));
    printf("occupant untouched: %s\n", yesno(a[0] == 0x5A));

    /* Hint overlapping the end of an occupied range. */
    unsigned char *d = map_at(area + 9 * PAGE, 4 * PAGE);
    printf("partly occupied hint: elsewhere: %s\n", yesno(d != MAP_FAILED && d != area + 9 * PAGE));

    unsigned char *e = map_at((void *)PAGE, PAGE);
    printf("hint at 0x1000 (below mmap_min_addr): mapped: %s, at the hint: %s\n",
           yesno(e != MAP_FAILED), yesno(e == (void *)PAGE));

    unsigned char *f = map_at(NULL, PAGE);
    printf("NULL hint: mapped: %s, not at 0: %s\n", yesno(f != MAP_FAILED), yesno(f != NULL));

    /* A hint beyond the user address space is ignored, too. */
    unsigned char *g = map_at((void *)0xffff800000000000ul, PAGE);
    printf("hint in kernel space: mapped: %s, below it: %s\n", yesno(g != MAP_FAILED),
           yesno((uintptr_t)g < 0x800000000000ul));
    return 0;
}
