/*
 * intrinsic.c: runs the intrinsic function calls that aslc parsed at
 * compile time (ASL_N_CALL trees, see compiler/intrinsic_parse.c), with
 * the semantics and error texts AWS Step Functions shows.
 *
 * What AWS does, as recorded executions show it, and this file copies:
 *   - A failing call fails the state with States.Runtime (not
 *     States.IntrinsicFailure, which AWS documents but does not raise), and
 *     the cause "There was an error while evaluating the intrinsic
 *     function: <call>. <detail>"; the detail is "Invalid arguments in
 *     States.X" for any bad argument. The state code adds AWS's
 *     "An error occurred while executing the state ..." prefix.
 *   - A path argument that matches nothing: "The JsonPath argument for
 *     the field '<path>' could not be found in the input '<json>'".
 *   - Integer arguments: MathAdd rounds half up (Java's Math.round: -1.5
 *     gives -1); ArrayPartition, ArrayRange, ArrayGetItem and MathRandom
 *     truncate toward zero (Java's (int) cast: 2.6 gives 2).
 *   - MathRandom(start, end, seed) is start + new Random(seed).nextInt(end -
 *     start) with java.util.Random, so seeded results match AWS exactly.
 *   - StringSplit treats the delimiter as a set of characters and drops
 *     empty pieces (Java's StringTokenizer): ",,a" split on "," is ["a"].
 *   - Base64Decode is lenient (Apache Commons Codec): it skips characters
 *     outside the alphabet and stops at the first '='.
 *   - ArrayContains compares scalars by their text (true matches "true", 5
 *     matches "5") and objects key by key in order.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "ids.h"
#include "internal.h"

/* The error every failing call raises (see the comment atop the file). */
#define INTRINSIC_ERROR "States.Runtime"

/* AWS's limits: Base64Encode, Base64Decode and Hash take at most 10,000
 * characters; ArrayRange makes at most 1,000 items. */
#define MAX_TEXT_CHARS 10000
#define MAX_RANGE_ITEMS 1000

typedef cJSON *impl_fn(asl_ctx *c, const asl_node *call, const cJSON *const *a);

static const char *const fn_names[ASL_FN__COUNT] = {
#define X(id, name) [ASL_FN_##id] = name,
    ASL_INTRINSICS(X)
#undef X
};

/* ------------------------------------------------------------- errors */

static void render(asl_buf *b, const asl_node *n);

/* The call as written, for messages. aslc keeps the text in call->str;
 * a tree built otherwise is written back from its nodes. */
static char *call_text(const asl_node *call)
{
    asl_buf b = {0};
    if (call->str)
        asl_buf_puts(&b, call->str);
    else
        render(&b, call);
    return b.p;
}

static void render_string(asl_buf *b, const char *s)
{
    asl_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'' || *s == '{' || *s == '}' || *s == '\\')
            asl_buf_putc(b, '\\');
        asl_buf_putc(b, *s);
    }
    asl_buf_putc(b, '\'');
}

static void render(asl_buf *b, const asl_node *n)
{
    switch (n->kind) {
    case ASL_N_CALL:
        asl_buf_puts(b, n->op < ASL_FN__COUNT ? fn_names[n->op] : "States.?");
        asl_buf_putc(b, '(');
        for (int i = 0; i < n->count; i++) {
            if (i)
                asl_buf_puts(b, ", ");
            render(b, &n->kids[i]);
        }
        asl_buf_putc(b, ')');
        break;
    case ASL_N_PATH: asl_buf_puts(b, n->str ? n->str : "$"); break;
    case ASL_N_STRING: render_string(b, n->str ? n->str : ""); break;
    case ASL_N_NUMBER: asl_json_write_number(b, n->num); break;
    case ASL_N_TRUE: asl_buf_puts(b, "true"); break;
    case ASL_N_FALSE: asl_buf_puts(b, "false"); break;
    case ASL_N_NULL: asl_buf_puts(b, "null"); break;
    default: asl_buf_puts(b, "..."); break;
    }
}

