/*
 * num.c: the shortest decimal digits that read back as a double, by the
 * Ryu method (Ulf Adams, "Ryū: fast float-to-string conversion", PLDI
 * 2018), and JavaScript's layout of them (num.h). printf's "%.17g" is not
 * the shortest and a "%.15g"/"%.16g"/"%.17g" search with strtod costs
 * microseconds; this costs tens of nanoseconds, with no allocation.
 *
 * The method: the interval of reals that round to d is [mm, mp] around
 * mv = d (in units of 2^e2 / 4, two extra bits for the bounds); scaled by
 * a power of ten from a table of 128-bit powers of five (num_table.h),
 * both ends become integers vm, vr, vp; digits are then dropped while the
 * interval still holds a number with fewer digits, and the last dropped
 * digit rounds vr. Trailing-zero tracking handles the exact cases (the
 * bounds are included when the mantissa is even, round half to even).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "num_table.h"

enum { MANT_BITS = 52, EXP_BITS = 11, BIAS = 1023, POW5_BITS = 125 };

__extension__ typedef unsigned __int128 u128;

/* ceil(log2(5^e)) for 1 <= e <= 3528, and 1 for e = 0 */
static int pow5bits(int e)
{
    return (int)(((uint32_t)e * 1217359) >> 19) + 1;
}

/* floor(log10(2^e)) and floor(log10(5^e)) for the exponents of a double */
static uint32_t log10_pow2(int e)
{
    return ((uint32_t)e * 78913) >> 18;
}

static uint32_t log10_pow5(int e)
{
    return ((uint32_t)e * 732923) >> 20;
}

static int pow5_factor(uint64_t v)
{
    int n = 0;
    while (v % 5 == 0) {
        v /= 5;
        n++;
    }
    return n;
}

static bool multiple_of_pow5(uint64_t v, uint32_t p)
{
    return pow5_factor(v) >= (int)p;
}

static bool multiple_of_pow2(uint64_t v, uint32_t p)
{
    return (v & ((1ull << p) - 1)) == 0;
}

/* (m * mul) >> j, mul a 128-bit {low, high}, j >= 64 */
static uint64_t mul_shift(uint64_t m, const uint64_t mul[2], int j)
{
    u128 b0 = (u128)m * mul[0], b2 = (u128)m * mul[1];
    return (uint64_t)(((b0 >> 64) + b2) >> (j - 64));
}

int asl_num_shortest(double d, uint64_t *digits, int *exp10)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    uint64_t ieee_mant = bits & ((1ull << MANT_BITS) - 1);
    uint32_t ieee_exp = (uint32_t)((bits >> MANT_BITS) & ((1u << EXP_BITS) - 1));
    int e2;
    uint64_t m2;
    if (ieee_exp == 0) { /* subnormal */
        e2 = 1 - BIAS - MANT_BITS - 2;
        m2 = ieee_mant;
    } else {
        e2 = (int)ieee_exp - BIAS - MANT_BITS - 2;
        m2 = (1ull << MANT_BITS) | ieee_mant;
    }
    bool even = (m2 & 1) == 0, accept_bounds = even;

    /* the interval [mm, mp] around mv, in units of 2^e2 */
    uint64_t mv = 4 * m2;
    uint32_t mm_shift = ieee_mant != 0 || ieee_exp <= 1; /* the lower gap halves at a power of two */

    /* to a decimal power: vr, vp, vm = mv, mp, mm x 2^e2 / 10^e10 */
    uint64_t vr, vp, vm;
    int e10;
    bool vm_zeros = false, vr_zeros = false; /* the dropped digits so far are all 0 */
    if (e2 >= 0) {
        uint32_t q = log10_pow2(e2) - (e2 > 3);
        e10 = (int)q;
        int k = POW5_BITS + pow5bits((int)q) - 1;
        int i = -e2 + (int)q + k;
        vr = mul_shift(4 * m2, num_pow5_inv[q], i);
        vp = mul_shift(4 * m2 + 2, num_pow5_inv[q], i);
        vm = mul_shift(4 * m2 - 1 - mm_shift, num_pow5_inv[q], i);
        if (q <= 21) {
            /* at most one of mp, mv, mm is a multiple of 5 */
            if (mv % 5 == 0)
                vr_zeros = multiple_of_pow5(mv, q);
            else if (accept_bounds)
                vm_zeros = multiple_of_pow5(mv - 1 - mm_shift, q);
            else
                vp -= multiple_of_pow5(mv + 2, q);
        }
    } else {
        uint32_t q = log10_pow5(-e2) - (-e2 > 1);
        e10 = (int)q + e2;
        int i = -e2 - (int)q;
        int k = pow5bits(i) - POW5_BITS;
        int j = (int)q - k;
        vr = mul_shift(4 * m2, num_pow5[i], j);
        vp = mul_shift(4 * m2 + 2, num_pow5[i], j);
        vm = mul_shift(4 * m2 - 1 - mm_shift, num_pow5[i], j);
        if (q <= 1) {
            /* mv = 4 m2 has at least two trailing zero bits */
            vr_zeros = true;
            if (accept_bounds)
                vm_zeros = mm_shift == 1; /* mm = mv - 1 - mm_shift */
            else
                --vp;                     /* mp = mv + 2 */
        } else if (q < 63) {
            vr_zeros = multiple_of_pow2(mv, q);
        }
    }

    /* drop digits while a shorter number stays inside the interval */
    int removed = 0;
    uint8_t last = 0;
    uint64_t out;
    if (vm_zeros || vr_zeros) { /* the rare exact cases */
        for (; vp / 10 > vm / 10; removed++) {
            vm_zeros &= vm % 10 == 0;
            vr_zeros &= last == 0;
            last = (uint8_t)(vr % 10);
            vr /= 10;
            vp /= 10;
            vm /= 10;
        }
        if (vm_zeros) {
            for (; vm % 10 == 0; removed++) {
                vr_zeros &= last == 0;
                last = (uint8_t)(vr % 10);
                vr /= 10;
                vp /= 10;
                vm /= 10;
            }
        }
        if (vr_zeros && last == 5 && vr % 2 == 0)
            last = 4; /* exactly half way: round to even */
        out = vr + ((vr == vm && (!accept_bounds || !vm_zeros)) || last >= 5);
    } else {
        bool round_up = false;
        if (vp / 100 > vm / 100) { /* two digits at a time, the usual case */
            round_up = vr % 100 >= 50;
            vr /= 100;
            vp /= 100;
            vm /= 100;
            removed += 2;
        }
        for (; vp / 10 > vm / 10; removed++) {
            round_up = vr % 10 >= 5;
            vr /= 10;
            vp /= 10;
            vm /= 10;
        }
        out = vr + (vr == vm || round_up);
    }
    int exp = e10 + removed;
    /* vr + 1 may have gained a trailing zero (e.g. 9.5 -> 10) */
    while (out % 10 == 0 && out) {
        out /= 10;
        exp++;
    }
    int n = 1;
    for (uint64_t v = out; v >= 10; v /= 10)
        n++;
    *digits = out;
    *exp10 = exp;
    return n;
}

