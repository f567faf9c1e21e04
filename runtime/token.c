/*
 * token.c: task tokens. A .waitForTaskToken task gets a token here;
 * SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat find the task by
 * it (a hash table: a run may hold a hundred thousand at once).
 *
 * A token is 32 bytes in base64url (43 characters): a sequence number (8),
 * 16 bytes from the system's random source (128 bits nobody can guess) and
 * a SipHash-2-4 tag (8) of the first 24 under a key drawn once per process.
 * The table holds only open tokens; the tag is what lets SendTask* tell a
 * token this process issued and closed (AWS's TaskTimedOut: the task timed
 * out or was already completed) from one it never issued (TaskDoesNotExist)
 * without remembering every closed token, so memory stays flat over a
 * long run. A token that is not 43 base64url characters is InvalidToken.
 * SendTaskSuccess takes its output as text (checked now, parsed when the
 * frame takes it) or as a value (asl_send_task_success_json: checked, then
 * handed to the frame as it is).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "ids.h"
#include "quotas.h"

enum { TOKEN_BYTES = 32, TOKEN_CHARS = 43, SEQ_BYTES = 8, TAGGED_BYTES = 24 };

static struct {
    asl_task **slot;     /* open addressing by the token's text (slot_of); NULL empty, TOMB deleted */
    size_t cap, used, live;
    unsigned char key[16];
    uint64_t next_seq;   /* 0 until the key is drawn */
} T;

static asl_task tomb_task;
#define TOMB (&tomb_task)

/* Where the task last put in or found in the table sits: a task that is
 * answered closes its token soon after, and asl_token_forget then finds
 * the slot without decoding the token again. Valid while that slot still
 * holds the task with that same token string (slots move only in rehash,
 * which forgets it). */
static struct {
    const asl_task *task;
    const char *token;
    size_t slot;
} last;

static void last_set(asl_task **p)
{
    last.task = *p;
    last.token = (*p)->token;
    last.slot = (size_t)(p - T.slot);
}

/* ------------------------------------------------------------ SipHash */

/* Eight bytes as a little-endian number, and back (one load or store
 * where the machine is little-endian: SipHash reads 56 words a token). */
static uint64_t le64(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
#endif
}

/* Six bytes as a big-endian number (p has eight readable: a token's
 * first thirty of thirty-two). */
static uint64_t be48(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap64(le64(p)) >> 16;
#else
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | p[i];
    return v;
#endif
}

static void put_le64(unsigned char *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8);
#else
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
#endif
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                             \
    do {                                                                                                     \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                                            \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                                               \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                                               \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                                            \
    } while (0)

