#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the fuzz targets into tests/fuzz/corpus/<target>/.

    tools/fuzz/make_seeds.py [CORPUS_DIR]

The seeds are small, valid examples of what each target reads, so that the fuzzer starts
from inputs that reach deep into the code instead of being refused by the first check:

  elf_exec       minimal ELF programs (ET_EXEC, static PIE, with an interpreter, with bss,
                 with an executable stack, ...), a few hundred bytes each, and "#!" scripts
  syscall_trace  syscalls with their arguments and the guest memory they point to
  syscall_args   the argument readers' structures (argv, iovecs, pollfds, timespec,
                 clone_args, sigaction, a signal frame)

The formats are those the targets document (tests/fuzz/*_fuzz.cpp). The files are
committed; run this again after changing a format. Files named crash-* in the corpus are
inputs the fuzzer found, kept as regression tests: this script leaves them alone.
"""
import os
import struct
import sys

# ---------------------------------------------------------------------------------------
# ELF programs (tests/fuzz/elf_exec_fuzz.cpp)

ET_EXEC, ET_DYN = 2, 3
PT_LOAD, PT_INTERP, PT_NOTE, PT_PHDR, PT_TLS = 1, 3, 4, 6, 7
PT_GNU_STACK = 0x6474E551
PF_X, PF_W, PF_R = 1, 2, 4
EHDR, PHDR = 64, 56
INTERP_SEPARATOR = b"\n--faultline-interp--\n"
# exit(0): xor edi, edi; mov eax, 60; syscall
EXIT_CODE = bytes([0x31, 0xFF, 0xB8, 0x3C, 0, 0, 0, 0x0F, 0x05])


def ehdr(e_type, entry, phnum):
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    return ident + struct.pack("<HHIQQQIHHHHHH", e_type, 62, 1, entry, EHDR, 0, 0, EHDR, PHDR, phnum, 64, 0, 0)


def phdr(p_type, flags, offset, vaddr, filesz, memsz, align=0x1000):
    return struct.pack("<IIQQQQQQ", p_type, flags, offset, vaddr, vaddr, filesz, memsz, align)


def elf(e_type, base, extra_phdrs=(), interp=None, bss=0, exec_stack=None, with_phdr=True):
    """One RWX PT_LOAD holding the whole file at `base`, code at the end; optional
    PT_INTERP, PT_PHDR, PT_GNU_STACK and more program headers, and a bss after the file."""
    heads = []  # (type, flags, payload or None for PT_LOAD/PT_PHDR/PT_GNU_STACK)
    if with_phdr:
        heads.append("phdr")
    if interp is not None:
        heads.append("interp")
    heads.append("load")
    heads.extend(extra_phdrs)
    if exec_stack is not None:
        heads.append("stack")
    phnum = len(heads)
    table_end = EHDR + phnum * PHDR
    interp_off = table_end
    interp_bytes = (interp + b"\0") if interp is not None else b""
    code_off = interp_off + len(interp_bytes)
    size = code_off + len(EXIT_CODE)
    entry = base + code_off
    out = ehdr(e_type, entry, phnum)
    for h in heads:
        if h == "phdr":
            out += phdr(PT_PHDR, PF_R, EHDR, base + EHDR, phnum * PHDR, phnum * PHDR, 8)
        elif h == "interp":
            out += phdr(PT_INTERP, PF_R, interp_off, base + interp_off, len(interp_bytes), len(interp_bytes), 1)
        elif h == "load":
            out += phdr(PT_LOAD, PF_R | PF_W | PF_X, 0, base, size, size + bss)
        elif h == "stack":
            out += phdr(PT_GNU_STACK, PF_R | PF_W | (PF_X if exec_stack else 0), 0, 0, 0, 0, 16)
        else:
            out += h
    out += interp_bytes + EXIT_CODE
    assert len(out) == size
    return out


def two_segments():
    """ET_EXEC with a read-only header segment, a code segment and a data segment with
    bss, each on its own page, as a linker lays out a static program."""
    phnum = 4
    code_off, data_off = 0x1000, 0x2000
    out = ehdr(ET_EXEC, 0x401000, phnum)
    out += phdr(PT_LOAD, PF_R, 0, 0x400000, EHDR + phnum * PHDR, EHDR + phnum * PHDR)
    out += phdr(PT_LOAD, PF_R | PF_X, code_off, 0x401000, len(EXIT_CODE), len(EXIT_CODE))
    out += phdr(PT_LOAD, PF_R | PF_W, data_off, 0x402000, 16, 0x3000)
    out += phdr(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16)
    out = out.ljust(code_off, b"\0") + EXIT_CODE
    out = out.ljust(data_off, b"\0") + bytes(range(16))
    return out


def elf_seeds():
    ld_so = b"/lib64/ld-linux-x86-64.so.2"
    tiny_interp = elf(ET_DYN, 0, exec_stack=False)
    note = phdr(PT_NOTE, PF_R, 0, 0, 0, 0, 4)
    tls = phdr(PT_TLS, PF_R, 0, 0x400000, 0, 64, 8)
    return {
        "static-exec": elf(ET_EXEC, 0x400000, exec_stack=False),
        "static-exec-bss": elf(ET_EXEC, 0x400000, bss=0x5000, exec_stack=False),
        "static-exec-no-phdr": elf(ET_EXEC, 0x400000, with_phdr=False),
        "static-exec-exec-stack": elf(ET_EXEC, 0x400000, exec_stack=True),
        "static-exec-note-tls": elf(ET_EXEC, 0x400000, extra_phdrs=(note, tls), exec_stack=False),
        "static-exec-segments": two_segments(),
        "static-pie": elf(ET_DYN, 0, exec_stack=False),
        "pie-interp": elf(ET_DYN, 0, interp=ld_so, exec_stack=False) + INTERP_SEPARATOR + tiny_interp,
        "exec-interp": elf(ET_EXEC, 0x400000, interp=ld_so) + INTERP_SEPARATOR + tiny_interp,
        "interp-is-itself": elf(ET_DYN, 0, interp=b"self"),
        "interp-not-elf": elf(ET_EXEC, 0x400000, interp=ld_so) + INTERP_SEPARATOR + b"#!/bin/sh\n",
        "script": b"#!/bin/sh -e\necho hello\n",
        "script-blanks": b"#! \t/usr/bin/env  python3 -u \t\nprint()\n",
        "script-long": b"#!/bin/" + b"x" * 300,
    }


# ---------------------------------------------------------------------------------------
# Guest memory images (tests/fuzz/guest_region.h): kBase is where the image starts.

BASE = 0x1000_0000


class Image:
    """A guest memory image being laid out: put() appends bytes and returns their address."""

    def __init__(self):
        self.data = bytearray()

    def put(self, raw, align=8):
        while len(self.data) % align:
            self.data.append(0)
        addr = BASE + len(self.data)
        self.data += raw
        return addr

    def string(self, s):
        return self.put(s + b"\0", 1)

    def u64s(self, *values):
        return self.put(struct.pack("<%dQ" % len(values), *values))


def off(addr):
    """The 32 input bits GuestRegion::address() turns into `addr` (inside the region)."""
    return addr - BASE


# ---------------------------------------------------------------------------------------
# syscall_trace (tests/fuzz/syscall_trace_fuzz.cpp): nr, six (kind, value) arguments, the
# result, the image. Kinds: 0 address, 1 small number, 2 negative number, 3 64 bits.

def arg_addr(addr):
    return struct.pack("<BI", 0, off(addr))


def arg_num(v):
    return struct.pack("<BI", 1, v)


def arg_neg(v):
    return struct.pack("<BI", 2, v)


def trace_input(nr, args, result, image):
    args = list(args) + [arg_num(0)] * (6 - len(args))
    raw_result = result if result >= 0 else (0x8000_0000 | -result)
    return struct.pack("<H", nr) + b"".join(args) + struct.pack("<I", raw_result) + bytes(image.data)


def trace_seeds():
    seeds = {}

    img = Image()
    path = img.string(b"/bin/ls")
    a1, a2, e1 = img.string(b"ls"), img.string(b"-l\n\"quoted\"\x01"), img.string(b"HOME=/root")
    argv, envp = img.u64s(a1, a2, 0), img.u64s(e1, 0)
    seeds["execve"] = trace_input(59, [arg_addr(path), arg_addr(argv), arg_addr(envp)], 0, img)

    img = Image()
    b1, b2 = img.string(b"hello, "), img.string(b"world\n")
    iov = img.u64s(b1, 7, b2, 6)
    seeds["writev"] = trace_input(20, [arg_num(1), arg_addr(iov), arg_num(2)], 13, img)
    seeds["readv"] = trace_input(19, [arg_num(0), arg_addr(iov), arg_num(2)], 9, img)

    img = Image()
    act = img.u64s(0x401000, 0x04000004, 0x401100, (1 << 1) | (1 << 14))
    old = img.u64s(0, 0, 0, 0)
    seeds["rt_sigaction"] = trace_input(13, [arg_num(2), arg_addr(act), arg_addr(old), arg_num(8)], 0, img)

    img = Image()
    fds = img.put(struct.pack("<ihh", 0, 1, 0) + struct.pack("<ihh", 5, 4, 4))
    seeds["poll"] = trace_input(7, [arg_addr(fds), arg_num(2), arg_num(1000)], 1, img)

    img = Image()
    ts = img.u64s(1, 500_000_000)
    seeds["nanosleep"] = trace_input(35, [arg_addr(ts), arg_num(0)], 0, img)

    img = Image()
    args = img.u64s(0x3D0F00, 0, BASE + 0x800, BASE + 0x808, 17, 0, 0, 0, 0, 0, 0)
    seeds["clone3"] = trace_input(435, [arg_addr(args), arg_num(88)], 42, img)

    img = Image()
    p = img.string(b"/etc/passwd")
    seeds["openat"] = trace_input(257, [arg_neg(100), arg_addr(p), arg_num(0o2000000)], 3, img)

    img = Image()
    status = img.put(struct.pack("<i", 0x0100))
    seeds["wait4"] = trace_input(61, [arg_neg(1), arg_addr(status), arg_num(0), arg_num(0)], 42, img)

    img = Image()
    st = img.put(bytes(144))
    seeds["fstat"] = trace_input(5, [arg_num(3), arg_addr(st)], 0, img)

    img = Image()
    uts = img.put(b"Linux".ljust(65, b"\0") + b"host".ljust(65, b"\0") + b"6.1".ljust(65, b"\0") * 4)
    seeds["uname"] = trace_input(63, [arg_addr(uts)], 0, img)

    img = Image()
    buf = img.put(b"data\x00\xff read back")
    seeds["read"] = trace_input(0, [arg_num(0), arg_addr(buf), arg_num(64)], 15, img)

    img = Image()
    pair = img.put(struct.pack("<ii", 3, 4))
    seeds["pipe2"] = trace_input(293, [arg_addr(pair), arg_num(0o2000000)], 0, img)

    img = Image()
    rl = img.u64s(8 << 20, 0xFFFF_FFFF_FFFF_FFFF)
    seeds["prlimit64"] = trace_input(302, [arg_num(0), arg_num(3), arg_addr(rl), arg_addr(rl)], 0, img)

    img = Image()
    sets = img.u64s(0b1011, 0b10, 0)
    tv = img.u64s(0, 250_000)
    seeds["select"] = trace_input(23, [arg_num(4), arg_addr(sets), arg_addr(sets + 8), arg_addr(sets + 16),
                                       arg_addr(tv)], 2, img)

    img = Image()
    mask = img.u64s((1 << 1) | (1 << 16))
    seeds["rt_sigprocmask"] = trace_input(14, [arg_num(0), arg_addr(mask), arg_addr(mask), arg_num(8)], 0, img)

    img = Image()
    vec = img.put(bytes([1, 0, 1, 1]))
    seeds["mincore"] = trace_input(27, [arg_addr(BASE), arg_num(4 * 4096), arg_addr(vec)], 0, img)

    img = Image()
    word = img.put(struct.pack("<I", 1))
    seeds["futex"] = trace_input(202, [arg_addr(word), arg_num(128), arg_num(1), arg_num(0)], 0, img)

    img = Image()
    seeds["mmap"] = trace_input(9, [arg_num(0), arg_num(8192), arg_num(3), arg_num(0x22), arg_neg(1), arg_num(0)],
                                0x7F00_0000, img)
    return seeds


# ---------------------------------------------------------------------------------------
# syscall_args (tests/fuzz/syscall_args_fuzz.cpp): op, two addresses, a count, the image.

def args_input(op, a0, a1, n, image):
    return struct.pack("<BIII", op, off(a0) if a0 else 0xF000_0000, off(a1) if a1 else 0xF000_0000, n) + \
        bytes(image.data)


def sigframe_image():
    """A signal frame as setup_rt_frame writes it: pretcode, then ucontext (uc_flags,
    uc_link, uc_stack, sigcontext with cs/ss, fpstate, uc_sigmask), then the FXSAVE image."""
    img = Image()
    frame = BASE + 0x100
    img.put(bytes(0x100))
    uc_flags = 0x2 | 0x4  # UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS
    stack_t = struct.pack("<QiiQ", 0, 2, 0, 0)  # ss_sp, ss_flags=SS_DISABLE, pad, ss_size
    fpstate = BASE + 0x1000
    # struct sigcontext: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags,
    # cs, gs, fs, ss (u16 each), err, trapno, oldmask, cr2, fpstate, reserved1[8].
    gprs = [8, 9, 10, 11, 12, 13, 14, 15, 1, 2, 3, 4, 5, 6, 7, 0x7FFF_F000, 0x401234, 0x202]
    sc = struct.pack("<18Q", *gprs) + struct.pack("<4H", 0x33, 0, 0, 0x2B) + struct.pack("<5Q", 0, 0, 0, 0, fpstate)
    sc += bytes(64)
    uc = struct.pack("<QQ", uc_flags, 0) + stack_t + sc + struct.pack("<Q", 1 << 9)
    img.put(struct.pack("<Q", 0x401000) + uc)
    fx = bytearray(512)
    struct.pack_into("<H", fx, 0, 0x37F)
    struct.pack_into("<I", fx, 24, 0x1F80)
    while len(img.data) < 0x1000:
        img.data.append(0)
    img.put(bytes(fx), 64)
    return img, frame + 8  # rsp after the handler's ret popped pretcode


def args_seeds():
    seeds = {}
    img = Image()
    a = [img.string(s) for s in (b"prog", b"--flag", b"")]
    e = [img.string(s) for s in (b"PATH=/bin", b"LANG=C")]
    argv, envp = img.u64s(*a, 0), img.u64s(*e, 0)
    seeds["argv-envp"] = args_input(0, argv, envp, 0, img)

    img = Image()
    iov = img.u64s(BASE, 16, BASE + 64, 0, BASE + 128, 4096)
    seeds["iovecs"] = args_input(1, iov, 0, 3, img)

    img = Image()
    fds = img.put(struct.pack("<ihh", 0, 1, 0) + struct.pack("<ihh", -1, 4, 0) + struct.pack("<ihh", 7, 5, 0))
    seeds["pollfds"] = args_input(2, fds, 0, 3, img)

    img = Image()
    ts = img.u64s(3, 999_999_999)
    seeds["timespec"] = args_input(3, ts, 0, 0, img)
    img = Image()
    ts = img.u64s(0x7FFF_FFFF_FFFF_FFFF, 999_999_999)
    seeds["timespec-forever"] = args_input(3, ts, 0, 0, img)

    img = Image()
    ca = img.u64s(0x100 | 0x200 | 0x800 | 0x10000, 0, BASE + 0x800, BASE + 0x808, 17, BASE + 0x1000, 0x1000, 0,
                  0, 0, 0)
    seeds["clone-args"] = args_input(4, ca, 0, 88, img)
    seeds["clone-args-ver0"] = args_input(4, ca, 0, 64, img)
    seeds["clone-args-larger"] = args_input(4, ca, 0, 128, img)

    img = Image()
    act = img.u64s(0x401000, 0x04000004 | (1 << 40), 0x401100, 0xFFFF_FFFF_FFFF_FFFF)
    seeds["sigaction"] = args_input(5, act, 0, 0, img)

    img, rsp = sigframe_image()
    seeds["sigframe"] = args_input(6, rsp, 0, 0x202, img)
    return seeds


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "tests", "fuzz", "corpus")
    for target, seeds in (("elf_exec", elf_seeds()), ("syscall_trace", trace_seeds()), ("syscall_args", args_seeds())):
        d = os.path.join(corpus, target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)
        print("%s: %d seeds" % (target, len(seeds)))


if __name__ == "__main__":
    main()
