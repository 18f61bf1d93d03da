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

# make_root: $work/root, a guest root holding root_escape, a symlink out of it (abs), one
# of dot-dots (up), /sub/deeper and /etc/hostname; $work/outside holds a secret and a program.
make_root() {
    mkdir -p "$work/outside" "$work/root/bin" "$work/root/sub/deeper" "$work/root/etc" "$work/root/tmp"
    printf SECRET-OUTSIDE >"$work/outside/secret"
    printf '#!/bin/sh\necho ESCAPED\n' >"$work/outside/prog"
    chmod +x "$work/outside/prog"
    cp "$guests/cli/root_escape" "$work/root/bin/"
    ln -s "$work/outside" "$work/root/abs"
    ln -s ../../../../../../.. "$work/root/up"
    echo inside >"$work/root/etc/hostname"
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
        # Nothing lost: every frame and every swap slot is free again at the end.
        expect_stderr "^memory at exit: 0 of 4096 frames in use, 0 of 65535 swap slots in use$"
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
fault-log-reclaim)
    # Under --ram 16M --swap 256M, reclaim events reach the log of each process that loses
    # a page (parent and child share copy-on-write pages), with the policy and the slot; two
    # runs give the same bytes.
    for i in 1 2; do
        run run --ram 16M --swap 256M --policy fifo --fault-log "$work/log$i" -- "$guests/cli/swap_integrity"
        expect_status 0
        expect_stdout "^child ok, mismatches 0$"
    done
    diff -r "$work/log1" "$work/log2" >/dev/null || fail "the fault logs differ"
    python3 - "$work/log1" <<'PY' || fail "reclaim events"
import json, sys, collections
for pid in (2, 3):
    kinds = collections.Counter()
    for line in open(f"{sys.argv[1]}/{pid}.faults.jsonl"):
        e = json.loads(line)
        kinds[e["kind"]] += 1
        if e["kind"] in ("page-out", "drop", "write-back"):
            assert e["pid"] == pid and e["access"] == "none" and e["by"] == "kernel" and e["rip"] == 0, e
            assert e["policy"] == "fifo", e
            assert e["page"] % 4096 == 0 and e["frame"] >= 0, e
            if e["kind"] == "page-out":
                assert e["swap_slot"] > 0 and e["vma"] is not None, e
    assert kinds["page-out"] > 1000 and kinds["swap-in"] > 1000, (pid, kinds)
PY
    ;;
oom-killer)
    run run --ram 16M --stats -- "$guests/cli/oom_victim"
    expect_status 137
    expect_stderr "^memory at exit: 0 of 4096 frames in use, no swap$"
    expect_stdout "^child survived$"
    grep -q "parent survived" "$work/out" && fail "the parent should have been the victim"
    expect_stderr "^faultline: out of memory: .*OOM killer: pid 2 \\(oom_victim\\), [0-9]+ pages resident"
    # The victim's fault log ends with the oom-kill event naming it.
    run run --ram 16M --fault-log "$work/log" -- "$guests/cli/oom_victim"
    expect_status 137
    tail -n 1 "$work/log/2.faults.jsonl" | grep -q '"kind":"oom-kill".*"victim":{"pid":2,"comm":"oom_victim","pages":[1-9]' \
        || fail "no oom-kill event at the end of the victim's log"
    ;;
