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
printer="$guests/musl/args_env_auxv"

# cannot_execute STATUS REGEX ARGS...: faultline refuses to start ARGS (one line on stderr).
cannot_execute() {
    local want=$1 regex=$2
    shift 2
    run run -- "$@"
    expect_status "$want"
    expect_stderr_lines 1
    expect_stderr "^faultline: cannot execute .*: .*($regex)"
}

# A copy of the host's dynamic /bin/true whose PT_INTERP is "./interp" (relative: resolved
# in faultline's working directory, $work).
true_with_relative_interp() {
    cp /bin/true "$work/prog"
    local offset
    offset=$(grep -obUaF /lib64/ld-linux-x86-64.so.2 "$work/prog" | head -n 1 | cut -d: -f1)
    [ -n "$offset" ] || fail "no PT_INTERP string in /bin/true"
    # "./interp" and NULs up to the original 27 characters.
    patch_bytes "$work/prog" "$offset" 2e 2f 69 6e 74 65 72 70 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    cd "$work" || fail "cd $work"
}

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
code-rewritten)
    # One path rewritten in place with three programs in turn (write(2) over its cached
    # pages), each run after the rewrite: each must run its own code, not the translated
    # blocks of the program that was there before (same addresses, same frames).
    run run -- "$guests/cli/rewrite_exec" "$work/prog" "$printer" "$hello" "$printer"
    expect_status 0
    expect_stdout '^run 1 .*args_env_auxv\): status 2$'
    expect_stdout '^hello, world run$'
    expect_stdout '^run 2 .*hello_world\): status 0$'
    expect_stdout '^run 3 .*args_env_auxv\): status 2$'
    [ "$(grep -c '^argc = 2$' "$work/out")" -eq 2 ] || fail "the argument printer did not run twice"
    ;;
exec-path-errors)
    # execve's errors for the path, as Linux returns them (126; 127 for ENOENT).
    cannot_execute 126 "Not a directory" /etc/passwd/below
    cannot_execute 126 "File name too long" "$work/$(printf 'n%.0s' $(seq 300))"
    ln -s "$work/loop1" "$work/loop2"
    ln -s "$work/loop2" "$work/loop1"
    cannot_execute 126 "Too many levels of symbolic links" "$work/loop1"
    cannot_execute 126 "not a regular file" /dev/null
    printf 'echo hello\n' >"$work/text"
    chmod +x "$work/text"
    cannot_execute 126 "not an ELF file or #! script" "$work/text"
    ;;
dynamic-true)
    # A dynamically linked program: its ld.so and libc load through faultline's syscalls,
    # none of which may be missing.
    [ -e /lib64/ld-linux-x86-64.so.2 ] || { echo "SKIP: no /lib64/ld-linux-x86-64.so.2"; exit 0; }
    run run -- /bin/true
    expect_status 0
    expect_stderr_lines 0
    run run -- /bin/echo hello from libc
    expect_status 0
    expect_stderr_lines 0
    expect_stdout "^hello from libc$"
    ;;
dynamic-bad-interpreter)
    [ -e /lib64/ld-linux-x86-64.so.2 ] || { echo "SKIP: no /lib64/ld-linux-x86-64.so.2"; exit 0; }
    true_with_relative_interp
    cannot_execute 127 "interpreter ./interp: No such file or directory" ./prog
    head -c 200 /dev/zero >interp
    chmod +x interp
    cannot_execute 126 "interpreter ./interp: not an ELF file" ./prog
    cp /lib64/ld-linux-x86-64.so.2 interp
    run run -- ./prog
    expect_status 0
    expect_stderr_lines 0
    ;;
script-runs)
    # "#!" with an optional argument: argv is interpreter, argument, script, arguments.
    printf '#! %s  -x y \n' "$printer" >"$work/script"
    chmod +x "$work/script"
    run run -- "$work/script" first
    expect_status 4
    expect_stderr_lines 0
    expect_stdout "^argv\\[0\\] = \"$printer\"$"
    expect_stdout '^argv\[1\] = "-x y"$'
    expect_stdout "^argv\\[2\\] = \"$work/script\"$"
    expect_stdout '^argv\[3\] = "first"$'
    expect_stdout '^AT_EXECFN basename = "script"$'
    ;;
