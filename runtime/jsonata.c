/*
 * jsonata.c: evaluates JSONata trees (see jsonata.h) over cJSON, as AWS
 * Step Functions does: JSONata 2.0 semantics (sequences that flatten and
 * unwrap, undefined as "no value"), its function library with AWS's
 * additions, and its error codes and messages.
 *
 * Values (jv) live in an arena that one evaluation owns and frees at once,
 * so the evaluator shares and aliases them freely. Input documents are not
 * copied: a jv can stand for a borrowed cJSON array or object, materialised
 * one level at a time when something iterates it. Undefined is the NULL
 * pointer. A failure unwinds with longjmp to asl_jsonata_eval, which frees
 * the arena: nothing else is allocated while an evaluation runs, so nothing
 * leaks on the way out.
 */
#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "exec.h"
#include "hash.h"
#include "internal.h"
#include "jsonata.h"

/* AWS's bounds: evaluation depth 100 (as its JSONata runtime counts it),
 * about 7 MB for one value, five seconds of evaluation. */
#define MAX_DEPTH 100
#define MAX_ITEMS 873782
#define MAX_SECONDS 5.0
#define MAX_BYTES (256u << 20)   /* all of one evaluation's values */

/* ------------------------------------------------------------- values */

typedef enum jtype { T_NULL, T_BOOL, T_NUM, T_STR, T_ARR, T_OBJ, T_FUNC } jtype;

#define F_SEQ 1u   /* a sequence: empty is undefined, one item is that item */
#define F_KEEP 2u  /* a sequence that stays an array with one item ([]) */
#define F_CONS 4u  /* an array built in a path: not flattened into it */

typedef struct jv jv;
typedef struct jfn jfn;
typedef struct scope scope;

struct jv {
    unsigned char t, fl;
    int b;
    double n;
    const char *s;       /* T_STR, NUL-terminated UTF-8 */
    size_t slen;
    jv **a;              /* T_ARR items; T_OBJ values */
    const char **k;      /* T_OBJ keys */
    int len, cap;
    const cJSON *j;      /* T_ARR / T_OBJ borrowed, until materialised */
    jfn *f;
};

typedef enum fkind { FN_BUILTIN, FN_LAMBDA, FN_PARTIAL, FN_CHAIN, FN_REGEX, FN_THUNK } fkind;

typedef struct rx rx;

struct jfn {
    fkind kind;
    int builtin;
    const asl_node *node;  /* lambda, regex literal, or the tail call */
    scope *env;
    jv *input;             /* the context where it was made */
    jv *base, *g;          /* partial: the function; chain: f then g */
    jv **args;             /* partial: bound arguments; thunk: evaluated later */
    unsigned char *hole;   /* partial: placeholder positions */
    int nargs;
    rx *re;
};

struct scope {
    scope *parent;
    const char **names;
    jv **vals;
    int n, cap;
};

/* ------------------------------------------------------------- arena */

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t data[];
} chunk;

typedef struct owned {
    struct owned *next;
    cJSON *json;
} owned;

/* One evaluation. */
typedef struct ev {
    chunk *mem;
    size_t used;           /* bytes in mem */
    owned *docs;           /* cJSON this evaluation parsed ($parse) */
    asl_ctx *c;
    jv *states;
    jv *vnull, *vtrue, *vfalse;
    jv *builtins[JN_FN__COUNT];
    jmp_buf fail;
    char *cause;           /* the failure (in the arena, or static) */
    int depth;
    unsigned long ticks;
    uintptr_t stack0;      /* the C stack where the evaluation began */
    double t0;             /* monotonic start, for the time bound */
    double now_ms;         /* $now() and $millis() */
} ev;

static void *alloc(ev *e, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    chunk *c = e->mem;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        if (e->used + cap > MAX_BYTES && !e->cause) {
            /* no allocation for this message: the budget is spent */
            e->cause = (char *)"Expression evaluation memory limit exceeded";
            longjmp(e->fail, 1);
        }
        e->used += cap;
        c = malloc(sizeof *c + cap);
        if (!c) {
            fputs("aslc runtime: out of memory\n", stderr);
            abort();
        }
        c->used = 0;
        c->cap = cap;
        c->next = e->mem;
        e->mem = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

static void arena_free(ev *e)
{
    while (e->mem) {
        chunk *next = e->mem->next;
        free(e->mem);
        e->mem = next;
    }
    while (e->docs) {
        owned *next = e->docs->next;
        cJSON_Delete(e->docs->json);
        free(e->docs);
        e->docs = next;
    }
}

static char *sdup(ev *e, const char *s, size_t n)
{
    char *p = alloc(e, n + 1);
    memcpy(p, s, n);
    return p;
}

/* A growable string in the arena. */
typedef struct sbuf {
    ev *e;
    char *p;
    size_t len, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = alloc(b->e, cap);
        if (b->len)
            memcpy(p, b->p, b->len);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_putc(sbuf *b, char c)
{
    sb_put(b, &c, 1);
}

static const char *sb_str(sbuf *b)
{
    if (!b->p)
        sb_put(b, "", 0);
    return b->p;
}

/* ------------------------------------------------------------- errors */

static _Noreturn void fail(ev *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Unwinds the evaluation with a JSONata error ("T2001: ..."). */
static _Noreturn void fail(ev *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    e->cause = alloc(e, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(e->cause, (size_t)n + 1, fmt, ap);
    va_end(ap);
    longjmp(e->fail, 1);
}

/* Recursion over values the expression built ($reduce can nest arrays
 * without bound) stops at a fixed amount of C stack, not at a crash. */
#define STACK_BUDGET (1u << 20)

static size_t stack_used(uintptr_t base)
{
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    return base > here ? base - here : here - base;
}

static void guard(ev *e)
{
    if (stack_used(e->stack0) > STACK_BUDGET)
        fail(e, "Stack overflow error: the data is nested too deeply");
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------- making values */

static jv *mk(ev *e, jtype t)
{
    jv *v = alloc(e, sizeof *v);
    v->t = (unsigned char)t;
    return v;
}

static jv *num(ev *e, double d)
{
    jv *v = mk(e, T_NUM);
    v->n = d;
    return v;
}

static jv *str_n(ev *e, const char *s, size_t n)
{
    jv *v = mk(e, T_STR);
    v->s = s;
    v->slen = n;
    return v;
}

static jv *str(ev *e, const char *s)
{
    return str_n(e, s, strlen(s));
}

static jv *boolean_v(ev *e, int b)
{
    return b ? e->vtrue : e->vfalse;
}

static jv *arr(ev *e, unsigned fl)
{
    jv *v = mk(e, T_ARR);
    v->fl = (unsigned char)fl;
    return v;
}

static jv *obj(ev *e)
{
    return mk(e, T_OBJ);
}

static jv *func(ev *e, fkind kind)
{
    jv *v = mk(e, T_FUNC);
    v->f = alloc(e, sizeof *v->f);
    v->f->kind = kind;
    return v;
}

/* A borrowed cJSON value. Arrays and objects stay borrowed until something
 * walks them. */
static jv *wrap(ev *e, const cJSON *j)
{
    if (!j)
        return NULL;
    if (cJSON_IsNull(j))
        return e->vnull;
    if (cJSON_IsTrue(j))
        return e->vtrue;
    if (cJSON_IsFalse(j))
        return e->vfalse;
    if (cJSON_IsNumber(j))
        return num(e, j->valuedouble);
    if (cJSON_IsString(j))
        return str(e, j->valuestring ? j->valuestring : "");
    jv *v = mk(e, cJSON_IsArray(j) ? T_ARR : T_OBJ);
    v->j = j;
    v->len = -1;
    return v;
}

/* Makes a borrowed array or object's items (and keys) real. */
static void materialise(ev *e, jv *v)
{
    if (v->len >= 0)
        return;
    int n = 0;
    for (const cJSON *c = v->j->child; c; c = c->next)
        n++;
    v->a = alloc(e, sizeof *v->a * (size_t)(n ? n : 1));
    if (v->t == T_OBJ)
        v->k = alloc(e, sizeof *v->k * (size_t)(n ? n : 1));
    n = 0;
    for (const cJSON *c = v->j->child; c; c = c->next, n++) {
        v->a[n] = wrap(e, c);
        if (v->t == T_OBJ)
            v->k[n] = c->string ? c->string : "";
    }
    v->len = v->cap = n;
}

static int is_arr(const jv *v)
{
    return v && v->t == T_ARR;
}

static int is_fn(const jv *v)
{
    return v && v->t == T_FUNC;
}

static int len_of(ev *e, jv *v)
{
    materialise(e, v);
    return v->len;
}

static void push(ev *e, jv *a, jv *item)
{
    materialise(e, a);
    if (a->len >= MAX_ITEMS)
        fail(e, "Expression evaluation memory limit exceeded");
    if (a->len == a->cap) {
        int cap = a->cap ? 2 * a->cap : 4;
        jv **items = alloc(e, sizeof *items * (size_t)cap);
        if (a->len)
            memcpy(items, a->a, sizeof *items * (size_t)a->len);
        a->a = items;
        if (a->t == T_OBJ) {
            const char **keys = alloc(e, sizeof *keys * (size_t)cap);
            if (a->len)
                memcpy(keys, a->k, sizeof *keys * (size_t)a->len);
            a->k = keys;
        }
        a->cap = cap;
    }
    a->a[a->len++] = item;
}

/* Pushes v, or v's items when it is an array (one level). */
static void push_flat(ev *e, jv *a, jv *v)
{
    if (is_arr(v)) {
        int n = len_of(e, v);
        for (int i = 0; i < n; i++)
            push(e, a, v->a[i]);
    } else if (v) {
        push(e, a, v);
    }
}

static jv *seq1(ev *e, jv *item)
{
    jv *s = arr(e, F_SEQ);
    if (item)
        push(e, s, item);
    return s;
}

static jv *obj_get(ev *e, jv *o, const char *key)
{
    if (o->len < 0)
        return wrap(e, cJSON_GetObjectItemCaseSensitive(o->j, key));
    for (int i = 0; i < o->len; i++)
        if (!strcmp(o->k[i], key))
            return o->a[i];
    return NULL;
}

/* Sets key, in place when it exists (keeping its position). */
static void obj_set(ev *e, jv *o, const char *key, jv *val)
{
    materialise(e, o);
    for (int i = 0; i < o->len; i++)
        if (!strcmp(o->k[i], key)) {
            o->a[i] = val;
            return;
        }
    push(e, o, val);
    o->k[o->len - 1] = key;
}

/* ------------------------------------------------------------- UTF-8 */

/* Decodes one code point at s (n bytes left); invalid bytes decode as
 * themselves, one at a time. */
static uint32_t u8_next(const char *s, size_t n, size_t *adv)
{
    const unsigned char *p = (const unsigned char *)s;
    int len = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || (size_t)len > n) {
        *adv = 1;
        return p[0];
    }
    uint32_t cp = len == 1 ? p[0] : len == 2 ? p[0] & 0x1Fu : len == 3 ? p[0] & 0x0Fu : p[0] & 0x07u;
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *adv = 1;
            return p[0];
        }
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    *adv = (size_t)len;
    return cp;
}

static size_t u8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string as code points (JSONata counts and slices strings by them). */
typedef struct cps {
    uint32_t *cp;
    size_t *off;   /* byte offset of each; off[n] = the length */
    size_t n;
} cps;

static cps to_cps(ev *e, const char *s, size_t len)
{
    cps r = {alloc(e, sizeof(uint32_t) * (len + 1)), alloc(e, sizeof(size_t) * (len + 1)), 0};
    size_t i = 0, adv;
    while (i < len) {
        r.off[r.n] = i;
        r.cp[r.n++] = u8_next(s + i, len - i, &adv);
        i += adv;
    }
    r.off[r.n] = len;
    return r;
}

static size_t cp_count(const char *s, size_t len)
{
    size_t n = 0, i = 0, adv;
    while (i < len) {
        u8_next(s + i, len - i, &adv);
        i += adv;
        n++;
    }
    return n;
}

/* Simple case mapping: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic. */
static uint32_t cp_upper(uint32_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7) || (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) ||
        (c >= 0x430 && c <= 0x44F))
        return c - 32;
    if (c >= 0x450 && c <= 0x45F)
        return c - 80;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F)
        return ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) ? (c % 2 == 0 ? c - 1 : c) : (c % 2 ? c - 1 : c);
    if (c == 0xFF)
        return 0x178;
    return c;
}

static uint32_t cp_lower(uint32_t c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) ||
        (c >= 0x410 && c <= 0x42F))
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F)
        return ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) ? (c % 2 ? c + 1 : c) : (c % 2 == 0 ? c + 1 : c);
    if (c == 0x178)
        return 0xFF;
    return c;
}

/* ------------------------------------------------------------- numbers */

/* The shortest decimal digits that read back as d (d finite, > 0):
 * digits into dig, returns the decimal exponent k (d = 0.DIGITS * 10^k). */
static int shortest(double d, char *dig, int *ndig)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    int n = 0;
    for (const char *p = tmp; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            dig[n++] = *p;
    while (n > 1 && dig[n - 1] == '0')
        n--;
    dig[n] = '\0';
    *ndig = n;
    return atoi(strchr(tmp, 'e') + 1) + 1;
}

/* Number to text as JavaScript writes it (Number.prototype.toString):
 * 100, 0.1, 1e+21, 1.5e-7. */