pressure-swap)
    # RAM shrinks to 12M and grows back to 64M every 4 ms (virtual time) while pressure_loop
    # checks and rewrites 24 MiB of private, copy-on-write and shared memory: every word
    # survives, pages go to swap and come back.
    run run -v --ram 64M --swap 256M --stats --pressure 'every 4ms from 2ms ram 12M; every 4ms ram 64M' \
        -- "$guests/cli/pressure_loop"
    expect_status 0
    expect_stdout "^child ok, mismatches 0$"
    expect_stderr "^faultline: pressure: ram 64M -> 12M at [0-9]+\.[0-9]{3}ms \(every 4ms from 2ms ram 12M\)$"
    expect_stderr "^faultline: pressure: ram 12M -> 64M at [0-9]+\.[0-9]{3}ms \(every 4ms ram 64M\)$"
    shrinks=$(grep -c "pressure: ram 64M -> 12M" "$work/err")
    [ "$shrinks" -ge 10 ] || fail "only $shrinks shrinks"
    read -r outs ins <<<"$(sed -n 's/^reclaim: \([0-9]*\) pages swapped out, \([0-9]*\) swapped in.*/\1 \2/p' "$work/err")"
    [ "${outs:-0}" -gt 1000 ] && [ "${ins:-0}" -gt 1000 ] || fail "swapped out ${outs:-?}, in ${ins:-?}"
    expect_stderr "^pressure: steps applied [0-9]+; usable RAM (12|64)M at the end, 12M at the lowest, --ram 64M$"
    expect_stderr "^memory at exit: 0 of 16384 frames in use, 0 of 65535 swap slots in use$"
    # Steps counted in page faults, on swap_integrity; without -v and --stats nothing is said.
    run run --ram 64M --swap 256M --pressure 'every 2000 faults from 1000 faults ram 12M; every 2000 faults ram 64M' \
        -- "$guests/cli/swap_integrity"
    expect_status 0
    expect_stdout "^child ok, mismatches 0$"
    expect_stderr_lines 0
    # Without shrinking, 64M is enough: nothing is swapped.
    run run --ram 64M --swap 256M --stats -- "$guests/cli/pressure_loop"
    expect_status 0
    expect_stderr "^reclaim: 0 pages swapped out, 0 swapped in"
    ;;
pressure-oom)
    # Shrinking below what is in use with nothing to reclaim into: the OOM killer.
    run run --ram 64M --pressure 'at 20ms ram 8M' -- "$guests/cli/pressure_loop"
    expect_status 137
    expect_stderr "^faultline: out of memory: --pressure 'at 20ms ram 8M' leaves 8M of RAM, [0-9]+ frames in use beyond it and nothing reclaimable \(swap 0 MiB\); OOM killer: pid 2 \(pressure_loop\), [0-9]+ pages resident"
    # With swap the same squeeze is survived.
    run run --ram 64M --swap 64M --pressure 'at 20ms ram 8M' -- "$guests/cli/pressure_loop" 24 4
    expect_status 0
    expect_stdout "^child ok, mismatches 0$"
    ;;
pressure-deterministic)
    # The same schedule twice: the same --stats and the same fault logs, byte for byte.
    for i in 1 2; do
        run run --ram 64M --swap 256M --stats --fault-log "$work/log$i" \
            --pressure 'every 3ms from 1ms ram 10M; every 3ms ram 64M; every 5000 faults steal 1M' \
            -- "$guests/cli/pressure_loop" 16 4
        expect_status 0
        cp "$work/err" "$work/stats$i"
    done
    grep -q "^reclaim: [1-9]" "$work/stats1" || fail "nothing was swapped"
    cmp -s "$work/stats1" "$work/stats2" || fail "--stats differ: $(diff "$work/stats1" "$work/stats2" | head -5)"
    diff -r "$work/log1" "$work/log2" >/dev/null || fail "the fault logs differ"
    ;;
pressure-usage)
    # Bad specs: exit 125 and a message naming the step and the word.
    bad_pressure() {
        run run --ram 64M --pressure "$1" -- "$hello"
        expect_status 125
        expect_stderr "$2"
        grep -q "^hello" "$work/out" && fail "the program ran"
    }
    bad_pressure 'at 5ms stael 16' "step 'at 5ms stael 16': unknown word 'stael'"
    bad_pressure 'at soon ram 8M' "'at' needs a time .* not 'soon'"
    bad_pressure 'at 5ms ram 8M ram 9M' "two actions in one step"
    bad_pressure 'at 5ms' "no action"
    bad_pressure 'steal 16' "no time"
    bad_pressure 'at 5ms ram 8M until 9ms' "'until' goes with 'every'"
    bad_pressure 'every 10ms steal 1 until 5ms' "it never happens"
    bad_pressure 'every 10us steal 1' "shortest interval is 100us"
    bad_pressure 'every 10ms steal 1 until 100 faults' "both be times or both be fault counts"
    bad_pressure 'at 5ms ram 512K' "cannot be smaller than 1M"
    bad_pressure 'at 5ms steal lots' "'steal' needs an amount .* not 'lots'"
    bad_pressure 'at 5ms ram 128M' "^faultline: --pressure: step 'at 5ms ram 128M': more RAM than --ram"
    bad_pressure "@$work/missing" "cannot read $work/missing"
    # A file of steps, with comments and blank lines; several --pressure options add up.
    printf '# squeeze\nafter 100 faults ram 32M\n\nat 1ms give 4M  # and let go a little\n' >"$work/steps"
    run run -v --ram 64M --pressure "@$work/steps" --pressure 'at 1500us ram 64M' -- "$guests/cli/touch_pages" 16
    expect_status 0
    expect_stderr "pressure: ram 64M -> 32M at [0-9.]+ms, fault 100 \(after 100 faults ram 32M\)$"
    expect_stderr "pressure: ram 32M -> 36M at .*\(at 1ms give 4M\)$"
    expect_stderr "pressure: ram 36M -> 64M at .*\(at 1500us ram 64M\)$"
    ;;