script-errors)
    printf '#!%s/no-such-interpreter\n' "$work" >"$work/missing"
    chmod +x "$work/missing"
    cannot_execute 127 "#! interpreter .*no-such-interpreter: No such file or directory" "$work/missing"
    printf '#!   \n' >"$work/blank"
    chmod +x "$work/blank"
    cannot_execute 126 "names no interpreter" "$work/blank"
    # Five scripts deep run; the sixth is ELOOP.
    printf '#!%s\n' "$printer" >"$work/s1"
    for i in 2 3 4 5 6; do printf '#!%s/s%d\n' "$work" $((i - 1)) >"$work/s$i"; done
    chmod +x "$work"/s?
    run run -- "$work/s5"
    expect_status 6
    expect_stderr_lines 0
    cannot_execute 126 "too many levels of #! interpreters" "$work/s6"
    ;;
scheduler-deterministic)
    # Three children print with no synchronisation: the interleaving comes from preemption
    # alone, and is the same in every run.
    run run -- "$guests/cli/sched_probe" interleave
    expect_status 0
    cp "$work/out" "$work/first"
    [ "$(wc -l <"$work/first")" -eq 60 ] || fail "expected 60 lines"
    first_other=$(grep -n -m1 -v '^child 0' "$work/first" | cut -d: -f1)
    [ "$first_other" -lt 20 ] || fail "child 0 ran to the end before the others started: no preemption"
    for i in 1 2; do
        run run -- "$guests/cli/sched_probe" interleave
        cmp -s "$work/out" "$work/first" || fail "run $((i + 1)) interleaved differently"
    done
    ;;
preemption)
    # A thread that spins without syscalls still gives way to the one that ends the spin.
    run run -- "$guests/cli/sched_probe" spin
    expect_status 0
    expect_stdout "^flag seen$"
    ;;
deadlock)
    run run -- "$guests/cli/sched_probe" deadlock
    expect_status 137
    expect_stderr_lines 1
    expect_stderr "^faultline: deadlock: every task is blocked .*pid 3 \\(sched_probe\\) on a pipe; pid 2 \\(sched_probe\\) waiting for a child"
    ;;
virtual-time)
    # sleep(5) under the virtual clock: 5 s pass for the guest, none for anyone else.
    run run -- "$guests/cli/sched_probe" sleep
    expect_status 0
    expect_stdout "^slept 5 s$"
    ;;
max-procs)
    run run --max-procs 10 -- "$guests/cli/sched_probe" forkmax
    expect_status 0
    expect_stdout "^forked 9, then EAGAIN$"
    run run --max-procs 0 -- "$hello"
    expect_status 125
    ;;
fault-log)
    # Touching 4 MiB of fresh anonymous memory: at least 1024 demand-zero events, each a
    # complete JSON object with the documented fields, and the same bytes in a second run.
    run run --fault-log "$work/log" -- "$guests/cli/touch_pages" 4
    expect_status 0
    [ -f "$work/log/2.faults.jsonl" ] || fail "no $work/log/2.faults.jsonl"
    python3 - "$work/log/2.faults.jsonl" <<'PY' || fail "fault log content"
import json, sys
fields = {"seq", "time_ns", "pid", "tid", "comm", "address", "page", "rip", "instruction", "access",
          "kind", "major", "by", "vma", "frame"}
events = [json.loads(line) for line in open(sys.argv[1])]
assert events, "empty log"
for e in events:
    assert set(e) == fields, sorted(set(e) ^ fields)
    assert e["pid"] == 2 and e["comm"] == "touch_pages"
    assert e["page"] == e["address"] & ~4095
seqs = [e["seq"] for e in events]
assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "seq not increasing"
zero = [e for e in events if e["kind"] == "demand-zero" and e["access"] == "write" and e["by"] == "user"]
assert len(zero) >= 1024, len(zero)
assert all(e["vma"]["perms"] == "rw-p" and e["instruction"] for e in zero)
assert any(e["kind"] == "file" and e["major"] for e in events), "no major file fault"
PY
    mv "$work/log" "$work/first"
    run run --fault-log "$work/log" -- "$guests/cli/touch_pages" 4
    cmp -s "$work/log/2.faults.jsonl" "$work/first/2.faults.jsonl" || fail "the second run's log differs"
    ;;
