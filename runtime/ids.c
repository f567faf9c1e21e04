/*
 * ids.c: UUIDs, random numbers, task tokens, and the account settings that
 * go into ARNs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "exec.h"
#include "ids.h"

static uint64_t rng[2];

/* Seeded on first use from the system's random source (kept out of line:
 * next64 is inlined where UUIDs are made). */
__attribute__((noinline, cold)) static void seed(void)
{
    asl_random_secure(rng, sizeof rng);
    rng[0] |= 1;
}

static inline uint64_t next64(void)
{
    if (__builtin_expect(!rng[0] && !rng[1], 0))
        seed();
    /* xorshift128+ */
    uint64_t s1 = rng[0];
    const uint64_t s0 = rng[1];
    rng[0] = s0;
    s1 ^= s1 << 23;
    rng[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return rng[1] + s0;
}

/* Two numbers in a row, the state read and written once (a UUID's). */
static inline void next64_pair(uint64_t out[2])
{
    if (__builtin_expect(!rng[0] && !rng[1], 0))
        seed();
    uint64_t a = rng[0], b = rng[1];
    for (int i = 0; i < 2; i++) {
        uint64_t s1 = a;
        const uint64_t s0 = b;
        a = s0;
        s1 ^= s1 << 23;
        b = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
        out[i] = b + s0;
    }
    rng[0] = a;
    rng[1] = b;
}

uint64_t asl_random_u64(void)
{
    return next64();
}

double asl_random_unit(void)
{
    return (double)(next64() >> 11) / 9007199254740992.0;
}

/* The 32 hex digits of 16 bytes, each byte high digit first. */
#if defined(__SSE2__)
/* All at once: the high and the low nibbles interleaved, then '0' added to
 * each and 39 more to those above 9 ('a' - '0' - 10). */
static void hex16(char out[32], const unsigned char b[16])
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)b), low4 = _mm_set1_epi8(0x0f);
    __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), low4), lo = _mm_and_si128(v, low4);
    __m128i d[2] = {_mm_unpacklo_epi8(hi, lo), _mm_unpackhi_epi8(hi, lo)};
    for (int i = 0; i < 2; i++) {
        __m128i letters = _mm_and_si128(_mm_cmpgt_epi8(d[i], _mm_set1_epi8(9)), _mm_set1_epi8('a' - '0' - 10));
        d[i] = _mm_add_epi8(_mm_add_epi8(d[i], _mm_set1_epi8('0')), letters);
        _mm_storeu_si128((__m128i *)(void *)(out + 16 * i), d[i]);
    }
}
#else
static void hex16(char out[32], const unsigned char b[16])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++)
        out[2 * i] = hex[b[i] >> 4], out[2 * i + 1] = hex[b[i] & 15];
}
#endif

void asl_uuid(char out[37])
{
    /* 8-4-4-4-12: the digits are made in one run of 32, then copied
     * around the dashes. */
    /* The version, 4, in byte 6's high nibble and the variant, binary 10,
     * in byte 8's top bits: on a little-endian machine set in the words
     * (bytes 6 of the first and 0 of the second) before they are bytes. */
    uint64_t r[2];
    next64_pair(r);
    unsigned char b[16];
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    r[0] = (r[0] & ~((uint64_t)0xf0 << 48)) | ((uint64_t)0x40 << 48);
    r[1] = (r[1] & ~(uint64_t)0xc0) | 0x80;
    memcpy(b, r, 16);
#else
    memcpy(b, r, 16);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
#endif
    char d[32];
    hex16(d, b);
    memcpy(out, d, 8);
    out[8] = '-';
    memcpy(out + 9, d + 8, 4);
    out[13] = '-';
    memcpy(out + 14, d + 12, 4);
    out[18] = '-';
    memcpy(out + 19, d + 16, 4);
    out[23] = '-';
    memcpy(out + 24, d + 20, 12);
    out[36] = '\0';
}

/* getrandom is buffered: tokens are issued often and a syscall each would
 * dominate. */
void asl_random_secure(void *buf, unsigned long n)
{
    static unsigned char pool[4096];
    static size_t avail;
    unsigned char *out = buf;
    if (n == 16 && avail >= 16) { /* a token's: copied and wiped in two words each */
        unsigned char *p = pool + sizeof pool - avail;
        memcpy(out, p, 16);
        memset(p, 0, 16);
        avail -= 16;
        return;
    }
    while (n) {
        if (!avail) {
            size_t got = 0;
            while (got < sizeof pool) {
                ssize_t r = getrandom(pool + got, sizeof pool - got, 0);
                if (r <= 0) {
                    perror("getrandom");
                    abort();
                }
                got += (size_t)r;
            }
            avail = sizeof pool;
        }
        size_t k = n < avail ? n : avail;
        memcpy(out, pool + sizeof pool - avail, k);
        memset(pool + sizeof pool - avail, 0, k);
        avail -= k;
        out += k;
        n -= k;
    }
}


static char region[64] = "us-east-1", account[32] = "123456789012";
static char role[160];

const char *asl_region(void)
{
    return region;
}

const char *asl_account(void)
{
    return account;
}

const char *asl_role_arn(void)
{
    if (!role[0])
        snprintf(role, sizeof role, "arn:aws:iam::%s:role/StepFunctionsExecutionRole", account);
    return role;
}

void asl_set_account(const char *r, const char *a)
{
    if (r)
        snprintf(region, sizeof region, "%s", r);
    if (a)
        snprintf(account, sizeof account, "%s", a);
    role[0] = '\0';
}
