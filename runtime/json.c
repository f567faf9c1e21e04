/*
 * json.c: JSON text out (and in). cJSON's own printer writes numbers with
 * "%1.15g", which loses precision (2^53 prints as 9.00719925474099e+15) and
 * costs a sprintf/sscanf round trip per number. AWS prints integers exactly
 * and other numbers in their shortest exact form, so this printer does too
 * (num.c: the shortest digits, laid out as JSON.stringify lays them out).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "num.h"

__attribute__((noinline)) static void grow_slow(asl_buf *b, size_t n)
{
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        fputs("aslc runtime: out of memory\n", stderr);
        abort();
    }
    b->p = p;
    b->cap = cap;
}

/* Room for n more bytes and the NUL (the check in line: writers call it
 * for every piece they add). */
static inline void grow(asl_buf *b, size_t n)
{
    if (b->len + n + 1 > b->cap)
        grow_slow(b, n);
}

void asl_buf_put(asl_buf *b, const char *s, size_t n)
{
    grow(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void asl_buf_puts(asl_buf *b, const char *s)
{
    asl_buf_put(b, s, strlen(s));
}

void asl_buf_putc(asl_buf *b, char c)
{
    grow(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void asl_buf_printf(asl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *asl_buf_take(asl_buf *b)
{
    char *p = b->p ? realloc(b->p, b->len + 1) : strdup("");
    if (!p)
        abort();
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

void asl_buf_free(asl_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* Integers in the exactly representable range print as integers, without
 * going through printf. Returns the length, 0 if d is not such an integer. */
static size_t format_integer(double d, char out[32])
{
    if (!(d == floor(d)) || fabs(d) >= 9.2e18)
        return 0;
    long long v = (long long)d;
    char tmp[24], *p = tmp + sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) /* -0 prints as -0.0 in Java; as 0 in JSON */
        *--p = '-';
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(out, p, n);
    out[n] = '\0';
    return n;
}

size_t asl_json_format_number(double d, char out[32])
{
    size_t n = format_integer(d, out);
    if (n)
        return n;
    if (!isfinite(d)) { /* not representable in JSON */
        memcpy(out, "null", 5);
        return 4;
    }
    return asl_num_js(d, out);
}

void asl_json_write_number(asl_buf *b, double d)
{
    char tmp[32];
    asl_buf_put(b, tmp, asl_json_format_number(d, tmp));
}

/* Whether any of the eight bytes at p needs an escape: below 0x20, '"' or
 * '\\' (a zero byte in w ^ c finds c; borrows only flag bytes after a
 * real hit, which is all an answer of "some" needs). */
static bool escape8(const char *p)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t w, q, k;
    memcpy(&w, p, 8);
    q = w ^ (ones * '"');
    k = w ^ (ones * '\\');
    return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((k - ones) & ~k)) & high;
}

void asl_json_write_string(asl_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *end = s + strlen(s), *run = s;
    asl_buf_putc(b, '"');
    while (s < end) {
        if (end - s >= 8 && !escape8(s)) { /* the common case: eight plain bytes */
            s += 8;
            continue;
        }
        unsigned char c = (unsigned char)*s++;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        asl_buf_put(b, run, (size_t)(s - 1 - run));
        run = s;
        char esc[7] = {'\\', 0};
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
        }
        asl_buf_puts(b, esc);
    }
    asl_buf_put(b, run, (size_t)(s - run));
    asl_buf_putc(b, '"');
}

void asl_json_write(asl_buf *b, const cJSON *v)
{
    if (!v) {
        asl_buf_puts(b, "null");
        return;
    }
    switch (v->type & 0xff) {
    case cJSON_False: asl_buf_puts(b, "false"); break;
    case cJSON_True: asl_buf_puts(b, "true"); break;
    case cJSON_NULL: asl_buf_puts(b, "null"); break;
    case cJSON_Number: asl_json_write_number(b, v->valuedouble); break;
    case cJSON_String: asl_json_write_string(b, v->valuestring ? v->valuestring : ""); break;
    case cJSON_Raw: asl_buf_puts(b, v->valuestring ? v->valuestring : "null"); break;
    case cJSON_Array:
    case cJSON_Object: {
        bool obj = cJSON_IsObject(v);
        asl_buf_putc(b, obj ? '{' : '[');
        for (const cJSON *c = v->child; c; c = c->next) {
            if (c != v->child)
                asl_buf_putc(b, ',');
            if (obj) {
                asl_json_write_string(b, c->string ? c->string : "");
                asl_buf_putc(b, ':');
            }
            asl_json_write(b, c);
        }
        asl_buf_putc(b, obj ? '}' : ']');
        break;
    }
    default: asl_buf_puts(b, "null");
    }
}

cJSON *asl_json_copy(const cJSON *v)
{
    size_t bound = 0;
    return asl_json_copy_bound(v, &bound);
}

char *asl_json_print(const cJSON *v)
{
    asl_buf b = {0};
    asl_json_write(&b, v);
    return b.p;
}

char *asl_json_print_take(cJSON *v)
{
    char *text = asl_json_print(v);
    cJSON_Delete(v);
    return text;
}

void asl_json_add_date(cJSON *o, const char *key, double t)
{
    char buf[40];
    asl_timestamp_format(t, buf);
    cJSON_AddStringToObject(o, key, buf);
}

cJSON *asl_json_parse(const char *text)
{
    cJSON *v;
    if (text && asl_json_read_fast(text, &v))
        return v;
    return cJSON_ParseWithOpts(text, NULL, 1);
}

char *asl_read_file(const char *path)
{
    size_t len;
    return asl_read_file_len(path, &len);
}

char *asl_read_file_len(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return NULL;
    asl_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        asl_buf_put(&b, chunk, n);
    int failed = ferror(f), err = errno;
    if (f != stdin)
        fclose(f);
    if (failed) {
        asl_buf_free(&b);
        errno = err;
        return NULL;
    }
    if (!b.p)
        asl_buf_puts(&b, "");
    *len = b.len;
    return b.p;
}
