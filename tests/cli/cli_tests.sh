#!/usr/bin/env bash
# faultline's own command-line behaviour: exit statuses, the one-line diagnostics, bad
# input. Usage: cli_tests.sh FAULTLINE GUEST_DIR CASE
set -u
faultline=$1
guests=$2
case_name=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ulimit -c 0

fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"; exit 1; }

# run ARGS...: runs faultline with ARGS; sets $status, output in $work/out and $work/err.
run() {
    timeout 60 "$faultline" "$@" >"$work/out" 2>"$work/err" </dev/null
    status=$?
}

expect_status() { [ "$status" -eq "$1" ] || fail "exit status $status, expected $1"; }
expect_stderr_lines() {
    local n
    n=$(wc -l <"$work/err")
    [ "$n" -eq "$1" ] || fail "$n lines on stderr, expected $1"
}
expect_stderr() { grep -qE -- "$1" "$work/err" || fail "stderr does not match /$1/"; }
expect_stdout() { grep -qE -- "$1" "$work/out" || fail "stdout does not match /$1/"; }

# A copy of a real static binary with bytes patched: patch FILE OFFSET HEXBYTES...
patch_bytes() {
    local file=$1 offset=$2
    shift 2
    printf "$(printf '\\x%s' "$@")" | dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
}

malformed() {
    chmod +x "$1"
    run run -- "$1"
    expect_status 126
    expect_stderr_lines 1
    expect_stderr "^faultline: cannot execute [^:]+: .*($2)"
    # The path is named once, not repeated by the layers below.
    [ "$(grep -o "$1" "$work/err" | wc -l)" -eq 1 ] || fail "the path appears more than once"
}

hello="$guests/musl/hello_world"

case "$case_name" in
malformed-empty)
    : >"$work/empty"
    malformed "$work/empty" "too short|not an ELF"
    ;;
malformed-garbage)
    yes "not an executable" | head -c 5000 >"$work/garbage"
    malformed "$work/garbage" "magic|not an ELF"
    ;;
malformed-truncated)
    head -c 300 "$hello" >"$work/truncated"
    malformed "$work/truncated" "beyond end of file|outside the file|truncated"
    ;;
malformed-wrong-machine)
    cp "$hello" "$work/arm64"
    patch_bytes "$work/arm64" 18 b7 00  # e_machine = EM_AARCH64
    malformed "$work/arm64" "machine 183"
    ;;
malformed-huge-phnum)
    cp "$hello" "$work/phnum"
    patch_bytes "$work/phnum" 56 ff ff  # e_phnum = PN_XNUM
    malformed "$work/phnum" "phnum|program header"
    ;;
malformed-32bit)
    cp "$hello" "$work/elf32"
    patch_bytes "$work/elf32" 4 01  # EI_CLASS = ELFCLASS32
    malformed "$work/elf32" "ELFCLASS|32-bit|class"
    ;;
malformed-core)
    cp "$hello" "$work/core"
    patch_bytes "$work/core" 16 04 00  # e_type = ET_CORE
    malformed "$work/core" "core|type"
    ;;
not-found)
    run run -- "$work/does-not-exist"
    expect_status 127
    expect_stderr_lines 1
    expect_stderr "cannot execute .*does-not-exist"
    ;;
directory)
    run run -- "$work"
    expect_status 126
    expect_stderr "directory"
    ;;
not-executable)
    cp "$hello" "$work/noexec"
    chmod 644 "$work/noexec"
    run run -- "$work/noexec"
    expect_status 126
    expect_stderr "permission denied"
    ;;
enosys-reported-once)
    run run -- "$guests/cli/enosys_twice"
    expect_status 0
    [ "$(grep -c 'Function not implemented' "$work/out")" -eq 3 ] || fail "guest did not see ENOSYS three times"
    expect_stderr_lines 2
    expect_stderr "kexec_load \(246\) is not implemented"
    expect_stderr "unknown \(1000\) is not implemented"
    ;;
signal-line)
    run run -- "$guests/musl/null_deref"
    expect_status 139
    expect_stderr_lines 1
    expect_stderr "killed by SIGSEGV \(SEGV_MAPERR\) read at address 0x0, rip 0x[0-9a-f]+: mov "
    ;;
exit-status)
    run run -- "$guests/musl/exit_code"
    expect_status 42
    expect_stderr_lines 0
    ;;
help)
    run run --help
    expect_status 0
    for opt in --ram --seed --verbose; do expect_stdout "$opt"; done
    run --help
    expect_status 0
    expect_stdout "run"
    ;;
bad-ram)
    run run --ram 12Q -- "$hello"
    expect_status 125
    expect_stderr "--ram 12Q"
    run run --ram 4K -- "$hello"
    expect_status 125
    ;;
missing-program)
    run run
    expect_status 125
    ;;
ram-limit)
    run run --ram 16M -- "$guests/cli/touch_pages" 64
    expect_status 137
    expect_stderr "out of memory"
    run run --ram 128M -- "$guests/cli/touch_pages" 64
    expect_status 0
    expect_stdout "touched 64 MiB"
    ;;
mm-fuzz)
    # 20,000 memory syscalls with random, mostly nasty arguments (guest/cli/mm_fuzz.c): the
    # guest runs to the end (no crash of guest or host), the calls answered with errno
    # values, and in "check" mode what the guest believes about its window after every
    # call (from Linux's semantics) agrees with faultline's /proc/self/maps.
    run run -- "$guests/cli/mm_fuzz" 1 20000
    expect_status 0
    expect_stderr_lines 0
    expect_stdout "^seed 1: 20000 calls"
    for call in mmap munmap mprotect mremap madvise msync mincore mlock munlock mlock2 mlockall munlockall brk; do
        expect_stdout "^$call +ok:[0-9]+"
    done
    for e in EINVAL ENOMEM EFAULT EEXIST EBADF EACCES ENODEV EOVERFLOW EOPNOTSUPP; do
        expect_stdout " $e:[0-9]+"
    done
    expect_stdout "^errors returned: [0-9]{4,}"
    run run -- "$guests/cli/mm_fuzz" 2 20000 check
    expect_status 0
    expect_stdout "^seed 2: 20000 calls"
    ;;
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac
echo "PASS: $case_name"