static void js_number(double d, char *out)
{
    if (isnan(d)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(d)) {
        strcpy(out, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (d == 0) {
        strcpy(out, "0");
        return;
    }
    char dig[24];
    int n, k;
    char *o = out;
    if (d < 0) {
        *o++ = '-';
        d = -d;
    }
    k = shortest(d, dig, &n);
    if (k >= n && k <= 21) { /* integer */
        memcpy(o, dig, (size_t)n);
        memset(o + n, '0', (size_t)(k - n));
        o[k] = '\0';
    } else if (k > 0 && k <= 21) {
        memcpy(o, dig, (size_t)k);
        o[k] = '.';
        strcpy(o + k + 1, dig + k);
    } else if (k > -6 && k <= 0) {
        *o++ = '0';
        *o++ = '.';
        memset(o, '0', (size_t)-k);
        strcpy(o - k, dig);
    } else {
        int exp = k - 1;
        *o++ = dig[0];
        if (n > 1) {
            *o++ = '.';
            memcpy(o, dig + 1, (size_t)n - 1);
            o += n - 1;
        }
        sprintf(o, "e%c%d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
}

/* JSONata prints numbers in strings with 15 significant digits, so that
 * 0.1 + 0.2 reads "0.3". */
static double precision15(double d)
{
    if (!isfinite(d) || d == 0)
        return d;
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.14e", d);
    return strtod(tmp, NULL);
}

/* d as an integer, saturating (as Java's (long) cast): no undefined
 * behaviour for values out of range. */
static int64_t to_i64(double d)
{
    if (isnan(d))
        return 0;
    if (d >= 9.2233720368547758e18)
        return INT64_MAX;
    if (d <= -9.2233720368547758e18)
        return INT64_MIN;
    return (int64_t)d;
}

static int is_integer(double d)
{
    return isfinite(d) && d == floor(d);
}

/* ------------------------------------------------------------- JSON text */

static void put_json_string(sbuf *b, const char *s, size_t n)
{
    sb_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': sb_puts(b, "\\\""); break;
        case '\\': sb_puts(b, "\\\\"); break;
        case '\b': sb_puts(b, "\\b"); break;
        case '\f': sb_puts(b, "\\f"); break;
        case '\n': sb_puts(b, "\\n"); break;
        case '\r': sb_puts(b, "\\r"); break;
        case '\t': sb_puts(b, "\\t"); break;
        default:
            if (c < 0x20) {
                char esc[8];
                snprintf(esc, sizeof esc, "\\u%04x", c);
                sb_puts(b, esc);
            } else {
                sb_putc(b, (char)c);
            }
        }
    }
    sb_putc(b, '"');
}

static void indent(sbuf *b, int level)
{
    sb_putc(b, '\n');
    for (int i = 0; i < level; i++)
        sb_puts(b, "  ");
}

/* JSON.stringify as $string uses it: numbers to 15 significant digits,
 * functions as "", pretty-printed with two spaces when pretty. */
static void stringify(ev *e, sbuf *b, jv *v, int pretty, int level)
{
    guard(e);
    char tmp[40];
    if (!v) {
        sb_puts(b, "null");
        return;
    }
    switch ((jtype)v->t) {
    case T_NULL: sb_puts(b, "null"); break;
    case T_BOOL: sb_puts(b, v->b ? "true" : "false"); break;
    case T_NUM:
        if (!isfinite(v->n)) {
            sb_puts(b, "null");
            break;
        }
        js_number(precision15(v->n), tmp);
        sb_puts(b, tmp);
        break;
    case T_STR: put_json_string(b, v->s, v->slen); break;
    case T_FUNC: sb_puts(b, "\"\""); break;
    case T_ARR: {
        int n = len_of(e, v);
        sb_putc(b, '[');
        for (int i = 0; i < n; i++) {
            if (i)
                sb_putc(b, ',');
            if (pretty)
                indent(b, level + 1);
            stringify(e, b, v->a[i], pretty, level + 1);
        }
        if (pretty && n)
            indent(b, level);
        sb_putc(b, ']');
        break;
    }
    case T_OBJ: {
        int n = len_of(e, v), first = 1;
        sb_putc(b, '{');
        for (int i = 0; i < n; i++) {
            if (!v->a[i])
                continue;
            if (!first)
                sb_putc(b, ',');
            first = 0;
            if (pretty)
                indent(b, level + 1);
            put_json_string(b, v->k[i], strlen(v->k[i]));
            sb_puts(b, pretty ? ": " : ":");
            stringify(e, b, v->a[i], pretty, level + 1);
        }
        if (pretty && !first)
            indent(b, level);
        sb_putc(b, '}');
        break;
    }
    }
}

/* A value as JSONata's error messages show it (JSON.stringify). */
static const char *show(ev *e, jv *v)
{
    sbuf b = {e, 0, 0, 0};
    if (v && v->t == T_NUM) {
        char tmp[40];
        js_number(v->n, tmp);
        sb_puts(&b, isfinite(v->n) ? tmp : "null");
    } else {
        stringify(e, &b, v, 0, 0);
    }
    return sb_str(&b);
}

/* ------------------------------------------------------------- regex */

/* A backtracking matcher for the JavaScript regular expressions JSONata
 * takes: alternation, groups ((...), (?:...), (?=...), (?!...), (?<n>...)),
 * greedy and lazy quantifiers, classes, \d \w \s \b, backreferences, the i
 * and m flags. It works on UTF-8, a code point at a time. Patterns are
 * compiled by recursive descent into nodes from an allocator the caller
 * supplies (the compiler checks syntax at compile time, the
 * evaluator compiles into its arena). */

#define RX_GROUPS 99

typedef enum rop {
    RX_CHAR, RX_ANY, RX_CLASS, RX_BOL, RX_EOL, RX_WORDB, RX_NWORDB, RX_GROUP, RX_LOOK, RX_NLOOK, RX_BACKREF,
} rop;

typedef struct rrange {
    uint32_t lo, hi;
} rrange;

typedef struct rseq rseq;
typedef struct ritem ritem;

struct ritem {
    rop op;
    uint32_t ch;          /* RX_CHAR; RX_BACKREF: group number */
    rrange *ranges;       /* RX_CLASS */
    int nranges, negate;
    rseq *alts;           /* RX_GROUP, RX_LOOK, RX_NLOOK: alternatives */
    int nalts;
    int group;            /* capture number, 0 for none */
    int min, max, greedy; /* quantifier; max -1 = unbounded */
};

struct rseq {
    ritem *items;
    int n;
};

struct rx {
    rseq *alts;
    int nalts;
    int ngroups;
    int icase, multiline;
};

typedef struct rxc {
    const char *p, *end;
    const char *err;
    int ngroups;
    void *(*alloc)(void *ctx, size_t n);
    void *ctx;
    int depth;
} rxc;

static void *rx_alloc(rxc *c, size_t n)
{
    return c->alloc(c->ctx, n);
}

static int rx_alts(rxc *c, rseq **alts, int *nalts);

static int hexval(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* Reads \d-style classes into ranges; returns the count (0 if not one). */
static int class_escape(char ch, rrange *out, int *negate)
{
    static const rrange digit[] = {{'0', '9'}};
    static const rrange word[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
    static const rrange space[] = {{9, 13}, {32, 32}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
                                   {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
    const rrange *src = NULL;
    int n = 0;
    switch (ch) {
    case 'd': case 'D': src = digit; n = 1; break;
    case 'w': case 'W': src = word; n = 4; break;
    case 's': case 'S': src = space; n = 10; break;
    default: return 0;
    }
    memcpy(out, src, sizeof *out * (size_t)n);
    *negate = ch >= 'A' && ch <= 'Z';
    return n;
}

/* An escaped character (after the backslash), as a code point. */
static uint32_t escaped_char(rxc *c)
{
    char ch = *c->p++;
    switch (ch) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'f': return '\f';
    case 'v': return '\v';
    case '0': return 0;
    case 'c':
        if (c->p < c->end && isalpha((unsigned char)*c->p))
            return (uint32_t)(*c->p++ % 32);
        return 'c';
    case 'x':
        if (c->end - c->p >= 2 && hexval(c->p[0]) >= 0 && hexval(c->p[1]) >= 0) {
            uint32_t v = (uint32_t)(hexval(c->p[0]) * 16 + hexval(c->p[1]));
            c->p += 2;
            return v;
        }
        return 'x';
    case 'u':
        if (c->end - c->p >= 4 && hexval(c->p[0]) >= 0 && hexval(c->p[1]) >= 0 && hexval(c->p[2]) >= 0 &&
            hexval(c->p[3]) >= 0) {
            uint32_t v = 0;
            for (int i = 0; i < 4; i++)
                v = v * 16 + (uint32_t)hexval(c->p[i]);
            c->p += 4;
            return v;
        }
        return 'u';
    default: {
        size_t adv;
        c->p--;
        uint32_t cp = u8_next(c->p, (size_t)(c->end - c->p), &adv);
        c->p += adv;
        return cp;
    }
    }
}

static int rx_class(rxc *c, ritem *it)
{
    rrange tmp[256];
    int n = 0;
    it->op = RX_CLASS;
    if (c->p < c->end && *c->p == '^') {
        it->negate = 1;
        c->p++;
    }
    while (c->p < c->end && *c->p != ']') {
        if (n > 240) {
            c->err = "character class too large";
            return 0;
        }
        uint32_t lo;
        if (*c->p == '\\' && c->p + 1 < c->end) {
            c->p++;
            int neg = 0, k = class_escape(*c->p, tmp + n, &neg);
            if (k) {
                c->p++;
                if (neg) { /* complement of the ranges, in place */
                    rrange comp[12];
                    int m = 0;
                    uint32_t from = 0;
                    for (int i = 0; i < k; i++) {
                        if (tmp[n + i].lo > from)
                            comp[m++] = (rrange){from, tmp[n + i].lo - 1};
                        from = tmp[n + i].hi + 1;
                    }
                    comp[m++] = (rrange){from, 0x10FFFF};
                    memcpy(tmp + n, comp, sizeof *comp * (size_t)m);
                    k = m;
                }
                n += k;
                continue;
            }
            lo = *c->p == 'b' ? (c->p++, 8u) : escaped_char(c);
        } else {
            size_t adv;
            lo = u8_next(c->p, (size_t)(c->end - c->p), &adv);
            c->p += adv;
        }
        uint32_t hi = lo;
        if (c->p + 1 < c->end && *c->p == '-' && c->p[1] != ']') {
            c->p++;
            if (*c->p == '\\' && c->p + 1 < c->end) {
                c->p++;
                hi = escaped_char(c);
            } else {
                size_t adv;
                hi = u8_next(c->p, (size_t)(c->end - c->p), &adv);
                c->p += adv;
            }
            if (hi < lo) {
                c->err = "range out of order in character class";
                return 0;
            }
        }
        tmp[n++] = (rrange){lo, hi};
    }
    if (c->p >= c->end) {
        c->err = "missing terminating ] for character class";
        return 0;
    }
    c->p++;
    it->ranges = rx_alloc(c, sizeof *it->ranges * (size_t)(n ? n : 1));
    memcpy(it->ranges, tmp, sizeof *tmp * (size_t)n);
    it->nranges = n;
    return 1;
}

/* {n}, {n,}, {n,m}; anything else is a literal brace, as in JavaScript. */
static int rx_braces(rxc *c, ritem *it)
{
    const char *p = c->p + 1;
    int min = 0, max, digits = 0;
    while (p < c->end && *p >= '0' && *p <= '9' && min < 100000)
        min = min * 10 + (*p++ - '0'), digits++;
    if (!digits)
        return 0;
    max = min;
    if (p < c->end && *p == ',') {
        p++;
        max = -1;
        if (p < c->end && *p >= '0' && *p <= '9') {
            max = 0;
            while (p < c->end && *p >= '0' && *p <= '9' && max < 100000)
                max = max * 10 + (*p++ - '0');
        }
    }
    if (p >= c->end || *p != '}')
        return 0;
    if (max >= 0 && max < min) {
        c->err = "numbers out of order in {} quantifier";
        return 0;
    }
    it->min = min;
    it->max = max;
    c->p = p + 1;
    return 1;
}

static int rx_atom(rxc *c, ritem *it)
{
    char ch = *c->p;
    it->min = it->max = 1;
    it->greedy = 1;
    switch (ch) {
    case '.': c->p++; it->op = RX_ANY; return 1;
    case '^': c->p++; it->op = RX_BOL; return 1;
    case '$': c->p++; it->op = RX_EOL; return 1;
    case '[': c->p++; return rx_class(c, it);
    case '(': {
        c->p++;
        it->op = RX_GROUP;
        if (c->p + 1 < c->end && c->p[0] == '?') {
            char k = c->p[1];
            if (k == ':' || k == '=' || k == '!') {
                it->op = k == '=' ? RX_LOOK : k == '!' ? RX_NLOOK : RX_GROUP;
                c->p += 2;
            } else if (k == '<' && c->p + 2 < c->end && c->p[2] != '=' && c->p[2] != '!') {
                const char *gt = memchr(c->p, '>', (size_t)(c->end - c->p));
                if (!gt) {
                    c->err = "invalid group name";
                    return 0;
                }
                c->p = gt + 1;
                it->group = ++c->ngroups;
            } else {
                c->err = "invalid group";
                return 0;
            }
        } else {
            it->group = ++c->ngroups;
        }
        if (c->ngroups > RX_GROUPS) {
            c->err = "too many capturing groups";
            return 0;
        }
        if (++c->depth > 100) {
            c->err = "too many nested groups";
            return 0;
        }
        if (!rx_alts(c, &it->alts, &it->nalts))
            return 0;
        c->depth--;
        if (c->p >= c->end || *c->p != ')') {
            c->err = "missing )";
            return 0;
        }
        c->p++;
        return 1;
    }
    case ')': c->err = "unmatched )"; return 0;
    case '*': case '+': case '?': c->err = "nothing to repeat"; return 0;
    case '{': {
        ritem probe = {0};
        const char *save = c->p;
        if (rx_braces(c, &probe)) {
            c->p = save;
            c->err = "nothing to repeat";
            return 0;
        }
        c->p++;
        it->op = RX_CHAR;
        it->ch = '{';
        return 1;
    }
    case '\\': {
        if (c->p + 1 >= c->end) {
            c->err = "\\ at end of pattern";
            return 0;
        }
        c->p++;
        ch = *c->p;
        if (ch == 'b' || ch == 'B') {
            c->p++;
            it->op = ch == 'b' ? RX_WORDB : RX_NWORDB;
            return 1;
        }
        if (ch >= '1' && ch <= '9') {
            int g = 0;
            while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && g < 1000)
                g = g * 10 + (*c->p++ - '0');
            it->op = RX_BACKREF;
            it->ch = (uint32_t)g;
            return 1;
        }
        rrange tmp[12];
        int neg = 0, k = class_escape(ch, tmp, &neg);
        if (k) {
            c->p++;
            it->op = RX_CLASS;
            it->ranges = rx_alloc(c, sizeof *tmp * (size_t)k);
            memcpy(it->ranges, tmp, sizeof *tmp * (size_t)k);
            it->nranges = k;
            it->negate = neg;
            return 1;
        }
        it->op = RX_CHAR;
        it->ch = escaped_char(c);
        return 1;
    }
    default: {
        size_t adv;
        it->op = RX_CHAR;
        it->ch = u8_next(c->p, (size_t)(c->end - c->p), &adv);
        c->p += adv;
        return 1;
    }
    }
}

static int rx_quant(rxc *c, ritem *it)
{
    if (c->p >= c->end)
        return 1;
    char ch = *c->p;
    if (ch == '*' || ch == '+' || ch == '?') {
        it->min = ch == '+';
        it->max = ch == '?' ? 1 : -1;
        c->p++;
    } else if (ch != '{' || !rx_braces(c, it)) {
        return c->err == NULL;
    }
    if (it->op == RX_BOL || it->op == RX_EOL || it->op == RX_WORDB || it->op == RX_NWORDB) {
        c->err = "nothing to repeat";
        return 0;
    }
    if (c->p < c->end && *c->p == '?') {
        it->greedy = 0;
        c->p++;
    }
    if (c->p < c->end && (*c->p == '*' || *c->p == '+' || *c->p == '?')) {
        c->err = "nothing to repeat";
        return 0;
    }
    return 1;
}

static int rx_seq(rxc *c, rseq *s)
{
    int cap = 0;
    s->n = 0;
    s->items = NULL;
    while (c->p < c->end && *c->p != '|' && *c->p != ')') {
        if (s->n == cap) {
            cap = cap ? 2 * cap : 8;
            ritem *items = rx_alloc(c, sizeof *items * (size_t)cap);
            if (s->n)
                memcpy(items, s->items, sizeof *items * (size_t)s->n);
            s->items = items;
        }
        ritem *it = &s->items[s->n];
        memset(it, 0, sizeof *it);
        if (!rx_atom(c, it) || !rx_quant(c, it))
            return 0;
        s->n++;
    }
    return 1;
}

static int rx_alts(rxc *c, rseq **alts, int *nalts)
{
    int cap = 2;
    *alts = rx_alloc(c, sizeof **alts * (size_t)cap);
    *nalts = 0;
    for (;;) {
        if (*nalts == cap) {
            rseq *more = rx_alloc(c, sizeof *more * (size_t)cap * 2);
            memcpy(more, *alts, sizeof *more * (size_t)cap);
            *alts = more;
            cap *= 2;
        }
        if (!rx_seq(c, &(*alts)[(*nalts)++]))
            return 0;
        if (c->p >= c->end || *c->p != '|')
            return 1;
        c->p++;
    }
}

static rx *rx_compile(const char *pat, size_t len, unsigned flags, void *(*af)(void *, size_t), void *ctx,
                      const char **err)
{
    rxc c = {pat, pat + len, NULL, 0, af, ctx, 0};
    rx *r = af(ctx, sizeof *r);
    memset(r, 0, sizeof *r);
    if (!rx_alts(&c, &r->alts, &r->nalts) || c.p < c.end) {
        *err = c.err ? c.err : "unmatched )";
        return NULL;
    }
    r->ngroups = c.ngroups;
    r->icase = (flags & JN_RX_I) != 0;
    r->multiline = (flags & JN_RX_M) != 0;
    *err = NULL;
    return r;
}

/* Compile-time check: compiled into a scratch heap list, then freed. */
typedef struct scratch {
    void **blocks;
    int n, cap;
} scratch;

static void *scratch_alloc(void *ctx, size_t n)
{
    scratch *s = ctx;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        void **b = realloc(s->blocks, sizeof *b * (size_t)s->cap);
        if (!b)
            abort();
        s->blocks = b;
    }
    void *p = calloc(1, n ? n : 1);
    if (!p)
        abort();
    return s->blocks[s->n++] = p;
}

const char *jsonata_regex_check(const char *pattern, size_t len)
{
    scratch s = {0};
    const char *err;
    rx_compile(pattern, len, 0, scratch_alloc, &s, &err);
    for (int i = 0; i < s.n; i++)
        free(s.blocks[i]);
    free(s.blocks);
    return err;
}

/* ---- matching */

#define RX_STEPS 5000000L


typedef struct rxm {
    const rx *re;
    const char *s;
    size_t len;
    size_t *caps;          /* 2 per group: start, end; SIZE_MAX = unset */
    long steps;
    int depth;
    int aborted;
    size_t end;            /* where the overall match ended */
    uintptr_t stack0;      /* the C stack where the search began */
} rxm;

typedef struct kont kont;
typedef int (*kfn)(rxm *m, const kont *k, size_t pos);
struct kont {
    kfn fn;
    const rseq *seq;
    int i;                 /* item index in seq */
    int count;             /* repetitions so far */
    size_t start;          /* where this repetition began */
    const kont *next;
};

static int m_seq(rxm *m, const rseq *s, int i, size_t pos, const kont *k);

static uint32_t fold(uint32_t c)
{
    return cp_lower(c);
}

static int in_class(const rxm *m, const ritem *it, uint32_t c)
{
    int hit = 0;
    for (int i = 0; i < it->nranges && !hit; i++) {
        if (c >= it->ranges[i].lo && c <= it->ranges[i].hi)
            hit = 1;
        else if (m->re->icase) {
            uint32_t l = cp_lower(c), u = cp_upper(c);
            hit = (l >= it->ranges[i].lo && l <= it->ranges[i].hi) || (u >= it->ranges[i].lo && u <= it->ranges[i].hi);
        }
    }
    return hit != it->negate;
}

static int is_word(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_eol(uint32_t c)
{
    return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029;
}

/* The code point before pos (or -1). */
static long cp_before(const rxm *m, size_t pos)
{
    if (pos == 0)
        return -1;
    size_t p = pos - 1;
    while (p > 0 && ((unsigned char)m->s[p] & 0xC0) == 0x80)
        p--;
    size_t adv;
    return u8_next(m->s + p, m->len - p, &adv);
}

/* Matches a single-character item at pos: the length consumed, or -1. */
static long m_char(const rxm *m, const ritem *it, size_t pos)
{
    if (pos >= m->len)
        return -1;
    size_t adv;
    uint32_t c = u8_next(m->s + pos, m->len - pos, &adv);
    switch (it->op) {
    case RX_CHAR:
        if (c == it->ch || (m->re->icase && fold(c) == fold(it->ch)))
            return (long)adv;
        return -1;
    case RX_ANY: return is_eol(c) ? -1 : (long)adv;
    case RX_CLASS: return in_class(m, it, c) ? (long)adv : -1;
    default: return -1;
    }
}

/* Zero-width assertions: 1 when they hold at pos. */
static int m_assert(const rxm *m, const ritem *it, size_t pos)
{
    long before = cp_before(m, pos);
    size_t adv;
    long after = pos < m->len ? (long)u8_next(m->s + pos, m->len - pos, &adv) : -1;
    switch (it->op) {
    case RX_BOL: return pos == 0 || (m->re->multiline && is_eol((uint32_t)before));
    case RX_EOL: return pos == m->len || (m->re->multiline && is_eol((uint32_t)after));
    case RX_WORDB:
    case RX_NWORDB: {
        int b = (before >= 0 && is_word((uint32_t)before)) != (after >= 0 && is_word((uint32_t)after));
        return it->op == RX_WORDB ? b : !b;
    }
    default: return 0;
    }
}

static int k_accept(rxm *m, const kont *k, size_t pos)
{
    (void)k;
    m->end = pos;
    return 1;
}

/* After a group's alternative matched: record the capture, go on. */
static int k_close(rxm *m, const kont *k, size_t pos)
{
    int g = k->count;
    size_t s0 = m->caps[2 * g], e0 = m->caps[2 * g + 1];
    m->caps[2 * g] = k->start;
    m->caps[2 * g + 1] = pos;
    int r = k->next->fn(m, k->next, pos);
    if (r == 0) {
        m->caps[2 * g] = s0;
        m->caps[2 * g + 1] = e0;
    }
    return r;
}

static int m_rep(rxm *m, const rseq *s, int i, int count, size_t pos, const kont *k);

/* After one more repetition of item i: an empty repetition past the
 * minimum would loop for ever, so it fails. */
static int k_rep(rxm *m, const kont *k, size_t pos)
{
    if (pos == k->start && k->count > k->seq->items[k->i].min)
        return 0;
    return m_rep(m, k->seq, k->i, k->count, pos, k->next);
}

/* One occurrence of a group-like item at pos, then continuation k. */
static int m_once(rxm *m, const ritem *it, size_t pos, const kont *k)
{
    if (it->op == RX_LOOK || it->op == RX_NLOOK) {
        size_t save[2 * (RX_GROUPS + 1)];
        memcpy(save, m->caps, sizeof *save * 2 * (size_t)(m->re->ngroups + 1));
        kont acc = {k_accept, NULL, 0, 0, 0, NULL};
        size_t end = m->end;
        int r = 0;
        for (int a = 0; a < it->nalts && !r; a++)
            r = m_seq(m, &it->alts[a], 0, pos, &acc);
        m->end = end;
        if (r < 0)
            return r;
        if (it->op == RX_NLOOK) {
            memcpy(m->caps, save, sizeof *save * 2 * (size_t)(m->re->ngroups + 1));
            return r ? 0 : k->fn(m, k, pos);
        }
        if (!r)
            return 0;
        r = k->fn(m, k, pos);
        if (!r)
            memcpy(m->caps, save, sizeof *save * 2 * (size_t)(m->re->ngroups + 1));
        return r;
    }
    if (it->op == RX_GROUP) {
        kont close = {k_close, NULL, 0, it->group, pos, k};
        for (int a = 0; a < it->nalts; a++) {
            int r = m_seq(m, &it->alts[a], 0, pos, it->group ? &close : k);
            if (r)
                return r;
        }
        return 0;
    }
    if (it->op == RX_BACKREF) {
        int g = (int)it->ch;
        size_t n = 0;
        if (g <= m->re->ngroups && m->caps[2 * g] != SIZE_MAX) {
            n = m->caps[2 * g + 1] - m->caps[2 * g];
            if (pos + n > m->len)
                return 0;
            const char *a = m->s + m->caps[2 * g], *b = m->s + pos;
            for (size_t q = 0; q < n; q++)
                if (a[q] != b[q] && !(m->re->icase && tolower((unsigned char)a[q]) == tolower((unsigned char)b[q])))
                    return 0;
        }
        return k->fn(m, k, pos + n);
    }
    if (it->op == RX_CHAR || it->op == RX_ANY || it->op == RX_CLASS) {
        long adv = m_char(m, it, pos);
        return adv < 0 ? 0 : k->fn(m, k, pos + (size_t)adv);
    }
    return m_assert(m, it, pos) ? k->fn(m, k, pos) : 0;
}

/* Item i of s has matched count times, ending at pos. */
static int m_rep(rxm *m, const rseq *s, int i, int count, size_t pos, const kont *k)
{
    const ritem *it = &s->items[i];
    if (++m->steps > RX_STEPS || ++m->depth > 100000 || stack_used(m->stack0) > STACK_BUDGET) {
        m->aborted = 1;
        return -1;
    }
    int r = 0;
    kont more = {k_rep, s, i, count + 1, pos, k};
    int can_more = it->max < 0 || count < it->max;
    if (it->greedy) {
        if (can_more)
            r = m_once(m, it, pos, &more);
        if (!r && count >= it->min)
            r = m_seq(m, s, i + 1, pos, k);
    } else {
        if (count >= it->min)
            r = m_seq(m, s, i + 1, pos, k);
        if (!r && can_more)
            r = m_once(m, it, pos, &more);
    }
    m->depth--;
    return r;
}

/* Single characters repeat in a loop, not a recursion per character;
 * backtracking steps back one code point at a time. */
static int m_simple_rep(rxm *m, const rseq *s, int i, size_t pos, const kont *k)
{
    const ritem *it = &s->items[i];
    size_t p = pos;
    int c = 0;
    if (!it->greedy) {
        for (;;) {
            if (c >= it->min) {
                int r = m_seq(m, s, i + 1, p, k);
                if (r)
                    return r;
            }
            long adv = (it->max >= 0 && c >= it->max) ? -1 : m_char(m, it, p);
            if (adv < 0)
                return 0;
            p += (size_t)adv;
            c++;
            if (++m->steps > RX_STEPS) {
                m->aborted = 1;
                return -1;
            }
        }
    }
    while (it->max < 0 || c < it->max) {
        long adv = m_char(m, it, p);
        if (adv < 0)
            break;
        p += (size_t)adv;
        c++;
    }
    for (; c >= it->min; c--) {
        int r = m_seq(m, s, i + 1, p, k);
        if (r)
            return r;
        if (c == it->min || ++m->steps > RX_STEPS)
            break;
        do
            p--;
        while (p > pos && ((unsigned char)m->s[p] & 0xC0) == 0x80);
    }
    if (m->steps > RX_STEPS) {
        m->aborted = 1;
        return -1;
    }
    return 0;
}

static int m_seq(rxm *m, const rseq *s, int i, size_t pos, const kont *k)
{
    if (i == s->n)
        return k->fn(m, k, pos);
    const ritem *it = &s->items[i];
    if (++m->steps > RX_STEPS || stack_used(m->stack0) > STACK_BUDGET) {
        m->aborted = 1;
        return -1;
    }
    if (it->min == 1 && it->max == 1) {
        if (it->op == RX_CHAR || it->op == RX_ANY || it->op == RX_CLASS) {
            long adv = m_char(m, it, pos);
            return adv < 0 ? 0 : m_seq(m, s, i + 1, pos + (size_t)adv, k);
        }
        if (it->op != RX_GROUP && it->op != RX_LOOK && it->op != RX_NLOOK && it->op != RX_BACKREF)
            return m_assert(m, it, pos) ? m_seq(m, s, i + 1, pos, k) : 0;
    }
    if (it->op == RX_CHAR || it->op == RX_ANY || it->op == RX_CLASS)
        return m_simple_rep(m, s, i, pos, k);
    return m_rep(m, s, i, 0, pos, k);
}

/* Finds the first match at or after byte offset from. Returns 1 and sets
 * caps[0..1] (and the groups), 0 for none, -1 when the search gave up. */
static int rx_search(const rx *re, const char *s, size_t len, size_t from, size_t *caps, long *steps)
{
    rxm m = {re, s, len, caps, *steps, 0, 0, 0, (uintptr_t)__builtin_frame_address(0)};
    for (size_t pos = from; pos <= len;) {
        for (int g = 0; g <= re->ngroups; g++)
            caps[2 * g] = caps[2 * g + 1] = SIZE_MAX;
        kont acc = {k_accept, NULL, 0, 0, 0, NULL};
        int r = 0;
        for (int a = 0; a < re->nalts && !r; a++)
            r = m_seq(&m, &re->alts[a], 0, pos, &acc);
        *steps = m.steps;
        if (r < 0 || m.aborted)
            return -1;
        if (r) {
            caps[0] = pos;
            caps[1] = m.end;
            return 1;
        }
        if (pos == len)
            break;
        size_t adv;
        u8_next(s + pos, len - pos, &adv);
        pos += adv;
    }
    return 0;
}

/* ------------------------------------------------------------- scopes */

static scope *scope_new(ev *e, scope *parent)
{
    scope *s = alloc(e, sizeof *s);
    s->parent = parent;
    return s;
}

static void bind(ev *e, scope *s, const char *name, jv *v)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->names[i], name)) {
            s->vals[i] = v;
            return;
        }
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 4;
        const char **names = alloc(e, sizeof *names * (size_t)cap);
        jv **vals = alloc(e, sizeof *vals * (size_t)cap);
        if (s->n) {
            memcpy(names, s->names, sizeof *names * (size_t)s->n);
            memcpy(vals, s->vals, sizeof *vals * (size_t)s->n);
        }
        s->names = names;
        s->vals = vals;
        s->cap = cap;
    }
    s->names[s->n] = name;
    s->vals[s->n++] = v;
}