/* Fails the call with AWS's cause: the call, then the detail. */
static cJSON *fail(asl_ctx *c, const asl_node *call, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static cJSON *fail(asl_ctx *c, const asl_node *call, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *detail = malloc((size_t)n + 1);
    if (!detail)
        abort();
    va_start(ap, fmt);
    vsnprintf(detail, (size_t)n + 1, fmt, ap);
    va_end(ap);
    char *text = call_text(call);
    asl_err_set(&c->err, INTRINSIC_ERROR,
                "There was an error while evaluating the intrinsic function: %s. %s", text, detail);
    free(text);
    free(detail);
    return NULL;
}

/* AWS's one message for any argument of the wrong type or value. */
static cJSON *invalid(asl_ctx *c, const asl_node *call)
{
    return fail(c, call, "Invalid arguments in %s", fn_names[call->op]);
}

/* ------------------------------------------------------------ helpers */

static const char *str_of(const cJSON *v)
{
    return v->valuestring ? v->valuestring : "";
}

static cJSON *take_string(asl_buf *b)
{
    cJSON *r = cJSON_CreateString(b->p ? b->p : "");
    asl_buf_free(b);
    return r;
}

/* Java's (int) cast: truncates toward zero and saturates. */
static int32_t java_int(double d)
{
    if (isnan(d))
        return 0;
    if (d >= 2147483647.0)
        return INT32_MAX;
    if (d <= -2147483648.0)
        return INT32_MIN;
    return (int32_t)d;
}

/* Java's (long) cast. */
static int64_t java_long(double d)
{
    if (isnan(d))
        return 0;
    if (d >= 9223372036854775807.0)
        return INT64_MAX;
    if (d <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)d;
}

/* Java's Math.round: half rounds up (-1.5 gives -1). Written with floor
 * and a comparison because floor(d + 0.5) is wrong for 0.49999999999999994. */
static double java_round(double d)
{
    /* (most arguments are whole numbers already: no call to floor) */
    if (d > -4503599627370496.0 && d < 4503599627370496.0 && (double)(int64_t)d == d)
        return d;
    double f = floor(d);
    return d - f >= 0.5 ? f + 1 : f;
}

/* Length in UTF-16 code units, as Java counts a string's characters. */
static size_t utf16_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        unsigned char b = (unsigned char)*s;
        if ((b & 0xC0) != 0x80)
            n += b >= 0xF0 ? 2 : 1;
    }
    return n;
}

/* Decodes one UTF-8 code point; a stray byte decodes as itself. */
static const char *next_codepoint(const char *s, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    int len = p[0] < 0x80 ? 1 : p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC0 ? 2 : 1;
    uint32_t v = len == 1 ? p[0] : (uint32_t)(p[0] & (0x7F >> len));
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *cp = p[0];
            return s + 1;
        }
        v = v << 6 | (p[i] & 0x3F);
    }
    *cp = v;
    return s + len;
}


/* java.util.Random, for MathRandom with a seed. */
typedef struct java_random {
    uint64_t seed;
} java_random;

#define JR_MASK ((1ULL << 48) - 1)

static void jr_init(java_random *r, int64_t seed)
{
    r->seed = ((uint64_t)seed ^ 0x5DEECE66DULL) & JR_MASK;
}

static int32_t jr_next(java_random *r, int bits)
{
    r->seed = (r->seed * 0x5DEECE66DULL + 0xBULL) & JR_MASK;
    return (int32_t)(r->seed >> (48 - bits));
}

/* Random.nextInt(bound), bound > 0, with its rejection loop (the Java
 * test "u - r + m < 0" detects int overflow). */
static int32_t jr_next_int(java_random *r, int32_t bound)
{
    int32_t x = jr_next(r, 31), m = bound - 1;
    if ((bound & m) == 0)
        return (int32_t)(((int64_t)bound * x) >> 31);
    for (int32_t u = x; (int64_t)u - (x = u % bound) + m > INT32_MAX; u = jr_next(r, 31))
        ;
    return x;
}

/* ------------------------------------------------- JSON manipulation */

/* Appends an argument as States.Format prints it: a string as its text,
 * anything else as JSON (numbers as AWS prints them, null as "null"). */
static void put_format_arg(asl_buf *b, const cJSON *v)
{
    if (cJSON_IsString(v))
        asl_buf_puts(b, str_of(v));
    else
        asl_json_write(b, v);
}

/* Checks a Format template: returns 0 and the number of {} placeholders,
 * or the unmatched brace. \{ \} \\ are literal characters. */
