// FUZZ_CHECK(cond, what): a property every input must keep. A violation is reported on
// stderr and aborts, which libFuzzer (and the corpus replay) reports as a crash with the
// input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                   \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            std::fprintf(stderr, "%s:%d: property violated: %s (%s)\n", __FILE__, __LINE__, what, \
                         #cond);                                                                 \
            std::abort();                                                                        \
        }                                                                                        \
    } while (0)