/* A binding in s or its parents; a binding to undefined counts. */
static int scope_find(const scope *s, const char *name, jv **out)
{
    for (; s; s = s->parent)
        for (int i = 0; i < s->n; i++)
            if (!strcmp(s->names[i], name)) {
                *out = s->vals[i];
                return 1;
            }
    return 0;
}

static jv *builtin_fn(ev *e, int id)
{
    if (!e->builtins[id]) {
        e->builtins[id] = func(e, FN_BUILTIN);
        e->builtins[id]->f->builtin = id;
    }
    return e->builtins[id];
}

/* $name: local bindings, then $states, the workflow's variables, and the
 * function library (so a variable can shadow a function, as in JSONata). */
static jv *lookup_var(ev *e, const scope *env, const char *name, int *found)
{
    jv *v;
    *found = 1;
    if (scope_find(env, name, &v))
        return v;
    if (!strcmp(name, "states") && e->states)
        return e->states;
    const cJSON *j = e->c ? asl_ctx_var(e->c, name) : NULL;
    if (j)
        return wrap(e, j);
    int b = jsonata_builtin(name);
    if (b >= 0)
        return builtin_fn(e, b);
    *found = 0;
    return NULL;
}

/* ------------------------------------------------------------- basics */

static jv *eval(ev *e, const asl_node *n, jv *in, scope *env);
static jv *eval_keep(ev *e, const asl_node *n, jv *in, scope *env);
static jv *apply(ev *e, jv *fn, jv **args, int nargs, jv *input);
static jv *call_builtin(ev *e, int id, jv **args, int nargs, jv *input);
static int builtin_arity(int id);