static char scan_template(const char *t, int *holes)
{
    *holes = 0;
    for (const char *s = t; *s; s++) {
        if (*s == '\\' && (s[1] == '{' || s[1] == '}' || s[1] == '\\')) {
            s++;
        } else if (*s == '{') {
            if (s[1] != '}')
                return '{';
            ++*holes;
            s++;
        } else if (*s == '}') {
            return '}';
        }
    }
    return 0;
}

/* Appends a States.Format argument: AWS renders an object or array as
 * Java's Map and List print themselves ({Arg1=1, Arg2=[a, b]}), strings
 * inside them bare, other scalars as JSON. */
static void put_format_value(asl_buf *b, const cJSON *v)
{
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) {
        put_format_arg(b, v);
        return;
    }
    bool object = cJSON_IsObject(v);
    asl_buf_putc(b, object ? '{' : '[');
    for (const cJSON *e = v->child; e; e = e->next) {
        if (e != v->child)
            asl_buf_puts(b, ", ");
        if (object) {
            asl_buf_puts(b, e->string);
            asl_buf_putc(b, '=');
        }
        put_format_value(b, e);
    }
    asl_buf_putc(b, object ? '}' : ']');
}

static cJSON *fn_format(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if (!cJSON_IsString(a[0]))
        return invalid(c, call);
    const char *t = str_of(a[0]);
    int holes;
    char bad = scan_template(t, &holes);
    if (bad == '{')
        return fail(c, call, "Invalid template in States.Format: matching '}' not found for '{'.");
    if (bad == '}')
        return fail(c, call, "Invalid template in States.Format: matching '{' not found for '}'.");
    if (holes != call->count - 1)
        return fail(c, call, "Invalid arguments in States.Format: number of arguments do not "
                             "match the occurrences of {}.");
    asl_buf b = {0};
    asl_buf_puts(&b, "");
    int k = 1;
    for (const char *s = t; *s; s++) {
        if (*s == '\\' && (s[1] == '{' || s[1] == '}' || s[1] == '\\')) {
            asl_buf_putc(&b, *++s);
        } else if (*s == '{') {
            put_format_value(&b, a[k++]);
            s++;
        } else {
            asl_buf_putc(&b, *s);
        }
    }
    return take_string(&b);
}

/* A blank string parses as null, as on AWS. */
static cJSON *fn_string_to_json(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if (!cJSON_IsString(a[0]))
        return invalid(c, call);
    const char *s = str_of(a[0]);
    s += strspn(s, " \t\r\n");
    if (!*s)
        return cJSON_CreateNull();
    cJSON *v = asl_json_parse(s);
    return v ? v : invalid(c, call);
}

static cJSON *fn_json_to_string(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    (void)c;
    (void)call;
    char *text = asl_json_print(a[0]);
    cJSON *r = cJSON_CreateString(text ? text : "null");
    free(text);
    return r;
}

/* Shallow merge: the second object's fields replace the first's. AWS
 * supports no deep merge, so true for the third argument is an error. */
static cJSON *fn_json_merge(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if (!cJSON_IsObject(a[0]) || !cJSON_IsObject(a[1]) || !cJSON_IsBool(a[2]) ||
        cJSON_IsTrue(a[2]))
        return invalid(c, call);
    cJSON *r = cJSON_Duplicate(a[0], 1);
    for (const cJSON *f = a[1]->child; f; f = f->next) {
        cJSON *v = cJSON_Duplicate(f, 1);
        if (cJSON_GetObjectItemCaseSensitive(r, f->string))
            cJSON_ReplaceItemInObjectCaseSensitive(r, f->string, v);
        else
            cJSON_AddItemToObject(r, f->string, v);
    }
    return r;
}

/* -------------------------------------------------------------- arrays */

static cJSON *fn_array(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    (void)c;
    cJSON *r = cJSON_CreateArray();
    for (int i = 0; i < call->count; i++)
        cJSON_AddItemToArray(r, cJSON_Duplicate(a[i], 1));
    return r;
}

static cJSON *fn_array_partition(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if (!cJSON_IsArray(a[0]) || !cJSON_IsNumber(a[1]))
        return invalid(c, call);
    int32_t size = java_int(a[1]->valuedouble);
    if (size <= 0)
        return invalid(c, call);
    cJSON *r = cJSON_CreateArray(), *chunk = NULL;
    int32_t i = 0;
    for (const cJSON *e = a[0]->child; e; e = e->next, i++) {
        if (i % size == 0) {
            chunk = cJSON_CreateArray();
            cJSON_AddItemToArray(r, chunk);
        }
        cJSON_AddItemToArray(chunk, cJSON_Duplicate(e, 1));
    }
    return r;
}

