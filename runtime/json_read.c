/*
 * json_read.c: asl_json_parse's fast path. Most texts the engine parses (a
 * task token's answer, a handler's result, a child's input given as text)
 * are small objects of plain strings, short integers and literals; cJSON
 * reads those a byte at a time through bounds checks. This reads them into
 * the same tree (same node types, same allocations through cJSON_malloc,
 * members linked as cJSON links them) and gives up on anything else (an
 * escape, a number with a fraction or exponent or over 15 digits, a byte
 * order mark, deep nesting, any error), which cJSON then reads as before:
 * what is taken and what is made never differ (tests/json/read_test.c).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define READ_DEPTH 64 /* deeper: cJSON's own reader (and its nesting limit) */

typedef struct reader {
    const unsigned char *p;
    int depth;
} reader;

/* cJSON skips every byte from 1 to 32 as white space. */
static inline void skip(reader *r)
{
    while (*r->p && *r->p <= 32)
        r->p++;
}

/* A string's text after its opening quote, copied; NULL (to give up) at an
 * escape or the end of the text. */
static char *read_text(reader *r)
{
    const unsigned char *s = r->p, *e = s + strcspn((const char *)s, "\"\\");
    if (*e != '"')
        return NULL;
    size_t n = (size_t)(e - s);
    char *t = cJSON_malloc(n + 1);
    if (!t)
        abort();
    memcpy(t, s, n);
    t[n] = '\0';
    r->p = e + 1;
    return t;
}

static cJSON *read_value(reader *r);

/* An array's or object's members, after its opening bracket. */
static bool read_members(reader *r, cJSON *v, bool object)
{
    unsigned char close = object ? '}' : ']';
    skip(r);
    if (*r->p == close) {
        r->p++;
        return true;
    }
    cJSON *tail = NULL;
    for (;;) {
        char *key = NULL;
        if (object) {
            skip(r);
            if (*r->p != '"')
                return false;
            r->p++;
            if (!(key = read_text(r)))
                return false;
            skip(r);
            if (*r->p != ':') {
                cJSON_free(key);
                return false;
            }
            r->p++;
        }
        skip(r);
        cJSON *c = read_value(r);
        if (!c) {
            cJSON_free(key);
            return false;
        }
        c->string = key;
        if (tail)
            tail->next = c, c->prev = tail;
        else
            v->child = c;
        tail = c;
        v->child->prev = tail; /* as cJSON keeps it: the head's prev is the tail */
        skip(r);
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p != close)
            return false;
        r->p++;
        return true;
    }
}

static cJSON *read_value(reader *r)
{
    const unsigned char *p = r->p;
    switch (*p) {
    case '"': {
        r->p++;
        char *t = read_text(r);
        if (!t)
            return NULL;
        cJSON *v = asl_json_node(cJSON_String);
        v->valuestring = t;
        return v;
    }
    case '{':
    case '[': {
        if (++r->depth > READ_DEPTH)
            return NULL;
        r->p++;
        cJSON *v = asl_json_node(*p == '{' ? cJSON_Object : cJSON_Array);
        if (!read_members(r, v, *p == '{')) {
            cJSON_Delete(v);
            return NULL;
        }
        r->depth--;
        return v;
    }
    case 'n':
        if (strncmp((const char *)p, "null", 4))
            return NULL;
        r->p += 4;
        return asl_json_node(cJSON_NULL);
    case 't': {
        if (strncmp((const char *)p, "true", 4))
            return NULL;
        r->p += 4;
        cJSON *v = asl_json_node(cJSON_True);
        v->valueint = 1; /* as cJSON's reader sets it */
        return v;
    }
    case 'f':
        if (strncmp((const char *)p, "false", 5))
            return NULL;
        r->p += 5;
        return asl_json_node(cJSON_False);
    default: {
        /* Integers of up to 15 digits: exact in a double, so what strtod
         * gives cJSON. Any other number is cJSON's. */
        bool neg = *p == '-';
        const unsigned char *d = p + neg, *e = d;
        double n = 0;
        while (*e >= '0' && *e <= '9' && e - d < 16)
            n = n * 10 + (*e++ - '0');
        if (e == d || e - d > 15 || *e == '.' || *e == 'e' || *e == 'E' || *e == '+' || *e == '-' ||
            (*e >= '0' && *e <= '9'))
            return NULL;
        r->p = e;
        return asl_json_number(neg ? -n : n);
    }
    }
}

bool asl_json_read_fast(const char *text, cJSON **out)
{
    reader r = {(const unsigned char *)text, 0};
    /* (a byte order mark: cJSON's reader skips it) */
    if (r.p[0] == 0xEF)
        return false;
    skip(&r);
    cJSON *v = read_value(&r);
    if (!v)
        return false;
    skip(&r);
    if (*r.p) {
        cJSON_Delete(v);
        return false;
    }
    *out = v;
    return true;
}