fault-log-signal)
    # The fatal fault is the last event, with the exact address and the instruction.
    run run --fault-log "$work/log" -- "$guests/musl/null_deref"
    expect_status 139
    tail -n 1 "$work/log/2.faults.jsonl" | grep -q '"address":0,"page":0,.*"access":"read","kind":"segv-maperr".*"vma":null' ||
        fail "last event: $(tail -n 1 "$work/log/2.faults.jsonl")"
    run run --fault-log /proc/version/x -- "$hello"
    expect_status 125
    expect_stderr "^faultline: --fault-log /proc/version/x: "
    ;;
sample-access)
    # Working-set samples: the pages touched in each period, the same in every run.
    run run --fault-log "$work/log" --sample-access 20us -- "$guests/cli/touch_pages" 4
    expect_status 0
    python3 - "$work/log/2.access.jsonl" <<'PY' || fail "access samples"
import json, sys
samples = [json.loads(line) for line in open(sys.argv[1])]
assert len(samples) >= 3, len(samples)
times = [s["time_ns"] for s in samples]
assert times == sorted(times)
for s in samples:
    assert s["pid"] == 2 and s["period_ns"] == 20000
    assert s["pages"] == sum(n for _, n in s["runs"])
    assert all(start % 4096 == 0 and n > 0 for start, n in s["runs"])
# Pages are counted in the period they were touched, not again after the bits were cleared.
assert sum(s["pages"] for s in samples) >= 1024
assert max(s["pages"] for s in samples) < 1024 + 64
PY
    mv "$work/log" "$work/first"
    run run --fault-log "$work/log" --sample-access 20us -- "$guests/cli/touch_pages" 4
    cmp -s "$work/log/2.access.jsonl" "$work/first/2.access.jsonl" || fail "the second run's samples differ"
    run run --sample-access 1ms -- "$hello"
    expect_status 125
    expect_stderr "needs --fault-log"
    run run --fault-log "$work/x" --sample-access 10parsecs -- "$hello"
    expect_status 125
    ;;
swap-integrity)
    # 48 MiB of private memory, copy-on-write across fork and 8 MiB of shared memory in
    # 16 MiB of RAM: every word survives swapping, under each replacement policy.
    for policy in clock fifo random lru; do
        run run --ram 16M --swap 256M --policy "$policy" --stats -- "$guests/cli/swap_integrity"
        expect_status 0
        expect_stdout "^child ok, mismatches 0$"
        swapins=$(awk '$1 == "2" && $2 == "swap_integrity" { print $12 }' "$work/err")
        [ "${swapins:-0}" -gt 1000 ] || fail "$policy: only ${swapins:-0} swap-ins"
    done
    # Without swap the same program runs out of memory.
    run run --ram 16M -- "$guests/cli/swap_integrity"
    expect_status 137
    expect_stderr "out of memory"
    run run --swap lots -- "$hello"
    expect_status 125
    run run --policy optimal -- "$hello"
    expect_status 125
    ;;
oom-killer)
    run run --ram 16M -- "$guests/cli/oom_victim"
    expect_status 137
    expect_stdout "^child survived$"
    grep -q "parent survived" "$work/out" && fail "the parent should have been the victim"
    expect_stderr "^faultline: out of memory: .*OOM killer: pid 2 \\(oom_victim\\), [0-9]+ pages resident"
    ;;
timeout)
    # Two processes that never make a syscall: --timeout still ends the run.
    run run --timeout 300ms -- "$guests/cli/sched_probe" forever
    expect_status 124
    expect_stderr "^faultline: timeout: the run took longer than --timeout 300 ms; ending every process$"
    run run --timeout soon -- "$hello"
    expect_status 125
    ;;
stats)
    run run --stats -- "$guests/cli/sched_probe" forkmax
    expect_status 0
    expect_stderr "^ +pid comm +minor +major .* syscalls end$"
    expect_stderr "^ +2 sched_probe .* exit 0$"
    expect_stderr "^ +total "
    [ "$(grep -c ' sched_probe ' "$work/err")" -ge 3 ] || fail "expected a row per process"
    ;;
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac
echo "PASS: $case_name"