/* Compares two scalars by their text, so true equals "true". */
static bool same_text(const cJSON *x, const cJSON *y)
{
    asl_buf bx = {0}, by = {0};
    put_format_arg(&bx, x);
    put_format_arg(&by, y);
    bool same = bx.p && by.p && strcmp(bx.p, by.p) == 0;
    asl_buf_free(&bx);
    asl_buf_free(&by);
    return same;
}

/* ArrayContains' equality (see the comment atop the file): containers
 * match element by element, object fields by name and position. */
static bool loose_equal(const cJSON *x, const cJSON *y)
{
    bool xc = cJSON_IsArray(x) || cJSON_IsObject(x), yc = cJSON_IsArray(y) || cJSON_IsObject(y);
    if (xc || yc) {
        if ((x->type & 0xff) != (y->type & 0xff))
            return false;
        const cJSON *i = x->child, *j = y->child;
        for (; i && j; i = i->next, j = j->next) {
            if (cJSON_IsObject(x) && strcmp(i->string ? i->string : "", j->string ? j->string : ""))
                return false;
            if (!loose_equal(i, j))
                return false;
        }
        return !i && !j;
    }
    if ((x->type & 0xff) == (y->type & 0xff)) {
        if (cJSON_IsNumber(x))
            return x->valuedouble == y->valuedouble;
        if (cJSON_IsString(x))
            return strcmp(str_of(x), str_of(y)) == 0;
        return true; /* true, false, null */
    }
    return same_text(x, y);
}

static cJSON *fn_array_contains(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if (!cJSON_IsArray(a[0]))
        return invalid(c, call);
    for (const cJSON *e = a[0]->child; e; e = e->next)
        if (loose_equal(e, a[1]))
            return cJSON_CreateTrue();
    return cJSON_CreateFalse();
}

/* start, start+step, ... up to end inclusive; at most 1000 items. */
static cJSON *fn_array_range(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    for (int i = 0; i < 3; i++)
        if (!cJSON_IsNumber(a[i]))
            return invalid(c, call);
    int64_t start = java_int(a[0]->valuedouble), end = java_int(a[1]->valuedouble);
    int64_t step = java_int(a[2]->valuedouble);
    if (step == 0)
        return invalid(c, call);
    int64_t count = 0;
    if (step > 0 && end >= start)
        count = (end - start) / step + 1;
    else if (step < 0 && end <= start)
        count = (start - end) / -step + 1;
    if (count > MAX_RANGE_ITEMS)
        return invalid(c, call);
    cJSON *r = cJSON_CreateArray();
    for (int64_t k = 0; k < count; k++)
        cJSON_AddItemToArray(r, cJSON_CreateNumber((double)(start + k * step)));
    return r;
}

/* AWS answers null for any index into an empty array. */
static cJSON *fn_array_get_item(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if (!cJSON_IsArray(a[0]) || !cJSON_IsNumber(a[1]))
        return invalid(c, call);
    if (!a[0]->child)
        return cJSON_CreateNull();
    int32_t index = java_int(a[1]->valuedouble);
    const cJSON *e = a[0]->child;
    for (int32_t i = 0; e && i < index; i++)
        e = e->next;
    if (index < 0 || !e)
        return invalid(c, call);
    return cJSON_Duplicate(e, 1);
}

static cJSON *fn_array_length(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if (!cJSON_IsArray(a[0]))
        return invalid(c, call);
    return cJSON_CreateNumber(cJSON_GetArraySize(a[0]));
}