static const char *const op_names[] = {"+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "&", "and", "or", "in", ".."};

/* Empty sequences are undefined, singletons their item. */
static jv *unwrap(jv *r)
{
    if (r && (r->fl & F_SEQ)) {
        if (r->len == 0)
            return NULL;
        if (r->len == 1 && !(r->fl & F_KEEP))
            return r->a[0];
    }
    return r;
}

/* $boolean: -1 for undefined, else 0 or 1. */
static int bool_of(ev *e, jv *v)
{
    guard(e);
    if (!v)
        return -1;
    switch ((jtype)v->t) {
    case T_NULL: return 0;
    case T_BOOL: return v->b;
    case T_NUM: return v->n != 0 && !isnan(v->n);
    case T_STR: return v->slen > 0;
    case T_FUNC: return 0;
    case T_OBJ: return len_of(e, v) > 0;
    case T_ARR: {
        int n = len_of(e, v);
        if (n == 1)
            return bool_of(e, v->a[0]);
        for (int i = 0; i < n; i++)
            if (bool_of(e, v->a[i]) == 1)
                return 1;
        return 0;
    }
    }
    return 0;
}

static int truthy(ev *e, jv *v)
{
    return bool_of(e, v) == 1;
}

static int deep_equal(ev *e, jv *a, jv *b)
{
    guard(e);
    if (!a || !b)
        return a == b;
    if (a->t != b->t)
        return 0;
    switch ((jtype)a->t) {
    case T_NULL: return 1;
    case T_BOOL: return a->b == b->b;
    case T_NUM: return a->n == b->n;
    case T_STR: return a->slen == b->slen && !memcmp(a->s, b->s, a->slen);
    case T_FUNC: return a->f == b->f;
    case T_ARR: {
        int n = len_of(e, a);
        if (n != len_of(e, b))
            return 0;
        for (int i = 0; i < n; i++)
            if (!deep_equal(e, a->a[i], b->a[i]))
                return 0;
        return 1;
    }
    case T_OBJ: {
        int n = len_of(e, a);
        if (n != len_of(e, b))
            return 0;
        for (int i = 0; i < n; i++)
            if (!deep_equal(e, a->a[i], obj_get(e, b, a->k[i])))
                return 0;
        return 1;
    }
    }
    return 0;
}

/* JavaScript's ===: values for scalars, the same object for the rest. */
static int identical(const jv *a, const jv *b)
{
    if (a->t != b->t)
        return 0;
    switch ((jtype)a->t) {
    case T_NULL: return 1;
    case T_BOOL: return a->b == b->b;
    case T_NUM: return a->n == b->n;
    case T_STR: return a->slen == b->slen && !memcmp(a->s, b->s, a->slen);
    case T_FUNC: return a->f == b->f;
    default: return a == b || (a->j && a->j == b->j);
    }
}

/* $string's conversion (also the & operator's). */
static jv *to_string(ev *e, jv *v, int pretty)
{
    if (!v)
        return NULL;
    if (v->t == T_STR)
        return v;
    if (v->t == T_FUNC)
        return str(e, "");
    if (v->t == T_NUM && !isfinite(v->n))
        fail(e, "D3001: Attempting to invoke string function on Infinity or NaN");
    sbuf b = {e, 0, 0, 0};
    stringify(e, &b, v, pretty, 0);
    return str_n(e, sb_str(&b), b.len);
}

/* JSONata's append: a sequence of a's items (or a) then b's (or b). */
static jv *append(ev *e, jv *a, jv *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    jv *out = arr(e, 0);
    push_flat(e, out, a);
    push_flat(e, out, b);
    return out;
}

static void tick(ev *e)
{
    if ((++e->ticks & 1023) == 0 && mono() - e->t0 > MAX_SECONDS)
        fail(e, "Expression evaluation timeout: Check for infinite loop");
}

/* ------------------------------------------------------------- navigation */

/* The field key of in, mapped over arrays (and flattened one level). */
static jv *lookup_field(ev *e, jv *in, const char *key)
{
    guard(e);
    if (!in)
        return NULL;
    if (is_arr(in)) {
        jv *out = arr(e, F_SEQ);
        int n = len_of(e, in);
        for (int i = 0; i < n; i++)
            push_flat(e, out, lookup_field(e, in->a[i], key));
        return out;
    }
    if (in->t == T_OBJ)
        return obj_get(e, in, key);
    return NULL;
}

static void flatten_into(ev *e, jv *out, jv *v)
{
    guard(e);
    if (is_arr(v)) {
        int n = len_of(e, v);
        for (int i = 0; i < n; i++)
            flatten_into(e, out, v->a[i]);
    } else if (v) {
        push(e, out, v);
    }
}

/* *: the values of an object (arrays among them flattened). */
static jv *wildcard(ev *e, jv *in)
{
    jv *out = arr(e, F_SEQ);
    if (!in || (in->t != T_OBJ && in->t != T_ARR))
        return out;
    int n = len_of(e, in);
    for (int i = 0; i < n; i++) {
        jv *v = in->a[i];
        if (is_arr(v)) {
            flatten_into(e, out, v);
            out->fl = 0; /* JSONata's append made it a plain array */
        } else if (v) {
            push(e, out, v);
        }
    }
    return out;
}

static void descend(ev *e, jv *v, jv *out)
{
    guard(e);
    if (!is_arr(v))
        push(e, out, v);
    if (v->t == T_ARR || v->t == T_OBJ) {
        int n = len_of(e, v);
        for (int i = 0; i < n; i++)
            if (v->a[i])
                descend(e, v->a[i], out);
    }
}

/* **: every value at or below in. */
static jv *descendants(ev *e, jv *in)
{
    if (!in)
        return NULL;
    jv *out = arr(e, F_SEQ);
    descend(e, in, out);
    return out->len == 1 ? out->a[0] : out;
}

/* ------------------------------------------------------------- paths */

/* A step applied to each input item; results flattened one level (arrays
 * built by a constructor stay whole). A single array from the last step
 * is the result as it is: $states.input.list keeps a one-item list. */
static jv *eval_step(ev *e, const asl_node *step, jv **items, int n, scope *env, int last)
{
    jv *col = arr(e, F_SEQ);
    for (int i = 0; i < n; i++) {
        jv *r = eval(e, step, items[i], env);
        if (r)
            push(e, col, r);
    }
    if (last && col->len == 1 && is_arr(col->a[0]) && !(col->a[0]->fl & F_SEQ))
        return col->a[0];
    jv *out = arr(e, F_SEQ);
    for (int i = 0; i < col->len; i++) {
        jv *r = col->a[i];
        if (!is_arr(r) || (r->fl & F_CONS))
            push(e, out, r);
        else
            push_flat(e, out, r);
    }
    return out;
}

static jv *sort_items(ev *e, const asl_node *sort, jv **items, int n, scope *env);
static int *order(ev *e, const asl_node *sort, jv **at, scope **envs, scope *env, int n);
static jv *apply_filter(ev *e, const asl_node *pred, jv *input, scope *env);

/* ------------------------------------------------------------- tuple streams */

/* After a step with @ or # bindings a path carries tuples: an item (the
 * context, JSONata's '@') and the variables bound so far, as a scope over
 * the path's environment. */
typedef struct tup {
    jv *at;
    scope *s;
} tup;

typedef struct tuples {
    tup *t;
    int n, cap;
} tuples;

static void tup_push(ev *e, tuples *ts, jv *at, scope *s)
{
    if (ts->n == ts->cap) {
        int cap = ts->cap ? 2 * ts->cap : 8;
        if (cap > MAX_ITEMS)
            fail(e, "Expression evaluation memory limit exceeded");
        tup *t = alloc(e, sizeof *t * (size_t)cap);
        if (ts->n)
            memcpy(t, ts->t, sizeof *t * (size_t)ts->n);
        ts->t = t;
        ts->cap = cap;
    }
    ts->t[ts->n++] = (tup){at, s};
}

static scope *bound(ev *e, scope *s, const char *name, jv *v)
{
    scope *b = scope_new(e, s);
    bind(e, b, name, v);
    return b;
}

/* A predicate over the tuples, as apply_filter over items. */
static tuples tuple_filter(ev *e, const asl_node *pred, tuples in)
{
    tuples out = {0};
    if (pred->kind == JN_INDEX_STAGE) {
        for (int i = 0; i < in.n; i++)
            tup_push(e, &out, in.t[i].at, bound(e, in.t[i].s, pred->str, num(e, i)));
        return out;
    }
    if (pred->kind == JN_NUMBER) {
        double ix = floor(pred->num);
        if (ix < 0)
            ix += in.n;
        if (ix >= 0 && ix < in.n)
            tup_push(e, &out, in.t[(int)ix].at, in.t[(int)ix].s);
        return out;
    }
    for (int i = 0; i < in.n; i++) {
        jv *r = eval(e, pred, in.t[i].at, in.t[i].s);
        if (r && r->t == T_NUM)
            r = seq1(e, r);
        int all_numbers = is_arr(r), keep = 0;
        for (int k = 0; all_numbers && k < len_of(e, r); k++)
            all_numbers = r->a[k] && r->a[k]->t == T_NUM;
        if (all_numbers) {
            for (int k = 0; k < r->len; k++) {
                double ix = floor(r->a[k]->n);
                keep |= (ix < 0 ? ix + in.n : ix) == i;
            }
        } else {
            keep = truthy(e, r);
        }
        if (keep)
            tup_push(e, &out, in.t[i].at, in.t[i].s);
    }
    return out;
}

/* One path step over tuples: the step's results become tuples (or, with
 * @$v, are bound to $v while the context stays), numbered by #$i; then
 * its predicates and #$i stages in the order written. */
static tuples tuple_step(ev *e, const asl_node *step, tuples in)
{
    const asl_node *filter = step->kind == JN_FILTER ? step : NULL;
    const asl_node *core = filter ? &step->kids[0] : step;
    const char *index = NULL, *focus = NULL;
    /* an empty name ($) binds nothing, as in jsonata-js */
    if (core->kind == JN_INDEX_BIND) {
        index = core->str[0] ? core->str : NULL;
        core = &core->kids[0];
    }
    if (core->kind == JN_FOCUS_BIND) {
        focus = core->str[0] ? core->str : NULL;
        core = &core->kids[0];
    }
    tuples out = {0};
    if (core->kind == JN_SORT) {
        jv **at = alloc(e, sizeof *at * (size_t)(in.n ? in.n : 1));
        scope **envs = alloc(e, sizeof *envs * (size_t)(in.n ? in.n : 1));
        for (int i = 0; i < in.n; i++) {
            at[i] = in.t[i].at;
            envs[i] = in.t[i].s;
        }
        int *perm = order(e, core, at, envs, NULL, in.n);
        for (int i = 0; i < in.n; i++)
            tup_push(e, &out, in.t[perm[i]].at, index ? bound(e, in.t[perm[i]].s, index, num(e, i)) : in.t[perm[i]].s);
    } else {
        for (int i = 0; i < in.n; i++) {
            jv *res = eval(e, core, in.t[i].at, in.t[i].s);
            if (!res)
                continue;
            jv *one[1] = {res};
            jv **items = one;
            int n = 1;
            if (is_arr(res)) {
                n = len_of(e, res);
                items = res->a;
            }
            for (int k = 0; k < n; k++) {
                scope *s = focus ? bound(e, in.t[i].s, focus, items[k]) : in.t[i].s;
                if (index)
                    s = bound(e, s, index, num(e, k));
                tup_push(e, &out, focus ? in.t[i].at : items[k], s);
            }
        }
    }
    for (int k = 1; filter && k < filter->count; k++)
        out = tuple_filter(e, &filter->kids[k], out);
    return out;
}

static jv *eval_path(ev *e, const asl_node *n, jv *in, scope *env)
{
    jv *one[1] = {in};
    jv **items = one;
    int cnt = 1;
    if (n->kids[0].kind != JN_VARIABLE && is_arr(in)) {
        cnt = len_of(e, in);
        items = in->a;
    }
    jv *res = NULL;
    int tupled = 0;
    tuples ts = {0};
    for (int i = 0; i < n->count; i++) {
        const asl_node *step = &n->kids[i];
        if ((step->flags & JN_F_TUPLE) && !tupled) {
            tupled = 1;
            for (int k = 0; k < cnt; k++)
                if (items[k] || cnt == 1)
                    tup_push(e, &ts, items[k], env);
        }
        if (tupled) {
            ts = tuple_step(e, step, ts);
            continue;
        }
        if (i == 0 && step->kind == JN_ARRAY && (step->flags & JN_F_CONS)) {
            jv *ctx = in;
            if (!is_arr(in))
                ctx = seq1(e, in);
            res = eval(e, step, ctx, env);
        } else if (step->kind == JN_SORT || (step->kind == JN_FILTER && step->kids[0].kind == JN_SORT)) {
            /* order-by sorts the whole sequence; predicates after it filter
             * the sorted whole */
            const asl_node *sort = step->kind == JN_SORT ? step : &step->kids[0];
            res = sort_items(e, sort, items, cnt, env);
            for (int k = 1; step->kind == JN_FILTER && k < step->count; k++)
                res = apply_filter(e, &step->kids[k], res, env);
        } else {
            res = eval_step(e, step, items, cnt, env, i == n->count - 1);
        }
        if (!res)
            break;
        if (!is_arr(res))
            res = seq1(e, res);
        if (len_of(e, res) == 0)
            break;
        items = res->a;
        cnt = res->len;
    }
    if (tupled) {
        res = arr(e, F_SEQ);
        for (int k = 0; k < ts.n; k++)
            if (ts.t[k].at)
                push(e, res, ts.t[k].at);
    }
    if ((n->flags & JN_F_KEEP_SINGLETON) && res) {
        if ((res->fl & F_CONS) && !(res->fl & F_SEQ)) {
            jv *s = arr(e, F_SEQ);
            push_flat(e, s, res);
            res = s;
        }
        if (res->fl & F_SEQ)
            res->fl |= F_KEEP;
    }
    return res;
}

/* One predicate over a value: an index (numbers count from the end when
 * negative) or a condition per item. */
static jv *apply_filter(ev *e, const asl_node *pred, jv *input, scope *env)
{
    jv *out = arr(e, F_SEQ);
    /* undefined is a sequence of one undefined item: the predicate still
     * runs (and may fail), though nothing can pass */
    jv *one[1] = {input};
    jv **items = one;
    int n = 1;
    if (is_arr(input)) {
        n = len_of(e, input);
        items = input->a;
    }
    if (pred->kind == JN_NUMBER) {
        double ix = floor(pred->num);
        if (ix < 0)
            ix += n;
        if (ix >= 0 && ix < n && items[(int)ix]) {
            jv *item = items[(int)ix];
            if (is_arr(item))
                return item;
            push(e, out, item);
        }
        return out;
    }
    for (int i = 0; i < n; i++) {
        jv *r = eval(e, pred, items[i], env);
        if (r && r->t == T_NUM)
            r = seq1(e, r);
        int all_numbers = is_arr(r);
        for (int k = 0; all_numbers && k < len_of(e, r); k++)
            all_numbers = r->a[k] && r->a[k]->t == T_NUM;
        if (all_numbers) {
            for (int k = 0; k < r->len && items[i]; k++) {
                double ix = floor(r->a[k]->n);
                if (ix < 0)
                    ix += n;
                if (ix == i)
                    push(e, out, items[i]);
            }
        } else if (truthy(e, r) && items[i]) {
            push(e, out, items[i]);
        }
    }
    return out;
}

/* ------------------------------------------------------------- sorting */

/* $sort's comparison: a function, or the natural order (fn NULL). */
typedef struct sorter {
    ev *e;
    jv *fn;
} sorter;

/* An order-by in progress: each term's value for each item, computed
 * when a comparison first needs it (as JSONata evaluates them) and kept,
 * not recomputed per comparison. */
typedef struct ordering {
    ev *e;
    const asl_node *sort;
    jv **at;
    scope **envs;          /* each item's own bindings, or NULL for env */
    scope *env;
    jv **keys;
    unsigned char *have;
} ordering;

static jv *sort_key(ordering *o, int item, int term)
{
    size_t k = (size_t)item * (size_t)o->sort->count + (size_t)term;
    if (!o->have[k]) {
        o->keys[k] = eval(o->e, &o->sort->kids[term].kids[0], o->at[item], o->envs ? o->envs[item] : o->env);
        o->have[k] = 1;
    }
    return o->keys[k];
}

/* 1 when item a must come after item b. */
static int keys_after(ordering *o, int a, int b)
{
    ev *e = o->e;
    int comp = 0;
    for (int i = 0; comp == 0 && i < o->sort->count; i++) {
        jv *aa = sort_key(o, a, i), *bb = sort_key(o, b, i);
        if (!aa) {
            comp = bb ? 1 : 0;
            continue;
        }
        if (!bb) {
            comp = -1;
            continue;
        }
        if ((aa->t != T_NUM && aa->t != T_STR) || (bb->t != T_NUM && bb->t != T_STR))
            fail(e, "T2008: The expressions within an order-by clause must evaluate to numeric or string values");
        if (aa->t != bb->t)
            fail(e, "T2007: Type mismatch when comparing values %s and %s in order-by clause", show(e, aa), show(e, bb));
        int c = aa->t == T_NUM ? (aa->n < bb->n ? -1 : aa->n > bb->n) : strcmp(aa->s, bb->s);
        if (c == 0)
            continue;
        comp = c < 0 ? -1 : 1;
        if (o->sort->kids[i].op)
            comp = -comp;
    }
    return comp == 1;
}

/* Stable merge sort of the positions perm[0..n). */
static void perm_sort(ordering *o, int *perm, int *tmp, int n)
{
    if (n <= 1)
        return;
    int mid = n / 2;
    perm_sort(o, perm, tmp, mid);
    perm_sort(o, perm + mid, tmp, n - mid);
    int i = 0, j = mid, k = 0;
    while (i < mid && j < n)
        tmp[k++] = keys_after(o, perm[i], perm[j]) ? perm[j++] : perm[i++];
    while (i < mid)
        tmp[k++] = perm[i++];
    while (j < n)
        tmp[k++] = perm[j++];
    memcpy(perm, tmp, sizeof *perm * (size_t)n);
}

/* The order an order-by clause puts n items in, as positions. */
static int *order(ev *e, const asl_node *sort, jv **at, scope **envs, scope *env, int n)
{
    size_t nk = (size_t)n * (size_t)sort->count;
    ordering o = {e, sort, at, envs, env, alloc(e, sizeof(jv *) * (nk ? nk : 1)), alloc(e, nk ? nk : 1)};
    int *perm = alloc(e, sizeof *perm * (size_t)(n ? n : 1)), *tmp = alloc(e, sizeof *tmp * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        perm[i] = i;
    perm_sort(&o, perm, tmp, n);
    return perm;
}

/* 1 when a must come after b. */
static int after(sorter *s, jv *a, jv *b)
{
    ev *e = s->e;
    if (s->fn) {
        jv *args[2] = {a, b};
        return truthy(e, apply(e, s->fn, args, 2, NULL));
    }
    /* $sort without a function: numbers or strings */
    return a->t == T_NUM ? a->n > b->n : strcmp(a->s, b->s) > 0;
}

/* A stable merge sort (JSONata's), into a new array. */
static void msort(sorter *s, jv **a, jv **tmp, int n)
{
    if (n <= 1)
        return;
    int mid = n / 2;
    msort(s, a, tmp, mid);
    msort(s, a + mid, tmp, n - mid);
    int i = 0, j = mid, k = 0;
    while (i < mid && j < n)
        tmp[k++] = after(s, a[i], a[j]) ? a[j++] : a[i++];
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, sizeof *a * (size_t)n);
}

static jv *sorted(sorter *s, jv **items, int n)
{
    jv *out = arr(s->e, F_SEQ);
    for (int i = 0; i < n; i++)
        push(s->e, out, items[i]);
    jv **tmp = alloc(s->e, sizeof *tmp * (size_t)(n ? n : 1));
    msort(s, out->a, tmp, n);
    return out;
}

static jv *sort_items(ev *e, const asl_node *sort, jv **items, int n, scope *env)
{
    int *perm = order(e, sort, items, NULL, env, n);
    jv *out = arr(e, F_SEQ);
    for (int i = 0; i < n; i++)
        push(e, out, items[perm[i]]);
    return out;
}

/* ------------------------------------------------------------- operators */

static jv *arithmetic(ev *e, int op, jv *l, jv *r)
{
    if (l && l->t != T_NUM)
        fail(e, "T2001: The left side of the \"%s\" operator must evaluate to a number", op_names[op]);
    if (r && r->t != T_NUM)
        fail(e, "T2002: The right side of the \"%s\" operator must evaluate to a number", op_names[op]);
    if (!l || !r)
        return NULL;
    double a = l->n, b = r->n;
    switch (op) {
    case JN_OP_ADD: return num(e, a + b);
    case JN_OP_SUB: return num(e, a - b);
    case JN_OP_MUL: return num(e, a * b);
    case JN_OP_DIV: return num(e, a / b);
    default: return num(e, fmod(a, b));
    }
}

static jv *compare(ev *e, int op, jv *l, jv *r)
{
    int lok = !l || l->t == T_NUM || l->t == T_STR, rok = !r || r->t == T_NUM || r->t == T_STR;
    if (!lok || !rok)
        fail(e, "T2010: The expressions either side of operator \"%s\" must evaluate to numeric or string values",
             op_names[op]);
    if (!l || !r)
        return NULL;
    if (l->t != r->t)
        fail(e, "T2009: The values %s and %s either side of operator \"%s\" must be of the same data type", show(e, l),
             show(e, r), op_names[op]);
    int c = l->t == T_NUM ? (l->n < r->n ? -1 : l->n > r->n ? 1 : l->n == r->n ? 0 : 2) : strcmp(l->s, r->s);
    if (c == 2) /* NaN */
        return e->vfalse;
    switch (op) {
    case JN_OP_LT: return boolean_v(e, c < 0);
    case JN_OP_LE: return boolean_v(e, c <= 0);
    case JN_OP_GT: return boolean_v(e, c > 0);
    default: return boolean_v(e, c >= 0);
    }
}

static jv *range(ev *e, jv *l, jv *r)
{
    if (l && !(l->t == T_NUM && is_integer(l->n)))
        fail(e, "T2003: The left side of the range operator (..) must evaluate to an integer");
    if (r && !(r->t == T_NUM && is_integer(r->n)))
        fail(e, "T2004: The right side of the range operator (..) must evaluate to an integer");
    if (!l || !r || l->n > r->n)
        return NULL;
    double size = r->n - l->n + 1;
    if (size > 1e7) {
        char tmp[40];
        js_number(size, tmp);
        fail(e, "D2014: The size of the sequence allocated by the range operator (..) must not exceed 1e7.  "
                "Attempted to allocate %s.", tmp);
    }
    if (size > MAX_ITEMS)
        fail(e, "Expression evaluation memory limit exceeded");
    jv *out = arr(e, F_SEQ);
    for (double d = l->n; d <= r->n; d++)
        push(e, out, num(e, d));
    return out;
}

static jv *eval_binary(ev *e, const asl_node *n, jv *in, scope *env)
{
    int op = n->op;
    jv *l = eval(e, &n->kids[0], in, env);
    if (op == JN_OP_AND)
        return boolean_v(e, truthy(e, l) && truthy(e, eval(e, &n->kids[1], in, env)));
    if (op == JN_OP_OR)
        return boolean_v(e, truthy(e, l) || truthy(e, eval(e, &n->kids[1], in, env)));
    jv *r = eval(e, &n->kids[1], in, env);
    switch (op) {
    case JN_OP_ADD: case JN_OP_SUB: case JN_OP_MUL: case JN_OP_DIV: case JN_OP_MOD:
        return arithmetic(e, op, l, r);
    case JN_OP_EQ: return boolean_v(e, l && r && deep_equal(e, l, r));
    case JN_OP_NE: return boolean_v(e, l && r && !deep_equal(e, l, r));
    case JN_OP_LT: case JN_OP_LE: case JN_OP_GT: case JN_OP_GE:
        return compare(e, op, l, r);
    case JN_OP_CONCAT: {
        jv *ls = to_string(e, l, 0), *rs = to_string(e, r, 0);
        size_t a = ls ? ls->slen : 0, b = rs ? rs->slen : 0;
        char *s = alloc(e, a + b + 1);
        if (a)
            memcpy(s, ls->s, a);
        if (b)
            memcpy(s + a, rs->s, b);
        return str_n(e, s, a + b);
    }
    case JN_OP_IN: {
        if (!l || !r)
            return e->vfalse;
        if (!is_arr(r))
            return boolean_v(e, identical(l, r));
        int cnt = len_of(e, r);
        for (int i = 0; i < cnt; i++)
            if (identical(r->a[i], l))
                return e->vtrue;
        return e->vfalse;
    }
    case JN_OP_RANGE: return range(e, l, r);
    }
    fail(e, "S0204: Unknown operator: %d", op);
}

/* ------------------------------------------------------------- constructors */

static jv *eval_array(ev *e, const asl_node *n, jv *in, scope *env)
{
    jv *out = arr(e, (n->flags & JN_F_CONS) ? F_CONS : 0);
    for (int i = 0; i < n->count; i++) {
        jv *v = eval(e, &n->kids[i], in, env);
        if (!v)
            continue;
        if (n->kids[i].kind == JN_ARRAY)
            push(e, out, v);
        else
            push_flat(e, out, v);
    }
    return out;
}

/* An object constructor over input: items are grouped by the key each pair
 * gives them, and each pair's value is evaluated once per group, with the
 * group's items as its context. */
static jv *group_by(ev *e, const asl_node *o, jv *input, scope *env)
{
    jv *one[1] = {input};
    jv **items = one;
    int n = 1;
    if (is_arr(input) && len_of(e, input) > 0) {
        items = input->a;
        n = input->len;
    } else if (is_arr(input)) {
        one[0] = NULL;
    }
    int cap = 8, ng = 0;
    const char **keys = alloc(e, sizeof *keys * (size_t)cap);
    jv **data = alloc(e, sizeof *data * (size_t)cap);
    int *pair = alloc(e, sizeof *pair * (size_t)cap);
    for (int i = 0; i < n; i++) {
        for (int p = 0; p < o->count; p++) {
            jv *key = eval(e, &o->kids[p].kids[0], items[i], env);
            if (!key)
                continue;
            if (key->t != T_STR)
                fail(e, "T1003: Key in object structure must evaluate to a string; got: %s", show(e, key));
            int g = 0;
            while (g < ng && strcmp(keys[g], key->s))
                g++;
            if (g < ng) {
                if (pair[g] != p)
                    fail(e, "D1009: Multiple key definitions evaluate to same key: %s", show(e, key));
                data[g] = append(e, data[g], items[i]);
                continue;
            }
            if (ng == cap) {
                cap *= 2;
                const char **k2 = alloc(e, sizeof *k2 * (size_t)cap);
                jv **d2 = alloc(e, sizeof *d2 * (size_t)cap);
                int *p2 = alloc(e, sizeof *p2 * (size_t)cap);
                memcpy(k2, keys, sizeof *k2 * (size_t)ng);
                memcpy(d2, data, sizeof *d2 * (size_t)ng);
                memcpy(p2, pair, sizeof *p2 * (size_t)ng);
                keys = k2, data = d2, pair = p2;
            }
            keys[ng] = key->s;
            data[ng] = items[i];
            pair[ng++] = p;
        }
    }
    jv *out = obj(e);
    out->len = 0;
    for (int g = 0; g < ng; g++) {
        jv *v = eval(e, &o->kids[pair[g]].kids[1], data[g], env);
        if (v)
            obj_set(e, out, keys[g], v);
    }
    return out;
}

/* ------------------------------------------------------------- functions */

static jv *regex_value(ev *e, const asl_node *n);

static void *arena_cb(void *ctx, size_t n)
{
    return alloc(ctx, n);
}

static int arity(ev *e, jv *f)
{
    if (!is_fn(f))
        return 0;
    switch (f->f->kind) {
    case FN_BUILTIN: return builtin_arity(f->f->builtin);
    case FN_LAMBDA: return f->f->node->op;
    case FN_PARTIAL: {
        int n = 0;
        for (int i = 0; i < f->f->nargs; i++)
            n += f->f->hole[i];
        return n;
    }
    case FN_CHAIN: return arity(e, f->f->base);
    default: return 1;
    }
}

/* The procedure of a call: a name the library defines is looked up only
 * after local bindings and variables, which may shadow it. */
static jv *resolve_proc(ev *e, const asl_node *call, jv *in, scope *env)
{
    const asl_node *p = &call->kids[0];
    if (call->op && p->kind == JN_VARIABLE) {
        jv *v;
        if (scope_find(env, p->str, &v))
            return v;
        const cJSON *j = e->c ? asl_ctx_var(e->c, p->str) : NULL;
        if (j)
            return wrap(e, j);
        return builtin_fn(e, call->op - 1);
    }
    return eval(e, p, in, env);
}

/* foo(...) where foo is not a function but $foo is: JSONata's hint. */
static void not_callable(ev *e, const asl_node *call, jv *proc, scope *env, int partial)
{
    const asl_node *p = &call->kids[0];
    if (!proc && p->kind == JN_PATH && p->kids[0].kind == JN_NAME) {
        int found;
        lookup_var(e, env, p->kids[0].str, &found);
        if (found)
            fail(e, "%s: Attempted to %s a non-function. Did you mean $%s?", partial ? "T1007" : "T1005",
                 partial ? "partially apply" : "invoke", p->kids[0].str);
    }
    if (partial && !is_fn(proc))
        fail(e, "T1008: Attempted to partially apply a non-function");
}

static jv *eval_call(ev *e, const asl_node *n, jv *in, scope *env, jv *first, int has_first)
{
    jv *proc = resolve_proc(e, n, in, env);
    int partial = (n->flags & JN_F_PARTIAL) != 0;
    if (!is_fn(proc))
        not_callable(e, n, proc, env, partial);
    int nargs = n->count - 1 + has_first, k = 0;
    jv **args = alloc(e, sizeof *args * (size_t)(nargs ? nargs : 1));
    unsigned char *hole = partial ? alloc(e, (size_t)(nargs ? nargs : 1)) : NULL;
    if (has_first)
        args[k++] = first;
    for (int i = 1; i < n->count; i++, k++) {
        if (n->kids[i].kind == JN_PLACEHOLDER)
            hole[k] = 1;
        else
            args[k] = eval(e, &n->kids[i], in, env);
    }
    if (partial) {
        jv *f = func(e, FN_PARTIAL);
        f->f->base = proc;
        f->f->args = args;
        f->f->hole = hole;
        f->f->nargs = nargs;
        return f;
    }
    return apply(e, proc, args, nargs, in);
}

/* A lambda's signature, checked as the library's are. */
static jv **validate(ev *e, const char *sig, jv **args, int *nargs, jv *input, const char *name);

static jv *apply_inner(ev *e, jv *fn, jv **args, int nargs, jv *input)
{
    if (!is_fn(fn))
        fail(e, "T1006: Attempted to invoke a non-function");
    jfn *f = fn->f;
    switch (f->kind) {
    case FN_BUILTIN: return call_builtin(e, f->builtin, args, nargs, input);
    case FN_LAMBDA: {
        const asl_node *lam = f->node;
        int np = lam->op;
        if (lam->str)
            args = validate(e, lam->str, args, &nargs, input, "lambda");
        scope *s = scope_new(e, f->env);
        for (int i = 0; i < np; i++)
            bind(e, s, lam->kids[i].str, i < nargs ? args[i] : NULL);
        return eval(e, &lam->kids[np], f->input, s);
    }
    case FN_PARTIAL: {
        jv **full = alloc(e, sizeof *full * (size_t)(f->nargs ? f->nargs : 1));
        for (int i = 0, k = 0; i < f->nargs; i++)
            full[i] = f->hole[i] ? (k < nargs ? args[k++] : NULL) : f->args[i];
        return apply(e, f->base, full, f->nargs, input);
    }
    case FN_CHAIN: {
        jv *mid = apply(e, f->base, args, nargs, input);
        return apply(e, f->g, &mid, 1, input);
    }
    case FN_REGEX: {
        jv *m = NULL;
        if (nargs && args[0] && args[0]->t == T_STR) {
            size_t *caps = alloc(e, sizeof *caps * 2 * (size_t)(f->re->ngroups + 1));
            long steps = 0;
            int r = rx_search(f->re, args[0]->s, args[0]->slen, 0, caps, &steps);
            if (r < 0)
                fail(e, "The regular expression is too complex for this input");
            if (r) {
                m = obj(e);
                m->len = 0;
                obj_set(e, m, "match", str_n(e, sdup(e, args[0]->s + caps[0], caps[1] - caps[0]), caps[1] - caps[0]));
                obj_set(e, m, "start", num(e, (double)cp_count(args[0]->s, caps[0])));
                obj_set(e, m, "end", num(e, (double)cp_count(args[0]->s, caps[1])));
                jv *groups = arr(e, 0);
                for (int g = 1; g <= f->re->ngroups; g++)
                    push(e, groups, caps[2 * g] == SIZE_MAX ? e->vnull
                                    : str_n(e, sdup(e, args[0]->s + caps[2 * g], caps[2 * g + 1] - caps[2 * g]),
                                            caps[2 * g + 1] - caps[2 * g]));
                obj_set(e, m, "groups", groups);
            }
        }
        return m;
    }
    case FN_THUNK: return fn;
    }
    return NULL;
}

/* Applies a function; tail calls come back as thunks and run here, in a
 * loop, so that tail recursion does not deepen the C stack. */
static jv *apply(ev *e, jv *fn, jv **args, int nargs, jv *input)
{
    jv *r = apply_inner(e, fn, args, nargs, input);
    while (r && r->t == T_FUNC && r->f->kind == FN_THUNK) {
        jfn *t = r->f;
        const asl_node *call = t->node;
        jv *proc = resolve_proc(e, call, t->input, t->env);
        if (!is_fn(proc))
            not_callable(e, call, proc, t->env, 0);
        int n = call->count - 1;
        jv **a = alloc(e, sizeof *a * (size_t)(n ? n : 1));
        for (int i = 0; i < n; i++)
            a[i] = eval(e, &call->kids[i + 1], t->input, t->env);
        tick(e);
        r = apply_inner(e, proc, a, n, t->input);
    }
    return r;
}

/* Calls fn with (value, index, array) cut to the arguments it takes. */
static jv *apply_hof(ev *e, jv *fn, jv *value, int index, jv *array, jv *extra)
{
    jv *args[4];
    int n = 0, ar = arity(e, fn);
    if (extra)
        args[n++] = extra;
    args[n++] = value;
    if (ar >= n + 1)
        args[n++] = num(e, index);
    if (ar >= n + 1)
        args[n++] = array;
    return apply(e, fn, args, n, NULL);
}

static jv *eval_apply(ev *e, const asl_node *n, jv *in, scope *env)
{
    jv *l = eval(e, &n->kids[0], in, env);
    const asl_node *rhs = &n->kids[1];
    if (rhs->kind == JN_CALL && !(rhs->flags & JN_F_PARTIAL))
        return eval_call(e, rhs, in, env, l, 1);
    jv *f = eval(e, rhs, in, env);
    if (!is_fn(f))
        fail(e, "T2006: The right side of the function application operator ~> must be a function");
    if (is_fn(l)) {
        jv *c = func(e, FN_CHAIN);
        c->f->base = l;
        c->f->g = f;
        return c;
    }
    return apply(e, f, &l, 1, in);
}

/* ------------------------------------------------------------- eval */

static jv *eval_node(ev *e, const asl_node *n, jv *in, scope *env)
{
    switch (n->kind) {
    case JN_ROOT: return eval(e, &n->kids[0], in, env);
    case JN_NUMBER: return num(e, n->num);
    case JN_STRING: return str(e, n->str);
    case JN_VALUE: return n->op == JN_V_NULL ? e->vnull : boolean_v(e, n->op == JN_V_TRUE);
    case JN_REGEX: return regex_value(e, n);
    case JN_NAME: return lookup_field(e, in, n->str);
    case JN_VARIABLE: {
        if (!n->str[0])
            return in;
        if (!strcmp(n->str, "$"))
            return NULL; /* $$, the root: an ASL expression has none */
        int found;
        return lookup_var(e, env, n->str, &found);
    }
    case JN_WILDCARD: return wildcard(e, in);
    case JN_DESCENDANT: return descendants(e, in);
    case JN_PATH: return eval_path(e, n, in, env);
    case JN_BINARY: return eval_binary(e, n, in, env);
    case JN_NEGATE: {
        jv *v = eval(e, &n->kids[0], in, env);
        if (!v)
            return NULL;
        if (v->t != T_NUM)
            fail(e, "D1002: Cannot negate a non-numeric value: %s", show(e, v));
        return num(e, -v->n);
    }
    case JN_ARRAY: return eval_array(e, n, in, env);
    case JN_OBJECT: return group_by(e, n, in, env);
    case JN_CONDITION:
        if (truthy(e, eval(e, &n->kids[0], in, env)))
            return eval(e, &n->kids[1], in, env);
        return n->count > 2 ? eval(e, &n->kids[2], in, env) : NULL;
    case JN_BLOCK: {
        scope *s = scope_new(e, env);
        jv *r = NULL;
        for (int i = 0; i < n->count; i++)
            r = eval(e, &n->kids[i], in, s);
        return r;
    }
    case JN_BIND: {
        jv *v = eval(e, &n->kids[0], in, env);
        bind(e, env, n->str, v);
        return v;
    }
    case JN_CALL:
        if (n->flags & JN_F_TAIL) {
            jv *t = func(e, FN_THUNK);
            t->f->node = n;
            t->f->input = in;
            t->f->env = env;
            return t;
        }
        return eval_call(e, n, in, env, NULL, 0);
    case JN_LAMBDA: {
        jv *f = func(e, FN_LAMBDA);
        f->f->node = n;
        f->f->env = env;
        f->f->input = in;
        return f;
    }
    case JN_APPLY: return eval_apply(e, n, in, env);
    case JN_SORT: {
        jv *one[1] = {in};
        if (is_arr(in))
            return sort_items(e, n, in->a, len_of(e, in), env);
        return sort_items(e, n, one, in ? 1 : 0, env);
    }
    case JN_GROUP: return group_by(e, &n->kids[1], eval_keep(e, &n->kids[0], in, env), env);
    case JN_FOCUS_BIND:
    case JN_INDEX_BIND: return eval_keep(e, &n->kids[0], in, env);
    case JN_INDEX_STAGE: return in;
    case JN_FILTER: {
        jv *v = eval_keep(e, &n->kids[0], in, env);
        for (int i = 1; i < n->count; i++)
            v = apply_filter(e, &n->kids[i], v, env);
        return v;
    }
    }
    fail(e, "S0206: Unknown expression type: %d", n->kind);
}

/* Evaluates n; a sequence comes back as it is (see unwrap). */
static jv *eval_keep(ev *e, const asl_node *n, jv *in, scope *env)
{
    guard(e);
    if (++e->depth > MAX_DEPTH)
        fail(e, "Stack overflow error: Check for non-terminating recursive function.  "
                "Consider rewriting as tail-recursive. Depth=%d max=%d", e->depth, MAX_DEPTH);
    tick(e);
    jv *r = eval_node(e, n, in, env);
    if (r && (n->flags & JN_F_KEEP_ARRAY) && (r->fl & F_SEQ))
        r->fl |= F_KEEP;
    e->depth--;
    return r;
}

static jv *eval(ev *e, const asl_node *n, jv *in, scope *env)
{
    return unwrap(eval_keep(e, n, in, env));
}

static jv *regex_value(ev *e, const asl_node *n)
{
    const char *err;
    rx *re = rx_compile(n->str, strlen(n->str), n->op, arena_cb, e, &err);
    if (!re)
        fail(e, "S0302: Invalid regular expression: %s", err);
    jv *f = func(e, FN_REGEX);
    f->f->re = re;
    f->f->node = n;
    return f;
}

/* ------------------------------------------------------------- signatures */

/* JSONata function signatures ("<s-nn?:s>"): one parameter per type letter
 * (or (choice)), with ? optional, + repeated, - "the context if absent". */
typedef struct sparam {
    char types[12];
    char sub;          /* a<n>: the item type */
    char opt, plus, ctx;
} sparam;

typedef struct sig {
    sparam p[8];
    int n;
} sig;

static void sig_parse(const char *s, sig *out)
{
    memset(out, 0, sizeof *out);
    const char *p = s + 1;
    while (*p && *p != ':' && *p != '>' && out->n < 8) {
        sparam *sp = &out->p[out->n++];
        size_t nt = 0;
        if (*p == '(') {
            for (p++; *p && *p != ')'; p++) {
                if (*p == '<') {
                    int depth = 0;
                    do
                        depth += *p == '<' ? 1 : *p == '>' ? -1 : 0;
                    while (depth && *++p);
                    continue;
                }
                if (nt < sizeof sp->types - 1)
                    sp->types[nt++] = *p;
            }
            if (*p)
                p++;
        } else {
            sp->types[nt++] = *p++;
            if ((sp->types[0] == 'a' || sp->types[0] == 'f') && *p == '<') {
                if (sp->types[0] == 'a')
                    sp->sub = p[1];
                int depth = 0;
                do
                    depth += *p == '<' ? 1 : *p == '>' ? -1 : 0;
                while (depth && *++p);
                if (*p)
                    p++;
            }
        }
        for (; *p == '?' || *p == '+' || *p == '-'; p++) {
            if (*p == '?')
                sp->opt = 1;
            else if (*p == '+')
                sp->plus = 1;
            else
                sp->ctx = 1;
        }
    }
}

static char symbol(const jv *v)
{
    if (!v)
        return 'm';
    static const char sym[] = {'l', 'b', 'n', 's', 'a', 'o', 'f'};
    return sym[v->t];
}

/* Undefined ("m", missing) passes for every type but a lone function. */
static int accepts(const sparam *p, char c)
{
    for (const char *t = p->types; *t; t++)
        if (*t == 'x' || *t == 'a' || *t == c || (*t == 'j' && c != 'f'))
            return 1;
    return c == 'm' && strcmp(p->types, "f") != 0;
}

/* Assigns arguments to parameters (take[i]: how many parameter i takes),
 * trying to take before skipping, as the regex JSONata builds would. */
static int sig_match(const sig *s, int pi, const char *syms, int ai, int nargs, int *take)
{
    if (pi == s->n)
        return ai == nargs;
    const sparam *p = &s->p[pi];
    if (ai < nargs && accepts(p, syms[ai])) {
        int end = ai + 1;
        if (p->plus)
            while (end < nargs && accepts(p, syms[end]))
                end++;
        for (int j = end; j > ai; j--) {
            take[pi] = j - ai;
            if (sig_match(s, pi + 1, syms, j, nargs, take))
                return 1;
        }
    }
    if (p->opt || p->ctx) {
        take[pi] = 0;
        return sig_match(s, pi + 1, syms, ai, nargs, take);
    }
    return 0;
}

/* How many arguments the first k parameters match (as a prefix), or -1. */
static int sig_prefix(const sig *s, int k, int pi, const char *syms, int ai, int nargs)
{
    if (pi == k)
        return ai;
    const sparam *p = &s->p[pi];
    if (ai < nargs && accepts(p, syms[ai])) {
        int end = ai + 1;
        if (p->plus)
            while (end < nargs && accepts(p, syms[end]))
                end++;
        for (int j = end; j > ai; j--) {
            int r = sig_prefix(s, k, pi + 1, syms, j, nargs);
            if (r >= 0)
                return r;
        }
    }
    if (p->opt || p->ctx)
        return sig_prefix(s, k, pi + 1, syms, ai, nargs);
    return -1;
}

static const char *array_type_name(char c)
{
    switch (c) {
    case 'a': return "arrays";
    case 'b': return "booleans";
    case 'f': return "functions";
    case 'n': return "numbers";
    case 'o': return "objects";
    default: return "strings";
    }
}

/* An array parameter: checks the items' type and makes a single value a
 * one-item array. */
static jv *array_arg(ev *e, const sparam *p, jv *v, int index, const char *name)
{
    char c = symbol(v);
    if (c == 'm')
        return NULL;
    if (p->sub) {
        int ok = c == 'a' || c == p->sub;
        if (c == 'a' && len_of(e, v) > 0) {
            char first = symbol(v->a[0]);
            ok = first == p->sub;
            for (int i = 1; ok && i < v->len; i++)
                ok = symbol(v->a[i]) == first;
        }
        if (!ok)
            fail(e, "T0412: Argument %d of function \"%s\" must be an array of \"%s\"", index, name,
                 array_type_name(p->sub));
    }
    if (c == 'a')
        return v;
    jv *a = arr(e, 0);
    push(e, a, v);
    return a;
}

static jv **validate(ev *e, const char *sigtext, jv **args, int *nargs, jv *input, const char *name)
{
    sig s;
    sig_parse(sigtext, &s);
    int n = *nargs;
    char *syms = alloc(e, (size_t)n + 1);
    for (int i = 0; i < n; i++)
        syms[i] = symbol(args[i]);
    int take[8];
    if (!sig_match(&s, 0, syms, 0, n, take)) {
        int good = 0;
        for (int k = 1; k <= s.n; k++) {
            int r = sig_prefix(&s, k, 0, syms, 0, n);
            if (r < 0)
                break;
            good = r;
        }
        fail(e, "T0410: Argument %d of function \"%s\" does not match function signature", good + 1, name);
    }
    jv **out = alloc(e, sizeof *out * (size_t)(n + s.n + 1));
    int ai = 0, k = 0;
    for (int pi = 0; pi < s.n; pi++) {
        const sparam *p = &s.p[pi];
        if (take[pi] == 0) {
            if (p->ctx) {
                if (!accepts(p, symbol(input)))
                    fail(e, "T0411: Context value is not a compatible type with argument %d of function \"%s\"", ai + 1,
                         name);
                out[k++] = p->types[0] == 'a' && !p->types[1] ? array_arg(e, p, input, ai + 1, name) : input;
            } else {
                out[k++] = NULL;
            }
            continue;
        }
        for (int t = 0; t < take[pi]; t++, ai++)
            out[k++] = p->types[0] == 'a' && !p->types[1] ? array_arg(e, p, args[ai], ai + 1, name) : args[ai];
    }
    *nargs = k;
    return out;
}

/* ------------------------------------------------------------- library helpers */

typedef jv *(*bfn)(ev *e, jv **a, int n, jv *input);

static double arg_num(jv *v)
{
    return v ? v->n : 0;
}

static jv *str_copy(ev *e, const char *s, size_t n)
{
    return str_n(e, sdup(e, s, n), n);
}

/* The regex (a FN_REGEX value) matches of s, one at a time, as JSONata
 * walks them: an empty match after the first is an error (it would never
 * advance). */
typedef struct matcher {
    ev *e;
    const rx *re;
    const char *s;
    size_t len;
    size_t *caps;
    int first;
} matcher;

static int next_match(matcher *m)
{
    size_t from = 0;
    if (!m->first) {
        from = m->caps[1];
        if (from >= m->len)
            return 0;
    }
    long steps = 0;
    int r = rx_search(m->re, m->s, m->len, from, m->caps, &steps);
    if (r < 0)
        fail(m->e, "The regular expression is too complex for this input");
    if (r && !m->first && m->caps[0] == m->caps[1])
        fail(m->e, "D1004: Regular expression matches zero length string");
    m->first = 0;
    return r;
}

static matcher matcher_new(ev *e, jv *re, jv *s)
{
    matcher m = {e, re->f->re, s->s, s->slen, alloc(e, sizeof(size_t) * 2 * (size_t)(re->f->re->ngroups + 1)), 1};
    return m;
}

/* The match object $match and function replacements see. */
static jv *match_object(matcher *m, int with_index)
{
    ev *e = m->e;
    jv *o = obj(e);
    obj_set(e, o, "match", str_copy(e, m->s + m->caps[0], m->caps[1] - m->caps[0]));
    if (with_index) {
        obj_set(e, o, "index", num(e, (double)cp_count(m->s, m->caps[0])));
    } else {
        obj_set(e, o, "start", num(e, (double)cp_count(m->s, m->caps[0])));
        obj_set(e, o, "end", num(e, (double)cp_count(m->s, m->caps[1])));
    }
    jv *groups = arr(e, 0);
    for (int g = 1; g <= m->re->ngroups; g++)
        push(e, groups, m->caps[2 * g] == SIZE_MAX ? e->vnull
                                                   : str_copy(e, m->s + m->caps[2 * g], m->caps[2 * g + 1] - m->caps[2 * g]));
    obj_set(e, o, "groups", groups);
    return o;
}

/* ------------------------------------------------------------- aggregation */

static jv *f_sum(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    double t = 0;
    for (int i = 0; i < len_of(e, a[0]); i++)
        t += a[0]->a[i]->n;
    return num(e, t);
}

static jv *f_count(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return num(e, a[0] ? len_of(e, a[0]) : 0);
}

static jv *extreme(ev *e, jv *v, int max)
{
    if (!v || len_of(e, v) == 0)
        return NULL;
    double r = v->a[0]->n;
    for (int i = 1; i < v->len; i++)
        if (max ? v->a[i]->n > r : v->a[i]->n < r)
            r = v->a[i]->n;
    return num(e, r);
}

static jv *f_max(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return extreme(e, a[0], 1);
}

static jv *f_min(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return extreme(e, a[0], 0);
}

static jv *f_average(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0] || len_of(e, a[0]) == 0)
        return NULL;
    double t = 0;
    for (int i = 0; i < a[0]->len; i++)
        t += a[0]->a[i]->n;
    return num(e, t / a[0]->len);
}

