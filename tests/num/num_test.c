/*
 * num_test.c: numbers as text (num/num.c). The cases of cases.txt
 * (tricky values and their JavaScript text), then random doubles of every
 * exponent checked against a slow oracle: the text reads back as the same
 * double, has as few digits as any text that does (printf's correctly
 * rounded "%.*e" at each precision, and its neighbours), and is the
 * nearest of those; asl_num_js_precision against printf and strtod.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "num.h"

#include "../harness/check.h"

static void run_cases(const char *path)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[256], fn[16], in[64], want[64], got[64];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        CHECK(sscanf(line, "%15s %63s %63s", fn, in, want) == 3);
        double d = strtod(in, NULL);
        if (!strcmp(fn, "js"))
            asl_num_js(d, got);
        else if (!strcmp(fn, "json"))
            asl_json_format_number(d, got);
        else
            asl_num_js_precision(d, 15, got);
        if (strcmp(got, want)) {
            fprintf(stderr, "%s %s: got %s, want %s\n", fn, in, got, want);
            failures++;
        }
        n++;
    }
    fclose(f);
    CHECK(n > 50);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Significant digits in JavaScript-style text. */
static int digits_of(const char *s)
{
    int n = 0, lead = 1, zeros = 0;
    for (; *s && *s != 'e'; s++) {
        if (*s < '0' || *s > '9')
            continue;
        if (lead && *s == '0')
            continue;
        lead = 0;
        if (*s == '0') {
            zeros++;
        } else {
            n += zeros + 1;
            zeros = 0;
        }
    }
    return n;
}

/* The fewest significant digits any decimal reading back as d has. */
static int oracle_digits(double d)
{
    char tmp[64];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d)
            return p;
        /* at a power of two the interval is lopsided: the correctly
         * rounded text may miss while its neighbour reads back */
        char *e = strchr(tmp, 'e');
        long long m = 0;
        int ex = atoi(e + 1), nd = 0;
        for (char *c = tmp; c < e; c++)
            if (*c >= '0' && *c <= '9') {
                m = m * 10 + (*c - '0');
                nd++;
            }
        for (int dm = -1; dm <= 1; dm += 2) {
            snprintf(tmp, sizeof tmp, "%llde%d", m + dm, ex - (nd - 1));
            if (strtod(tmp, NULL) == d)
                return p;
        }
    }
    return 17;
}

static void random_doubles(int n)
{
    char got[64], tmp[64];
    int bad = 0;
    for (int i = 0; i < n && bad < 10; i++) {
        uint64_t bits = next();
        if (i % 4 == 0) /* short decimals are the common case in data */
            bits = 0, memcpy(&bits, &(double){(double)(next() % 1000000) / (double)(1 + next() % 10000)}, 8);
        double d;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d))
            continue;
        asl_num_js(d, got);
        int ok = strtod(got, NULL) == d && (d == 0 || digits_of(got) == oracle_digits(fabs(d)));
        snprintf(tmp, sizeof tmp, "%.*e", 14, d);
        char p15[64], want15[64];
        asl_num_js_precision(d, 15, p15);
        asl_num_js(strtod(tmp, NULL), want15);
        ok = ok && !strcmp(p15, want15);
        if (!ok) {
            fprintf(stderr, "%a: got %s (%d digits, oracle %d), p15 %s want %s\n", d, got, digits_of(got),
                    oracle_digits(fabs(d)), p15, want15);
            bad++;
            failures++;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: num_test CASES\n");
        return 64;
    }
    run_cases(argv[1]);
    random_doubles(60000);
    if (failures)
        fprintf(stderr, "%d checks failed\n", failures);
    else
        puts("num: all checks passed");
    return failures != 0;
}
