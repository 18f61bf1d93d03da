#!/usr/bin/env bash
# gzip round trip, natively and under faultline: `gzip -c DATA` must produce the same bytes
# both ways, and `gzip -dc` of faultline's file must give DATA back, both ways. (gunzip
# itself is a shell script that execs gzip, which needs fork and execve in the guest.)
#
#   gzip_roundtrip.sh FAULTLINE DATA
set -u
faultline=$1
data=$2
gzip=$(command -v gzip) || { echo "gzip_roundtrip: no gzip on this host" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/gzip_roundtrip.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
guest_env=(env -i FOO=bar LANG=C)
fail=0

timeout 60 "${guest_env[@]}" "$gzip" -c "$data" >"$work/native.gz" || { echo "native gzip -c failed"; exit 1; }
timeout 60 "${guest_env[@]}" "$faultline" run -- "$gzip" -c "$data" >"$work/faultline.gz" 2>"$work/err1"
status=$?
[ "$status" -eq 0 ] || { echo "faultline gzip -c: exit status $status"; cat "$work/err1"; fail=1; }
cmp "$work/native.gz" "$work/faultline.gz" || { echo "gzip -c output differs"; fail=1; }

timeout 60 "${guest_env[@]}" "$faultline" run -- "$gzip" -dc "$work/faultline.gz" >"$work/faultline.out" 2>"$work/err2"
status=$?
[ "$status" -eq 0 ] || { echo "faultline gzip -dc: exit status $status"; cat "$work/err2"; fail=1; }
cmp "$data" "$work/faultline.out" || { echo "faultline's gzip -dc did not give the data back"; fail=1; }
timeout 60 "${guest_env[@]}" "$gzip" -dc "$work/faultline.gz" >"$work/native.out" || fail=1
cmp "$data" "$work/native.out" || { echo "native gzip -dc of faultline's file differs from the data"; fail=1; }

[ "$fail" -eq 0 ] && echo "gzip_roundtrip: PASS ($(wc -c <"$data") bytes, $(wc -c <"$work/native.gz") compressed)"
exit "$fail"