/* ------------------------------------------------------------- strings */

static jv *f_string(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    return to_string(e, a[0], n > 1 && a[1] && a[1]->b);
}

/* JavaScript's slice over code points. */
static jv *cp_slice(ev *e, jv *s, double from, double to)
{
    cps c = to_cps(e, s->s, s->slen);
    double len = (double)c.n;
    from = from < 0 ? fmax(len + from, 0) : fmin(from, len);
    to = to < 0 ? fmax(len + to, 0) : fmin(to, len);
    if (to <= from)
        return str(e, "");
    size_t b = c.off[(size_t)from], en = c.off[(size_t)to];
    return str_copy(e, s->s + b, en - b);
}

static jv *f_substring(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    double len = (double)cp_count(a[0]->s, a[0]->slen);
    double start = trunc(arg_num(a[1]));
    if (len + start < 0)
        start = 0;
    if (n > 2 && a[2]) {
        double l = trunc(a[2]->n);
        if (l <= 0)
            return str(e, "");
        double end = start >= 0 ? start + l : len + start + l;
        return cp_slice(e, a[0], start, end);
    }
    return cp_slice(e, a[0], start, len);
}

static jv *f_substring_before(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    if (!a[1])
        return a[0];
    const char *p = strstr(a[0]->s, a[1]->s);
    return p ? str_copy(e, a[0]->s, (size_t)(p - a[0]->s)) : a[0];
}

