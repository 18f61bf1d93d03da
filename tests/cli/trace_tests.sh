#!/usr/bin/env bash
# --trace-syscalls: strace -f style lines for real guest programs, where they go (stderr, a
# file, a file per process), and that the same run gives the same bytes.
# Usage: trace_tests.sh FAULTLINE GUEST_DIR CASE
set -u
faultline=$1
guests=$2
case_name=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ulimit -c 0

fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$work/out"; echo "--- stderr"; head -c 20000 "$work/err"; exit 1; }

# run ARGS...: runs faultline with ARGS; sets $status, output in $work/out and $work/err.
run() {
    timeout 60 "$faultline" "$@" >"$work/out" 2>"$work/err" </dev/null
    status=$?
}

expect_status() { [ "$status" -eq "$1" ] || fail "exit status $status, expected $1"; }
# expect_line FILE REGEX: some line of FILE matches REGEX (grep -E, whole line).
expect_line() { grep -qxE -- "$2" "$1" || fail "no line of $1 matches /$2/"; }
expect_no_line() { ! grep -qE -- "$2" "$1" || fail "a line of $1 matches /$2/"; }

# A syscall line: pid padded to five columns, the call, "= result" from column 40 on.
call() { printf '%s +%s += %s' "$1" "$2" "$3"; }

case "$case_name" in
hello)
    # Lines go to stderr, the program's own output is untouched.
    run run --trace-syscalls -- "$guests/musl/hello_world"
    expect_status 0
    [ "$(cat "$work/out")" = "hello, world" ] || fail "guest output changed"
    expect_line "$work/err" "$(call 2 'writev\(1, \[\{iov_base="hello, world", iov_len=12\}, \{iov_base="\\n", iov_len=1\}\], 2\)' 13)"
    expect_line "$work/err" "$(call 2 'ioctl\(1, TIOCGWINSZ, 0x[0-9a-f]+\)' '-1 ENOTTY \(Inappropriate ioctl for device\)')"
    expect_line "$work/err" "$(call 2 'exit_group\(0\)' '\?')"
    expect_line "$work/err" '2     \+\+\+ exited with 0 \+\+\+'
    # strace's alignment: "= " at column 40 when the call is short.
    grep -qx '2     exit_group(0)                     = ?' "$work/err" || fail "exit_group line not aligned"
    [ "$(tail -n 1 "$work/err")" = "2     +++ exited with 0 +++" ] || fail "the exit line is not the last"
    run run --trace-syscalls -- "$guests/glibc/hello_world"
    expect_status 0
    expect_line "$work/err" "$(call 2 'write\(1, "hello, world\\n", 13\)' 13)"
    ;;
errno)
    run run --trace-syscalls -- "$guests/musl/file_open_flags"
    expect_status 0
    expect_line "$work/err" "$(call 2 'open\("/tmp/faultline-open-[A-Za-z0-9]+/missing", O_RDONLY\|O_LARGEFILE\)' '-1 ENOENT \(No such file or directory\)')"
    expect_line "$work/err" "$(call 2 'open\("/tmp/faultline-open-[A-Za-z0-9]+/f", O_RDWR\|O_CREAT\|O_EXCL\|O_LARGEFILE, 0600\)' '-1 EEXIST \(File exists\)')"
    expect_line "$work/err" "$(call 2 'open\("/tmp/faultline-open-[A-Za-z0-9]+", O_WRONLY\|O_LARGEFILE\)' '-1 EISDIR \(Is a directory\)')"
    ;;
mmap-flags)
    run run --trace-syscalls -- "$guests/musl/mmap_anon_private"
    expect_status 0
    expect_line "$work/err" "$(call 2 'mmap\(NULL, 65536, PROT_READ\|PROT_WRITE, MAP_PRIVATE\|MAP_ANONYMOUS, -1, 0\)' '0x[0-9a-f]+')"
    expect_line "$work/err" "$(call 2 'mmap\(NULL, 16384, PROT_READ, MAP_PRIVATE\|MAP_ANONYMOUS, -1, 0\)' '0x[0-9a-f]+')"
    expect_line "$work/err" "$(call 2 'munmap\(0x[0-9a-f]+, [0-9]+\)' 0)"
    run run --trace-syscalls -- "$guests/musl/mprotect_split_merge"
    expect_status 0
    expect_line "$work/err" "$(call 2 'mprotect\(0x[0-9a-f]+, [0-9]+, PROT_(NONE|READ|READ\|WRITE|READ\|EXEC)\)' 0)"
    run run --trace-syscalls -- "$guests/musl/brk_grow_shrink"
    expect_status 0
    expect_line "$work/err" "$(call 2 'brk\(NULL\)' '0x[0-9a-f]+')"
    ;;
signals)
    # A call a signal interrupts, the signal, and the handler's return with EINTR.
    run run --trace-syscalls -- "$guests/musl/proc_signals"
    expect_status 0
    expect_line "$work/err" "$(call 3 'pause\(\)' '\? ERESTARTNOHAND \(To be restarted if no handler\)')"
    expect_line "$work/err" '3     --- SIGTERM \{si_signo=SIGTERM, si_code=SI_USER, si_pid=2, si_uid=[0-9]+\} ---'
    expect_line "$work/err" "$(call 2 'rt_sigsuspend\(\[\], 8\)' '\? ERESTARTNOHAND \(To be restarted if no handler\)')"
    expect_line "$work/err" '2     --- SIGCHLD \{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=4, si_uid=[0-9]+, si_status=40, si_utime=0, si_stime=0\} ---'
    expect_line "$work/err" "$(call 2 'rt_sigreturn\(\{mask=\[CHLD\]\}\)' '-1 EINTR \(Interrupted system call\)')"
    expect_line "$work/err" "$(call 2 'wait4\(4, \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 40\}\], 0, NULL\)' 4)"
    # A call that sleeps shows one line, when it completes.
    [ "$(grep -c 'wait4(4, ' "$work/err")" -eq 1 ] || fail "wait4 shown more than once"
    run run --trace-syscalls -- "$guests/musl/null_deref"
    expect_status 139
    expect_line "$work/err" '2     --- SIGSEGV \{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL\} ---'
    expect_line "$work/err" '2     \+\+\+ killed by SIGSEGV \+\+\+'
    ;;
