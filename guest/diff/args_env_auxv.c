/* The initial process stack as Linux builds it: argc/argv/envp and the auxiliary vector.
 * Prints only values that are the same natively and under faultline on the same host
 * (no addresses, no AT_HWCAP, no AT_RANDOM bytes). Exits with argc. */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

extern char **environ;

/* Defined by crt1.o / rcrt1.o in both glibc and musl; AT_ENTRY must be its address. */
extern char _start[];
/* Provided by GNU ld when the ELF header lies in a loaded segment (always, for these builds). */
extern const ElfW(Ehdr) __ehdr_start __attribute__((weak));

static const char *yesno(int b) { return b ? "yes" : "no"; }

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static void print_ulong(const char *name, unsigned long type)
{
    printf("%s = %lu\n", name, getauxval(type));
}

/* Not inlined, so its frame is laid out on the assumption of an ABI-aligned stack. */
__attribute__((noinline)) static unsigned misalignment_of_aligned_local(void)
{
    _Alignas(16) volatile char probe[16];
    probe[0] = 1;
    return (unsigned)((uintptr_t)probe & 15);
}

static int phdr_type_sane(uint32_t t)
{
    switch (t) {
    case PT_NULL: case PT_LOAD: case PT_DYNAMIC: case PT_INTERP: case PT_NOTE:
    case PT_SHLIB: case PT_PHDR: case PT_TLS:
        return 1;
    default:
        return t >= PT_LOOS; /* GNU_STACK, GNU_RELRO, GNU_EH_FRAME, GNU_PROPERTY, ... */
    }
}

int main(int argc, char **argv, char **envp)
{
    printf("argc = %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = \"%s\"\n", i, argv[i]);
    printf("argv[argc] is NULL: %s\n", yesno(argv[argc] == NULL));

    int envc = 0;
    for (char **e = envp; *e; e++, envc++)
        printf("envp[%d] = \"%s\"\n", envc, *e);
    printf("envc = %d\n", envc);
    printf("envp follows argv on the stack: %s\n", yesno(envp == argv + argc + 1));
    printf("environ == envp: %s\n", yesno(environ == envp));

    /* At process entry rsp points at argc and must be 16-byte aligned, so argv (rsp + 8)
     * is 8 mod 16. The libc start code realigns before main, so check main's frame too. */
    printf("entry rsp %% 16 == 0 (argv %% 16 == 8): %s\n", yesno(((uintptr_t)argv & 15) == 8));
    printf("16-byte aligned local is aligned: %s\n", yesno(misalignment_of_aligned_local() == 0));

    /* The auxiliary vector follows envp's NULL terminator. */
    ElfW(auxv_t) *auxv = (ElfW(auxv_t) *)(envp + envc + 1);
    int auxc = 0, saw_pagesz = 0;
    for (; auxv[auxc].a_type != AT_NULL && auxc < 4096; auxc++)
        if (auxv[auxc].a_type == AT_PAGESZ)
            saw_pagesz = auxv[auxc].a_un.a_val == getauxval(AT_PAGESZ);
    printf("auxv follows envp and contains AT_PAGESZ: %s\n", yesno(saw_pagesz));

    print_ulong("AT_PAGESZ", AT_PAGESZ);
    print_ulong("AT_PHENT", AT_PHENT);
    print_ulong("AT_PHNUM", AT_PHNUM);
    print_ulong("AT_UID", AT_UID);
    print_ulong("AT_EUID", AT_EUID);
    print_ulong("AT_GID", AT_GID);
    print_ulong("AT_EGID", AT_EGID);
    print_ulong("AT_SECURE", AT_SECURE);
    print_ulong("AT_CLKTCK", AT_CLKTCK);

    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("AT_EXECFN basename = \"%s\"\n", execfn ? base_name(execfn) : "(null)");
    const char *platform = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PLATFORM = \"%s\"\n", platform ? platform : "(null)");

    const volatile unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    int rnd_ok = rnd != NULL;
    if (rnd_ok) {
        unsigned sum = 0;
        for (int i = 0; i < 16; i++)
            sum += rnd[i];
        (void)sum;
    }
    printf("AT_RANDOM non-null and 16 bytes readable: %s\n", yesno(rnd_ok));

    unsigned long entry = getauxval(AT_ENTRY);
    printf("AT_ENTRY non-zero: %s\n", yesno(entry != 0));
    printf("AT_ENTRY == &_start: %s\n", yesno(entry == (unsigned long)(uintptr_t)_start));

    const ElfW(Phdr) *phdr = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    unsigned long phnum = getauxval(AT_PHNUM);
    int phdr_ok = phdr != NULL && phnum > 0 && getauxval(AT_PHENT) == sizeof(ElfW(Phdr));
    int loads = 0, tls = 0, exec_load = 0;
    if (phdr_ok) {
        printf("first phdr p_type sane: %s\n", yesno(phdr_type_sane(phdr[0].p_type)));
        for (unsigned long i = 0; i < phnum; i++) {
            if (!phdr_type_sane(phdr[i].p_type))
                phdr_ok = 0;
            if (phdr[i].p_type == PT_LOAD) {
                loads++;
                if (phdr[i].p_flags & PF_X)
                    exec_load++;
            }
            if (phdr[i].p_type == PT_TLS)
                tls++;
        }
    }
    printf("AT_PHDR table valid: %s\n", yesno(phdr_ok && loads > 0));
    printf("PT_LOAD count = %d (executable: %d), PT_TLS count = %d\n", loads, exec_load, tls);
    if (&__ehdr_start != NULL) {
        const ElfW(Ehdr) *eh = &__ehdr_start;
        printf("ELF header mapped, magic ok: %s\n", yesno(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0));
        printf("AT_PHDR == ELF header + e_phoff: %s\n",
               yesno((const char *)phdr == (const char *)eh + eh->e_phoff));
        printf("AT_PHNUM == e_phnum: %s\n", yesno(phnum == eh->e_phnum));
        printf("e_type = %s\n", eh->e_type == ET_EXEC ? "ET_EXEC" : eh->e_type == ET_DYN ? "ET_DYN" : "other");
    }
    printf("AT_BASE = %lu (no interpreter)\n", getauxval(AT_BASE));

    return argc;
}