limit-reclaim)
    # memory.max of 8M for pid 2 and its descendants: they swap although RAM is ample.
    run run --ram 256M --swap 256M --stats --limit 2:8M -- "$guests/cli/swap_integrity"
    expect_status 0
    expect_stdout "^child ok, mismatches 0$"
    outs=$(sed -n 's/^reclaim: \([0-9]*\) pages swapped out.*/\1/p' "$work/err")
    [ "${outs:-0}" -gt 1000 ] || fail "only ${outs:-0} pages swapped out"
    expect_stderr "^memory cgroup pid 2 \(--limit 2:8M\): peak 8M, [1-9][0-9]* pages reclaimed"
    [ "$(grep -c '^memory cgroup' "$work/err")" -eq 1 ] || fail "expected one group for the process tree"
    # The child is in its parent's group: it swaps too.
    child_ins=$(awk '$1 == "3" && $2 == "swap_integrity" { print $12 }' "$work/err")
    [ "${child_ins:-0}" -gt 100 ] || fail "the child swapped in only ${child_ins:-0} pages"
    # Unlimited, nothing is swapped.
    run run --ram 256M --swap 256M --stats -- "$guests/cli/swap_integrity"
    expect_status 0
    expect_stderr "^reclaim: 0 pages swapped out"
    # By name, each process is a group of its own.
    run run --ram 256M --swap 256M --stats --limit swap_integrity:8M -- "$guests/cli/swap_integrity"
    expect_status 0
    expect_stdout "^child ok, mismatches 0$"
    expect_stderr "^memory cgroup swap_integrity pid 2 \(--limit swap_integrity:8M\): peak 8M"
    expect_stderr "^memory cgroup swap_integrity pid 3 \(--limit swap_integrity:8M\): peak 8M"
    # memory.high with swap: reclaim keeps the group near it.
    run run --ram 256M --swap 256M --stats --limit 2:high=8M -- "$guests/cli/swap_integrity"
    expect_status 0
    expect_stdout "^child ok, mismatches 0$"
    outs=$(sed -n 's/^reclaim: \([0-9]*\) pages swapped out.*/\1/p' "$work/err")
    [ "${outs:-0}" -gt 1000 ] || fail "memory.high: only ${outs:-0} pages swapped out"
    expect_stderr "^memory cgroup pid 2 \(--limit 2:high=8M\): peak 8(M|[0-9]{3}K), [1-9][0-9]* pages reclaimed, [1-9][0-9]* charges over high, 0 at max, 0 OOM kills$"
    ;;
limit-oom)
    # memory.max without swap: the group's OOM killer ends the process.
    run run --ram 256M --limit swap_integrity:16M -- "$guests/cli/swap_integrity"
    expect_status 137
    expect_stderr "^faultline: out of memory: memory.max of swap_integrity pid 2 \(--limit swap_integrity:16M\) reached: [0-9]+ pages in use and nothing reclaimable .*; OOM killer: pid 2 \(swap_integrity\), [0-9]+ pages resident"
    expect_stderr "^faultline: pid 2 \(swap_integrity\) killed by SIGKILL \(out of memory: memory.max\)"
    # Unlimited, the same program runs to the end.
    run run --ram 256M -- "$guests/cli/swap_integrity"
    expect_status 0
    expect_stdout "^child ok, mismatches 0$"
    # memory.high alone reclaims what it can and never kills.
    run run --ram 256M --stats --limit swap_integrity:high=16M -- "$guests/cli/swap_integrity"
    expect_status 0
    expect_stderr "^memory cgroup swap_integrity pid 2 \(--limit swap_integrity:high=16M\): .* [1-9][0-9]* charges over high"
    ;;