per-process)
    # DIR/: one file per process; the children's execve, the parent's fork and wait4.
    run run --trace-syscalls="$work/trace/" -- "$guests/musl/proc_exec"
    expect_status 0
    [ ! -s "$work/err" ] || fail "stderr is not empty"
    n=$(ls "$work/trace" | grep -c '^[0-9]*\.trace$')
    [ "$n" -ge 5 ] || fail "$n trace files, expected one per process"
    expect_line "$work/trace/2.trace" "$(call 2 'fork\(\)' 3)"
    expect_line "$work/trace/2.trace" "$(call 2 'wait4\(3, \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 0\}\], 0, NULL\)' 3)"
    expect_line "$work/trace/2.trace" "$(call 2 'execve\("/nonexistent-dir/prog", \["x"\], 0x[0-9a-f]+ /\* 0 vars \*/\)' '-1 ENOENT \(No such file or directory\)')"
    expect_line "$work/trace/3.trace" "$(call 3 'execve\("/proc/self/exe", \["prog-name-x", "show-args", "a b", "", "--c=d"\], 0x[0-9a-f]+ /\* 4 vars \*/\)' 0)"
    for f in "$work"/trace/*.trace; do
        pid=$(basename "$f" .trace)
        grep -qvE "^$pid " "$f" && fail "$f has lines of another process"
        tail -n 1 "$f" | grep -qE '^[0-9]+ +\+\+\+ (exited with [0-9]+|killed by SIG[A-Z]+) \+\+\+$' || fail "$f does not end with its exit"
    done
    # An existing directory named without the slash works the same.
    mkdir "$work/again"
    run run --trace-syscalls="$work/again" -- "$guests/musl/proc_exec"
    expect_status 0
    [ "$(ls "$work/trace")" = "$(ls "$work/again")" ] || fail "the second run wrote other files"
    ;;
busybox-pipeline)
    [ -x /bin/busybox ] || { echo "SKIP: no /bin/busybox"; exit 0; }
    cd "$work" || fail "cd"
    run run --trace-syscalls=trace/ -- /bin/busybox sh -c 'echo a | cat'
    expect_status 0
    [ "$(cat "$work/out")" = "a" ] || fail "pipeline output"
    [ "$(ls trace | wc -l)" -ge 3 ] || fail "expected the shell and two children"
    expect_line trace/2.trace "$(call 2 'pipe2\(\[3, 4\], 0\)' 0)"
    expect_line trace/2.trace "$(call 2 'clone\(child_stack=NULL, flags=CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD, child_tidptr=0x[0-9a-f]+\)' '[34]')"
    expect_line trace/2.trace "$(call 2 'wait4\(-1, \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 0\}\], 0, NULL\)' '[34]')"
    expect_line trace/2.trace "$(call 2 'rt_sigaction\(SIGCHLD, \{sa_handler=0x[0-9a-f]+, sa_mask=~\[RTMIN RT_1\], sa_flags=SA_RESTORER, sa_restorer=0x[0-9a-f]+\}, NULL, 8\)' 0)"
    grep -qE "$(call '[34]' 'execve\("/proc/self/exe", \["cat"\], 0x[0-9a-f]+ /\* [0-9]+ vars \*/\)' 0)" trace/*.trace || fail "no execve of cat"
    grep -qE "$(call '[34]' 'write\(1, "a\\n", 2\)' 2)" trace/*.trace || fail "no write of the pipeline"
    # busybox cat copies with sendfile (read and write if it were refused).
    grep -qE "$(call '[34]' 'sendfile\(1, 0, NULL, [0-9]+\)' 2)" trace/*.trace ||
        grep -qE "$(call '[34]' 'read\(0, "a\\n", 65536\)' 2)" trace/*.trace || fail "no read of the pipeline"
    ;;
to-file)
    run run --trace-syscalls="$work/t.txt" -- "$guests/musl/hello_world"
    expect_status 0
    [ ! -s "$work/err" ] || fail "stderr is not empty"
    expect_line "$work/t.txt" "$(call 2 'exit_group\(0\)' '\?')"
    run run --trace-syscalls="$work/no/such/dir/t.txt" -- "$guests/musl/hello_world"
    expect_status 125
    grep -q -- "--trace-syscalls: cannot open $work/no/such/dir/t.txt: No such file or directory" "$work/err" || fail "no error line"
    # Without the option nothing is traced.
    run run -- "$guests/musl/hello_world"
    [ ! -s "$work/err" ] || fail "stderr is not empty without --trace-syscalls"
    ;;
deterministic)
    # Two runs, byte for byte the same trace: nothing in it comes from the host (programs
    # that read the wall clock, like musl's mkdtemp, see the host's time and differ).
    for i in 1 2; do
        run run --trace-syscalls="$work/t$i/" -- "$guests/musl/proc_signals"
        expect_status 0
        run run --trace-syscalls="$work/s$i.txt" -- "$guests/glibc/proc_exec"
        expect_status 0
    done
    diff -r "$work/t1" "$work/t2" || fail "per-process traces differ"
    cmp "$work/s1.txt" "$work/s2.txt" || fail "traces differ"
    ;;
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac
echo "PASS: $case_name"