/* Structural equality: numbers by value, object fields in any order. */
static bool same_json(const cJSON *a, const cJSON *b)
{
    if ((a->type & 0xff) != (b->type & 0xff))
        return false;
    switch (a->type & 0xff) {
    case cJSON_Number: return a->valuedouble == b->valuedouble;
    case cJSON_String: return !strcmp(a->valuestring, b->valuestring);
    case cJSON_Array:
        for (a = a->child, b = b->child; a && b; a = a->next, b = b->next)
            if (!same_json(a, b))
                return false;
        return !a && !b;
    case cJSON_Object: {
        int na = 0, nb = 0;
        for (const cJSON *x = a->child; x; x = x->next, na++) {
            const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
            if (!y || !same_json(x, y))
                return false;
        }
        for (const cJSON *y = b->child; y; y = y->next)
            nb++;
        return na == nb;
    }
    default: return true; /* null, true, false */
    }
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* A hash that equal values (same_json) share: object fields are combined
 * in an order-free way. */
static uint64_t json_hash(const cJSON *v)
{
    uint64_t h = mix((uint64_t)(v->type & 0xff) + 1);
    switch (v->type & 0xff) {
    case cJSON_Number: {
        double d = v->valuedouble == 0 ? 0 : v->valuedouble; /* -0 == 0 */
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return mix(h ^ bits);
    }
    case cJSON_String:
        for (const unsigned char *p = (const unsigned char *)v->valuestring; *p; p++)
            h = (h ^ *p) * 1099511628211ULL;
        return mix(h);
    case cJSON_Array:
        for (const cJSON *c = v->child; c; c = c->next)
            h = mix(h * 31 + json_hash(c));
        return h;
    case cJSON_Object: {
        uint64_t sum = 0;
        for (const cJSON *c = v->child; c; c = c->next) {
            uint64_t k = 1469598103934665603ULL;
            for (const unsigned char *p = (const unsigned char *)c->string; p && *p; p++)
                k = (k ^ *p) * 1099511628211ULL;
            sum += mix(k ^ json_hash(c) * 0x9E3779B97F4A7C15ULL);
        }
        return mix(h ^ sum);
    }
    default: return h;
    }
}

/* Keeps the first of equal items (same_json). A hash table of the kept
 * items makes it linear in the items, not quadratic. */
static cJSON *fn_array_unique(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if (!cJSON_IsArray(a[0]))
        return invalid(c, call);
    size_t cap = 16;
    for (const cJSON *e = a[0]->child; e; e = e->next)
        cap += 2;
    size_t size = 1;
    while (size < cap)
        size <<= 1;
    const cJSON **kept = calloc(size, sizeof *kept);
    uint64_t *hashes = calloc(size, sizeof *hashes);
    if (!kept || !hashes)
        abort();
    cJSON *r = cJSON_CreateArray();
    for (const cJSON *e = a[0]->child; e; e = e->next) {
        uint64_t h = json_hash(e);
        size_t i = h & (size - 1);
        while (kept[i] && !(hashes[i] == h && same_json(kept[i], e)))
            i = (i + 1) & (size - 1);
        if (kept[i])
            continue;
        kept[i] = e;
        hashes[i] = h;
        cJSON_AddItemToArray(r, cJSON_Duplicate(e, 1));
    }
    free(kept);
    free(hashes);
    return r;
}

/* ------------------------------------------------------------- base64 */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void asl_base64_encode(asl_buf *b, const void *data, size_t n)
{
    const unsigned char *s = data;
    asl_buf_puts(b, "");
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        char quad[4] = {b64_alphabet[v >> 18], b64_alphabet[(v >> 12) & 63],
                        i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=',
                        i + 2 < n ? b64_alphabet[v & 63] : '='};
        asl_buf_put(b, quad, 4);
    }
}

static cJSON *fn_base64_encode(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if (!cJSON_IsString(a[0]) || utf16_length(str_of(a[0])) > MAX_TEXT_CHARS)
        return invalid(c, call);
    asl_buf b = {0};
    asl_base64_encode(&b, str_of(a[0]), strlen(str_of(a[0])));
    return take_string(&b);
}

/* Value of a Base64 digit (both the standard and the URL-safe alphabet,
 * as Commons Codec accepts), or -1. */
static int b64_value(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+' || ch == '-')
        return 62;
    if (ch == '/' || ch == '_')
        return 63;
    return -1;
}

/* Length of the valid UTF-8 sequence at p[0..n), or 0. */
static size_t utf8_valid(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80 ? 1 : p[0] >= 0xC2 && p[0] < 0xE0 ? 2
               : p[0] >= 0xE0 && p[0] < 0xF0 ? 3 : p[0] >= 0xF0 && p[0] < 0xF5 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0) ||
        (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))
        return 0; /* overlong, surrogate or beyond U+10FFFF */
    return len;
}

