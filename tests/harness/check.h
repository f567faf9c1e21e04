/*
 * check.h: the one assertion of the C test programs (tests/engine,
 * tests/durable, tests/store): a failed CHECK prints where and what, and
 * counts; the program reports the count and exits non-zero at the end.
 */
#ifndef ASLC_TEST_CHECK_H
#define ASLC_TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                              \
        }                                                                            \
    } while (0)

#endif
