/*
 * json_check.c: JSON that comes from outside an execution (its input, a
 * handler's result, a SendTaskSuccess output) is held to what the loader
 * holds definitions to, and a refusal says why and where: invalid UTF-8, a
 * NUL byte (C strings would silently drop what follows), nesting deeper than
 * cJSON's limit, a number beyond a double (1e400 would become Infinity in
 * Choice and JSONata but null in output), or plain bad syntax.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* Line and column (in characters) of byte `at`. */
static void where(asl_buf *why, const char *text, size_t at)
{
    int line = 1, col = 1;
    for (size_t i = 0; i < at; i++) {
        if (text[i] == '\n')
            line++, col = 1;
        else if (((unsigned char)text[i] & 0xC0) != 0x80)
            col++;
    }
    asl_buf_printf(why, " at line %d, column %d", line, col);
}

/* Length of the valid UTF-8 sequence at p, 0 if there is none. Overlong
 * forms, surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_ok(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t k = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    if (!k || k > n || p[0] > 0xF4)
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0) || (p[0] == 0xF0 && p[1] < 0x90) ||
        (p[0] == 0xF4 && p[1] >= 0x90))
        return 0;
    return k;
}

/* The deepest nesting before byte `end`, outside strings. */
static int depth_before(const char *text, size_t end, size_t *deep_at)
{
    int depth = 0, max = 0;
    bool in_string = false;
    for (size_t i = 0; i < end; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                max = depth, *deep_at = i;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return max;
}

static bool any_infinite(const cJSON *v)
{
    if (cJSON_IsNumber(v))
        return !isfinite(v->valuedouble);
    for (const cJSON *c = v->child; c; c = c->next)
        if (any_infinite(c))
            return true;
    return false;
}

/* The first number that is not finite, as a path from the top ($.a[2]). */
static bool find_infinite(const cJSON *v, asl_buf *path)
{
    if (cJSON_IsNumber(v))
        return !isfinite(v->valuedouble);
    int i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        size_t mark = path->len;
        if (cJSON_IsObject(v)) {
            asl_buf_putc(path, '.');
            asl_buf_puts(path, c->string ? c->string : "");
        } else {
            asl_buf_printf(path, "[%d]", i);
        }
        if (find_infinite(c, path))
            return true;
        path->len = mark;
        path->p[mark] = '\0';
    }
    return false;
}

/* Whether the eight bytes at p are ASCII and none is NUL: no high bit,
 * and each byte's low seven bits plus 0x7f carry into its high bit. */
static bool ascii8(const unsigned char *p)
{
    const uint64_t hi = 0x8080808080808080ULL, lo = 0x7f7f7f7f7f7f7f7fULL;
    uint64_t w;
    memcpy(&w, p, 8);
    return !(w & hi) && (((w & lo) + lo) & hi) == hi;
}

/* text[len] must be '\0'. */
bool asl_json_text_check(const char *text, size_t len, asl_buf *why)
{
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        if (i + 8 <= len && ascii8(p + i)) { /* the common case: eight bytes a step */
            i += 8;
            continue;
        }
        size_t k = p[i] ? utf8_ok(p + i, len - i) : 0;
        if (!k) {
            asl_buf_puts(why, p[i] ? "invalid UTF-8" : "a NUL byte");
            where(why, text, i);
            return false;
        }
        i += k;
    }
    return true;
}

cJSON *asl_json_parse_checked(const char *text, size_t len, asl_buf *why)
{
    if (!asl_json_text_check(text, len, why))
        return NULL;
    const char *end = NULL;
    /* the length cJSON wants counts the terminating NUL (text[len]) */
    cJSON *v = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (!v) {
        size_t at = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
        size_t deep_at = 0;
        if (depth_before(text, at < len ? at + 1 : len, &deep_at) > CJSON_NESTING_LIMIT) {
            asl_buf_printf(why, "nesting deeper than %d levels", CJSON_NESTING_LIMIT);
            where(why, text, deep_at);
        } else if (at >= len) {
            asl_buf_puts(why, "unexpected end of the text");
        } else {
            asl_buf_puts(why, "unexpected character");
            where(why, text, at);
        }
        return NULL;
    }
    if (!any_infinite(v)) /* (the path is made only for the message) */
        return v;
    asl_buf path = {0};
    asl_buf_putc(&path, '$');
    if (find_infinite(v, &path)) {
        asl_buf_printf(why, "a number too large for a double at %s", path.p);
        asl_buf_free(&path);
        cJSON_Delete(v);
        return NULL;
    }
    asl_buf_free(&path);
    return v;
}

