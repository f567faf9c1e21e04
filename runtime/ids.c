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

static uint64_t next64(void)
{
    if (!rng[0] && !rng[1]) {
        asl_random_secure(rng, sizeof rng);
        rng[0] |= 1;
    }
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

void asl_uuid(char out[37])
{
    /* where each byte's two hex digits go: 8-4-4-4-12 */
    static const unsigned char at[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    static char pairs[512]; /* "000102...ff": a byte's two digits at once */
    if (!pairs[1]) {
        static const char hex[] = "0123456789abcdef";
        for (int i = 0; i < 256; i++)
            pairs[2 * i] = hex[i >> 4], pairs[2 * i + 1] = hex[i & 15];
    }
    uint64_t r[2] = {next64(), next64()};
    unsigned char b[16];
    memcpy(b, r, 16);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    for (int i = 0; i < 16; i++)
        memcpy(out + at[i], pairs + 2 * b[i], 2);
    out[8] = out[13] = out[18] = out[23] = '-';
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