static jv *f_substring_after(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    if (!a[1])
        return a[0];
    const char *p = strstr(a[0]->s, a[1]->s);
    return p ? str(e, p + a[1]->slen) : a[0];
}

static jv *map_case(ev *e, jv *s, int upper)
{
    if (!s)
        return NULL;
    char *out = alloc(e, s->slen * 2 + 2);
    size_t i = 0, o = 0, adv;
    while (i < s->slen) {
        uint32_t c = u8_next(s->s + i, s->slen - i, &adv);
        if (adv == 1 && c >= 0x80) { /* an invalid byte: kept as it is */
            out[o++] = s->s[i];
        } else if (upper && c == 0xDF) {
            out[o++] = 'S';
            out[o++] = 'S';
        } else
            o += u8_put(out + o, upper ? cp_upper(c) : cp_lower(c));
        i += adv;
    }
    return str_n(e, out, o);
}

static jv *f_lowercase(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return map_case(e, a[0], 0);
}

static jv *f_uppercase(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return map_case(e, a[0], 1);
}

static jv *f_length(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return a[0] ? num(e, (double)cp_count(a[0]->s, a[0]->slen)) : NULL;
}

static jv *f_trim(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    char *out = alloc(e, a[0]->slen + 1);
    size_t o = 0;
    int space = 0;
    for (size_t i = 0; i < a[0]->slen; i++) {
        char c = a[0]->s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = 1;
            continue;
        }
        if (space && o)
            out[o++] = ' ';
        space = 0;
        out[o++] = c;
    }
    return str_n(e, out, o);
}

static jv *f_pad(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    const char *ch = n > 2 && a[2] && a[2]->slen ? a[2]->s : " ";
    double width = trunc(arg_num(a[1]));
    size_t len = cp_count(a[0]->s, a[0]->slen);
    double want = fabs(width);
    if (want <= (double)len)
        return a[0];
    if (want > MAX_ITEMS)
        fail(e, "Expression evaluation memory limit exceeded");
    size_t padn = (size_t)want - len;
    cps pc = to_cps(e, ch, strlen(ch));
    sbuf pad = {e, 0, 0, 0};
    for (size_t i = 0; i < padn; i++) {
        size_t k = i % pc.n;
        sb_put(&pad, ch + pc.off[k], pc.off[k + 1] - pc.off[k]);
    }
    sbuf b = {e, 0, 0, 0};
    if (width < 0) {
        sb_put(&b, pad.p, pad.len);
        sb_put(&b, a[0]->s, a[0]->slen);
    } else {
        sb_put(&b, a[0]->s, a[0]->slen);
        sb_put(&b, pad.p, pad.len);
    }
    return str_n(e, b.p, b.len);
}

static jv *f_match(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    double limit = n > 2 && a[2] ? a[2]->n : -1;
    if (n > 2 && a[2] && limit < 0)
        fail(e, "D3040: Third argument of match function must evaluate to a positive number");
    jv *out = arr(e, F_SEQ);
    if (!a[1] || a[1]->f->kind != FN_REGEX)
        fail(e, "T0410: Argument 2 of function \"match\" does not match function signature");
    matcher m = matcher_new(e, a[1], a[0]);
    for (int count = 0; (limit < 0 || count < limit) && next_match(&m); count++)
        push(e, out, match_object(&m, 1));
    return out;
}

static jv *f_contains(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0] || !a[1])
        return NULL;
    if (a[1]->t == T_STR)
        return boolean_v(e, strstr(a[0]->s, a[1]->s) != NULL);
    if (a[1]->f->kind != FN_REGEX)
        fail(e, "T0410: Argument 2 of function \"contains\" does not match function signature");
    matcher m = matcher_new(e, a[1], a[0]);
    return boolean_v(e, next_match(&m));
}

/* $replace's replacement text: $0 the match, $1.. the groups, $$ a $. */
static void substitute(sbuf *b, matcher *m, const char *rep)
{
    int ng = m->re->ngroups;
    for (const char *p = rep; *p;) {
        if (*p != '$') {
            sb_putc(b, *p++);
            continue;
        }
        p++;
        if (*p == '$') {
            sb_putc(b, '$');
            p++;
        } else if (*p == '0') {
            sb_put(b, m->s + m->caps[0], m->caps[1] - m->caps[0]);
            p++;
        } else if (*p >= '1' && *p <= '9') {
            int digits = ng ? (int)floor(log10(ng)) + 1 : 1;
            int g = 0, used = 0;
            while (used < digits && p[used] >= '0' && p[used] <= '9')
                g = g * 10 + (p[used++] - '0');
            if (used > 1 && g > ng) {
                g /= 10;
                used--;
            }
            if (g >= 1 && g <= ng && m->caps[2 * g] != SIZE_MAX)
                sb_put(b, m->s + m->caps[2 * g], m->caps[2 * g + 1] - m->caps[2 * g]);
            p += used;
        } else {
            sb_putc(b, '$');
        }
    }
}

static jv *f_replace(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    if (a[1] && a[1]->t == T_STR && a[1]->slen == 0)
        fail(e, "D3010: Second argument of replace function cannot be an empty string");
    double limit = n > 3 && a[3] ? a[3]->n : -1;
    if (n > 3 && a[3] && limit < 0)
        fail(e, "D3011: Fourth argument of replace function must evaluate to a positive number");
    if (!a[1] || !a[2])
        return a[0];
    sbuf b = {e, 0, 0, 0};
    int count = 0;
    if (a[1]->t == T_STR) {
        const char *s = a[0]->s, *hit;
        while ((limit < 0 || count < limit) && (hit = strstr(s, a[1]->s))) {
            sb_put(&b, s, (size_t)(hit - s));
            sb_puts(&b, a[2]->t == T_STR ? a[2]->s : "");
            s = hit + a[1]->slen;
            count++;
        }
        sb_puts(&b, s);
        return str_n(e, sb_str(&b), b.len);
    }
    if (a[1]->f->kind != FN_REGEX)
        fail(e, "T0410: Argument 2 of function \"replace\" does not match function signature");
    matcher m = matcher_new(e, a[1], a[0]);
    size_t pos = 0;
    while ((limit < 0 || count < limit) && next_match(&m)) {
        sb_put(&b, m.s + pos, m.caps[0] - pos);
        if (a[2]->t == T_STR) {
            substitute(&b, &m, a[2]->s);
        } else {
            jv *mo = match_object(&m, 0);
            jv *r = apply(e, a[2], &mo, 1, NULL);
            if (!r || r->t != T_STR)
                fail(e, "D3012: Attempted to replace a matched string with a non-string value");
            sb_put(&b, r->s, r->slen);
        }
        pos = m.caps[1];
        count++;
    }
    sb_put(&b, m.s + pos, m.len - pos);
    return str_n(e, sb_str(&b), b.len);
}

static jv *f_split(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    double limit = n > 2 && a[2] ? floor(a[2]->n) : -1;
    if (n > 2 && a[2] && a[2]->n < 0)
        fail(e, "D3020: Third argument of split function must evaluate to a positive number");
    jv *out = arr(e, 0);
    const char *s = a[0]->s;
    if (!a[1]) {
        push(e, out, a[0]);
        return out;
    }
    if (a[1]->t == T_STR) {
        if (a[1]->slen == 0) {
            cps c = to_cps(e, s, a[0]->slen);
            for (size_t i = 0; i < c.n && (limit < 0 || (double)i < limit); i++)
                push(e, out, str_copy(e, s + c.off[i], c.off[i + 1] - c.off[i]));
            return out;
        }
        const char *hit;
        while ((limit < 0 || out->len < limit) && (hit = strstr(s, a[1]->s))) {
            push(e, out, str_copy(e, s, (size_t)(hit - s)));
            s = hit + a[1]->slen;
        }
        if (limit < 0 || out->len < limit)
            push(e, out, str(e, s));
        return out;
    }
    if (a[1]->f->kind != FN_REGEX)
        fail(e, "T0410: Argument 2 of function \"split\" does not match function signature");
    matcher m = matcher_new(e, a[1], a[0]);
    size_t start = 0;
    int count = 0;
    while ((limit < 0 || count < limit) && next_match(&m)) {
        push(e, out, str_copy(e, s + start, m.caps[0] - start));
        start = m.caps[1];
        count++;
    }
    if (limit < 0 || count < limit)
        push(e, out, str_copy(e, s + start, a[0]->slen - start));
    return out;
}

static jv *f_join(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    const char *sep = n > 1 && a[1] ? a[1]->s : "";
    sbuf b = {e, 0, 0, 0};
    for (int i = 0; i < len_of(e, a[0]); i++) {
        if (i)
            sb_puts(&b, sep);
        sb_put(&b, a[0]->a[i]->s, a[0]->a[i]->slen);
    }
    return str_n(e, sb_str(&b), b.len);
}

/* ------------------------------------------------------------- numbers */

static jv *f_format_base(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    double radix = n > 1 && a[1] ? a[1]->n : 10;
    if (radix < 2 || radix > 36)
        fail(e, "D3100: The radix of the formatBase function must be between 2 and 36.  It was given %s", show(e, a[1]));
    double v = floor(a[0]->n + 0.5);
    int neg = v < 0;
    v = fabs(v);
    char buf[80], *p = buf + sizeof buf - 1;
    *p = '\0';
    int r = (int)radix;
    do {
        double q = floor(v / r);
        int d = (int)(v - q * r);
        *--p = "0123456789abcdefghijklmnopqrstuvwxyz"[d];
        v = q;
    } while (v > 0 && p > buf + 1);
    if (neg)
        *--p = '-';
    return str_copy(e, p, strlen(p));
}

/* JSON number syntax (leading zeros allowed, as JSONata's test does). */
static int parse_decimal(const char *s, double *out)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p)
        return 0;
    *out = strtod(s, NULL);
    return isfinite(*out);
}

static jv *f_number(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    jv *v = a[0];
    if (!v)
        return NULL;
    if (v->t == T_NUM)
        return v;
    if (v->t == T_BOOL)
        return num(e, v->b);
    double d;
    if (parse_decimal(v->s, &d))
        return num(e, d);
    const char *s = v->s;
    int base = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16;
    else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
        base = 8;
    else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2;
    if (base && s[2]) {
        double r = 0;
        const char *p = s + 2;
        for (; *p; p++) {
            int dv = hexval(*p);
            if (dv < 0 || dv >= base)
                break;
            r = r * base + dv;
        }
        if (!*p)
            return num(e, r);
    }
    fail(e, "D3030: Unable to cast value to a number: %s", show(e, v));
}

static jv *f_floor(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return a[0] ? num(e, floor(a[0]->n)) : NULL;
}

static jv *f_ceil(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return a[0] ? num(e, ceil(a[0]->n)) : NULL;
}

static jv *f_abs(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return a[0] ? num(e, fabs(a[0]->n)) : NULL;
}

static jv *f_sqrt(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    if (a[0]->n < 0)
        fail(e, "D3060: The sqrt function cannot be applied to a negative number: %s", show(e, a[0]));
    return num(e, sqrt(a[0]->n));
}

static jv *f_power(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    double r = a[1] ? pow(a[0]->n, a[1]->n) : NAN;
    if (!isfinite(r))
        fail(e, "D3061: The power function has resulted in a value that cannot be represented as a JSON number: "
                "base=%s, exponent=%s", show(e, a[0]), show(e, a[1]));
    return num(e, r);
}

/* Shifts d's decimal point by places, through its decimal text (as
 * JSONata does, so that 2.675 rounds at the digit it shows). */
static double shift(double d, int places)
{
    char tmp[64];
    js_number(d, tmp);
    char *ex = strchr(tmp, 'e');
    int exp = places;
    if (ex) {
        exp += atoi(ex + 1);
        *ex = '\0';
    }
    char buf[80];
    snprintf(buf, sizeof buf, "%se%d", tmp, exp);
    return strtod(buf, NULL);
}

/* $round: half to even, at precision decimal places. */
static jv *f_round(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    double v = a[0]->n;
    int64_t p64 = n > 1 && a[1] ? to_i64(a[1]->n) : 0;
    int prec = p64 > 400 ? 400 : p64 < -400 ? -400 : (int)p64;
    if (prec)
        v = shift(v, prec);
    double r = floor(v + 0.5);
    if (fabs(r - v) == 0.5 && fmod(fabs(r), 2) == 1)
        r -= 1;
    if (prec)
        r = shift(r, -prec);
    if (r == 0)
        r = 0; /* no -0 */
    return num(e, r);
}

/* java.util.Random, which AWS seeds $random with. */
static double java_random(int64_t seed)
{
    uint64_t s = ((uint64_t)seed ^ 0x5DEECE66DULL) & ((1ULL << 48) - 1);
    uint64_t parts[2];
    int bits[2] = {26, 27};
    for (int i = 0; i < 2; i++) {
        s = (s * 0x5DEECE66DULL + 0xBULL) & ((1ULL << 48) - 1);
        parts[i] = (uint64_t)(int64_t)(int32_t)(s >> (48 - bits[i]));
    }
    return (double)((parts[0] << 27) + parts[1]) * 0x1.0p-53;
}

static uint64_t rng_next(void)
{
    static uint64_t state;
    static int ready;
    if (!ready) {
        FILE *f = fopen("/dev/urandom", "rb");
        if (f) {
            if (fread(&state, sizeof state, 1, f) != 1)
                state = 0;
            fclose(f);
        }
        state ^= (uint64_t)time(NULL) ^ (uint64_t)clock() << 32 ^ (uint64_t)(uintptr_t)&state;
        ready = 1;
    }
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void aws_arity(ev *e, int n, int max, const char *name)
{
    if (n > max)
        fail(e, "T0410: Argument %d of function \"%s\" does not match function signature", max + 1, name);
}

/* AWS rounds these arguments towards zero; anything but a number is a
 * signature error. */
static double aws_int(ev *e, jv *v, int index, const char *name)
{
    if (!v || v->t != T_NUM)
        fail(e, "T0410: Argument %d of function \"%s\" does not match function signature", index, name);
    return trunc(v->n);
}

static jv *f_random(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    aws_arity(e, n, 1, "random");
    if (n == 0 || !a[0])
        return num(e, (double)(rng_next() >> 11) * 0x1.0p-53);
    return num(e, java_random(to_i64(aws_int(e, a[0], 1, "random"))));
}

/* ------------------------------------------------------------- booleans */

static jv *f_boolean(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    int b = bool_of(e, a[0]);
    return b < 0 ? NULL : boolean_v(e, b);
}

static jv *f_not(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    int b = bool_of(e, a[0]);
    return b < 0 ? NULL : boolean_v(e, !b);
}

static jv *f_exists(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return boolean_v(e, a[0] != NULL);
}

/* ------------------------------------------------------------- higher order */

static jv *f_map(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    jv *out = arr(e, F_SEQ);
    for (int i = 0; i < len_of(e, a[0]); i++) {
        jv *r = apply_hof(e, a[1], a[0]->a[i], i, a[0], NULL);
        if (r)
            push(e, out, r);
    }
    return out;
}

static jv *f_filter(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    jv *out = arr(e, F_SEQ);
    for (int i = 0; i < len_of(e, a[0]); i++)
        if (truthy(e, apply_hof(e, a[1], a[0]->a[i], i, a[0], NULL)))
            push(e, out, a[0]->a[i]);
    return out;
}

static jv *f_single(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    jv *hit = NULL;
    int found = 0;
    for (int i = 0; i < len_of(e, a[0]); i++) {
        if (n > 1 && a[1] && !truthy(e, apply_hof(e, a[1], a[0]->a[i], i, a[0], NULL)))
            continue;
        if (found++)
            fail(e, "D3138: The $single() function expected exactly 1 matching result.  Instead it matched more.");
        hit = a[0]->a[i];
    }
    if (!found)
        fail(e, "D3139: The $single() function expected exactly 1 matching result.  Instead it matched 0.");
    return hit;
}

static jv *f_reduce(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    int ar = arity(e, a[1]);
    if (ar < 2)
        fail(e, "D3050: The second argument of reduce function must be a function with at least two arguments");
    int i = 0, len = len_of(e, a[0]);
    jv *acc = n > 2 ? a[2] : NULL;
    if (!acc && len > 0)
        acc = a[0]->a[i++];
    for (; i < len; i++) {
        jv *args[4] = {acc, a[0]->a[i], num(e, i), a[0]};
        acc = apply(e, a[1], args, ar < 4 ? ar : 4, NULL);
    }
    return acc;
}

static jv *f_zip(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    jv *out = arr(e, 0);
    int len = n ? INT32_MAX : 0;
    for (int i = 0; i < n; i++) {
        if (!a[i])
            return out;
        if (len_of(e, a[i]) < len)
            len = a[i]->len;
    }
    for (int k = 0; k < len; k++) {
        jv *t = arr(e, 0);
        for (int i = 0; i < n; i++)
            push(e, t, a[i]->a[k]);
        push(e, out, t);
    }
    return out;
}

static jv *f_sift(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    jv *out = obj(e);
    for (int i = 0; i < len_of(e, a[0]); i++) {
        jv *args[3] = {a[0]->a[i], str(e, a[0]->k[i]), a[0]};
        int ar = arity(e, a[1]);
        if (truthy(e, apply(e, a[1], args, ar < 3 ? (ar < 1 ? 1 : ar) : 3, NULL)))
            obj_set(e, out, a[0]->k[i], a[0]->a[i]);
    }
    return out->len ? out : NULL;
}

static jv *f_each(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    jv *out = arr(e, F_SEQ);
    for (int i = 0; i < len_of(e, a[0]); i++) {
        jv *args[3] = {a[0]->a[i], str(e, a[0]->k[i]), a[0]};
        int ar = arity(e, a[1]);
        jv *r = apply(e, a[1], args, ar < 3 ? (ar < 1 ? 1 : ar) : 3, NULL);
        if (r)
            push(e, out, r);
    }
    return out;
}

/* ------------------------------------------------------------- objects, arrays */

static void keys_into(ev *e, jv *v, jv *out)
{
    guard(e);
    if (is_arr(v)) {
        for (int i = 0; i < len_of(e, v); i++)
            keys_into(e, v->a[i], out);
    } else if (v && v->t == T_OBJ) {
        for (int i = 0; i < len_of(e, v); i++) {
            int seen = 0;
            for (int k = 0; k < out->len && !seen; k++)
                seen = !strcmp(out->a[k]->s, v->k[i]);
            if (!seen)
                push(e, out, str(e, v->k[i]));
        }
    }
}

static jv *f_keys(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    jv *out = arr(e, F_SEQ);
    keys_into(e, a[0], out);
    return out;
}

static jv *f_lookup(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return a[1] ? lookup_field(e, a[0], a[1]->s) : NULL;
}

static jv *f_append(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return append(e, a[0], a[1]);
}

static jv *f_spread(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    guard(e);
    jv *v = a[0];
    if (!v)
        return NULL;
    if (is_arr(v)) { /* JSONata appends, which makes a plain array */
        jv *out = arr(e, len_of(e, v) ? 0 : F_SEQ);
        for (int i = 0; i < len_of(e, v); i++) {
            jv *one = f_spread(e, &v->a[i], 1, NULL);
            push_flat(e, out, one);
        }
        return out;
    }
    if (v->t != T_OBJ)
        return v;
    jv *out = arr(e, F_SEQ);
    for (int i = 0; i < len_of(e, v); i++) {
        jv *o = obj(e);
        obj_set(e, o, v->k[i], v->a[i]);
        push(e, out, o);
    }
    return out;
}

static jv *f_merge(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    jv *out = obj(e);
    for (int i = 0; i < len_of(e, a[0]); i++) {
        jv *o = a[0]->a[i];
        for (int k = 0; k < len_of(e, o); k++)
            obj_set(e, out, o->k[k], o->a[k]);
    }
    return out;
}

static jv *f_reverse(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    int len = len_of(e, a[0]);
    if (len <= 1)
        return a[0];
    jv *out = arr(e, 0);
    for (int i = len - 1; i >= 0; i--)
        push(e, out, a[0]->a[i]);
    return out;
}

static jv *f_error(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    fail(e, "D3137: %s", a[0] ? a[0]->s : "$error() function evaluated");
}

static jv *f_assert(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0] || !a[0]->b)
        fail(e, "D3141: %s", n > 1 && a[1] ? a[1]->s : "$assert() statement failed");
    return NULL;
}