limit-usage)
    bad_limit() {
        run run --limit "$1" -- "$hello"
        expect_status 125
        expect_stderr "$2"
    }
    bad_limit 1:8M "not a guest's pid"
    bad_limit sort "expected PID:SIZE or NAME:SIZE"
    bad_limit sort:8Q "needs a size .* not '8Q'"
    bad_limit sort:low=8M "unknown limit 'low=8M'"
    bad_limit /bin/sort:8M "without '/'"
    bad_limit sort:1 "less than one page"
    run run --limit sort:8M --limit sort:16M -- "$hello"
    expect_status 125
    expect_stderr "a second limit for the same program"
    ;;
fork-out-of-frames)
    # fork() with too few frames for the child's page tables fails with ENOMEM (it crashed
    # faultline once), and takes back what it had taken; with a few frames more it works.
    failed=0
    for pages in 4054 4056 4058 4060 4062 4064 4066 4068; do
        run run --ram 16M --stats -- "$guests/cli/fork_full" "$pages"
        case $status in
        0) expect_stdout "^forked$" ;;
        3) expect_stderr "^fork: Out of memory$"; failed=$((failed + 1)) ;;
        *) fail "$pages pages: exit status $status" ;;
        esac
        expect_stderr "^memory at exit: 0 of 4096 frames in use, no swap$"
    done
    [ "$failed" -gt 0 ] || fail "fork never ran out of frames"
    ;;
root-escape)
    # --root DIR: a guest that tries every way out it knows (guest/cli/root_escape.c) is
    # refused each time, the files outside are untouched, and without --root the same
    # program does reach them (so the test can see an escape).
    make_root
    run run --root "$work/root" -- /bin/root_escape escape "$work/outside"
    expect_status 0
    cat >"$work/expected" <<EOF
absolute path: ENOENT
dot-dot from /: ENOENT
dot-dot without leading slash: ENOENT
absolute symlink (made outside): ENOENT
relative symlink (made outside): ENOENT
symlink to dot-dots: ok
through it: ENOENT
symlink loop a: ok
symlink loop b: ok
symlink loop: ELOOP
/proc/self/root: ENOENT
/proc/self/cwd: ENOENT
/proc/self/fd/N/..: ENOENT
/proc/1/root: ENOENT
/proc/self/mem: ENOENT
/proc/self/environ: ENOENT
chdir /sub/deeper: ok
openat(dirfd from before chdir): ENOENT
relative dot-dots from /sub/deeper: ENOENT
getcwd: /sub/deeper
chroot /jail: ENOSYS
fchdir to the old root: ok
climb after fchdir: ENOENT
getcwd after climbing: /
create /victim: ok
rename into OUTSIDE: ENOENT
rename to dot-dots (lands inside): ok
link from OUTSIDE: ENOENT
linkat AT_SYMLINK_FOLLOW via /abs: ENOENT
link into OUTSIDE: ENOENT
symlink into OUTSIDE: ENOENT
mkdir in OUTSIDE: ENOENT
unlink OUTSIDE/secret: ENOENT
unlink via /abs: ENOENT
mknod a block device: EPERM
stat OUTSIDE/secret: ENOENT
lstat via /up: ENOENT
access OUTSIDE/secret: ENOENT
chdir OUTSIDE: ENOENT
chmod OUTSIDE/secret: ENOENT
truncate OUTSIDE/secret: ENOENT
utimensat OUTSIDE/secret: ENOENT
chown OUTSIDE/secret: ENOENT
statvfs OUTSIDE: ENOENT
getxattr OUTSIDE/secret: ENOENT
readlink OUTSIDE/secret: ENOENT
/proc/self/exe: /bin/root_escape
readlink /abs is OUTSIDE: yes
exec OUTSIDE/prog: ENOENT
openat(fd inherited across exec): ENOENT
fchdir(inherited fd): ok
dot-dots from it: ENOENT
after exec: exit 0
EOF
    diff -u "$work/expected" "$work/out" || fail "the guest's attempts went otherwise"
    [ "$(ls "$work/outside")" = "$(printf 'prog\nsecret')" ] || fail "files appeared outside: $(ls "$work/outside")"
    [ "$(cat "$work/outside/secret")" = SECRET-OUTSIDE ] || fail "the secret changed"
    [ -e "$work/root/victim2" ] || fail "the rename to dot-dots did not land inside the root"
    # The control: without --root the same attempts reach the outside.
    run run -- "$work/root/bin/root_escape" escape "$work/outside"
    expect_stdout "^absolute path: ESCAPED$"
    # Usage errors name the directory; PROGRAM is looked up inside the root.
    run run --root "$work/missing" -- /bin/root_escape readonly
    expect_status 125
    expect_stderr "^faultline: --root .*/missing: No such file or directory$"
    run run --root "$work/root" -- "$guests/cli/root_escape" readonly
    expect_status 127
    ;;