/* ------------------------------------------------------------ values */

#define CHECK_STR_(x) #x
#define CHECK_STR(x) CHECK_STR_(x)

/* Eight bytes as they lie in memory (any order: only their high bits are
 * tested). */
static inline uint64_t word(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* Whether s (NUL-terminated) is UTF-8: sixteen ASCII bytes a step (strlen
 * found no NUL before n, so a byte's high bit alone says it is ASCII), the
 * last few in the word that ends the text. Adds the most its JSON string
 * literal may take to *bound (six bytes a byte, \u0000 escapes, and the
 * quotes). */
static bool utf8_text(const char *s, size_t *bound)
{
    const uint64_t hi = 0x8080808080808080ULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    *bound += 6 * n + 2;
    size_t i = 0;
    while (i + 16 <= n && !((word(p + i) | word(p + i + 8)) & hi))
        i += 16;
    if (i + 8 <= n && !(word(p + i) & hi))
        i += 8;
    if (i < n && n >= 8 && i + 8 > n && !(word(p + n - 8) & hi))
        return true;
    while (i < n) {
        size_t k = p[i] < 0x80 ? 1 : utf8_ok(p + i, n - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

/* Why v (depth levels down) is not JSON, or NULL. With path set, the path
 * to the first offender is left there; without, nothing is written (the
 * common case: a value that is fine costs one walk and no text). */
static const char *value_fault(const cJSON *v, int depth, asl_buf *path, size_t *bound)
{
    switch (v->type & 0xff) {
    case cJSON_False:
    case cJSON_True:
    case cJSON_NULL:
        *bound += 5;
        return NULL;
    case cJSON_Number:
        *bound += 32; /* (the longest a number prints: asl_json_format_number) */
        return isfinite(v->valuedouble) ? NULL : "a number too large for a double";
    case cJSON_String:
        return v->valuestring && utf8_text(v->valuestring, bound) ? NULL : "invalid UTF-8";
    case cJSON_Raw:
        return "raw text (cJSON_CreateRaw), not a value";
    case cJSON_Array:
    case cJSON_Object:
        break;
    default:
        return "a node of no JSON type";
    }
    if (depth >= CJSON_NESTING_LIMIT) /* (as deep as cJSON reads text) */
        return "nesting deeper than " CHECK_STR(CJSON_NESTING_LIMIT) " levels";
    bool object = (v->type & 0xff) == cJSON_Object;
    int i = 0;
    *bound += 2;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        *bound += 2; /* a comma, a colon */
        size_t mark = path ? path->len : 0;
        if (path && object) {
            asl_buf_putc(path, '.');
            asl_buf_puts(path, c->string ? c->string : "");
        }
        if (path && !object)
            asl_buf_printf(path, "[%d]", i);
        if (object && !(c->string && utf8_text(c->string, bound)))
            return "a key that is not UTF-8";
        const char *why = value_fault(c, depth + 1, path, bound);
        if (why)
            return why;
        if (path) {
            path->len = mark;
            path->p[mark] = '\0';
        }
    }
    return NULL;
}

bool asl_json_value_check(const cJSON *v, asl_buf *why, size_t *bound)
{
    size_t n = 0;
    bound = bound ? bound : &n;
    *bound = v ? 0 : 4;
    if (!v || !value_fault(v, 0, NULL, bound))
        return true;
    if (!why)
        return false;
    asl_buf path = {0};
    asl_buf_putc(&path, '$');
    const char *fault = value_fault(v, 0, &path, &n);
    asl_buf_printf(why, "%s at %s", fault, path.p);
    asl_buf_free(&path);
    return false;
}