static jv *f_type(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    static const char *const names[] = {"null", "boolean", "number", "string", "array", "object", "function"};
    return a[0] ? str(e, names[a[0]->t]) : NULL;
}

static jv *f_sort(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    int len = len_of(e, a[0]);
    if (len <= 1)
        return a[0];
    sorter s = {e, n > 1 ? a[1] : NULL};
    if (!s.fn) {
        char t = symbol(a[0]->a[0]);
        for (int i = 0; i < len; i++)
            if (symbol(a[0]->a[i]) != t || (t != 'n' && t != 's'))
                fail(e, "D3070: The single argument form of the sort function can only be applied to an array of "
                        "strings or an array of numbers.  Use the second argument to specify a comparison function");
    }
    return sorted(&s, a[0]->a, len);
}

static jv *f_shuffle(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    int len = len_of(e, a[0]);
    jv *out = arr(e, 0);
    for (int i = 0; i < len; i++)
        push(e, out, a[0]->a[i]);
    for (int i = len - 1; i > 0; i--) {
        int j = (int)(rng_next() % (uint64_t)(i + 1));
        jv *t = out->a[i];
        out->a[i] = out->a[j];
        out->a[j] = t;
    }
    return out;
}

static jv *f_distinct(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!is_arr(a[0]) || len_of(e, a[0]) <= 1)
        return a[0];
    jv *out = arr(e, F_SEQ);
    for (int i = 0; i < a[0]->len; i++) {
        int seen = 0;
        for (int k = 0; k < out->len && !seen; k++)
            seen = deep_equal(e, out->a[k], a[0]->a[i]);
        if (!seen)
            push(e, out, a[0]->a[i]);
    }
    return out;
}

/* ------------------------------------------------------------- encodings */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static jv *f_base64encode(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    const unsigned char *s = (const unsigned char *)a[0]->s;
    size_t len = a[0]->slen, o = 0;
    char *out = alloc(e, (len + 2) / 3 * 4 + 1);
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < len ? (uint32_t)s[i + 1] << 8 : 0) | (i + 2 < len ? s[i + 2] : 0);
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? b64[v & 63] : '=';
    }
    return str_n(e, out, o);
}

/* Replaces byte sequences that are not UTF-8 with U+FFFD. */
static jv *valid_utf8(ev *e, const char *s, size_t len)
{
    char *out = alloc(e, len * 3 + 1);
    size_t i = 0, o = 0, adv;
    while (i < len) {
        uint32_t c = u8_next(s + i, len - i, &adv);
        if ((adv == 1 && c >= 0x80) || c == 0)
            o += u8_put(out + o, 0xFFFD);
        else
            o += u8_put(out + o, c);
        i += adv;
    }
    return str_n(e, out, o);
}

static jv *f_base64decode(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    if (!a[0])
        return NULL;
    const char *s = a[0]->s;
    char *out = alloc(e, a[0]->slen + 1);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '=' || *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            continue;
        const char *k = strchr(b64, *p);
        if (!k || !*p)
            fail(e, "D3137: The argument of the base64decode function is not valid base64: %s", show(e, a[0]));
        acc = acc << 6 | (uint32_t)(k - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)(acc >> bits & 0xFF);
        }
    }
    return valid_utf8(e, out, o);
}

/* encodeURIComponent (component) or encodeURI. */
static jv *url_encode(ev *e, jv *v, int component)
{
    if (!v)
        return NULL;
    const char *keep = component ? "-_.!~*'()" : "-_.!~*'();/?:@&=+$,#";
    sbuf b = {e, 0, 0, 0};
    for (size_t i = 0; i < v->slen; i++) {
        unsigned char c = (unsigned char)v->s[i];
        if (isalnum(c) || (c && strchr(keep, c))) {
            sb_putc(&b, (char)c);
        } else {
            char tmp[4];
            snprintf(tmp, sizeof tmp, "%%%02X", c);
            sb_puts(&b, tmp);
        }
    }
    return str_n(e, sb_str(&b), b.len);
}

static jv *url_decode(ev *e, jv *v, int component, const char *name)
{
    if (!v)
        return NULL;
    const char *reserved = component ? "" : ";/?:@&=+$,#";
    char *out = alloc(e, v->slen + 1);
    size_t o = 0;
    for (size_t i = 0; i < v->slen; i++) {
        if (v->s[i] != '%') {
            out[o++] = v->s[i];
            continue;
        }
        int h = i + 2 < v->slen ? hexval(v->s[i + 1]) : -1, l = i + 2 < v->slen ? hexval(v->s[i + 2]) : -1;
        if (h < 0 || l < 0)
            fail(e, "D3140: Malformed URL passed to $%s(): %s", name, show(e, v));
        char c = (char)(h * 16 + l);
        if (c && strchr(reserved, c)) {
            memcpy(out + o, v->s + i, 3);
            o += 3;
        } else {
            out[o++] = c;
        }
        i += 2;
    }
    size_t adv;
    for (size_t i = 0; i < o; i += adv)
        if (u8_next(out + i, o - i, &adv) >= 0x80 && adv == 1)
            fail(e, "D3140: Malformed URL passed to $%s(): %s", name, show(e, v));
    return str_n(e, out, o);
}

static jv *f_encode_url_component(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return url_encode(e, a[0], 1);
}

static jv *f_encode_url(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return url_encode(e, a[0], 0);
}

static jv *f_decode_url_component(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return url_decode(e, a[0], 1, "decodeUrlComponent");
}

static jv *f_decode_url(ev *e, jv **a, int n, jv *in)
{
    (void)n, (void)in;
    return url_decode(e, a[0], 0, "decodeUrl");
}

/* ------------------------------------------------------------- dates */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

typedef struct civil {
    int64_t year;
    int month, day, hour, minute, second, ms, wday, yday; /* wday: 1 Monday .. 7 Sunday */
} civil;

static civil civil_from_ms(double ms)
{
    int64_t t = (int64_t)floor(ms);
    int64_t days = t >= 0 ? t / 86400000 : -((-t + 86399999) / 86400000);
    int64_t rem = t - days * 86400000;
    civil c;
    c.hour = (int)(rem / 3600000);
    c.minute = (int)(rem / 60000 % 60);
    c.second = (int)(rem / 1000 % 60);
    c.ms = (int)(rem % 1000);
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    c.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c.year = yoe + era * 400 + (c.month <= 2);
    int64_t wd = (days + 3) % 7; /* 1970-01-01 was a Thursday */
    c.wday = (int)(wd < 0 ? wd + 7 : wd) + 1;
    c.yday = (int)(days - days_from_civil(c.year, 1, 1)) + 1;
    return c;
}

static const char *const month_names[] = {"January", "February", "March", "April", "May", "June", "July",
                                           "August", "September", "October", "November", "December"};
static const char *const day_names[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

/* A name as a picture's presentation asks: N upper, n lower, Nn title,
 * cut to the width's maximum. */
static void put_name(sbuf *b, const char *name, const char *pres, int maxw)
{
    size_t len = strlen(name);
    if (maxw > 0 && (size_t)maxw < len)
        len = (size_t)maxw;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (pres[0] == 'N' && pres[1] != 'n')
            c = (char)toupper((unsigned char)c);
        else if (pres[0] == 'n' || i > 0)
            c = (char)tolower((unsigned char)c);
        sb_putc(b, c);
    }
}

static void put_decimal(sbuf *b, int64_t v, const char *pres, int ordinal)
{
    int digits = 0;
    for (const char *p = pres; *p; p++)
        digits += isdigit((unsigned char)*p) != 0;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%0*lld", digits > 0 ? digits : 1, (long long)v);
    sb_puts(b, tmp);
    if (ordinal) {
        int64_t t = v % 100;
        sb_puts(b, (t >= 11 && t <= 13) ? "th" : v % 10 == 1 ? "st" : v % 10 == 2 ? "nd" : v % 10 == 3 ? "rd" : "th");
    }
}

/* [Z01:01], [Z0101], [Z01], [z]: the offset; with t, Z for UTC. */
static void put_offset(sbuf *b, int offset, char comp, const char *pres, int t)
{
    if (comp == 'z')
        sb_puts(b, "GMT");
    if (t && offset == 0) {
        sb_putc(b, 'Z');
        return;
    }
    int a = abs(offset), hh = a / 60, mm = a % 60;
    char tmp[24];
    char sign = offset < 0 ? '-' : '+';
    int digits = 0;
    for (const char *p = pres; *p && *p != ':'; p++)
        digits += isdigit((unsigned char)*p) != 0;
    if (strchr(pres, ':') || comp == 'z')
        snprintf(tmp, sizeof tmp, "%c%0*d:%02d", sign, digits == 1 ? 1 : 2, hh, mm);
    else if (digits <= 2 && mm)
        snprintf(tmp, sizeof tmp, "%c%0*d:%02d", sign, digits, hh, mm);
    else if (digits <= 2)
        snprintf(tmp, sizeof tmp, "%c%0*d", sign, digits, hh);
    else
        snprintf(tmp, sizeof tmp, "%c%02d%02d", sign, hh, mm);
    sb_puts(b, tmp);
}

/* One [component presentation,width] marker. */
static void put_marker(ev *e, sbuf *b, const char *m, size_t mlen, const civil *c, int offset)
{
    char spec[64];
    size_t n = 0;
    for (size_t i = 0; i < mlen && n < sizeof spec - 1; i++)
        if (!isspace((unsigned char)m[i]))
            spec[n++] = m[i];
    spec[n] = '\0';
    if (!n)
        fail(e, "D3132: Unknown component specifier \"\" in date/time picture string");
    char comp = spec[0];
    char pres[64] = "";
    int maxw = -1;
    char *width = strchr(spec + 1, ',');
    if (width) {
        char *dash = strchr(width, '-');
        if (dash && dash[1] && dash[1] != '*')
            maxw = atoi(dash + 1);
        *width = '\0';
    }
    snprintf(pres, sizeof pres, "%s", spec + 1);
    size_t pl = strlen(pres);
    int ordinal = pl > 1 && pres[pl - 1] == 'o' && isdigit((unsigned char)pres[pl - 2]);
    int tflag = pl > 0 && pres[pl - 1] == 't';
    if (ordinal || tflag)
        pres[pl - 1] = '\0';
    static const char defaults[] = "YMDdFWwXxHhPmsfZzCE";
    static const char *const dpres[] = {"1", "1", "1", "1", "n", "1", "1", "1", "1", "1", "1", "n",
                                        "01", "01", "1", "01:01", "01:01", "n", "n"};
    const char *cp = strchr(defaults, comp);
    if (!cp || !comp)
        fail(e, "D3132: Unknown component specifier \"%c\" in date/time picture string", comp);
    if (!pres[0])
        snprintf(pres, sizeof pres, "%s", dpres[cp - defaults]);
    int named = pres[0] == 'N' || pres[0] == 'n';
    switch (comp) {
    case 'Y': {
        int digits = 0;
        for (const char *p = pres; *p; p++)
            digits += isdigit((unsigned char)*p) != 0;
        int64_t y = c->year;
        if (maxw > 0)
            y %= (int64_t)pow(10, maxw);
        else if (digits == 2)
            y %= 100;
        put_decimal(b, y, pres, ordinal);
        break;
    }
    case 'M':
        if (named)
            put_name(b, month_names[c->month - 1], pres, maxw);
        else
            put_decimal(b, c->month, pres, ordinal);
        break;
    case 'D': put_decimal(b, c->day, pres, ordinal); break;
    case 'd': put_decimal(b, c->yday, pres, ordinal); break;
    case 'F':
        if (named)
            put_name(b, day_names[c->wday - 1], pres, maxw);
        else
            put_decimal(b, c->wday, pres, ordinal);
        break;
    case 'H': put_decimal(b, c->hour, pres, ordinal); break;
    case 'h': put_decimal(b, c->hour % 12 ? c->hour % 12 : 12, pres, ordinal); break;
    case 'P': put_name(b, c->hour < 12 ? "am" : "pm", pres[0] == 'N' ? "N" : "n", maxw); break;
    case 'm': put_decimal(b, c->minute, pres, ordinal); break;
    case 's': put_decimal(b, c->second, pres, ordinal); break;
    case 'f': put_decimal(b, c->ms, pres, ordinal); break;
    case 'Z':
    case 'z': put_offset(b, offset, comp, pres, tflag); break;
    case 'W': case 'w': case 'X': case 'x': {
        /* ISO weeks: a week (Monday to Sunday) belongs to the year, or
         * month, of its Thursday, and is numbered by which Thursday it is */
        int64_t days = days_from_civil(c->year, c->month, c->day);
        civil thu = civil_from_ms((double)(days + 4 - c->wday) * 86400000.0);
        int64_t v = comp == 'W' ? (thu.yday - 1) / 7 + 1 : comp == 'X' ? thu.year
                  : comp == 'w' ? (thu.day - 1) / 7 + 1 : thu.month;
        put_decimal(b, v, pres, ordinal);
        break;
    }
    case 'C':
    case 'E': sb_puts(b, "ISO"); break;
    }
}

/* $fromMillis / $now: ms formatted by an XPath picture string (or as
 * ISO 8601), at a "+hhmm" time zone offset. */
static jv *format_time(ev *e, double ms, jv *picture, jv *tz)
{
    if (!(fabs(ms) <= 8.64e15)) /* JavaScript's range of dates */
        fail(e, "D3137: The number %s is out of the range of dates", show(e, num(e, ms)));
    int offset = 0;
    if (tz) {
        long v = strtol(tz->s, NULL, 10);
        if (v > 9999 || v < -9999)
            fail(e, "D3134: The timezone integer format specifier cannot have more than four digits");
        offset = (int)(v / 100 * 60 + v % 100);
    }
    const char *pic = picture ? picture->s : "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";
    civil c = civil_from_ms(ms + offset * 60000.0);
    sbuf b = {e, 0, 0, 0};
    for (const char *p = pic; *p;) {
        if (p[0] == '[' && p[1] == '[') {
            sb_putc(&b, '[');
            p += 2;
        } else if (p[0] == ']' && p[1] == ']') {
            sb_putc(&b, ']');
            p += 2;
        } else if (*p == '[') {
            const char *end = strchr(p, ']');
            if (!end)
                fail(e, "D3135: No matching closing bracket ']' in date/time picture string");
            put_marker(e, &b, p + 1, (size_t)(end - p - 1), &c, offset);
            p = end + 1;
        } else {
            sb_putc(&b, *p++);
        }
    }
    return str_n(e, sb_str(&b), b.len);
}

static int digits_at(const char *s, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        *out = *out * 10 + (s[i] - '0');
    }
    return 1;
}

/* ISO 8601 as JSONata's $toMillis accepts it: YYYY[-MM[-DD]][THH:MM:SS
 * [.fff]][Z|+hh:mm|+hhmm]. No offset means UTC. */
static int iso_millis(const char *s, double *out)
{
    int y, mo = 1, d = 1, h = 0, mi = 0, sec = 0, off = 0;
    double frac = 0;
    if (!digits_at(s, 4, &y))
        return 0;
    s += 4;
    if (*s == '-') {
        if (!digits_at(s + 1, 2, &mo) || mo < 1 || mo > 12)
            return 0;
        s += 3;
        if (*s == '-') {
            if (!digits_at(s + 1, 2, &d) || d < 1 || d > 31)
                return 0;
            s += 3;
        }
    }
    if (*s == 'T') {
        if (!digits_at(s + 1, 2, &h) || s[3] != ':' || !digits_at(s + 4, 2, &mi) || s[6] != ':' ||
            !digits_at(s + 7, 2, &sec) || h > 24 || mi > 59 || sec > 59)
            return 0;
        s += 9;
        if (*s == '.') {
            const char *f = ++s;
            while (isdigit((unsigned char)*s))
                s++;
            if (s == f)
                return 0;
            frac = strtod(f - 1, NULL);
        }
    }
    if (*s == 'Z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        int oh, om;
        int sign = *s == '-' ? -1 : 1;
        if (!digits_at(s + 1, 2, &oh))
            return 0;
        s += 3;
        if (*s == ':')
            s++;
        if (!digits_at(s, 2, &om))
            return 0;
        s += 2;
        off = sign * (oh * 60 + om);
    }
    if (*s)
        return 0;
    double days = (double)days_from_civil(y, mo, d);
    *out = ((days * 24 + h) * 60 + mi - off) * 60000.0 + sec * 1000.0 + floor(frac * 1000 + 1e-9);
    return 1;
}