root-dynamic)
    # A dynamic program in a root of its own: the real dynamic linker and libraries are found
    # inside the root (PT_INTERP and the linker's opens resolve there), /proc/self/maps names
    # them by their guest paths, and PROGRAM is looked up in the root's $PATH.
    mkdir -p "$work/root/etc"
    for f in /bin/ls /bin/cat $(ldd /bin/ls /bin/cat | grep -o '/[^ :]*' | sort -u); do
        [ -e "$f" ] || continue
        mkdir -p "$work/root$(dirname "$f")"
        cp -L "$f" "$work/root$f"
    done
    echo hello >"$work/root/etc/motd"
    run run --root "$work/root" -- /bin/ls /
    expect_status 0
    [ "$(tr '\n' ' ' <"$work/out")" = "bin etc lib lib64 " ] || fail "ls / listed: $(cat "$work/out")"
    run run --root "$work/root" -- cat /etc/motd
    expect_status 0
    [ "$(cat "$work/out")" = hello ] || fail "cat found another /etc/motd"
    run run --root "$work/root" -- /bin/cat /proc/self/maps
    expect_status 0
    expect_stdout " /lib64/ld-linux-x86-64.so.2$"
    expect_stdout " /bin/cat$"
    grep -q "$work" "$work/out" && fail "maps shows host paths"
    if [ "$(id -u)" = 0 ]; then
        chroot "$work/root" /bin/ls -la /etc >"$work/native" 2>&1 || fail "native chroot ls failed"
        run run --root "$work/root" -- /bin/ls -la /etc
        diff -u "$work/native" "$work/out" || fail "ls -la differs from Linux in a chroot"
    fi
    ;;
read-only)
    # --read-only: every kind of write is EROFS (or what Linux answers first) and nothing in
    # the tree changes. Where this machine can make a read-only bind mount, Linux's own
    # answers in a chroot on it must be the same.
    make_root
    snapshot() { (cd "$work/root" && find . | sort | xargs -d '\n' stat -c '%n %s %a %Y') >"$1"; }
    snapshot "$work/before"
    run run --root "$work/root" --read-only -- /bin/root_escape readonly
    expect_status 0
    snapshot "$work/after"
    diff "$work/before" "$work/after" || fail "the tree changed under --read-only"
    cat >"$work/expected" <<EOF
open O_WRONLY: EROFS
open O_RDWR|O_TRUNC: EROFS
open O_RDONLY|O_TRUNC: EROFS
open O_CREAT new: EROFS
open O_CREAT existing, read-only: ok
open O_CREAT|O_EXCL existing: EEXIST
open O_CREAT in a missing directory: ENOENT
open O_TMPFILE: EROFS
open O_RDONLY: ok
mkdir new: EROFS
mkdir existing: EEXIST
rmdir: EROFS
unlink: EROFS
unlink missing: EROFS
rename: EROFS
link: EROFS
symlink: EROFS
symlink onto existing: EEXIST
mknod fifo: EROFS
chmod: EROFS
fchmod: EROFS
truncate: EROFS
utimensat: EROFS
futimens: EROFS
chown: EROFS
fchown: EROFS
ftruncate (read-only descriptor): EINVAL
access W_OK: EROFS
access R_OK: ok
statvfs ST_RDONLY: yes
write to stdout: ok
reopen stdout by /proc/self/fd/1: ok
EOF
    diff -u "$work/expected" "$work/out" || fail "the writes went otherwise"
    if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
        mkdir -p "$work/native-root"
        cp -a "$work/root/." "$work/native-root/"
        mkdir -p "$work/native-root/proc"
        unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
            mount -t proc proc "$1/proc" && chroot "$1" /bin/root_escape readonly' sh "$work/native-root" \
            >"$work/native" 2>&1 || fail "the native run in a read-only chroot failed: $(cat "$work/native")"
        diff -u "$work/native" "$work/out" || fail "faultline differs from Linux on a read-only mount"
    fi
    # Without --root, --read-only protects the host's files the same way.
    run run --read-only -- "$work/root/bin/root_escape" readonly
    expect_stdout "^unlink missing: EROFS$"
    snapshot "$work/after"
    diff "$work/before" "$work/after" || fail "the tree changed under --read-only without --root"
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
