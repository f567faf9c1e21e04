/*
 * num.h: numbers as text, the shortest digits that read back as the same
 * double (the Ryu method, num/num.c), in JavaScript's layout. Every
 * place the runtime turns a number into text goes through here: JSON
 * output (json.c), JSONata's $string and string concatenation (jsonata.c).
 */
#ifndef ASL_NUM_H
#define ASL_NUM_H

#include <stddef.h>
#include <stdint.h>

/* The shortest decimal that reads back as d (finite, > 0): d is
 * *digits x 10^*exp10, *digits has no trailing zeros and at most 17
 * digits; among the shortest, the one nearest d. Returns the digit count. */
int asl_num_shortest(double d, uint64_t *digits, int *exp10);

/* d as JavaScript's Number#toString writes it (and JSON.stringify, but
 * for NaN and the infinities, which are "NaN", "Infinity", "-Infinity"
 * here): 100, 0.1, 1e+21, 1.5e-7, 5e-324, 123456789012345680000; -0 is
 * "0". out holds at least 32 bytes; returns the length. */
size_t asl_num_js(double d, char *out);

/* The text of Number(d.toPrecision(prec)) in JavaScript, prec <= 17: d
 * rounded to prec significant digits, then written as asl_num_js writes
 * it (JSONata's $string: 0.1 + 0.2 is "0.3"). */
size_t asl_num_js_precision(double d, int prec, char *out);

#endif