/* $toMillis with a picture: reads the components the picture names. */
static int picture_millis(ev *e, const char *s, const char *pic, double *out)
{
    int64_t y = INT64_MIN;
    int mo = 1, d = 1, h = 0, mi = 0, sec = 0, ms = 0, off = 0, pm = -1;
    for (const char *p = pic; *p;) {
        if (*p != '[' || p[1] == '[') {
            int lit = (*p == '[' || *p == ']') && p[1] == *p ? 2 : 1;
            if (*s != *p)
                return 0;
            s++;
            p += lit;
            continue;
        }
        const char *end = strchr(p, ']');
        if (!end)
            fail(e, "D3135: No matching closing bracket ']' in date/time picture string");
        char comp = p[1];
        const char *pres = p + 2;
        int named = *pres == 'N' || *pres == 'n';
        int width = 0;
        for (const char *q = pres; q < end && isdigit((unsigned char)*q); q++)
            width++;
        int next_is_marker = end[1] == '[' && end[2] != '[';
        p = end + 1;
        if (comp == 'M' && named) {
            int found = 0;
            for (int i = 0; i < 12 && !found; i++)
                for (size_t len = strlen(month_names[i]); len >= 3 && !found; len = len > 3 ? 3 : 0)
                    if (!strncasecmp(s, month_names[i], len)) {
                        mo = i + 1;
                        s += len;
                        found = 1;
                    }
            if (!found)
                return 0;
            continue;
        }
        if (comp == 'P') {
            if (!strncasecmp(s, "am", 2) || !strncasecmp(s, "pm", 2)) {
                pm = tolower((unsigned char)s[0]) == 'p';
                s += 2;
                continue;
            }
            return 0;
        }
        if (comp == 'Z' || comp == 'z') {
            if (comp == 'z' && !strncmp(s, "GMT", 3))
                s += 3;
            if (*s == 'Z') {
                s++;
                continue;
            }
            if (*s != '+' && *s != '-')
                return 0;
            int sign = *s++ == '-' ? -1 : 1, oh, om = 0;
            if (!digits_at(s, 2, &oh))
                return 0;
            s += 2;
            if (*s == ':')
                s++;
            if (digits_at(s, 2, &om))
                s += 2;
            off = sign * (oh * 60 + om);
            continue;
        }
        const char *start = s;
        int64_t v = 0;
        int maxd = next_is_marker && width ? width : 9;
        while (isdigit((unsigned char)*s) && s - start < maxd)
            v = v * 10 + (*s++ - '0');
        if (s == start)
            return 0;
        switch (comp) {
        case 'Y': y = v; break;
        case 'M': mo = (int)v; break;
        case 'D': d = (int)v; break;
        case 'H': case 'h': h = (int)v; break;
        case 'm': mi = (int)v; break;
        case 's': sec = (int)v; break;
        case 'f': ms = (int)((double)v * pow(10, 3 - (int)(s - start))); break;
        default: fail(e, "D3136: The date/time picture string is missing specifiers required to parse the timestamp");
        }
    }
    if (*s)
        return 0;
    if (y == INT64_MIN)
        fail(e, "D3136: The date/time picture string is missing specifiers required to parse the timestamp");
    if (pm >= 0)
        h = h % 12 + (pm ? 12 : 0);
    double days = (double)days_from_civil(y, mo, d);
    *out = ((days * 24 + h) * 60 + mi - off) * 60000.0 + sec * 1000.0 + ms;
    return 1;
}

static jv *f_to_millis(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    double ms;
    if (n > 1 && a[1]) {
        if (!picture_millis(e, a[0]->s, a[1]->s, &ms))
            return NULL;
        return num(e, ms);
    }
    if (!iso_millis(a[0]->s, &ms))
        fail(e, "D3110: The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given %s",
             show(e, a[0]));
    return num(e, ms);
}

static jv *f_from_millis(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    if (!a[0])
        return NULL;
    return format_time(e, a[0]->n, n > 1 ? a[1] : NULL, n > 2 ? a[2] : NULL);
}

static jv *f_now(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    return format_time(e, e->now_ms, n > 0 ? a[0] : NULL, n > 1 ? a[1] : NULL);
}

static jv *f_millis(ev *e, jv **a, int n, jv *in)
{
    (void)a, (void)n, (void)in;
    return num(e, e->now_ms);
}

/* ------------------------------------------------------------- AWS's functions */

/* $partition(array, size): chunks of size items. */
static jv *f_partition(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    aws_arity(e, n, 2, "partition");
    if (n < 1 || !a[0])
        return NULL;
    if (!is_arr(a[0]))
        fail(e, "T0412: Argument 1 of function \"partition\" must be an array of undefined");
    int len = len_of(e, a[0]);
    if (len == 0)
        return NULL;
    jv *out = arr(e, 0);
    if (n < 2 || !a[1]) {
        push(e, out, a[0]);
        return out;
    }
    double size = aws_int(e, a[1], 2, "partition");
    if (size < 0)
        fail(e, "D3137: Second argument must be zero or greater");
    if (size == 0)
        return NULL;
    int step = size > len ? len : (int)size;
    for (int i = 0; i < len; i += step) {
        jv *c = arr(e, 0);
        for (int k = i; k < i + step && k < len; k++)
            push(e, c, a[0]->a[k]);
        push(e, out, c);
    }
    return out;
}

/* $range(first, last, step): a sequence, so one value is that value. */
static jv *f_range(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    aws_arity(e, n, 3, "range");
    double first = aws_int(e, n > 0 ? a[0] : NULL, 1, "range");
    double last = aws_int(e, n > 1 ? a[1] : NULL, 2, "range");
    if (n < 3 || !a[2])
        return NULL;
    double step = aws_int(e, a[2], 3, "range");
    if (step == 0 || (step > 0 && first > last) || (step < 0 && first < last))
        return NULL;
    double count = floor((last - first) / step) + 1;
    if (count > MAX_ITEMS)
        fail(e, "Expression evaluation memory limit exceeded");
    jv *out = arr(e, F_SEQ);
    for (double i = 0; i < count; i++)
        push(e, out, num(e, first + i * step));
    return out;
}

static jv *f_hash(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    aws_arity(e, n, 2, "hash");
    if (n < 1 || !a[0] || a[0]->t != T_STR)
        fail(e, "T0410: Argument 1 of function \"hash\" does not match function signature");
    if (n < 2 || !a[1])
        return NULL;
    if (a[1]->t != T_STR)
        fail(e, "T0410: Argument 2 of function \"hash\" does not match function signature");
    int alg = asl_hash_lookup(a[1]->s);
    if (alg < 0)
        fail(e, "D3137: Hash algorithm '%s' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5", a[1]->s);
    char hex[ASL_HASH_HEX_MAX];
    asl_hash_hex((asl_hash_alg)alg, a[0]->s, a[0]->slen, hex);
    return str_copy(e, hex, strlen(hex));
}

static jv *f_uuid(ev *e, jv **a, int n, jv *in)
{
    (void)a, (void)in;
    aws_arity(e, n, 0, "uuid");
    unsigned char u[16];
    for (int i = 0; i < 16; i += 8) {
        uint64_t v = rng_next();
        for (int k = 0; k < 8; k++)
            u[i + k] = (unsigned char)(v >> (8 * k));
    }
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
    char text[37];
    snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
             u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
    return str_copy(e, text, 36);
}

/* cJSON takes a repeated key; JSON (and AWS) does not. */
static int has_duplicate_keys(const cJSON *j)
{
    for (const cJSON *c = j->child; c; c = c->next) {
        if (cJSON_IsObject(j))
            for (const cJSON *d = c->next; d; d = d->next)
                if (!strcmp(c->string, d->string))
                    return 1;
        if (has_duplicate_keys(c))
            return 1;
    }
    return 0;
}

static jv *f_parse(ev *e, jv **a, int n, jv *in)
{
    (void)in;
    aws_arity(e, n, 1, "parse");
    if (n < 1 || !a[0])
        return NULL;
    if (a[0]->t != T_STR)
        fail(e, "T0410: Argument 1 of function \"parse\" does not match function signature");
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithOpts(a[0]->s, &end, 1);
    if (!j || has_duplicate_keys(j)) {
        cJSON_Delete(j);
        fail(e, "D3137: Invalid JSON");
    }
    owned *o = malloc(sizeof *o);
    if (!o) {
        cJSON_Delete(j);
        fail(e, "Expression evaluation memory limit exceeded");
    }
    o->json = j;
    o->next = e->docs;
    e->docs = o;
    return wrap(e, j);
}

/* ------------------------------------------------------------- the library */

typedef struct bdef {
    const char *sig;   /* NULL: the function checks its own arguments (AWS's) */
    bfn fn;
} bdef;

static const bdef library[JN_FN__COUNT] = {
    [JN_FN_SUM] = {"<a<n>:n>", f_sum},
    [JN_FN_COUNT] = {"<a:n>", f_count},
    [JN_FN_MAX] = {"<a<n>:n>", f_max},
    [JN_FN_MIN] = {"<a<n>:n>", f_min},
    [JN_FN_AVERAGE] = {"<a<n>:n>", f_average},
    [JN_FN_STRING] = {"<x-b?:s>", f_string},
    [JN_FN_SUBSTRING] = {"<s-nn?:s>", f_substring},
    [JN_FN_SUBSTRING_BEFORE] = {"<s-s:s>", f_substring_before},
    [JN_FN_SUBSTRING_AFTER] = {"<s-s:s>", f_substring_after},
    [JN_FN_LOWERCASE] = {"<s-:s>", f_lowercase},
    [JN_FN_UPPERCASE] = {"<s-:s>", f_uppercase},
    [JN_FN_LENGTH] = {"<s-:n>", f_length},
    [JN_FN_TRIM] = {"<s-:s>", f_trim},
    [JN_FN_PAD] = {"<s-ns?:s>", f_pad},
    [JN_FN_MATCH] = {"<s-f<s:o>n?:a<o>>", f_match},
    [JN_FN_CONTAINS] = {"<s-(sf):b>", f_contains},
    [JN_FN_REPLACE] = {"<s-(sf)(sf)n?:s>", f_replace},
    [JN_FN_SPLIT] = {"<s-(sf)n?:a<s>>", f_split},
    [JN_FN_JOIN] = {"<a<s>s?:s>", f_join},
    [JN_FN_FORMAT_BASE] = {"<n-n?:s>", f_format_base},
    [JN_FN_NUMBER] = {"<(nsb)-:n>", f_number},
    [JN_FN_FLOOR] = {"<n-:n>", f_floor},
    [JN_FN_CEIL] = {"<n-:n>", f_ceil},
    [JN_FN_ROUND] = {"<n-n?:n>", f_round},
    [JN_FN_ABS] = {"<n-:n>", f_abs},
    [JN_FN_SQRT] = {"<n-:n>", f_sqrt},
    [JN_FN_POWER] = {"<n-n:n>", f_power},
    [JN_FN_RANDOM] = {NULL, f_random},
    [JN_FN_BOOLEAN] = {"<x-:b>", f_boolean},
    [JN_FN_NOT] = {"<x-:b>", f_not},
    [JN_FN_MAP] = {"<af>", f_map},
    [JN_FN_ZIP] = {"<a+>", f_zip},
    [JN_FN_FILTER] = {"<af>", f_filter},
    [JN_FN_SINGLE] = {"<af?>", f_single},
    [JN_FN_REDUCE] = {"<afj?:j>", f_reduce},
    [JN_FN_SIFT] = {"<o-f?:o>", f_sift},
    [JN_FN_KEYS] = {"<x-:a<s>>", f_keys},
    [JN_FN_LOOKUP] = {"<x-s:x>", f_lookup},
    [JN_FN_APPEND] = {"<xx:a>", f_append},
    [JN_FN_EXISTS] = {"<x:b>", f_exists},
    [JN_FN_SPREAD] = {"<x-:a<o>>", f_spread},
    [JN_FN_MERGE] = {"<a<o>:o>", f_merge},
    [JN_FN_REVERSE] = {"<a:a>", f_reverse},
    [JN_FN_EACH] = {"<o-f:a>", f_each},
    [JN_FN_ERROR] = {"<s?:x>", f_error},
    [JN_FN_ASSERT] = {"<bs?:x>", f_assert},
    [JN_FN_TYPE] = {"<x:s>", f_type},
    [JN_FN_SORT] = {"<af?:a>", f_sort},
    [JN_FN_SHUFFLE] = {"<a:a>", f_shuffle},
    [JN_FN_DISTINCT] = {"<x:x>", f_distinct},
    [JN_FN_BASE64_ENCODE] = {"<s-:s>", f_base64encode},
    [JN_FN_BASE64_DECODE] = {"<s-:s>", f_base64decode},
    [JN_FN_ENCODE_URL_COMPONENT] = {"<s-:s>", f_encode_url_component},
    [JN_FN_ENCODE_URL] = {"<s-:s>", f_encode_url},
    [JN_FN_DECODE_URL_COMPONENT] = {"<s-:s>", f_decode_url_component},
    [JN_FN_DECODE_URL] = {"<s-:s>", f_decode_url},
    [JN_FN_TO_MILLIS] = {"<s-s?:n>", f_to_millis},
    [JN_FN_FROM_MILLIS] = {"<n-s?s?:s>", f_from_millis},
    [JN_FN_NOW] = {"<s?s?:s>", f_now},
    [JN_FN_MILLIS] = {"<:n>", f_millis},
    [JN_FN_PARTITION] = {NULL, f_partition},
    [JN_FN_RANGE] = {NULL, f_range},
    [JN_FN_HASH] = {NULL, f_hash},
    [JN_FN_UUID] = {NULL, f_uuid},
    [JN_FN_PARSE] = {NULL, f_parse},
};

static const char *const builtin_names[JN_FN__COUNT] = {
#define X(id, name) name,
    JSONATA_BUILTINS(X)
#undef X
};

int jsonata_builtin(const char *name)
{
    for (int i = 0; i < JN_FN__COUNT; i++)
        if (!strcmp(builtin_names[i], name))
            return i;
    return -1;
}

/* How many arguments a higher-order function passes it: JSONata counts a
 * native function's parameters without the optional ones ($string takes
 * one, so $map(a, $string) passes no index). */
static int builtin_arity(int id)
{
    if (!library[id].sig)
        return 1;
    sig s;
    sig_parse(library[id].sig, &s);
    int n = 0;
    for (int i = 0; i < s.n; i++)
        n += !s.p[i].opt;
    return n;
}

static jv *call_builtin(ev *e, int id, jv **args, int nargs, jv *input)
{
    if (library[id].sig)
        args = validate(e, library[id].sig, args, &nargs, input, builtin_names[id]);
    return library[id].fn(e, args, nargs, input);
}

/* ------------------------------------------------------------- results */

/* The value as new cJSON: 0, -1 when it holds a function, -2 when it is
 * nested too deeply to walk. */
static int to_json(ev *e, jv *v, cJSON **out)
{
    *out = NULL;
    if (stack_used(e->stack0) > STACK_BUDGET)
        return -2;
    switch ((jtype)v->t) {
    case T_NULL: *out = cJSON_CreateNull(); return 0;
    case T_BOOL: *out = cJSON_CreateBool(v->b); return 0;
    case T_NUM:
        if (isfinite(v->n))
            *out = cJSON_CreateNumber(v->n == 0 ? 0 : v->n);
        else
            *out = cJSON_CreateString(isnan(v->n) ? "NaN" : v->n > 0 ? "Infinity" : "-Infinity");
        return 0;
    case T_STR: *out = cJSON_CreateString(v->s); return 0;
    case T_FUNC: return -1;
    case T_ARR:
    case T_OBJ:
        if (v->len < 0) {
            *out = cJSON_Duplicate(v->j, 1);
            return 0;
        }
        *out = v->t == T_ARR ? cJSON_CreateArray() : cJSON_CreateObject();
        for (int i = 0; i < v->len; i++) {
            cJSON *item;
            if (!v->a[i])
                continue;
            int r = to_json(e, v->a[i], &item);
            if (r < 0) {
                cJSON_Delete(*out);
                *out = NULL;
                return r;
            }
            if (v->t == T_ARR)
                cJSON_AddItemToArray(*out, item);
            else
                cJSON_AddItemToObject(*out, v->k[i], item);
        }
        return 0;
    }
    return 0;
}

cJSON *asl_jsonata_eval(const asl_node *expr, asl_ctx *c, const cJSON *states_var, asl_err *err)
{
    ev *e = calloc(1, sizeof *e); /* big (jmp_buf); off the stack */
    if (!e) {
        asl_err_set(err, "States.QueryEvaluationError", "out of memory");
        return NULL;
    }
    e->c = c;
    e->stack0 = (uintptr_t)__builtin_frame_address(0);
    cJSON *result = NULL;
    if (setjmp(e->fail)) {
        asl_err_set(err, "States.QueryEvaluationError", "%s", e->cause);
        arena_free(e);
        free(e);
        return NULL;
    }
    e->vnull = mk(e, T_NULL);
    e->vtrue = mk(e, T_BOOL);
    e->vtrue->b = 1;
    e->vfalse = mk(e, T_BOOL);
    e->states = wrap(e, states_var);
    e->t0 = mono();
    e->now_ms = floor(asl_now() * 1000);
    const asl_node *body = expr->kind == JN_ROOT ? &expr->kids[0] : expr;
    jv *v = eval(e, body, NULL, scope_new(e, NULL));
    int r = v ? to_json(e, v, &result) : 0;
    if (r == -1)
        asl_err_set(err, "States.QueryEvaluationError", JSONATA_UNSUPPORTED);
    else if (r == -2)
        asl_err_set(err, "States.QueryEvaluationError", "Stack overflow error: the data is nested too deeply");
    arena_free(e);
    free(e);
    return result;
}

void asl_jsonata_field_error(asl_err *err, const asl_node *expr, const char *field)
{
    const char *text = expr && expr->kind == JN_ROOT && expr->str ? expr->str : "";
    char *cause = err->cause;
    err->cause = NULL;
    if (!err->error)
        asl_err_set(err, "States.QueryEvaluationError",
                    "The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", text, field);
    else if (cause && !strcmp(cause, JSONATA_UNSUPPORTED))
        asl_err_set(err, "States.QueryEvaluationError",
                    "The JSONata expression '%s' specified for the field '%s' %s", text, field, cause);
    else {
        /* a coded message is a sentence of its own; a bare one follows a colon */
        int coded = cause && strlen(cause) > 6 && isupper((unsigned char)cause[0]) && isdigit((unsigned char)cause[1]) &&
                    cause[5] == ':';
        asl_err_set(err, "States.QueryEvaluationError",
                    "The JSONata expression '%s' specified for the field '%s' threw an error during evaluation%s%s", text,
                    field, coded ? ". " : ": ", cause ? cause : "");
    }
    free(cause);
}
