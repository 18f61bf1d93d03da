#!/usr/bin/env bash
# Differential test: run PROGRAM natively and under faultline; stdout and exit status must match.
#
#   run_diff.sh FAULTLINE PROGRAM [ARGS...]
#
# Both sides run under `env -i FOO=bar LANG=C` (faultline itself too, because it hands its
# own environment to the guest), with stdin from $DIFF_STDIN (default /dev/null), core
# dumps off and a 60 s timeout each. The same PROGRAM string is passed to both, so argv[0]
# must come out identical. Exit status: 0 on a match, 1 on a mismatch or a timeout,
# 2 on a usage error. stderr is not compared (faultline reports signal deaths there).
set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 FAULTLINE PROGRAM [ARGS...]" >&2
    exit 2
fi
faultline=$1
shift
program=$1

stdin_file=${DIFF_STDIN:-/dev/null}
if [ ! -r "$stdin_file" ]; then
    echo "run_diff: stdin file '$stdin_file' is not readable" >&2
    exit 2
fi
if [ ! -x "$faultline" ]; then
    echo "run_diff: faultline '$faultline' is not executable" >&2
    exit 2
fi
case $program in
    */*) [ -x "$program" ] || { echo "run_diff: program '$program' is not executable" >&2; exit 2; } ;;
esac

time_limit=60
guest_env=(env -i FOO=bar LANG=C)

work=$(mktemp -d "${TMPDIR:-/tmp}/run_diff.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

ulimit -c 0

# timeout(1) runs the command in its own process group and, when the command dies of
# signal N, re-raises N on itself, so bash reports 128+N exactly as it would for the
# program run directly; faultline reports a guest's signal death as exit status 128+N.
# 124 means the time limit was hit. The brace groups' 2>/dev/null only silences bash's own
# "Segmentation fault ..." job report; the commands' stderr goes to the files.
{ timeout "$time_limit" "${guest_env[@]}" "$@" \
    <"$stdin_file" >"$work/native.out" 2>"$work/native.err"; } 2>/dev/null
native_status=$?

{ timeout "$time_limit" "${guest_env[@]}" "$faultline" run -- "$@" \
    <"$stdin_file" >"$work/faultline.out" 2>"$work/faultline.err"; } 2>/dev/null
faultline_status=$?

describe() {
    local s=$1
    if [ "$s" -eq 124 ]; then
        echo "$s (timed out after ${time_limit}s)"
    elif [ "$s" -gt 128 ] && [ "$s" -lt 160 ]; then
        echo "$s (signal $((s - 128)), $(kill -l $((s - 128)) 2>/dev/null || echo '?'))"
    else
        echo "$s"
    fi
}

show_file() {
    local title=$1 file=$2 max=200
    local n
    n=$(wc -l <"$file")
    echo "--- $title ($n lines$([ "$n" -gt "$max" ] && echo ", last $max shown")) ---"
    tail -n "$max" "$file"
}

printf 'run_diff: %s\n' "$*"
[ "$stdin_file" != /dev/null ] && printf 'run_diff: stdin from %s\n' "$stdin_file"

fail=0
cmp -s "$work/native.out" "$work/faultline.out" || fail=1
[ "$native_status" -eq "$faultline_status" ] || fail=1
# A timeout on either side is a failure even if both sides agree on it.
{ [ "$native_status" -eq 124 ] || [ "$faultline_status" -eq 124 ]; } && fail=1

if [ "$fail" -eq 0 ]; then
    echo "run_diff: PASS: exit status $(describe "$native_status"), $(wc -c <"$work/native.out") bytes of identical stdout"
    exit 0
fi

echo "run_diff: FAIL"
echo "native exit status:    $(describe "$native_status")"
echo "faultline exit status: $(describe "$faultline_status")"
if cmp -s "$work/native.out" "$work/faultline.out"; then
    echo "stdout: identical ($(wc -c <"$work/native.out") bytes)"
else
    echo "stdout differs:"
    diff -u -a --label "native stdout" --label "faultline stdout" \
        "$work/native.out" "$work/faultline.out" | head -n 400
fi
show_file "faultline stderr" "$work/faultline.err"
[ -s "$work/native.err" ] && show_file "native stderr" "$work/native.err"
exit 1
