/* Anonymous private mappings: fresh pages read as zero, stores stick, the length is
 * rounded up to whole pages (the rest of the last page is usable and zero), several
 * mappings are independent, and PROT_READ-only anonymous memory reads as zero too. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE 4096ul

static const char *yesno(int b) { return b ? "yes" : "no"; }

static int all_zero(const volatile unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

int main(void)
{
    size_t len = 16 * PAGE;
    volatile unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap 16 pages rw: %s\n", yesno(p != MAP_FAILED));
    if (p == MAP_FAILED)
        return 1;
    printf("page aligned: %s\n", yesno(((uintptr_t)p % PAGE) == 0));
    printf("fresh pages zero: %s\n", yesno(all_zero(p, len)));

    for (size_t i = 0; i < len; i += 61)
        p[i] = (unsigned char)(i * 7 + 1);
    int good = 1;
    for (size_t i = 0; i < len; i += 61)
        good &= p[i] == (unsigned char)(i * 7 + 1);
    printf("stores read back: %s\n", yesno(good));
    printf("bytes between stores still zero: %s\n", yesno(p[1] == 0 && p[60] == 0 && p[len - 1] == 0));

    /* 100 bytes requested: a whole page is mapped and the rest of it is zero and writable. */
    volatile unsigned char *q = mmap(NULL, 100, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap 100 bytes: %s\n", yesno(q != MAP_FAILED));
    printf("whole page zero: %s\n", yesno(all_zero(q, PAGE)));
    q[PAGE - 1] = 0x77;
    printf("last byte of the page writable: %s\n", yesno(q[PAGE - 1] == 0x77));
    printf("distinct from the first mapping: %s\n", yesno(q != p && (q >= p + len || q + PAGE <= p)));
    printf("first mapping unaffected: %s\n", yesno(p[0] == 1 && p[61] == (unsigned char)(61 * 7 + 1)));

    /* Read-only anonymous memory. */
    volatile unsigned char *r = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap read-only: %s, reads zero: %s\n", yesno(r != MAP_FAILED), yesno(all_zero(r, 4 * PAGE)));

    /* fd is ignored for MAP_ANONYMOUS (Linux accepts any fd); offset must still be aligned. */
    void *s = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 12345, 0);
    printf("MAP_ANONYMOUS with a bogus fd: %s\n", yesno(s != MAP_FAILED));
    errno = 0;
    void *t = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 100);
    printf("MAP_ANONYMOUS with offset 100: %s errno=%s\n", yesno(t != MAP_FAILED),
           errno == EINVAL ? "EINVAL" : errno ? strerror(errno) : "0");

    printf("munmap all: %s\n", yesno(munmap((void *)p, len) == 0 && munmap((void *)q, 100) == 0 &&
                                     munmap((void *)r, 4 * PAGE) == 0 && munmap(s, PAGE) == 0));
    return 0;
}