/* Writes the n digits of v into p. */
static void put_digits(char *p, uint64_t v, int n)
{
    while (n > 0) {
        p[--n] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* Lays out dig (k digits, no trailing zeros) x 10^e as JavaScript does,
 * after o (the sign, if any, is written already). Returns the end. */
static char *layout(char *o, uint64_t dig, int k, int e)
{
    int n = e + k; /* the value is 0.DIGITS x 10^n */
    char ds[20] = "0";
    put_digits(ds, dig, k);
    if (k <= n && n <= 21) { /* an integer: its digits, then zeros */
        memcpy(o, ds, (size_t)k);
        memset(o + k, '0', (size_t)(n - k));
        o += n;
    } else if (0 < n && n <= 21) {
        memcpy(o, ds, (size_t)n);
        o[n] = '.';
        memcpy(o + n + 1, ds + n, (size_t)(k - n));
        o += k + 1;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        memset(o, '0', (size_t)-n);
        o += -n;
        memcpy(o, ds, (size_t)k);
        o += k;
    } else {
        int x = n - 1;
        *o++ = ds[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, ds + 1, (size_t)k - 1);
            o += k - 1;
        }
        *o++ = 'e';
        *o++ = x < 0 ? '-' : '+';
        if (x < 0)
            x = -x;
        int nx = x >= 100 ? 3 : x >= 10 ? 2 : 1;
        put_digits(o, (uint64_t)x, nx);
        o += nx;
    }
    *o = '\0';
    return o;
}

/* NaN, the infinities and zero; NULL for any other number. */
static char *special(double d, char *out)
{
    if (isnan(d)) {
        memcpy(out, "NaN", 4);
        return out + 3;
    }
    if (isinf(d)) {
        memcpy(out, d < 0 ? "-Infinity" : "Infinity", d < 0 ? 10 : 9);
        return out + (d < 0 ? 9 : 8);
    }
    if (d == 0) {
        memcpy(out, "0", 2); /* -0 too */
        return out + 1;
    }
    return NULL;
}

size_t asl_num_js(double d, char *out)
{
    char *end = special(d, out);
    if (end)
        return (size_t)(end - out);
    char *o = out;
    if (d < 0) {
        *o++ = '-';
        d = -d;
    }
    uint64_t dig;
    int e, k = asl_num_shortest(d, &dig, &e);
    return (size_t)(layout(o, dig, k, e) - out);
}

size_t asl_num_js_precision(double d, int prec, char *out)
{
    if (special(d, out) || (fabs(d) < 1e15 && d == floor(d)))
        return asl_num_js(d, out); /* whole numbers have 15 digits or fewer */
    uint64_t dig;
    int e, k = asl_num_shortest(fabs(d), &dig, &e);
    if (k <= prec)
        return asl_num_js(d, out); /* the shortest digits are those digits */
    /* Rounding the shortest digits rounds d itself (they lie on d's side
     * of every shorter decimal) unless they end exactly half way, or the
     * interval of a subnormal is wider than a 15-digit step. */
    uint64_t p10 = 1;
    for (int i = 0; i < k - prec; i++)
        p10 *= 10;
    uint64_t tail = dig % p10, half = p10 / 2;
    if (tail == half || fabs(d) < 1e-290) {
        char tmp[40];
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        return asl_num_js(strtod(tmp, NULL), out);
    }
    dig = dig / p10 + (tail > half);
    e += k - prec;
    while (dig % 10 == 0) {
        dig /= 10;
        e++;
    }
    k = 1;
    for (uint64_t v = dig; v >= 10; v /= 10)
        k++;
    char *o = out;
    if (d < 0)
        *o++ = '-';
    return (size_t)(layout(o, dig, k, e) - out);
}
