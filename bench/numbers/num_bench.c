/*
 * num_bench.c: nanoseconds per number turned into text, over a few million
 * mixed doubles (prices with two decimals, small integers, ratios, random
 * bit patterns of every exponent): num/num.c's shortest round-trip
 * text against the printf/strtod search it replaced. Built and run by
 * bench/numbers/run.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

#include "num.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine may be busy */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What json.c and jsonata.c did before num.c: the shortest of %.15g,
 * %.16g and %.17g that reads back. */
static size_t old_way(double d, char *out)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            break;
    }
    return strlen(out);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 4000000;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return 1;
    for (size_t i = 0; i < n; i++) {
        switch (i % 4) {
        case 0: v[i] = (double)(next() % 1000000) / 100; break;             /* prices */
        case 1: v[i] = (double)(next() % 100000) / (double)(1 + next() % 997); break; /* ratios */
        case 2: v[i] = ldexp((double)(next() >> 11), (int)(next() % 200) - 150); break; /* any exponent */
        default: {
            uint64_t b = next();
            memcpy(&v[i], &b, sizeof b);
            if (!isfinite(v[i]))
                v[i] = 1.5;
        }
        }
    }
    char buf[64];
    size_t total = 0;
    double t0 = now();
    for (size_t i = 0; i < n; i++)
        total += asl_num_js(v[i], buf);
    double t1 = now();
    size_t m = n / 10; /* the old way is slow: a tenth of the numbers */
    for (size_t i = 0; i < m; i++)
        total += old_way(v[i], buf);
    double t2 = now();
    printf("numbers        %zu mixed doubles (%zu bytes of text)\n", n, total);
    printf("asl_num_js     %.1f ns/number\n", (t1 - t0) / (double)n * 1e9);
    printf("printf+strtod  %.1f ns/number (the search it replaced, on %zu of them)\n", (t2 - t1) / (double)m * 1e9,
           m);
    free(v);
    return 0;
}
