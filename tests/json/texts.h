/*
 * texts.h: JSON-ish texts for the tests that hold two readers of JSON to
 * each other (valid_test.c, read_test.c): random strings over the
 * characters that matter to JSON, and valid seeds with a few characters
 * changed, inserted or deleted.
 */
#ifndef ASL_TEST_JSON_TEXTS_H
#define ASL_TEST_JSON_TEXTS_H

#include <stdint.h>
#include <string.h>

/* Characters that matter to JSON, and some that do not. */
static const char texts_alphabet[] =
    "{}[]\",:\\ \t\n0123456789eE.+-nultrfasbu/xDCdF\x01\x1f\xc3\xa9\xef\xbb\xbf\xff";

static unsigned texts_next(uint64_t *rng, unsigned n)
{
    *rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
    return (unsigned)(*rng % n);
}

/* Round round's text into buf (room for a seed and three more bytes): a
 * random one every third round, else a mutated seed. Returns its length. */
static size_t texts_make(uint64_t *rng, int round, const char *const *seeds, unsigned nseeds, char *buf)
{
    size_t len;
    if (round % 3 == 0) {
        len = texts_next(rng, 24);
        for (size_t i = 0; i < len; i++)
            buf[i] = texts_alphabet[texts_next(rng, sizeof texts_alphabet - 1)];
    } else {
        const char *seed = seeds[texts_next(rng, nseeds)];
        len = strlen(seed);
        memcpy(buf, seed, len);
        for (unsigned k = texts_next(rng, 3) + 1; k; k--) {
            size_t at = texts_next(rng, (unsigned)len + 1);
            char c = texts_alphabet[texts_next(rng, sizeof texts_alphabet - 1)];
            switch (texts_next(rng, 3)) {
            case 0: if (at < len) buf[at] = c; break;             /* change */
            case 1: memmove(buf + at + 1, buf + at, len - at), buf[at] = c, len++; break; /* insert */
            default: if (at < len) memmove(buf + at, buf + at + 1, len - at - 1), len--; /* delete */
            }
        }
    }
    buf[len] = '\0';
    return len;
}

#endif
