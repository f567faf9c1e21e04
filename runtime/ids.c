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

uint64_t asl_random_u64(void)
{
    return next64();
}

double asl_random_unit(void)
{
    return (double)(next64() >> 11) / 9007199254740992.0;
}

/* The 16 hex digits of v's eight bytes, low byte first (as they lie in
 * memory), each byte high digit first: every nibble spread into a byte of
 * its own, then turned into a digit for all sixteen at once ('0'..'9' or
 * 'a'..'f': 39 more from 10 up). */
static void hex8(char *out, uint64_t v)
{
    for (int half = 0; half < 2; half++, v >>= 32) {
        uint64_t x = v & 0xffffffffu;
        x = (x | x << 16) & 0x0000ffff0000ffffULL;
        x = (x | x << 8) & 0x00ff00ff00ff00ffULL;
        /* byte i of the 4 now sits in byte 2i: its high nibble goes first */
        x = (x >> 4 & 0x000f000f000f000fULL) | (x << 8 & 0x0f000f000f000f00ULL);
        uint64_t ten = (x + 0x0606060606060606ULL) >> 4 & 0x0101010101010101ULL;
        x += 0x3030303030303030ULL + ten * 39;
        memcpy(out + 8 * half, &x, 8);
    }
}

void asl_uuid(char out[37])
{
    /* 8-4-4-4-12: the digits are made in one run of 32, then the last
     * three groups move right to make room for the dashes (from the end,
     * so that nothing is overwritten before it moved). */
    uint64_t a = next64(), b = next64();
    /* version 4 (byte 6's high nibble) and variant 10 (byte 8's top bits) */
    a = (a & ~(0xf0ULL << 48)) | 0x40ULL << 48;
    b = (b & ~0xc0ULL) | 0x80ULL;
    char d[32];
    hex8(d, a);
    hex8(d + 16, b);
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
