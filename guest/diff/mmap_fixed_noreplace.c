/* MAP_FIXED_NOREPLACE: maps at exactly the requested address when it is free, fails with
 * EEXIST when any page of the range is mapped (fully or partly covered), leaving the
 * existing mapping and its data untouched. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "common.h"

#define PAGE 4096ul
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static const char *yesno(int b) { return b ? "yes" : "no"; }

static void try_map(const char *what, void *addr, size_t len)
{
    errno = 0;
    void *r = mmap(addr, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (r == MAP_FAILED)
        printf("%s: failed %s\n", what, ename(errno));
    else
        printf("%s: %s\n", what, r == addr ? "mapped at the requested address" : "mapped elsewhere");
}

int main(void)
{
    /* Find 16 free pages, then free them again. */
    unsigned char *area = mmap(NULL, 16 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        return 1;
    munmap(area, 16 * PAGE);

    /* Map pages 4..7 of the area, mark them. */
    try_map("free range pages 4-7", area + 4 * PAGE, 4 * PAGE);
    volatile unsigned char *mid = area + 4 * PAGE;
    mid[0] = 0x11;
    mid[3 * PAGE] = 0x22;

    try_map("exact overlap pages 4-7", area + 4 * PAGE, 4 * PAGE);
    try_map("overlap at the start, pages 2-5", area + 2 * PAGE, 4 * PAGE);
    try_map("overlap at the end, pages 7-9", area + 7 * PAGE, 3 * PAGE);
    try_map("inside, page 5", area + 5 * PAGE, PAGE);
    try_map("covering all, pages 0-15", area, 16 * PAGE);
    printf("existing data intact: %s\n", yesno(mid[0] == 0x11 && mid[3 * PAGE] == 0x22));
    try_map("adjacent free pages 8-9", area + 8 * PAGE, 2 * PAGE);
    try_map("adjacent free pages 0-3", area, 4 * PAGE);
    printf("new pages zero: %s\n", yesno(area[0] == 0 && area[9 * PAGE] == 0));

    /* An unaligned address is EINVAL like MAP_FIXED. */
    try_map("unaligned address", area + 12 * PAGE + 1, PAGE);

    munmap(area, 16 * PAGE);
    return 0;
}
