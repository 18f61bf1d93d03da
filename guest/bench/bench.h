// Shared helpers of the benchmark guests (guest/bench/*.c). They are built static with
// musl so that the same binary runs natively, under qemu-x86_64 and under faultline.
//
// A guest reports what it measured itself on stdout, one "bench: key=value ..." line, which
// tools/bench/bench.py reads. Times come from CLOCK_MONOTONIC: under faultline they are
// host time only with --real-time (faultline's clock is virtual by default).
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// argv[i] as a number, or `fallback` when absent.
static inline long arg_or(int argc, char** argv, int i, long fallback) {
    return argc > i ? atol(argv[i]) : fallback;
}
