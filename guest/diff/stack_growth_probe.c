/* The main stack grows on demand: pages are touched one at a time, progressively further
 * below the current stack pointer (down to 6 MiB below it, inside the 8 MiB limit), each
 * written and read back; the [stack] VMA in /proc/self/maps grows accordingly (its size
 * is printed as "at least N MiB", which does not depend on where the stack started). A
 * touch far below the lowest touched page also works: Linux no longer checks the distance
 * from the stack pointer, only the stack rlimit; the pages skipped read as zero. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PAGE 4096ul

static char maps[1 << 17];

static unsigned long stack_vma_size(void)
{
    int fd = open("/proc/self/maps", O_RDONLY);
    size_t n = 0;
    ssize_t r;
    while (fd >= 0 && (r = read(fd, maps + n, sizeof maps - 1 - n)) > 0)
        n += (size_t)r;
    if (fd >= 0)
        close(fd);
    maps[n] = 0;
    char *s = strstr(maps, "[stack]");
    if (!s)
        return 0;
    while (s > maps && s[-1] != '\n')
        s--;
    unsigned long a, b;
    return sscanf(s, "%lx-%lx", &a, &b) == 2 ? b - a : 0;
}

int main(void)
{
    volatile unsigned char here = 0;
    uintptr_t sp = (uintptr_t)&here & ~(PAGE - 1);
    unsigned long before = stack_vma_size();
    printf("[stack] before: at least 128 KiB: %s\n", before >= 128 * 1024 ? "yes" : "no");

    /* Walk down 1 MiB page by page. The compiler cannot know these addresses are the
     * stack; they are just memory below the current frame. Skip the first 64 KiB so that
     * printf's own frames cannot overlap what we write. */
    int ok = 1;
    for (uintptr_t a = sp - 64 * 1024; a > sp - 1024 * 1024; a -= PAGE) {
        volatile unsigned char *p = (volatile unsigned char *)a;
        *p = (unsigned char)(a >> 12);
        ok &= *p == (unsigned char)(a >> 12);
    }
    unsigned long after1 = stack_vma_size();
    printf("1 MiB below sp touched page by page: %s\n", ok ? "ok" : "BAD");
    printf("[stack] grew to at least 1 MiB: %s\n", after1 >= 1024 * 1024 ? "yes" : "no");

    /* Jump straight to 6 MiB below sp, then fill the gap. */
    volatile unsigned char *far = (volatile unsigned char *)(sp - 6 * 1024 * 1024);
    *far = 0x66;
    printf("direct touch at 6 MiB below sp: %s\n", *far == 0x66 ? "ok" : "BAD");
    unsigned long after2 = stack_vma_size();
    printf("[stack] grew to at least 6 MiB: %s\n", after2 >= 6ul * 1024 * 1024 ? "yes" : "no");
    int zero = 1;
    for (uintptr_t a = sp - 1024 * 1024 - PAGE; a > sp - 6 * 1024 * 1024; a -= PAGE)
        zero &= *(volatile unsigned char *)a == 0;
    printf("pages in between read zero: %s\n", zero ? "yes" : "no");
    printf("stack VMA size is a page multiple: %s\n", after2 % PAGE == 0 ? "yes" : "no");
    return ok ? 0 : 1;
}