/* The decoded bytes as text, as Java's new String(bytes, UTF_8) reads
 * them: each invalid byte becomes U+FFFD. So does NUL, which a C string
 * cannot hold. */
static cJSON *bytes_to_string(const unsigned char *p, size_t n)
{
    asl_buf b = {0};
    asl_buf_puts(&b, "");
    for (size_t i = 0; i < n;) {
        size_t len = p[i] ? utf8_valid(p + i, n - i) : 0;
        if (len) {
            asl_buf_put(&b, (const char *)p + i, len);
            i += len;
        } else {
            asl_buf_puts(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    return take_string(&b);
}

static cJSON *fn_base64_decode(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if (!cJSON_IsString(a[0]) || utf16_length(str_of(a[0])) > MAX_TEXT_CHARS)
        return invalid(c, call);
    const char *s = str_of(a[0]);
    unsigned char *out = malloc(strlen(s) + 1);
    if (!out)
        abort();
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (; *s && *s != '='; s++) {
        int v = b64_value((unsigned char)*s);
        if (v < 0)
            continue;
        acc = (acc << 6 | (uint32_t)v) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    cJSON *r = bytes_to_string(out, n);
    free(out);
    return r;
}

/* --------------------------------------------------------------- hash */

/* AWS hashes a non-string argument's JSON text. */
static cJSON *fn_hash(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if (cJSON_IsNull(a[0]) || !cJSON_IsString(a[1]))
        return invalid(c, call);
    int alg = asl_hash_lookup(str_of(a[1]));
    asl_buf b = {0};
    put_format_arg(&b, a[0]);
    const char *data = b.p ? b.p : "";
    if (alg < 0 || utf16_length(data) > MAX_TEXT_CHARS) {
        asl_buf_free(&b);
        return invalid(c, call);
    }
    char hex[ASL_HASH_HEX_MAX];
    asl_hash_hex((asl_hash_alg)alg, data, strlen(data), hex);
    asl_buf_free(&b);
    return cJSON_CreateString(hex);
}

/* --------------------------------------------------------------- math */

static cJSON *fn_math_random(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    bool seeded = call->count == 3;
    if (!cJSON_IsNumber(a[0]) || !cJSON_IsNumber(a[1]) || (seeded && !cJSON_IsNumber(a[2])))
        return invalid(c, call);
    int64_t start = java_int(a[0]->valuedouble), end = java_int(a[1]->valuedouble);
    if (start >= end || end - start > INT32_MAX)
        return invalid(c, call);
    int32_t bound = (int32_t)(end - start), offset;
    if (seeded) {
        java_random r;
        jr_init(&r, java_long(a[2]->valuedouble));
        offset = jr_next_int(&r, bound);
    } else {
        offset = (int32_t)(asl_random_u64() % (uint64_t)bound);
    }
    return cJSON_CreateNumber((double)(start + offset));
}

/* Both numbers round to integers (half up) in the 32-bit range, and so
 * must their sum. */
static cJSON *fn_math_add(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if ((a[0]->type & 0xff) != cJSON_Number || (a[1]->type & 0xff) != cJSON_Number)
        return invalid(c, call);
    double x = java_round(a[0]->valuedouble), y = java_round(a[1]->valuedouble);
    double sum = x + y;
    if (x < INT32_MIN || x > INT32_MAX || y < INT32_MIN || y > INT32_MAX || sum < INT32_MIN ||
        sum > INT32_MAX)
        return invalid(c, call);
    return asl_json_number(sum);
}

/* ------------------------------------------------------------ strings */

static bool is_delimiter(uint32_t cp, const uint32_t *delims, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (delims[i] == cp)
            return true;
    return false;
}

static void add_piece(cJSON *r, const char *from, const char *to)
{
    if (to == from)
        return;
    size_t len = (size_t)(to - from);
    char *piece = malloc(len + 1);
    if (!piece)
        abort();
    memcpy(piece, from, len);
    piece[len] = '\0';
    cJSON_AddItemToArray(r, cJSON_CreateString(piece));
    free(piece);
}

static cJSON *fn_string_split(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    if (!cJSON_IsString(a[0]) || !cJSON_IsString(a[1]))
        return invalid(c, call);
    const char *d = str_of(a[1]);
    uint32_t *delims = malloc((strlen(d) + 1) * sizeof *delims);
    if (!delims)
        abort();
    size_t nd = 0;
    while (*d)
        d = next_codepoint(d, &delims[nd++]);
    cJSON *r = cJSON_CreateArray();
    const char *s = str_of(a[0]), *piece = s;
    while (*s) {
        uint32_t cp;
        const char *next = next_codepoint(s, &cp);
        if (is_delimiter(cp, delims, nd)) {
            add_piece(r, piece, s);
            piece = next;
        }
        s = next;
    }
    add_piece(r, piece, s);
    free(delims);
    return r;
}

/* A version 4 (random) UUID, lowercase. */
static cJSON *fn_uuid(asl_ctx *c, const asl_node *call, const cJSON *const *a)
{
    (void)c;
    (void)call;
    (void)a;
    char text[37];
    asl_uuid(text);
    return cJSON_CreateString(text);
}

/* ----------------------------------------------------------- dispatch */

typedef struct fn_entry {
    impl_fn *fn;
    int min_args, max_args; /* max -1: any number */
} fn_entry;

/* aslc checks the arity at compile time; the runtime checks again so a
 * hand-built tree can never index past its arguments. */
static const fn_entry fns[ASL_FN__COUNT] = {
    [ASL_FN_FORMAT] = {fn_format, 1, -1},
    [ASL_FN_STRING_TO_JSON] = {fn_string_to_json, 1, 1},
    [ASL_FN_JSON_TO_STRING] = {fn_json_to_string, 1, 1},
    [ASL_FN_ARRAY] = {fn_array, 0, -1},
    [ASL_FN_ARRAY_PARTITION] = {fn_array_partition, 2, 2},
    [ASL_FN_ARRAY_CONTAINS] = {fn_array_contains, 2, 2},
    [ASL_FN_ARRAY_RANGE] = {fn_array_range, 3, 3},
    [ASL_FN_ARRAY_GET_ITEM] = {fn_array_get_item, 2, 2},
    [ASL_FN_ARRAY_LENGTH] = {fn_array_length, 1, 1},
    [ASL_FN_ARRAY_UNIQUE] = {fn_array_unique, 1, 1},
    [ASL_FN_BASE64_ENCODE] = {fn_base64_encode, 1, 1},
    [ASL_FN_BASE64_DECODE] = {fn_base64_decode, 1, 1},
    [ASL_FN_HASH] = {fn_hash, 2, 2},
    [ASL_FN_JSON_MERGE] = {fn_json_merge, 3, 3},
    [ASL_FN_MATH_RANDOM] = {fn_math_random, 2, 3},
    [ASL_FN_MATH_ADD] = {fn_math_add, 2, 2},
    [ASL_FN_STRING_SPLIT] = {fn_string_split, 2, 2},
    [ASL_FN_UUID] = {fn_uuid, 0, 0},
};

/* The document a path argument was looked up in, for the message. */
static char *path_document(const asl_node *path, asl_ctx *c)
{
    const cJSON *doc = path->op == ASL_ROOT_CONTEXT ? asl_ctx_context(c) : c->input;
    return asl_json_print(doc);
}

/* A path argument. A definite path is borrowed from the document (no
 * copy); an indefinite one yields a new array of its matches. */
static int eval_path(const asl_node *path, asl_ctx *c, const asl_node *call, const cJSON **out,
                     cJSON **owned)
{
    int r;
    if (path->flags & ASL_F_DEFINITE) {
        r = asl_path_peek(path, c, out);
    } else {
        r = asl_path_select(path, c, owned);
        *out = *owned;
    }
    if (r == 0 && *out)
        return 0;
    if (r < 0 && c->err.error)
        return -1;
    char *doc = path_document(path, c);
    fail(c, call, "The JsonPath argument for the field '%s' could not be found in the input '%s'",
         path->str ? path->str : "$", doc ? doc : "null");
    free(doc);
    cJSON_Delete(*owned);
    *owned = NULL;
    return -1;
}

/* A literal argument as a value on the caller's stack: functions only read
 * their arguments, so a literal needs no allocation. False if arg is not a
 * literal. */
static bool literal_arg(const asl_node *arg, cJSON *lit)
{
    memset(lit, 0, sizeof *lit);
    switch (arg->kind) {
    case ASL_N_STRING:
        lit->type = cJSON_String | cJSON_IsReference;
        lit->valuestring = (char *)(uintptr_t)(arg->str ? arg->str : "");
        return true;
    case ASL_N_NUMBER:
        lit->type = cJSON_Number;
        lit->valuedouble = arg->num;
        /* valueint as cJSON_CreateNumber sets it */
        lit->valueint = arg->num >= INT_MAX ? INT_MAX : arg->num <= (double)INT_MIN ? INT_MIN : (int)arg->num;
        return true;
    case ASL_N_TRUE: lit->type = cJSON_True; return true;
    case ASL_N_FALSE: lit->type = cJSON_False; return true;
    case ASL_N_NULL: lit->type = cJSON_NULL; return true;
    default: return false;
    }
}

/* Evaluates an argument into *out; *owned holds what the caller frees.
 * lit, if not NULL, is room for a literal argument. */
static int eval_arg(const asl_node *arg, asl_ctx *c, const asl_node *call, const cJSON **out,
                    cJSON **owned, cJSON *lit)
{
    *owned = NULL;
    if (lit && literal_arg(arg, lit)) {
        *out = lit;
        return 0;
    }
    switch (arg->kind) {
    case ASL_N_PATH: return eval_path(arg, c, call, out, owned);
    case ASL_N_CALL: *owned = asl_call(arg, c); break;
    case ASL_N_STRING: *owned = cJSON_CreateString(arg->str ? arg->str : ""); break;
    case ASL_N_NUMBER: *owned = cJSON_CreateNumber(arg->num); break;
    case ASL_N_TRUE: *owned = cJSON_CreateTrue(); break;
    case ASL_N_FALSE: *owned = cJSON_CreateFalse(); break;
    case ASL_N_NULL: *owned = cJSON_CreateNull(); break;
    default: *owned = asl_eval(arg, c); break;
    }
    *out = *owned;
    return *owned ? 0 : -1;
}

static bool arity_ok(const asl_node *call)
{
    const fn_entry *f = &fns[call->op];
    return call->count >= f->min_args && (f->max_args < 0 || call->count <= f->max_args);
}

/* The common call: at most three arguments, each a literal or a definite
 * path that finds something, all borrowed (no copies to free). Returns
 * false, having evaluated nothing that matters, when a general evaluation
 * is needed (it words any failure). */
static bool call_borrowed(const asl_node *call, asl_ctx *c, cJSON **r)
{
    int n = call->count;
    const cJSON *args[3];
    cJSON lit[3];
    if (n > 3 || !arity_ok(call))
        return false;
    for (int i = 0; i < n; i++) {
        const asl_node *arg = &call->kids[i];
        if (literal_arg(arg, &lit[i]))
            args[i] = &lit[i];
        else if (arg->kind != ASL_N_PATH || !(arg->flags & ASL_F_DEFINITE) || asl_path_peek(arg, c, &args[i]) != 0)
            return false;
    }
    *r = fns[call->op].fn(c, call, args);
    return true;
}

cJSON *asl_call(const asl_node *call, asl_ctx *c)
{
    if (call->kind != ASL_N_CALL || call->op >= ASL_FN__COUNT) {
        asl_err_set(&c->err, INTRINSIC_ERROR, "not an intrinsic function call");
        return NULL;
    }
    cJSON *r;
    if (call_borrowed(call, c, &r))
        return r;
    int n = call->count;
    const cJSON *args_small[8];
    cJSON *owned_small[8];
    cJSON lit_small[8];
    const cJSON **args = args_small;
    cJSON **owned = owned_small;
    if (n > 8) {
        args = malloc((size_t)n * sizeof *args);
        owned = malloc((size_t)n * sizeof *owned);
        if (!args || !owned)
            abort();
    }
    int done = 0;
    while (done < n && eval_arg(&call->kids[done], c, call, &args[done], &owned[done],
                                n > 8 ? NULL : &lit_small[done]) == 0)
        done++;
    r = NULL;
    if (done == n)
        r = arity_ok(call) ? fns[call->op].fn(c, call, args) : invalid(c, call);
    for (int i = 0; i < done; i++)
        if (owned[i])
            cJSON_Delete(owned[i]);
    if (n > 8) {
        free(args);
        free(owned);
    }
    return r;
}
