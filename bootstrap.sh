#!/usr/bin/env bash
# faultline bootstrap: install what is missing, build, and run the demo or the tests.
#
#   ./bootstrap.sh demo      install dependencies, build build/faultline, run a demo
#   ./bootstrap.sh test      install dependencies, build everything, run ctest
#   ./bootstrap.sh sanitize  the same with AddressSanitizer and UndefinedBehaviorSanitizer,
#                            in build-asan (FAULTLINE_SANITIZE)
#   ./bootstrap.sh fuzz [SECONDS [LIBFUZZER_OPTION...]]
#                            install clang, build the libFuzzer targets in build-fuzz
#                            (FAULTLINE_FUZZ) and run each for SECONDS (default 60)
#   ./bootstrap.sh deps      only install dependencies
#
# Everything comes from Debian packages. Debian 12 ships Unicorn 2.0.1, which cannot
# translate virtual addresses (see README, "Why Unicorn 2.1"); when the system Unicorn is
# older than 2.1, the Debian 13 binary packages of Unicorn 2.1.1 are downloaded with a
# private apt configuration (the system's apt setup is not touched) and unpacked into
# .deps/unicorn inside this checkout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
action=${1:-demo}
jobs=$(nproc 2>/dev/null || echo 2)

say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

sudo_if_needed() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

debian_packages=(
    build-essential cmake ninja-build pkg-config
    libzydis-dev libspdlog-dev libfmt-dev catch2 libcli11-dev
    musl-tools busybox-static bash-static gzip coreutils
    python3
    chromium  # tests/report opens the page of `faultline report` in it, headless
    dpkg-dev apt
)
# For `fuzz` only: clang with the sanitizer and libFuzzer runtimes.
fuzz_packages=(clang-16 libclang-rt-16-dev)

# install_packages [PACKAGE...]: installs those of the packages (default: debian_packages)
# that are missing.
install_packages() {
    local missing=() wanted=("$@")
    [ ${#wanted[@]} -gt 0 ] || wanted=("${debian_packages[@]}")
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        sudo_if_needed apt-get update -qq
        sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# Prints the version of the system Unicorn (empty when there is none).
system_unicorn_version() {
    pkg-config --modversion unicorn 2>/dev/null || true
}

version_at_least_2_1() {
    local v=$1 major minor
    major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
    [ -n "$major" ] && [ "$major" -gt 2 ] 2>/dev/null && return 0
    [ "$major" = 2 ] && [ "${minor:-0}" -ge 1 ] 2>/dev/null
}

# The Debian mirror this machine already uses, read from its own apt configuration.
debian_mirror() {
    local uri=""
    if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
        uri=$(awk '/^URIs:/ && !found { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; found = 1; break } }' \
            /etc/apt/sources.list.d/*.sources)
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' /etc/apt/sources.list)
    fi
    [ -n "$uri" ] || die "cannot find a Debian mirror in /etc/apt/sources.list(.d)"
    printf '%s\n' "$uri"
}

fetch_unicorn_2_1() {
    local prefix="$here/.deps/unicorn"
    if [ -f "$prefix/usr/include/unicorn/unicorn.h" ] && ls "$prefix"/usr/lib/x86_64-linux-gnu/libunicorn.so.2* >/dev/null 2>&1; then
        return 0
    fi
    say "system Unicorn is '$(system_unicorn_version)'; fetching Debian 13 Unicorn 2.1 packages into .deps/unicorn"
    local work="$here/.deps/apt-trixie"
    rm -rf "$work"
    mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/etc"
    printf 'deb %s trixie main\n' "$(debian_mirror)" > "$work/etc/sources.list"
    local opts=(
        -o "Dir::Etc::sourcelist=$work/etc/sources.list"
        -o "Dir::Etc::sourceparts=-"
        -o "Dir::State::Lists=$work/lists"
        -o "Dir::Cache::archives=$work/archives"
        -o "APT::Get::List-Cleanup=0"
        -o "Acquire::Languages=none"
    )
    apt-get "${opts[@]}" update -qq >/dev/null || die "apt-get update of the trixie list failed"
    (cd "$work/archives" && apt-get "${opts[@]}" download libunicorn2t64 libunicorn-dev >/dev/null) \
        || die "downloading libunicorn2t64/libunicorn-dev failed"
    rm -rf "$prefix"
    mkdir -p "$prefix"
    for deb in "$work"/archives/*.deb; do dpkg-deb -x "$deb" "$prefix"; done
    rm -rf "$work"
    [ -f "$prefix/usr/include/unicorn/unicorn.h" ] || die "unpacked Unicorn has no headers"
}

unicorn_cmake_args() {
    local v
    v=$(system_unicorn_version)
    if [ -n "$v" ] && version_at_least_2_1 "$v"; then
        return 0
    fi
    fetch_unicorn_2_1
    printf '%s\n' "-DFAULTLINE_UNICORN_PREFIX=$here/.deps/unicorn/usr"
}

# configure_and_build [DIR [CMAKE_ARG...] [-- BUILD_TARGET...]]: configures DIR (default
# build) and builds it (or only the targets named after --).
configure_and_build() {
    local dir=${1:-build} extra args=() targets=()
    [ $# -gt 0 ] && shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
    [ $# -gt 0 ] && shift && targets=("$@")
    extra=$(unicorn_cmake_args)
    # shellcheck disable=SC2086
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $extra "${args[@]}" >/dev/null
    if [ ${#targets[@]} -gt 0 ]; then
        cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
    else
        cmake --build "$dir" -j "$jobs"
    fi
}

case "$action" in
    deps)
        install_packages
        unicorn_cmake_args >/dev/null
        ;;
    demo)
        install_packages
        configure_and_build
        say "demo: build/faultline run -- build/guest/musl/hello_world"
        build/faultline run -- build/guest/musl/hello_world faultline
        say "demo: busybox echo under faultline"
        build/faultline run -- /bin/busybox echo "busybox says hello from faultline"
        ;;
    test)
        install_packages
        configure_and_build
        ctest --test-dir build --output-on-failure -j "$jobs"
        ;;
    sanitize)
        install_packages
        configure_and_build build-asan -DFAULTLINE_SANITIZE=ON
        ctest --test-dir build-asan --output-on-failure -j "$jobs"
        ;;
    fuzz)
        seconds=${2:-60}
        options=("${@:3}")
        install_packages
        install_packages "${fuzz_packages[@]}"
        configure_and_build build-fuzz -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 \
            -DFAULTLINE_FUZZ=ON -- fuzz
        status=0
        for target in elf_exec syscall_trace syscall_args; do
            tools/fuzz/run.sh "$target" "$seconds" "${options[@]}" || status=1
        done
        exit $status
        ;;
    *)
        die "unknown action '$action' (use: demo, test, sanitize, fuzz, deps)"
        ;;
esac