/* SipHash-2-4 of n bytes, n a multiple of 8 (always 24 here). */
static uint64_t siphash(const unsigned char *in, size_t n, const unsigned char key[16])
{
    uint64_t k0 = le64(key), k1 = le64(key + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t m = le64(in + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)n << 56;
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* ------------------------------------------------------------ base64url */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Every 12 bits' two characters, "AAAB...__" (made on first use): a
 * token's three-byte groups are written two characters at a time. */
static const char *pairs(void)
{
    static char two[2 * 4096];
    if (!two[1])
        for (int i = 0; i < 4096; i++)
            two[2 * i] = b64[i >> 6], two[2 * i + 1] = b64[i & 63];
    return two;
}

/* The token's text is cJSON's allocation (the pool's, in line, while it
 * is on: malloc cost more than encoding), freed with cJSON_free. */
static char *encode(const unsigned char raw[TOKEN_BYTES])
{
    char *t = asl_pool_take(TOKEN_CHARS + 1);
    if (!t && !(t = cJSON_malloc(TOKEN_CHARS + 1)))
        abort();
    const char *two = pairs();
    /* Three bytes make four characters (six bytes, read at once, eight);
     * the last two bytes make three. */
    for (int i = 0; i < 5; i++) {
        uint64_t v = be48(raw + 6 * i);
        memcpy(t + 8 * i, two + 2 * (v >> 36), 2);
        memcpy(t + 8 * i + 2, two + 2 * (v >> 24 & 4095), 2);
        memcpy(t + 8 * i + 4, two + 2 * (v >> 12 & 4095), 2);
        memcpy(t + 8 * i + 6, two + 2 * (v & 4095), 2);
    }
    unsigned v = (unsigned)raw[30] << 10 | (unsigned)raw[31] << 2;
    t[40] = b64[v >> 12], t[41] = b64[v >> 6 & 63], t[42] = b64[v & 63];
    t[TOKEN_CHARS] = '\0';
    return t;
}

/* Each character's base64url value, or -1 (made on first use). */
static const signed char *digits(void)
{
    static signed char value[256];
    if (!value['B']) {
        memset(value, -1, sizeof value);
        for (int i = 0; i < 64; i++)
            value[(unsigned char)b64[i]] = (signed char)i;
    }
    return value;
}

/* False unless s is the canonical encoding of 32 bytes: ten groups of four
 * characters (three bytes each), then three for the last two bytes, whose
 * two spare bits are zero. (Every SendTask* and every closed task decodes
 * one: a group at a time, not a bit at a time.) */
static bool decode(const char *s, unsigned char raw[TOKEN_BYTES])
{
    if (!s || strnlen(s, TOKEN_CHARS + 1) != TOKEN_CHARS)
        return false;
    const signed char *d = digits();
    const unsigned char *u = (const unsigned char *)s;
    int bad = 0; /* a character not in the alphabet makes it negative */
    for (int i = 0; i < 40; i += 4) {
        unsigned v = (unsigned)d[u[i]] << 18 | (unsigned)d[u[i + 1]] << 12 | (unsigned)d[u[i + 2]] << 6 |
                     (unsigned)d[u[i + 3]];
        bad |= d[u[i]] | d[u[i + 1]] | d[u[i + 2]] | d[u[i + 3]];
        raw[i / 4 * 3] = (unsigned char)(v >> 16);
        raw[i / 4 * 3 + 1] = (unsigned char)(v >> 8);
        raw[i / 4 * 3 + 2] = (unsigned char)v;
    }
    unsigned v = (unsigned)d[u[40]] << 12 | (unsigned)d[u[41]] << 6 | (unsigned)d[u[42]];
    bad |= d[u[40]] | d[u[41]] | d[u[42]];
    raw[30] = (unsigned char)(v >> 10);
    raw[31] = (unsigned char)(v >> 2);
    return bad >= 0 && (v & 3) == 0;
}

/* ---------------------------------------------------------------- table */

/* A token's home slot, from its first eight characters (its sequence
 * number's low 48 bits, base64url: spread by the multiply). Found from the
 * text, nothing decoded: every SendTask* and every closed token looks one
 * up. t has eight characters at least (43 in the table). */
static size_t slot_of(const char *token)
{
    uint64_t w;
    memcpy(&w, token, 8);
    return (size_t)(w * 0x9e3779b97f4a7c15ULL >> 17) & (T.cap - 1);
}

static void insert(asl_task *t)
{
    size_t i = slot_of(t->token);
    while (T.slot[i] && T.slot[i] != TOMB)
        i = (i + 1) & (T.cap - 1);
    if (!T.slot[i])
        T.used++;
    T.slot[i] = t;
    T.live++;
    last_set(&T.slot[i]);
}

/* Whether one more slot in use would fill the table past half (open and
 * dead tokens alike). */
static bool full(void)
{
    return (T.used + 1) * 2 > T.cap;
}

/* Rehashes into a table sized for the open tokens (tombstones dropped),
 * so a long run that opens and closes tokens does not grow it. Twice the
 * open tokens (not four times): a million take 16 MB of slots. */
static void rehash(void)
{
    size_t old = T.cap;
    asl_task **slots = T.slot;
    size_t cap = 256;
    while (cap < (T.live + 1) * 2)
        cap *= 2;
    T.cap = cap;
    T.slot = calloc(T.cap, sizeof *T.slot);
    if (!T.slot)
        abort();
    last.task = NULL;
    T.used = T.live = 0;
    for (size_t i = 0; i < old; i++)
        if (slots[i] && slots[i] != TOMB)
            insert(slots[i]);
    free(slots);
}

/* token has 43 characters. */
static asl_task **lookup(const char *token)
{
    if (!T.cap)
        return NULL;
    for (size_t i = slot_of(token), n = 0; T.slot[i] && n < T.cap; n++, i = (i + 1) & (T.cap - 1))
        if (T.slot[i] != TOMB && !strcmp(T.slot[i]->token, token))
            return &T.slot[i];
    return NULL;
}

/* The key is drawn on first use, unless a snapshot set it. */
static void draw_key(void)
{
    if (!T.next_seq) {
        asl_random_secure(T.key, sizeof T.key);
        T.next_seq = 1;
    }
}

void asl_token_issue(asl_task *t)
{
    draw_key();
    unsigned char raw[TOKEN_BYTES];
    uint64_t seq = T.next_seq++;
    put_le64(raw, seq);
    asl_random_secure(raw + SEQ_BYTES, TAGGED_BYTES - SEQ_BYTES);
    uint64_t tag = siphash(raw, TAGGED_BYTES, T.key);
    put_le64(raw + TAGGED_BYTES, tag);
    cJSON_free(t->token);
    t->token = encode(raw);
    if (full())
        rehash();
    insert(t);
}

bool asl_token_signed(const char *token)
{
    unsigned char raw[TOKEN_BYTES];
    draw_key();
    return decode(token, raw) && siphash(raw, TAGGED_BYTES, T.key) == le64(raw + TAGGED_BYTES);
}

bool asl_token_adopt(asl_task *t)
{
    unsigned char raw[TOKEN_BYTES];
    if (!t->token || !asl_token_signed(t->token) || !decode(t->token, raw))
        return false;
    uint64_t seq = le64(raw);
    if (seq >= T.next_seq)
        T.next_seq = seq + 1;
    if (full())
        rehash();
    insert(t);
    return true;
}

void asl_token_state(unsigned char key[16], uint64_t *next_seq)
{
    draw_key();
    memcpy(key, T.key, sizeof T.key);
    *next_seq = T.next_seq;
}

void asl_token_set_state(const unsigned char key[16], uint64_t next_seq)
{
    memcpy(T.key, key, sizeof T.key);
    T.next_seq = next_seq ? next_seq : 1;
}

void asl_token_forget(asl_task *t)
{
    if (!t->token)
        return;
    asl_task **p = NULL;
    if (last.task == t && last.token == t->token && T.slot[last.slot] == t)
        p = &T.slot[last.slot];
    else if (strnlen(t->token, TOKEN_CHARS + 1) == TOKEN_CHARS) /* (a restored token may be anything) */
        p = lookup(t->token);
    last.task = NULL;
    if (p && *p == t) {
        *p = TOMB;
        T.live--;
    }
}

void asl_token_reset(void)
{
    free(T.slot);
    T.slot = NULL;
    last.task = NULL;
    T.cap = T.used = T.live = 0;
}

/* ---------------------------------------------------- SendTask* APIs */

/* The open task a token names, or the AWS error for why there is none. */
static const char *find_open(const char *token, asl_task **out)
{
    /* An open token first, found by its text alone: equal to a token
     * this process made, it is a canonical one (decode would take it).
     * Anything else is decoded whole to tell why it is not open. */
    if (token && T.cap && strnlen(token, TOKEN_CHARS + 1) == TOKEN_CHARS) {
        asl_task **p = lookup(token);
        asl_task *t = p ? *p : NULL;
        if (t && !t->done && t->frame) {
            last_set(p);
            *out = t;
            return NULL;
        }
    }
    unsigned char raw[TOKEN_BYTES];
    if (!decode(token, raw))
        return "InvalidToken";
    uint64_t seq = le64(raw);
    /* An open token is one this process issued or adopted (signed): its
     * tag needs checking only when it is not open. */
    asl_task **p = T.next_seq && seq && seq < T.next_seq ? lookup(token) : NULL;
    asl_task *t = p ? *p : NULL;
    if (!t && (!T.next_seq || !seq || seq >= T.next_seq || siphash(raw, TAGGED_BYTES, T.key) != le64(raw + TAGGED_BYTES)))
        return "TaskDoesNotExist";
    if (!t || t->done || !t->frame)
        return "TaskTimedOut";
    *out = t;
    return NULL;
}

asl_task *asl_token_find(const char *token)
{
    asl_task *t = NULL;
    return find_open(token, &t) ? NULL : t;
}

const char *asl_send_task_success(const char *token, const char *output_json)
{
    /* AWS validates the request before it looks at the token. */
    if (output_json && asl_payload_text_over(strlen(output_json)))
        return "ValidationException";
    asl_task *t;
    const char *err = find_open(token, &t);
    if (err)
        return err;
    /* Checked now (AWS answers InvalidOutput at once), kept as text until
     * the frame takes it: a run that answers a million tokens before their
     * frames run holds a million short strings, not a million parsed
     * values. */
    size_t len = output_json ? strlen(output_json) : 0;
    if (!output_json || !asl_json_text_valid(output_json, len))
        return "InvalidOutput";
    char *text = malloc(len + 1);
    if (!text)
        abort();
    memcpy(text, output_json, len + 1);
    free(t->answer);
    t->answer = text;
    asl_task_complete(t, NULL, NULL, NULL);
    return NULL;
}

const char *asl_send_task_success_json(const char *token, cJSON *output)
{
    /* The text form's checks in its order, on the value: no text is
     * printed or parsed, and the value goes to the frame as it is (a
     * value held until the frame takes it, not a short string). */
    size_t bound; /* (the check's walk bounds the size of a valid value) */
    bool valid = asl_json_value_check(output, NULL, &bound);
    bool measure = !valid || (asl_limit.payload_bytes && bound > asl_limit.payload_bytes);
    const char *err = measure && asl_payload_over(output) ? "ValidationException" : NULL;
    asl_task *t = NULL;
    if (!err)
        err = find_open(token, &t);
    if (!err && !valid)
        err = "InvalidOutput";
    if (err) {
        asl_json_drop(output);
        return err;
    }
    cJSON *v = output ? output : cJSON_CreateNull();
    asl_json_settle(v); /* it may reach another execution: no references */
    asl_task_complete_sized(t, v, bound); /* (valid: the check's bound holds) */
    return NULL;
}

cJSON *asl_task_take_result(asl_frame *f)
{
    cJSON *v = f->result;
    f->result = NULL;
    asl_task *t = f->task;
    if (!v && t && t->answer) {
        v = asl_json_parse(t->answer); /* checked when it came: it parses */
        free(t->answer);
        t->answer = NULL;
    }
    return v;
}

const char *asl_send_task_failure(const char *token, const char *error, const char *cause)
{
    asl_task *t;
    const char *err = find_open(token, &t);
    if (err)
        return err;
    asl_task_complete(t, NULL, error ? error : "", cause);
    return NULL;
}

const char *asl_send_task_heartbeat(const char *token)
{
    asl_task *t;
    const char *err = find_open(token, &t);
    if (err)
        return err;
    asl_task_heartbeat(t);
    return NULL;
}
