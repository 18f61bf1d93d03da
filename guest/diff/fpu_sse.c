/* Floating point and SSE: IEEE-exact operations only (+ - * / sqrt, conversions, x87 long
 * double), so results do not depend on which libm variant the host CPU selects. Covers
 * printf/strtod round trips, rounding modes (MXCSR and the x87 control word) and a
 * vectorisable memcpy-heavy loop with a checksum. Exit 0 when the self-checks hold. */
#define _GNU_SOURCE
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "yes" : "no");
    failures += !ok;
}

static uint64_t bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

int main(void)
{
    volatile double one = 1.0, two = 2.0, three = 3.0, tenth = 0.1, big = 1e300, tiny = 1e-300;

    double third = one / three;
    double root2 = sqrt(two);
    printf("1/3 = %.17g (%a)\n", third, third);
    printf("sqrt(2) = %.17g bits=%016llx\n", root2, (unsigned long long)bits(root2));
    printf("0.1*3 = %.17g, 0.1+0.2 = %.17g\n", tenth * three, tenth + 0.2);
    printf("1e300*1e300 = %g, -1e300*1e300 = %g\n", big * big, -big * big);
    printf("1e-300*1e-300 = %g, 0/0 is nan: %s\n", tiny * tiny, isnan((big - big) / (tiny - tiny)) ? "yes" : "no");
    printf("DBL_MIN/2 (subnormal) = %a\n", DBL_MIN / two);
    printf("%%e %%f %%g: %e %f %g\n", 12345.6789, -0.000123, 6.02214076e23);
    printf("%%.0f of 0.5, 1.5, 2.5: %.0f %.0f %.0f\n", 0.5 * one, 1.5 * one, 2.5 * one);

    const char *inputs[] = {"3.14159265358979323846", "-2.5e-3", "0x1.8p1", "1e400", "4.9e-324",
                            "inf", "  42abc", "0.30000000000000004"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char *end;
        double d = strtod(inputs[i], &end);
        printf("strtod(\"%s\") = %.17g bits=%016llx rest=\"%s\"\n", inputs[i], d,
               (unsigned long long)bits(d), end);
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", third);
    check("printf/strtod round trip of 1/3 is exact", strtod(buf, NULL) == third);

    /* conversions */
    volatile double neg = -2.75, huge = 1e20;
    printf("(int)-2.75 = %d, (long)1e20 = %lld (x86 integer indefinite)\n", (int)neg,
           (long long)(int64_t)huge);
    printf("lrint(2.5) = %ld, lrint(3.5) = %ld, (float)0.1 = %.9g\n", lrint(2.5 * one),
           lrint(3.5 * one), (double)(float)tenth);

    /* rounding modes: MXCSR for SSE arithmetic */
    double up, down, nearest;
    fesetround(FE_UPWARD);
    up = one / three;
    fesetround(FE_DOWNWARD);
    down = one / three;
    fesetround(FE_TONEAREST);
    nearest = one / three;
    printf("1/3 upward=%a downward=%a nearest=%a\n", up, down, nearest);
    check("rounding modes change SSE division results", up > down && nearest == third);

    /* x87 long double */
    volatile long double lone = 1.0L, lthree = 3.0L;
    long double lthird = lone / lthree;
    printf("long double 1/3 = %.21Lg (LDBL_MANT_DIG=%d)\n", lthird, LDBL_MANT_DIG);
    long double lroot = sqrtl(2.0L * lone);
    printf("long double sqrt(2) = %.21Lg\n", lroot);
    check("long double is more precise than double", (double)lthird == third && lthird != (long double)third);

    /* integer SSE: a memcpy/vectorised loop with a checksum */
    enum { N = 1 << 16 };
    static uint32_t a[N], b[N + 16];
    static double fa[N];
    for (uint32_t i = 0; i < N; i++)
        a[i] = i * 2654435761u ^ (i >> 3);
    uint64_t sum = 0;
    for (int round = 0; round < 64; round++) {
        size_t off = (size_t)(round * 7) % 16, len = N - (size_t)round * 97;
        memcpy(b + off, a, len * sizeof a[0]);
        for (size_t i = 0; i < len; i++)
            a[i] = a[i] * 3 + b[i + off] + (uint32_t)round;
        for (size_t i = 0; i < len; i += 61)
            sum = sum * 1099511628211ull + a[i];
    }
    double fsum = 0;
    for (uint32_t i = 0; i < N; i++) {
        fa[i] = (double)(a[i] & 0xFFFF) / 65536.0;
        fsum += fa[i] * fa[i];
    }
    printf("integer loop checksum = %016llx\n", (unsigned long long)sum);
    printf("float sum of squares = %.17g\n", fsum);
    printf("memcmp of copied prefix: %d\n", memcmp(b + 7, b + 7, 1000) == 0);

    printf("failures = %d\n", failures);
    return failures == 0 ? 0 : 1;
}
