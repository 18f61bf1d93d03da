/* mmap argument errors, through the raw system call (so no C library pre-checks hide the
 * kernel's answer): zero length, neither MAP_SHARED nor MAP_PRIVATE, unaligned file
 * offset, bad descriptors, lengths too large for the address space, unaligned MAP_FIXED,
 * offsets past the largest file size (EOVERFLOW), MAP_SHARED_VALIDATE (EINVAL for anonymous
 * memory, EOPNOTSUPP for an unknown flag on a file, which plain MAP_SHARED ignores). */
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
#include "common.h"

#define PAGE 4096ul
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

static void *last;

static void try(const char *what, unsigned long addr, unsigned long len, unsigned long prot,
                unsigned long flags, long fd, unsigned long off)
{
    errno = 0;
    long r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
    if (r == -1) {
        printf("%-44s -> %s\n", what, ename(errno));
        last = NULL;
    } else {
        printf("%-44s -> ok%s\n", what, addr && r == (long)addr ? " (at addr)" : "");
        last = (void *)r;
    }
}

int main(void)
{
    char path[] = "/tmp/faultline-mmap-errors-XXXXXX";
    int fd = mkstemp(path);
    unlink(path); /* only the descriptor is needed: nothing is left behind if the run dies */
    static char data[2 * 4096];
    write(fd, data, sizeof data);
    const unsigned long rw = PROT_READ | PROT_WRITE;
    const unsigned long pa = MAP_PRIVATE | MAP_ANONYMOUS;

    try("anonymous, length 0", 0, 0, rw, pa, -1, 0);
    try("file, length 0", 0, 0, PROT_READ, MAP_PRIVATE, fd, 0);
    try("flags without SHARED or PRIVATE", 0, PAGE, rw, MAP_ANONYMOUS, -1, 0);
    try("file, flags without SHARED or PRIVATE", 0, PAGE, PROT_READ, 0, fd, 0);
    try("file, offset 100", 0, PAGE, PROT_READ, MAP_PRIVATE, fd, 100);
    try("file, offset 4095", 0, PAGE, PROT_READ, MAP_SHARED, fd, 4095);
    try("file, offset one page", 0, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
    if (last)
        munmap(last, PAGE);
    try("file, offset past EOF (allowed)", 0, PAGE, PROT_READ, MAP_PRIVATE, fd, 100 * PAGE);
    if (last)
        munmap(last, PAGE);
    try("fd -1 without MAP_ANONYMOUS", 0, PAGE, PROT_READ, MAP_PRIVATE, -1, 0);
    try("fd 1000 (not open)", 0, PAGE, PROT_READ, MAP_PRIVATE, 1000, 0);
    try("fd -1 with MAP_ANONYMOUS", 0, PAGE, PROT_READ, pa, -1, 0);
    if (last)
        munmap(last, PAGE);
    try("length 2^47", 0, 1ul << 47, rw, pa, -1, 0);
    try("length 2^62", 0, 1ul << 62, rw, pa, -1, 0);
    try("length -1 (page-aligns to 0)", 0, ~0ul, rw, pa, -1, 0);
    try("length -4096", 0, -PAGE, rw, pa, -1, 0);
    try("MAP_FIXED at unaligned address", 0x500000001ul, PAGE, rw, pa | MAP_FIXED, -1, 0);
    try("MAP_FIXED at 2^47 (beyond user space)", 1ul << 47, PAGE, rw, pa | MAP_FIXED, -1, 0);
    try("MAP_FIXED ending beyond user space", (1ul << 47) - PAGE, 2 * PAGE, rw, pa | MAP_FIXED, -1, 0);
    try("file, offset near 2^63", 0, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0x7ffffffffffff000ul);
    try("file, offset -4096", 0, PAGE, PROT_READ, MAP_PRIVATE, fd, -PAGE);
    try("SHARED_VALIDATE anonymous", 0, PAGE, rw, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0);
    if (last)
        munmap(last, PAGE);
    try("SHARED_VALIDATE file, unknown flag 0x800000", 0, PAGE, PROT_READ,
        MAP_SHARED_VALIDATE | 0x800000, fd, 0);
    try("SHARED file, unknown flag 0x800000 (ignored)", 0, PAGE, PROT_READ, MAP_SHARED | 0x800000, fd, 0);
    if (last)
        munmap(last, PAGE);

    close(fd);
    return 0;
}
