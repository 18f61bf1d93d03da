#!/usr/bin/env bash
# Runs one libFuzzer target of tests/fuzz for a fixed time.
#
#   tools/fuzz/run.sh TARGET SECONDS [LIBFUZZER_OPTION...]
#
# TARGET is elf_exec, syscall_trace or syscall_args; the executables come from a
# FAULTLINE_FUZZ build (./bootstrap.sh fuzz makes one in build-fuzz; another directory with
# FAULTLINE_FUZZ_BUILD=DIR). The fuzzer starts from the committed seeds,
# tests/fuzz/corpus/TARGET/, and for elf_exec also from real programs (the guest programs of
# the build and a dynamically linked host program followed by its interpreter). What it
# learns goes to DIR/fuzz-corpus/TARGET/ (kept between runs); a crashing input to
# DIR/fuzz-artifacts/TARGET/. Exit status: 0 when nothing was found, libFuzzer's otherwise.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 TARGET SECONDS [LIBFUZZER_OPTION...]" >&2; exit 2; }
target=$1 seconds=$2
shift 2
build=${FAULTLINE_FUZZ_BUILD:-$here/build-fuzz}
exe=$build/tests/fuzz_$target
[ -x "$exe" ] || { echo "$0: $exe not built (./bootstrap.sh fuzz builds it)" >&2; exit 2; }

seeds=$here/tests/fuzz/corpus/$target
corpus=$build/fuzz-corpus/$target
artifacts=$build/fuzz-artifacts/$target
mkdir -p "$corpus" "$artifacts"
dirs=("$corpus" "$seeds")
# The longest input the fuzzer makes: real ELF files are tens of kilobytes.
max_len=8192

if [ "$target" = elf_exec ]; then
    max_len=262144
    generated=$build/fuzz-seeds/elf_exec
    mkdir -p "$generated"
    # Static programs (ET_EXEC, and static PIE: ET_DYN without an interpreter), the small
    # ones only: every input is read whole for each execution.
    for dir in "$build/guest/musl" "$build/guest/glibc-pie"; do
        [ -d "$dir" ] || continue
        find "$dir" -maxdepth 1 -type f -perm -u+x -size -200k -exec cp -f {} "$generated/" \;
    done
    # A dynamically linked program and its interpreter, joined as the target splits them.
    if [ -x /bin/true ] && [ -f /lib64/ld-linux-x86-64.so.2 ]; then
        { cat /bin/true; printf '\n--faultline-interp--\n'; cat /lib64/ld-linux-x86-64.so.2; } > "$generated/true+ld.so"
    fi
    dirs+=("$generated")
fi

echo "fuzz: $target for ${seconds}s (corpus $corpus, seeds ${dirs[*]:1})" >&2
set +e
"$exe" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "${dirs[@]}"
status=$?
set -e
if [ $status -ne 0 ]; then
    echo "fuzz: $target found a problem (status $status); the input is in $artifacts/." >&2
    echo "fuzz: fix it, add the input to tests/fuzz/corpus/$target/ and a unit test (see README, "Sanitizers and fuzzing")." >&2
fi
exit $status
