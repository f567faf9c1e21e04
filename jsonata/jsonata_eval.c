/*
 * jsonata_eval.c: evaluates JSONata trees (see jsonata_tree.h) over cJSON:
 * JSONata 2.0 semantics (sequences that flatten and
 * unwrap, undefined as "no value"), its function library with AWS's
 * additions, and its error codes and messages.
 *
 * This file holds the evaluator proper: values and their arena, errors,
 * UTF-8, numbers, JSON text, scopes, navigation, paths, tuple streams,
 * sorting, operators, constructors, function calls, signatures and the
 * results. The regex engine is in jsonata_regex.c, the function library in
 * jsonata_lib.c (dates in jsonata_dates.c, pictures in jsonata_format.c);
 * jsonata_internal.h is what they share.
 *
 * Values (jv) live in an arena that one evaluation owns and frees at once,
 * so the evaluator shares and aliases them freely. Input documents are not
 * copied: a jv can stand for a borrowed cJSON array or object, materialised
 * one level at a time when something iterates it. Undefined is the NULL
 * pointer. A failure unwinds with longjmp to jsonata_evaluate, which frees
 * the arena: nothing else is allocated while an evaluation runs, so nothing
 * leaks on the way out.
 */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jsonata.h"
#include "jsonata_internal.h"
#include "num.h"

/* ------------------------------------------------------------- arena */

#define CHUNK 65536

/* Each thread keeps one chunk from its last evaluation: most evaluations
 * fit in one, and then cost no malloc and free (which, for a small
 * expression, took more time than evaluating it). A thread that ends
 * frees its spare. */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void spare_init(void)
{
    pthread_key_create(&spare_key, free);
}

static chunk *spare_take(void)
{
    pthread_once(&spare_once, spare_init);
    chunk *c = pthread_getspecific(spare_key);
    if (c)
        pthread_setspecific(spare_key, NULL);
    return c;
}

/* Keeps c as the spare, or frees it. */
static void spare_keep(chunk *c)
{
    if (c->cap == CHUNK && !pthread_getspecific(spare_key))
        pthread_setspecific(spare_key, c);
    else
        free(c);
}

void *jn_alloc(ev *e, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    chunk *c = e->mem;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK ? n : CHUNK;
        if (e->used + cap > e->max_bytes && !e->cause) {
            /* no allocation for this message: the budget is spent */
            e->cause = (char *)"Expression evaluation memory limit exceeded";
            longjmp(e->fail, 1);
        }
        e->used += cap;
        c = cap == CHUNK ? spare_take() : NULL;
        if (!c)
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
        spare_keep(e->mem);
        e->mem = next;
    }
    while (e->docs) {
        owned *next = e->docs->next;
        cJSON_Delete(e->docs->json);
        free(e->docs);
        e->docs = next;
    }
}

char *jn_sdup(ev *e, const char *s, size_t n)
{
    char *p = jn_alloc(e, n + 1);
    memcpy(p, s, n);
    return p;
}

void jn_sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = jn_alloc(b->e, cap);
        if (b->len)
            memcpy(p, b->p, b->len);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void jn_sb_puts(sbuf *b, const char *s)
{
    jn_sb_put(b, s, strlen(s));
}

void jn_sb_putc(sbuf *b, char c)
{
    jn_sb_put(b, &c, 1);
}

const char *jn_sb_str(sbuf *b)
{
    if (!b->p)
        jn_sb_put(b, "", 0);
    return b->p;
}

/* ------------------------------------------------------------- errors */

/* Unwinds the evaluation with a JSONata error ("T2001: ..."). */
_Noreturn void jn_fail(ev *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    e->cause = jn_alloc(e, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(e->cause, (size_t)n + 1, fmt, ap);
    va_end(ap);
    longjmp(e->fail, 1);
}

size_t jn_stack_used(uintptr_t base)
{
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    return base > here ? base - here : here - base;
}

void jn_guard(ev *e)
{
    if (jn_stack_used(e->stack0) > STACK_BUDGET)
        jn_fail(e, "Stack overflow error: the data is nested too deeply");
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
    jv *v = jn_alloc(e, sizeof *v);
    v->t = (unsigned char)t;
    return v;
}

jv *jn_num(ev *e, double d)
{
    jv *v = mk(e, T_NUM);
    v->n = d;
    return v;
}

jv *jn_str_n(ev *e, const char *s, size_t n)
{
    jv *v = mk(e, T_STR);
    v->s = s;
    v->slen = n;
    return v;
}

jv *jn_str(ev *e, const char *s)
{
    return jn_str_n(e, s, strlen(s));
}

jv *jn_boolean_v(ev *e, int b)
{
    return b ? e->vtrue : e->vfalse;
}

jv *jn_arr(ev *e, unsigned fl)
{
    jv *v = mk(e, T_ARR);
    v->fl = (unsigned char)fl;
    return v;
}

jv *jn_obj(ev *e)
{
    return mk(e, T_OBJ);
}

static jv *func(ev *e, fkind kind)
{
    jv *v = mk(e, T_FUNC);
    v->f = jn_alloc(e, sizeof *v->f);
    v->f->kind = kind;
    return v;
}

/* A borrowed cJSON value. Arrays and objects stay borrowed until something
 * walks them. */
jv *jn_wrap(ev *e, const cJSON *j)
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
        return jn_num(e, j->valuedouble);
    if (cJSON_IsString(j))
        return jn_str(e, j->valuestring ? j->valuestring : "");
    jv *v = mk(e, cJSON_IsArray(j) ? T_ARR : T_OBJ);
    v->j = j;
    v->len = -1;
    return v;
}

/* A range's numbers, b of them from n, in one block. */
static void make_range(ev *e, jv *v)
{
    int n = v->b;
    jv *nums = jn_alloc(e, sizeof *nums * (size_t)n);
    v->a = jn_alloc(e, sizeof *v->a * (size_t)n);
    for (int i = 0; i < n; i++) {
        nums[i].t = T_NUM;
        nums[i].n = v->n + i;
        v->a[i] = &nums[i];
    }
    v->len = v->cap = n;
    v->fl &= (unsigned char)~F_RANGE;
}

/* Makes a borrowed array or object's items (and keys) real, or a range's. */
static void materialise(ev *e, jv *v)
{
    if (v->len >= 0)
        return;
    if (v->fl & F_RANGE) {
        make_range(e, v);
        return;
    }
    int n = 0;
    for (const cJSON *c = v->j->child; c; c = c->next)
        n++;
    v->a = jn_alloc(e, sizeof *v->a * (size_t)(n ? n : 1));
    if (v->t == T_OBJ)
        v->k = jn_alloc(e, sizeof *v->k * (size_t)(n ? n : 1));
    n = 0;
    for (const cJSON *c = v->j->child; c; c = c->next, n++) {
        v->a[n] = jn_wrap(e, c);
        if (v->t == T_OBJ)
            v->k[n] = c->string ? c->string : "";
    }
    v->len = v->cap = n;
}

int jn_is_arr(const jv *v)
{
    return v && v->t == T_ARR;
}

static int is_fn(const jv *v)
{
    return v && v->t == T_FUNC;
}

int jn_len_of(ev *e, jv *v)
{
    materialise(e, v);
    return v->len;
}

/* The length without making a range's numbers (the items stay unread). */
int jn_count(ev *e, jv *v)
{
    return v->fl & F_RANGE ? v->b : jn_len_of(e, v);
}

void jn_push(ev *e, jv *a, jv *item)
{
    materialise(e, a);
    if (a->len >= e->max_items)
        jn_fail(e, "Expression evaluation memory limit exceeded");
    if (a->len == a->cap) {
        int cap = a->cap ? 2 * a->cap : 4;
        jv **items = jn_alloc(e, sizeof *items * (size_t)cap);
        if (a->len)
            memcpy(items, a->a, sizeof *items * (size_t)a->len);
        a->a = items;
        if (a->t == T_OBJ) {
            const char **keys = jn_alloc(e, sizeof *keys * (size_t)cap);
            if (a->len)
                memcpy(keys, a->k, sizeof *keys * (size_t)a->len);
            a->k = keys;
        }
        a->cap = cap;
    }
    a->a[a->len++] = item;
}

/* Pushes v, or v's items when it is an array (one level). */
void jn_push_flat(ev *e, jv *a, jv *v)
{
    if (jn_is_arr(v)) {
        int n = jn_len_of(e, v);
        materialise(e, a);
        if (a->t == T_ARR && n > 0 && a->cap - a->len < n && a->len + n <= e->max_items) {
            /* room for all of v at once: a long range is not copied log n times */
            jv **items = jn_alloc(e, sizeof *items * (size_t)(a->len + n));
            if (a->len)
                memcpy(items, a->a, sizeof *items * (size_t)a->len);
            a->a = items;
            a->cap = a->len + n;
        }
        for (int i = 0; i < n; i++)
            jn_push(e, a, v->a[i]);
    } else if (v) {
        jn_push(e, a, v);
    }
}

/* v's items: an array's own, else v alone in one (room for one item). */
static jv **items_of(ev *e, jv *v, jv **one, int *n)
{
    if (jn_is_arr(v)) {
        *n = jn_len_of(e, v);
        return v->a;
    }
    one[0] = v;
    *n = 1;
    return one;
}

static jv *seq1(ev *e, jv *item)
{
    jv *s = jn_arr(e, F_SEQ);
    if (item)
        jn_push(e, s, item);
    return s;
}

static jv *obj_get(ev *e, jv *o, const char *key)
{
    if (o->len < 0)
        return jn_wrap(e, cJSON_GetObjectItemCaseSensitive(o->j, key));
    for (int i = 0; i < o->len; i++)
        if (!strcmp(o->k[i], key))
            return o->a[i];
    return NULL;
}

/* Sets key, in place when it exists (keeping its position). */
void jn_obj_set(ev *e, jv *o, const char *key, jv *val)
{
    materialise(e, o);
    for (int i = 0; i < o->len; i++)
        if (!strcmp(o->k[i], key)) {
            o->a[i] = val;
            return;
        }
    jn_push(e, o, val);
    o->k[o->len - 1] = key;
}

/* ------------------------------------------------------------- UTF-8 */

/* Decodes one code point at s (n bytes left); invalid bytes decode as
 * themselves, one at a time. */
uint32_t jn_u8_next(const char *s, size_t n, size_t *adv)
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

/* Where the code point that ends at p starts, as jn_u8_next decoding
 * forward from lo (a code point boundary, lo < p) would have cut it: the
 * longest valid sequence ending at p, else the single byte before p. A
 * continuation byte can never start a sequence jn_u8_next accepts, so the
 * longest match is the forward cut, invalid bytes included. */
size_t jn_u8_prev(const char *s, size_t lo, size_t p)
{
    for (size_t k = 4; k > 1; k--) {
        if (p - lo < k)
            continue;
        size_t adv;
        jn_u8_next(s + p - k, k, &adv);
        if (adv == k)
            return p - k;
    }
    return p - 1;
}

size_t jn_u8_put(char *out, uint32_t cp)
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

cps jn_to_cps(ev *e, const char *s, size_t len)
{
    cps r = {jn_alloc(e, sizeof(uint32_t) * (len + 1)), jn_alloc(e, sizeof(size_t) * (len + 1)), 0};
    size_t i = 0, adv;
    while (i < len) {
        r.off[r.n] = i;
        r.cp[r.n++] = jn_u8_next(s + i, len - i, &adv);
        i += adv;
    }
    r.off[r.n] = len;
    return r;
}

size_t jn_cp_count(const char *s, size_t len)
{
    size_t n = 0, i = 0, adv;
    while (i < len) {
        jn_u8_next(s + i, len - i, &adv);
        i += adv;
        n++;
    }
    return n;
}

/* Simple case mapping: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic. */
uint32_t jn_cp_upper(uint32_t c)
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

uint32_t jn_cp_lower(uint32_t c)
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

/* Number to text as JavaScript writes it (Number.prototype.toString):
 * 100, 0.1, 1e+21, 1.5e-7 (num.c). */
void jn_js_number(double d, char *out)
{
    asl_num_js(d, out);
}

/* d as an integer, saturating (as Java's (long) cast): no undefined
 * behaviour for values out of range. */
int64_t jn_to_i64(double d)
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
    jn_sb_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': jn_sb_puts(b, "\\\""); break;
        case '\\': jn_sb_puts(b, "\\\\"); break;
        case '\b': jn_sb_puts(b, "\\b"); break;
        case '\f': jn_sb_puts(b, "\\f"); break;
        case '\n': jn_sb_puts(b, "\\n"); break;
        case '\r': jn_sb_puts(b, "\\r"); break;
        case '\t': jn_sb_puts(b, "\\t"); break;
        default:
            if (c < 0x20) {
                char esc[8];
                snprintf(esc, sizeof esc, "\\u%04x", c);
                jn_sb_puts(b, esc);
            } else {
                jn_sb_putc(b, (char)c);
            }
        }
    }
    jn_sb_putc(b, '"');
}

static void indent(sbuf *b, int level)
{
    jn_sb_putc(b, '\n');
    for (int i = 0; i < level; i++)
        jn_sb_puts(b, "  ");
}

/* JSON.stringify as $string uses it: numbers to 15 significant digits,
 * functions as "", pretty-printed with two spaces when pretty. */
static void stringify(ev *e, sbuf *b, jv *v, int pretty, int level)
{
    jn_guard(e);
    char tmp[40];
    if (!v) {
        jn_sb_puts(b, "null");
        return;
    }
    switch ((jtype)v->t) {
    case T_NULL: jn_sb_puts(b, "null"); break;
    case T_BOOL: jn_sb_puts(b, v->b ? "true" : "false"); break;
    case T_NUM:
        if (!isfinite(v->n)) {
            jn_sb_puts(b, "null");
            break;
        }
        asl_num_js_precision(v->n, 15, tmp); /* JSONata: 15 significant digits, so 0.1 + 0.2 reads "0.3" */
        jn_sb_puts(b, tmp);
        break;
    case T_STR: put_json_string(b, v->s, v->slen); break;
    case T_FUNC: jn_sb_puts(b, "\"\""); break;
    case T_ARR: {
        int n = jn_len_of(e, v);
        jn_sb_putc(b, '[');
        for (int i = 0; i < n; i++) {
            if (i)
                jn_sb_putc(b, ',');
            if (pretty)
                indent(b, level + 1);
            stringify(e, b, v->a[i], pretty, level + 1);
        }
        if (pretty && n)
            indent(b, level);
        jn_sb_putc(b, ']');
        break;
    }
    case T_OBJ: {
        int n = jn_len_of(e, v), first = 1;
        jn_sb_putc(b, '{');
        for (int i = 0; i < n; i++) {
            if (!v->a[i])
                continue;
            if (!first)
                jn_sb_putc(b, ',');
            first = 0;
            if (pretty)
                indent(b, level + 1);
            put_json_string(b, v->k[i], strlen(v->k[i]));
            jn_sb_puts(b, pretty ? ": " : ":");
            stringify(e, b, v->a[i], pretty, level + 1);
        }
        if (pretty && !first)
            indent(b, level);
        jn_sb_putc(b, '}');
        break;
    }
    }
}

/* A value as JSONata's error messages show it (JSON.stringify). */
const char *jn_show(ev *e, jv *v)
{
    sbuf b = {e, 0, 0, 0};
    if (v && v->t == T_NUM) {
        char tmp[40];
        jn_js_number(v->n, tmp);
        jn_sb_puts(&b, isfinite(v->n) ? tmp : "null");
    } else {
        stringify(e, &b, v, 0, 0);
    }
    return jn_sb_str(&b);
}

/* ------------------------------------------------------------- scopes */

static scope *scope_new(ev *e, scope *parent)
{
    scope *s = jn_alloc(e, sizeof *s);
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
        const char **names = jn_alloc(e, sizeof *names * (size_t)cap);
        jv **vals = jn_alloc(e, sizeof *vals * (size_t)cap);
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

/* $name: local bindings, then the host's variables, and the function
 * library (so a variable can shadow a function, as in JSONata). */
static jv *lookup_var(ev *e, const scope *env, const char *name, int *found)
{
    jv *v;
    *found = 1;
    if (scope_find(env, name, &v))
        return v;
    const cJSON *j = e->host->variable ? e->host->variable(e->host->ud, name) : NULL;
    if (j)
        return jn_wrap(e, j);
    int b = jsonata_builtin(name);
    if (b >= 0)
        return builtin_fn(e, b);
    *found = 0;
    return NULL;
}

/* ------------------------------------------------------------- basics */

static jv *eval(ev *e, const jsonata_node *n, jv *in, scope *env);
static jv *eval_keep(ev *e, const jsonata_node *n, jv *in, scope *env);

static const char *const op_names[] = {"+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "&", "and", "or", "in", ".."};

/* Empty sequences are undefined, singletons their item. */
static jv *unwrap(jv *r)
{
    if (r && (r->fl & F_SEQ) && !(r->fl & F_TUPLES)) { /* a tuple stream goes to its path as it is */
        if (r->len == 0)
            return NULL;
        if (r->len == 1 && !(r->fl & F_KEEP))
            return r->a[0];
    }
    return r;
}

/* $boolean: -1 for undefined, else 0 or 1. */
int jn_bool_of(ev *e, jv *v)
{
    jn_guard(e);
    if (!v)
        return -1;
    switch ((jtype)v->t) {
    case T_NULL: return 0;
    case T_BOOL: return v->b;
    case T_NUM: return v->n != 0 && !isnan(v->n);
    case T_STR: return v->slen > 0;
    case T_FUNC: return 0;
    case T_OBJ: return jn_len_of(e, v) > 0;
    case T_ARR: {
        int n = jn_len_of(e, v);
        if (n == 1)
            return jn_bool_of(e, v->a[0]);
        for (int i = 0; i < n; i++)
            if (jn_bool_of(e, v->a[i]) == 1)
                return 1;
        return 0;
    }
    }
    return 0;
}

int jn_truthy(ev *e, jv *v)
{
    return jn_bool_of(e, v) == 1;
}

int jn_deep_equal(ev *e, jv *a, jv *b)
{
    jn_guard(e);
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
        int n = jn_len_of(e, a);
        if (n != jn_len_of(e, b))
            return 0;
        for (int i = 0; i < n; i++)
            if (!jn_deep_equal(e, a->a[i], b->a[i]))
                return 0;
        return 1;
    }
    case T_OBJ: {
        int n = jn_len_of(e, a);
        if (n != jn_len_of(e, b))
            return 0;
        for (int i = 0; i < n; i++)
            if (!jn_deep_equal(e, a->a[i], obj_get(e, b, a->k[i])))
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
jv *jn_to_string(ev *e, jv *v, int pretty)
{
    if (!v)
        return NULL;
    if (v->t == T_STR)
        return v;
    if (v->t == T_FUNC)
        return jn_str(e, "");
    if (v->t == T_NUM && !isfinite(v->n))
        jn_fail(e, "D3001: Attempting to invoke string function on Infinity or NaN");
    sbuf b = {e, 0, 0, 0};
    stringify(e, &b, v, pretty, 0);
    return jn_str_n(e, jn_sb_str(&b), b.len);
}

/* JSONata's append: a sequence of a's items (or a) then b's (or b). */
jv *jn_append(ev *e, jv *a, jv *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    jv *out = jn_arr(e, 0);
    jn_push_flat(e, out, a);
    jn_push_flat(e, out, b);
    return out;
}

static void tick(ev *e)
{
    if ((++e->ticks & 1023) == 0 && mono() - e->t0 > MAX_SECONDS)
        jn_fail(e, "Expression evaluation timeout: Check for infinite loop");
}

/* A copy of v whose arrays and objects are all new and materialised, so
 * that a transform can change them in place. */
jv *jn_deep_copy(ev *e, jv *v)
{
    jn_guard(e);
    if (!v || (v->t != T_ARR && v->t != T_OBJ))
        return v;
    int n = jn_len_of(e, v);
    jv *c = v->t == T_ARR ? jn_arr(e, v->fl & ~F_TUPLES) : jn_obj(e);
    c->a = jn_alloc(e, sizeof *c->a * (size_t)(n ? n : 1));
    if (v->t == T_OBJ)
        c->k = jn_alloc(e, sizeof *c->k * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        c->a[i] = jn_deep_copy(e, v->a[i]);
        if (v->t == T_OBJ)
            c->k[i] = v->k[i];
    }
    c->len = c->cap = n;
    return c;
}

static void obj_delete(jv *o, const char *key)
{
    for (int i = 0; i < o->len; i++)
        if (!strcmp(o->k[i], key)) {
            memmove(o->a + i, o->a + i + 1, sizeof *o->a * (size_t)(o->len - i - 1));
            memmove(o->k + i, o->k + i + 1, sizeof *o->k * (size_t)(o->len - i - 1));
            o->len--;
            return;
        }
}

/* | pattern | update [, deletions] |, applied to obj: a copy of obj (made
 * by $clone, whatever $clone is where the transform was written), in which
 * every object the pattern selects gets the update's fields and loses the
 * fields named for deletion. */
static jv *transform(ev *e, jfn *f, jv *obj)
{
    if (!obj)
        return NULL;
    int found;
    jv *clone = lookup_var(e, f->env, "clone", &found);
    if (!clone || clone->t != T_FUNC)
        jn_fail(e, "T2013: The transform expression clones the input when it is applied; $clone has been overridden");
    jv *result = jn_apply(e, clone, &obj, 1, NULL);
    const jsonata_node *t = f->node;
    jv *matches = eval(e, &t->kids[0], result, f->env);
    if (!matches)
        return result;
    jv *one[1];
    int n;
    jv **items = items_of(e, matches, one, &n);
    for (int i = 0; i < n; i++) {
        jv *m = items[i];
        jv *update = eval(e, &t->kids[1], m, f->env);
        if (update && update->t != T_OBJ)
            jn_fail(e, "T2011: The insert/update clause of the transform expression must evaluate to an object: %s",
                    jn_show(e, update));
        if (update && m && m->t == T_OBJ) {
            int nu = jn_len_of(e, update);
            for (int k = 0; k < nu; k++)
                jn_obj_set(e, m, update->k[k], update->a[k]);
        }
        if (t->count < 3)
            continue;
        jv *del = eval(e, &t->kids[2], m, f->env);
        if (!del)
            continue;
        jv *dl[1] = {del};
        jv **names = dl;
        int nd = 1;
        if (jn_is_arr(del)) {
            nd = jn_len_of(e, del);
            names = del->a;
        }
        for (int k = 0; k < nd; k++)
            if (!names[k] || names[k]->t != T_STR)
                jn_fail(e, "T2012: The delete clause of the transform expression must evaluate to a string or array of strings: %s",
                        jn_show(e, del));
        for (int k = 0; m && m->t == T_OBJ && k < nd; k++) {
            materialise(e, m);
            obj_delete(m, names[k]->s);
        }
    }
    return result;
}

/* ------------------------------------------------------------- navigation */

/* The field key of in, mapped over arrays (and flattened one level). */
jv *jn_lookup_field(ev *e, jv *in, const char *key)
{
    jn_guard(e);
    if (!in)
        return NULL;
    if (jn_is_arr(in)) {
        jv *out = jn_arr(e, F_SEQ);
        int n = jn_len_of(e, in);
        for (int i = 0; i < n; i++)
            jn_push_flat(e, out, jn_lookup_field(e, in->a[i], key));
        return out;
    }
    if (in->t == T_OBJ)
        return obj_get(e, in, key);
    return NULL;
}

static void flatten_into(ev *e, jv *out, jv *v)
{
    jn_guard(e);
    if (jn_is_arr(v)) {
        int n = jn_len_of(e, v);
        for (int i = 0; i < n; i++)
            flatten_into(e, out, v->a[i]);
    } else if (v) {
        jn_push(e, out, v);
    }
}

/* *: the values of an object (arrays among them flattened). */
static jv *wildcard(ev *e, jv *in)
{
    jv *out = jn_arr(e, F_SEQ);
    if (!in || (in->t != T_OBJ && in->t != T_ARR))
        return out;
    int n = jn_len_of(e, in);
    for (int i = 0; i < n; i++) {
        jv *v = in->a[i];
        if (jn_is_arr(v)) {
            flatten_into(e, out, v);
            out->fl = 0; /* JSONata's append made it a plain array */
        } else if (v) {
            jn_push(e, out, v);
        }
    }
    return out;
}

static void descend(ev *e, jv *v, jv *out)
{
    jn_guard(e);
    if (!jn_is_arr(v))
        jn_push(e, out, v);
    if (v->t == T_ARR || v->t == T_OBJ) {
        int n = jn_len_of(e, v);
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
    jv *out = jn_arr(e, F_SEQ);
    descend(e, in, out);
    return out->len == 1 ? out->a[0] : out;
}

/* ------------------------------------------------------------- paths */

/* A step applied to each input item; results flattened one level (arrays
 * built by a constructor stay whole). A single array from the last step
 * is the result as it is: $states.input.list keeps a one-item list. */
static jv *eval_step(ev *e, const jsonata_node *step, jv **items, int n, scope *env, int last)
{
    jv *col = jn_arr(e, F_SEQ);
    for (int i = 0; i < n; i++) {
        jv *r = eval(e, step, items[i], env);
        if (r)
            jn_push(e, col, r);
    }
    if (last && col->len == 1 && jn_is_arr(col->a[0]) && !(col->a[0]->fl & F_SEQ))
        return col->a[0];
    jv *out = jn_arr(e, F_SEQ);
    for (int i = 0; i < col->len; i++) {
        jv *r = col->a[i];
        if (!jn_is_arr(r) || (r->fl & F_CONS))
            jn_push(e, out, r);
        else
            jn_push_flat(e, out, r);
    }
    return out;
}

static jv *sort_items(ev *e, const jsonata_node *sort, jv **items, int n, scope *env);
static int *order(ev *e, const jsonata_node *sort, jv **at, scope **envs, scope *env, int n);
static jv *apply_filter(ev *e, const jsonata_node *pred, jv *input, scope *env);

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
        if (cap > e->max_items)
            jn_fail(e, "Expression evaluation memory limit exceeded");
        tup *t = jn_alloc(e, sizeof *t * (size_t)cap);
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
static tuples tuple_filter(ev *e, const jsonata_node *pred, tuples in)
{
    tuples out = {0};
    if (pred->kind == JN_INDEX_STAGE) {
        for (int i = 0; i < in.n; i++)
            tup_push(e, &out, in.t[i].at, bound(e, in.t[i].s, pred->str, jn_num(e, i)));
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
        int all_numbers = jn_is_arr(r), keep = 0;
        for (int k = 0; all_numbers && k < jn_len_of(e, r); k++)
            all_numbers = r->a[k] && r->a[k]->t == T_NUM;
        if (all_numbers) {
            for (int k = 0; k < r->len; k++) {
                double ix = floor(r->a[k]->n);
                keep |= (ix < 0 ? ix + in.n : ix) == i;
            }
        } else {
            keep = jn_truthy(e, r);
        }
        if (keep)
            tup_push(e, &out, in.t[i].at, in.t[i].s);
    }
    return out;
}

/* The name a parent-operator label binds. */
static const char *label_name(ev *e, int label)
{
    if (label < 64 && e->labels[label])
        return e->labels[label];
    char tmp[16];
    snprintf(tmp, sizeof tmp, "!%d", label);
    char *name = jn_sdup(e, tmp, strlen(tmp));
    if (label < 64)
        e->labels[label] = name;
    return name;
}

/* A step that makes (or needs) a tuple stream: @ or # bindings, a step a
 * % names, or a block or path that hands a tuple stream on. */
static int is_tuple_step(const jsonata_node *s)
{
    for (;;) {
        if (s->flags & JN_F_TUPLE)
            return 1;
        if (s->kind != JN_FILTER && s->kind != JN_FOCUS_BIND && s->kind != JN_INDEX_BIND)
            return 0;
        s = &s->kids[0];
    }
}

/* One path step over tuples: the step's results become tuples (or, with
 * @$v, are bound to $v while the context stays), numbered by #$i, with
 * the input bound to the step's label when a % names it; a step that
 * returns a tuple stream of its own (a block or path with a % inside)
 * hands on its tuples, bindings and all. Then its predicates and #$i
 * stages in the order written. */
static tuples tuple_step(ev *e, const jsonata_node *step, tuples in)
{
    const jsonata_node *filter = step->kind == JN_FILTER ? step : NULL;
    const jsonata_node *core = filter ? &step->kids[0] : step;
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
    const char *label = (core->kind == JN_NAME || core->kind == JN_WILDCARD) && core->op ? label_name(e, core->op) : NULL;
    tuples out = {0};
    if (core->kind == JN_SORT) {
        jv **at = jn_alloc(e, sizeof *at * (size_t)(in.n ? in.n : 1));
        scope **envs = jn_alloc(e, sizeof *envs * (size_t)(in.n ? in.n : 1));
        for (int i = 0; i < in.n; i++) {
            at[i] = in.t[i].at;
            envs[i] = in.t[i].s;
        }
        int *perm = order(e, core, at, envs, NULL, in.n);
        for (int i = 0; i < in.n; i++)
            tup_push(e, &out, in.t[perm[i]].at, index ? bound(e, in.t[perm[i]].s, index, jn_num(e, i)) : in.t[perm[i]].s);
    } else {
        for (int i = 0; i < in.n; i++) {
            jv *res = eval(e, core, in.t[i].at, in.t[i].s);
            if (!res)
                continue;
            if (res->fl & F_TUPLES) {
                for (int k = 0; k < res->len; k++)
                    tup_push(e, &out, res->a[k], res->tenv[k]);
                continue;
            }
            jv *one[1];
            int n;
            jv **items = items_of(e, res, one, &n);
            for (int k = 0; k < n; k++) {
                scope *s = focus ? bound(e, in.t[i].s, focus, items[k]) : in.t[i].s;
                if (index)
                    s = bound(e, s, index, jn_num(e, k));
                if (label)
                    s = bound(e, s, label, in.t[i].at);
                tup_push(e, &out, focus ? in.t[i].at : items[k], s);
            }
        }
    }
    for (int k = 1; filter && k < filter->count; k++)
        out = tuple_filter(e, &filter->kids[k], out);
    return out;
}

/* A tuple stream as a value (F_TUPLES). */
static jv *tuples_value(ev *e, tuples ts)
{
    jv *v = jn_arr(e, F_SEQ | F_TUPLES);
    v->a = jn_alloc(e, sizeof *v->a * (size_t)(ts.n + 1));
    v->tenv = jn_alloc(e, sizeof *v->tenv * (size_t)(ts.n + 1));
    for (int i = 0; i < ts.n; i++) {
        v->a[i] = ts.t[i].at;
        v->tenv[i] = ts.t[i].s;
    }
    v->len = v->cap = ts.n;
    return v;
}

/* A path. want_tuples: return the tuple stream (F_TUPLES) when the path
 * makes one, as grouping and an enclosing path's % need it. */
static jv *eval_path_as(ev *e, const jsonata_node *n, jv *in, scope *env, int want_tuples)
{
    jv *one[1] = {in};
    jv **items = one;
    int cnt = 1;
    /* a path from a variable ($, $$, $x) starts from its value, not from
     * each item of an array context: look through the step's predicates,
     * bindings and sorting for it */
    const jsonata_node *first = &n->kids[0];
    while (first->kind == JN_FILTER || first->kind == JN_FOCUS_BIND || first->kind == JN_INDEX_BIND ||
           first->kind == JN_GROUP)
        first = &first->kids[0];
    if (first->kind != JN_VARIABLE && jn_is_arr(in)) {
        cnt = jn_len_of(e, in);
        items = in->a;
    }
    jv *res = NULL;
    int tupled = 0;
    tuples ts = {0};
    for (int i = 0; i < n->count; i++) {
        const jsonata_node *step = &n->kids[i];
        if (!tupled && is_tuple_step(step)) {
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
            if (!jn_is_arr(in))
                ctx = seq1(e, in);
            res = eval(e, step, ctx, env);
        } else if (step->kind == JN_SORT || (step->kind == JN_FILTER && step->kids[0].kind == JN_SORT)) {
            /* order-by sorts the whole sequence; predicates after it filter
             * the sorted whole */
            const jsonata_node *sort = step->kind == JN_SORT ? step : &step->kids[0];
            res = sort_items(e, sort, items, cnt, env);
            for (int k = 1; step->kind == JN_FILTER && k < step->count; k++)
                res = apply_filter(e, &step->kids[k], res, env);
        } else {
            res = eval_step(e, step, items, cnt, env, i == n->count - 1);
        }
        if (!res)
            break;
        if (!jn_is_arr(res))
            res = seq1(e, res);
        if (jn_len_of(e, res) == 0)
            break;
        items = res->a;
        cnt = res->len;
    }
    if (tupled && (want_tuples || (n->flags & JN_F_TUPLES_OUT)))
        return tuples_value(e, ts);
    if (tupled) {
        res = jn_arr(e, F_SEQ);
        for (int k = 0; k < ts.n; k++)
            if (ts.t[k].at)
                jn_push(e, res, ts.t[k].at);
    }
    if ((n->flags & JN_F_KEEP_SINGLETON) && res) {
        if ((res->fl & F_CONS) && !(res->fl & F_SEQ)) /* an array built by the path is one item */
            res = seq1(e, res);
        if (res->fl & F_SEQ)
            res->fl |= F_KEEP;
    }
    return res;
}

static jv *eval_path(ev *e, const jsonata_node *n, jv *in, scope *env)
{
    return eval_path_as(e, n, in, env, 0);
}

/* One predicate over a value: an index (numbers count from the end when
 * negative) or a condition per item. */
static jv *apply_filter(ev *e, const jsonata_node *pred, jv *input, scope *env)
{
    jv *out = jn_arr(e, F_SEQ);
    /* undefined is a sequence of one undefined item: the predicate still
     * runs (and may fail), though nothing can pass */
    jv *one[1];
    int n;
    jv **items = items_of(e, input, one, &n);
    if (pred->kind == JN_NUMBER) {
        double ix = floor(pred->num);
        if (ix < 0)
            ix += n;
        if (ix >= 0 && ix < n && items[(int)ix]) {
            jv *item = items[(int)ix];
            if (jn_is_arr(item))
                return item;
            jn_push(e, out, item);
        }
        return out;
    }
    for (int i = 0; i < n; i++) {
        jv *r = eval(e, pred, items[i], env);
        if (r && r->t == T_NUM)
            r = seq1(e, r);
        int all_numbers = jn_is_arr(r);
        for (int k = 0; all_numbers && k < jn_len_of(e, r); k++)
            all_numbers = r->a[k] && r->a[k]->t == T_NUM;
        if (all_numbers) {
            for (int k = 0; k < r->len && items[i]; k++) {
                double ix = floor(r->a[k]->n);
                if (ix < 0)
                    ix += n;
                if (ix == i)
                    jn_push(e, out, items[i]);
            }
        } else if (jn_truthy(e, r) && items[i]) {
            jn_push(e, out, items[i]);
        }
    }
    return out;
}

/* ------------------------------------------------------------- sorting */

/* An order-by in progress: each term's value for each item, computed
 * when a comparison first needs it (as JSONata evaluates them) and kept,
 * not recomputed per comparison. */
typedef struct ordering {
    ev *e;
    const jsonata_node *sort;
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
            jn_fail(e, "T2008: The expressions within an order-by clause must evaluate to numeric or string values");
        if (aa->t != bb->t)
            jn_fail(e, "T2007: Type mismatch when comparing values %s and %s in order-by clause", jn_show(e, aa), jn_show(e, bb));
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
static int *order(ev *e, const jsonata_node *sort, jv **at, scope **envs, scope *env, int n)
{
    size_t nk = (size_t)n * (size_t)sort->count;
    ordering o = {e, sort, at, envs, env, jn_alloc(e, sizeof(jv *) * (nk ? nk : 1)), jn_alloc(e, nk ? nk : 1)};
    int *perm = jn_alloc(e, sizeof *perm * (size_t)(n ? n : 1)), *tmp = jn_alloc(e, sizeof *tmp * (size_t)(n ? n : 1));
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
        return jn_truthy(e, jn_apply(e, s->fn, args, 2, NULL));
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

jv *jn_sorted(sorter *s, jv **items, int n)
{
    jv *out = jn_arr(s->e, F_SEQ);
    for (int i = 0; i < n; i++)
        jn_push(s->e, out, items[i]);
    jv **tmp = jn_alloc(s->e, sizeof *tmp * (size_t)(n ? n : 1));
    msort(s, out->a, tmp, n);
    return out;
}

static jv *sort_items(ev *e, const jsonata_node *sort, jv **items, int n, scope *env)
{
    int *perm = order(e, sort, items, NULL, env, n);
    jv *out = jn_arr(e, F_SEQ);
    for (int i = 0; i < n; i++)
        jn_push(e, out, items[perm[i]]);
    return out;
}

/* ------------------------------------------------------------- operators */

static jv *arithmetic(ev *e, int op, jv *l, jv *r)
{
    if (l && l->t != T_NUM)
        jn_fail(e, "T2001: The left side of the \"%s\" operator must evaluate to a number", op_names[op]);
    if (r && r->t != T_NUM)
        jn_fail(e, "T2002: The right side of the \"%s\" operator must evaluate to a number", op_names[op]);
    if (!l || !r)
        return NULL;
    double a = l->n, b = r->n;
    switch (op) {
    case JN_OP_ADD: return jn_num(e, a + b);
    case JN_OP_SUB: return jn_num(e, a - b);
    case JN_OP_MUL: return jn_num(e, a * b);
    case JN_OP_DIV: return jn_num(e, a / b);
    default: return jn_num(e, fmod(a, b));
    }
}

static jv *compare(ev *e, int op, jv *l, jv *r)
{
    int lok = !l || l->t == T_NUM || l->t == T_STR, rok = !r || r->t == T_NUM || r->t == T_STR;
    if (!lok || !rok)
        jn_fail(e, "T2010: The expressions either side of operator \"%s\" must evaluate to numeric or string values",
             op_names[op]);
    if (!l || !r)
        return NULL;
    if (l->t != r->t)
        jn_fail(e, "T2009: The values %s and %s either side of operator \"%s\" must be of the same data type", jn_show(e, l),
             jn_show(e, r), op_names[op]);
    int c = l->t == T_NUM ? (l->n < r->n ? -1 : l->n > r->n ? 1 : l->n == r->n ? 0 : 2) : strcmp(l->s, r->s);
    if (c == 2) /* NaN */
        return e->vfalse;
    switch (op) {
    case JN_OP_LT: return jn_boolean_v(e, c < 0);
    case JN_OP_LE: return jn_boolean_v(e, c <= 0);
    case JN_OP_GT: return jn_boolean_v(e, c > 0);
    default: return jn_boolean_v(e, c >= 0);
    }
}

static jv *range(ev *e, jv *l, jv *r)
{
    if (l && !(l->t == T_NUM && is_integer(l->n)))
        jn_fail(e, "T2003: The left side of the range operator (..) must evaluate to an integer");
    if (r && !(r->t == T_NUM && is_integer(r->n)))
        jn_fail(e, "T2004: The right side of the range operator (..) must evaluate to an integer");
    if (!l || !r || l->n > r->n)
        return NULL;
    double size = r->n - l->n + 1;
    if (size > 1e7) {
        char tmp[40];
        jn_js_number(size, tmp);
        jn_fail(e, "D2014: The size of the sequence allocated by the range operator (..) must not exceed 1e7.  "
                "Attempted to allocate %s.", tmp);
    }
    if (size > e->max_items)
        jn_fail(e, "Expression evaluation memory limit exceeded");
    /* made when something reads the items ($count and $sum need not): a
     * single number is made at once, as unwrap reads its length */
    jv *out = jn_arr(e, F_SEQ | F_RANGE);
    out->n = l->n;
    out->b = (int)size;
    out->len = -1;
    if (size < 2)
        make_range(e, out);
    return out;
}

static jv *eval_binary(ev *e, const jsonata_node *n, jv *in, scope *env)
{
    int op = n->op;
    jv *l = eval(e, &n->kids[0], in, env);
    if (op == JN_OP_AND)
        return jn_boolean_v(e, jn_truthy(e, l) && jn_truthy(e, eval(e, &n->kids[1], in, env)));
    if (op == JN_OP_OR)
        return jn_boolean_v(e, jn_truthy(e, l) || jn_truthy(e, eval(e, &n->kids[1], in, env)));
    jv *r = eval(e, &n->kids[1], in, env);
    switch (op) {
    case JN_OP_ADD: case JN_OP_SUB: case JN_OP_MUL: case JN_OP_DIV: case JN_OP_MOD:
        return arithmetic(e, op, l, r);
    case JN_OP_EQ: return jn_boolean_v(e, l && r && jn_deep_equal(e, l, r));
    case JN_OP_NE: return jn_boolean_v(e, l && r && !jn_deep_equal(e, l, r));
    case JN_OP_LT: case JN_OP_LE: case JN_OP_GT: case JN_OP_GE:
        return compare(e, op, l, r);
    case JN_OP_CONCAT: {
        jv *ls = jn_to_string(e, l, 0), *rs = jn_to_string(e, r, 0);
        size_t a = ls ? ls->slen : 0, b = rs ? rs->slen : 0;
        char *s = jn_alloc(e, a + b + 1);
        if (a)
            memcpy(s, ls->s, a);
        if (b)
            memcpy(s + a, rs->s, b);
        return jn_str_n(e, s, a + b);
    }
    case JN_OP_IN: {
        if (!l || !r)
            return e->vfalse;
        if (!jn_is_arr(r))
            return jn_boolean_v(e, identical(l, r));
        int cnt = jn_len_of(e, r);
        for (int i = 0; i < cnt; i++)
            if (identical(r->a[i], l))
                return e->vtrue;
        return e->vfalse;
    }
    case JN_OP_RANGE: return range(e, l, r);
    }
    jn_fail(e, "S0204: Unknown operator: %d", op);
}

/* ------------------------------------------------------------- constructors */

static jv *eval_array(ev *e, const jsonata_node *n, jv *in, scope *env)
{
    jv *out = jn_arr(e, (n->flags & JN_F_CONS) ? F_CONS : 0);
    if (n->count == 1 && n->kids[0].kind != JN_ARRAY) {
        /* [a..b]: the range itself, still not made */
        jv *v = eval(e, &n->kids[0], in, env);
        if (v && (v->fl & F_RANGE)) {
            *out = *v;
            out->fl = (unsigned char)((n->flags & JN_F_CONS) ? F_CONS | F_RANGE : F_RANGE);
            return out;
        }
        if (v)
            jn_push_flat(e, out, v);
        return out;
    }
    for (int i = 0; i < n->count; i++) {
        jv *v = eval(e, &n->kids[i], in, env);
        if (!v)
            continue;
        if (n->kids[i].kind == JN_ARRAY)
            jn_push(e, out, v);
        else
            jn_push_flat(e, out, v);
    }
    return out;
}

/* An object constructor over input: items are grouped by the key each pair
 * gives them, and each pair's value is evaluated once per group, with the
 * group's items as its context. */
/* What tuples in a group hand the value expression: each variable bound in
 * the path (the scopes between a tuple's bindings and env, the innermost
 * binding of a name winning), appended across the group's tuples as
 * jsonata-js's reduceTupleStream does. */
static scope *reduce_tuples(ev *e, jv *ts, const int *members, int n, scope *env)
{
    scope *out = scope_new(e, env);
    for (int m = 0; m < n; m++) {
        scope *mine = scope_new(e, NULL); /* this tuple's own variables */
        for (const scope *s = ts->tenv[members[m]]; s && s != env; s = s->parent)
            for (int i = s->n - 1; i >= 0; i--) {
                jv *ignored;
                if (!scope_find(mine, s->names[i], &ignored))
                    bind(e, mine, s->names[i], s->vals[i]);
            }
        for (int i = 0; i < mine->n; i++) {
            jv *have = NULL;
            int found = m > 0 && scope_find(out, mine->names[i], &have) && have != NULL;
            bind(e, out, mine->names[i], found ? jn_append(e, have, mine->vals[i]) : mine->vals[i]);
        }
    }
    return out;
}

/* {k: v} after a path (or as a constructor, input being the context):
 * items grouped by the key each pair makes, then each group's value. A
 * tuple stream (F_TUPLES) groups its tuples, each key evaluated with its
 * tuple's bindings. */
static jv *group_by(ev *e, const jsonata_node *o, jv *input, scope *env)
{
    int tupled = input && (input->fl & F_TUPLES);
    jv *one[1] = {input};
    jv **items = one;
    int n = 1;
    if (jn_is_arr(input) && jn_len_of(e, input) > 0) {
        items = input->a;
        n = input->len;
    } else if (jn_is_arr(input)) {
        one[0] = NULL;
        tupled = 0;
    }
    int cap = 8, ng = 0;
    const char **keys = jn_alloc(e, sizeof *keys * (size_t)cap);
    jv **data = jn_alloc(e, sizeof *data * (size_t)cap);
    int *pair = jn_alloc(e, sizeof *pair * (size_t)cap);
    int **members = jn_alloc(e, sizeof *members * (size_t)cap);
    int *nmembers = jn_alloc(e, sizeof *nmembers * (size_t)cap);
    for (int i = 0; i < n; i++) {
        scope *ienv = tupled ? input->tenv[i] : env;
        for (int p = 0; p < o->count; p++) {
            jv *key = eval(e, &o->kids[p].kids[0], items[i], ienv);
            if (!key)
                continue;
            if (key->t != T_STR)
                jn_fail(e, "T1003: Key in object structure must evaluate to a string; got: %s", jn_show(e, key));
            int g = 0;
            while (g < ng && strcmp(keys[g], key->s))
                g++;
            if (g < ng) {
                if (pair[g] != p)
                    jn_fail(e, "D1009: Multiple key definitions evaluate to same key: %s", jn_show(e, key));
                data[g] = jn_append(e, data[g], items[i]);
                if (tupled) {
                    int *m2 = jn_alloc(e, sizeof *m2 * (size_t)(nmembers[g] + 1));
                    memcpy(m2, members[g], sizeof *m2 * (size_t)nmembers[g]);
                    m2[nmembers[g]++] = i;
                    members[g] = m2;
                }
                continue;
            }
            if (ng == cap) {
                cap *= 2;
                const char **k2 = jn_alloc(e, sizeof *k2 * (size_t)cap);
                jv **d2 = jn_alloc(e, sizeof *d2 * (size_t)cap);
                int *p2 = jn_alloc(e, sizeof *p2 * (size_t)cap);
                int **mm2 = jn_alloc(e, sizeof *mm2 * (size_t)cap);
                int *nm2 = jn_alloc(e, sizeof *nm2 * (size_t)cap);
                memcpy(k2, keys, sizeof *k2 * (size_t)ng);
                memcpy(d2, data, sizeof *d2 * (size_t)ng);
                memcpy(p2, pair, sizeof *p2 * (size_t)ng);
                memcpy(mm2, members, sizeof *mm2 * (size_t)ng);
                memcpy(nm2, nmembers, sizeof *nm2 * (size_t)ng);
                keys = k2, data = d2, pair = p2, members = mm2, nmembers = nm2;
            }
            keys[ng] = key->s;
            data[ng] = items[i];
            pair[ng] = p;
            members[ng] = jn_alloc(e, sizeof **members);
            members[ng][0] = i;
            nmembers[ng++] = 1;
        }
    }
    jv *out = jn_obj(e);
    out->len = 0;
    for (int g = 0; g < ng; g++) {
        scope *genv = tupled ? reduce_tuples(e, input, members[g], nmembers[g], env) : env;
        jv *v = eval(e, &o->kids[pair[g]].kids[1], data[g], genv);
        if (v)
            jn_obj_set(e, out, keys[g], v);
    }
    return out;
}

/* ------------------------------------------------------------- functions */

static jv *regex_value(ev *e, const jsonata_node *n);

void *jn_arena_cb(void *ctx, size_t n)
{
    return jn_alloc(ctx, n);
}

int jn_arity(ev *e, jv *f)
{
    if (!is_fn(f))
        return 0;
    switch (f->f->kind) {
    case FN_BUILTIN: return jn_builtin_arity(f->f->builtin);
    case FN_LAMBDA: return f->f->node->op;
    case FN_PARTIAL: {
        int n = 0;
        for (int i = 0; i < f->f->nargs; i++)
            n += f->f->hole[i];
        return n;
    }
    case FN_CHAIN: return jn_arity(e, f->f->base);
    default: return 1;
    }
}

/* The procedure of a call: a name the library defines is looked up only
 * after local bindings and variables, which may shadow it. */
static jv *resolve_proc(ev *e, const jsonata_node *call, jv *in, scope *env)
{
    const jsonata_node *p = &call->kids[0];
    if (call->op && p->kind == JN_VARIABLE) {
        jv *v;
        if (scope_find(env, p->str, &v))
            return v;
        const cJSON *j = e->host->variable ? e->host->variable(e->host->ud, p->str) : NULL;
        if (j)
            return jn_wrap(e, j);
        return builtin_fn(e, call->op - 1);
    }
    return eval(e, p, in, env);
}

/* foo(...) where foo is not a function but $foo is: JSONata's hint. */
static void not_callable(ev *e, const jsonata_node *call, jv *proc, scope *env, int partial)
{
    const jsonata_node *p = &call->kids[0];
    if (!proc && p->kind == JN_PATH && p->kids[0].kind == JN_NAME) {
        int found;
        lookup_var(e, env, p->kids[0].str, &found);
        if (found)
            jn_fail(e, "%s: Attempted to %s a non-function. Did you mean $%s?", partial ? "T1007" : "T1005",
                 partial ? "partially apply" : "invoke", p->kids[0].str);
    }
    if (partial && !is_fn(proc))
        jn_fail(e, "T1008: Attempted to partially apply a non-function");
}

static jv *eval_call(ev *e, const jsonata_node *n, jv *in, scope *env, jv *first, int has_first)
{
    jv *proc = resolve_proc(e, n, in, env);
    int partial = (n->flags & JN_F_PARTIAL) != 0;
    if (!is_fn(proc))
        not_callable(e, n, proc, env, partial);
    int nargs = n->count - 1 + has_first, k = 0;
    jv **args = jn_alloc(e, sizeof *args * (size_t)(nargs ? nargs : 1));
    unsigned char *hole = partial ? jn_alloc(e, (size_t)(nargs ? nargs : 1)) : NULL;
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
    return jn_apply(e, proc, args, nargs, in);
}

/* A lambda's signature, checked as the library's are. */

static jv *apply_inner(ev *e, jv *fn, jv **args, int nargs, jv *input)
{
    if (!is_fn(fn))
        jn_fail(e, "T1006: Attempted to invoke a non-function");
    jfn *f = fn->f;
    switch (f->kind) {
    case FN_BUILTIN: return jn_call_builtin(e, f->builtin, args, nargs, input);
    case FN_LAMBDA: {
        const jsonata_node *lam = f->node;
        int np = lam->op;
        if (lam->str)
            args = jn_validate(e, lam->str, args, &nargs, input, "lambda");
        scope *s = scope_new(e, f->env);
        for (int i = 0; i < np; i++)
            bind(e, s, lam->kids[i].str, i < nargs ? args[i] : NULL);
        return eval(e, &lam->kids[np], f->input, s);
    }
    case FN_PARTIAL: {
        jv **full = jn_alloc(e, sizeof *full * (size_t)(f->nargs ? f->nargs : 1));
        for (int i = 0, k = 0; i < f->nargs; i++)
            full[i] = f->hole[i] ? (k < nargs ? args[k++] : NULL) : f->args[i];
        return jn_apply(e, f->base, full, f->nargs, input);
    }
    case FN_CHAIN: {
        jv *mid = jn_apply(e, f->base, args, nargs, input);
        return jn_apply(e, f->g, &mid, 1, input);
    }
    case FN_REGEX: {
        jv *m = NULL;
        if (nargs && args[0] && args[0]->t == T_STR) {
            size_t *caps = jn_alloc(e, sizeof *caps * 2 * (size_t)(f->re->ngroups + 1));
            long steps = 0;
            int r = jn_rx_search(f->re, args[0]->s, args[0]->slen, 0, caps, &steps);
            if (r < 0)
                jn_fail(e, "The regular expression is too complex for this input");
            if (r) {
                m = jn_obj(e);
                m->len = 0;
                jn_obj_set(e, m, "match", jn_str_n(e, jn_sdup(e, args[0]->s + caps[0], caps[1] - caps[0]), caps[1] - caps[0]));
                jn_obj_set(e, m, "start", jn_num(e, (double)jn_cp_count(args[0]->s, caps[0])));
                jn_obj_set(e, m, "end", jn_num(e, (double)jn_cp_count(args[0]->s, caps[1])));
                jv *groups = jn_arr(e, 0);
                for (int g = 1; g <= f->re->ngroups; g++)
                    jn_push(e, groups, caps[2 * g] == SIZE_MAX ? e->vnull
                                    : jn_str_n(e, jn_sdup(e, args[0]->s + caps[2 * g], caps[2 * g + 1] - caps[2 * g]),
                                            caps[2 * g + 1] - caps[2 * g]));
                jn_obj_set(e, m, "groups", groups);
            }
        }
        return m;
    }
    case FN_THUNK: return fn;
    case FN_TRANSFORM:
        args = jn_validate(e, "<(oa):o>", args, &nargs, input, "transform");
        return transform(e, f, nargs ? args[0] : NULL);
    }
    return NULL;
}

/* Applies a function; tail calls come back as thunks and run here, in a
 * loop, so that tail recursion does not deepen the C stack. */
jv *jn_apply(ev *e, jv *fn, jv **args, int nargs, jv *input)
{
    jv *r = apply_inner(e, fn, args, nargs, input);
    while (r && r->t == T_FUNC && r->f->kind == FN_THUNK) {
        jfn *t = r->f;
        const jsonata_node *call = t->node;
        jv *proc = resolve_proc(e, call, t->input, t->env);
        if (!is_fn(proc))
            not_callable(e, call, proc, t->env, 0);
        int n = call->count - 1;
        jv **a = jn_alloc(e, sizeof *a * (size_t)(n ? n : 1));
        for (int i = 0; i < n; i++)
            a[i] = eval(e, &call->kids[i + 1], t->input, t->env);
        tick(e);
        r = apply_inner(e, proc, a, n, t->input);
    }
    return r;
}

/* Calls fn with (value, index, array) cut to the arguments it takes. */
jv *jn_apply_hof(ev *e, jv *fn, jv *value, int index, jv *array, jv *extra)
{
    jv *args[4];
    int n = 0, ar = jn_arity(e, fn);
    if (extra)
        args[n++] = extra;
    args[n++] = value;
    if (ar >= n + 1)
        args[n++] = jn_num(e, index);
    if (ar >= n + 1)
        args[n++] = array;
    return jn_apply(e, fn, args, n, NULL);
}

static jv *eval_apply(ev *e, const jsonata_node *n, jv *in, scope *env)
{
    jv *l = eval(e, &n->kids[0], in, env);
    const jsonata_node *rhs = &n->kids[1];
    if (rhs->kind == JN_CALL && !(rhs->flags & JN_F_PARTIAL))
        return eval_call(e, rhs, in, env, l, 1);
    jv *f = eval(e, rhs, in, env);
    if (!is_fn(f))
        jn_fail(e, "T2006: The right side of the function application operator ~> must be a function");
    if (is_fn(l)) {
        jv *c = func(e, FN_CHAIN);
        c->f->base = l;
        c->f->g = f;
        return c;
    }
    return jn_apply(e, f, &l, 1, in);
}

/* ------------------------------------------------------------- eval */

static jv *eval_node(ev *e, const jsonata_node *n, jv *in, scope *env)
{
    switch (n->kind) {
    case JN_ROOT: return eval(e, &n->kids[0], in, env);
    case JN_NUMBER: return jn_num(e, n->num);
    case JN_STRING: return jn_str(e, n->str);
    case JN_VALUE: return n->op == JN_V_NULL ? e->vnull : jn_boolean_v(e, n->op == JN_V_TRUE);
    case JN_REGEX: return regex_value(e, n);
    case JN_NAME: return jn_lookup_field(e, in, n->str);
    case JN_VARIABLE: {
        if (!n->str[0])
            return in && (in->fl & F_WRAP) ? in->a[0] : in;
        if (!strcmp(n->str, "$"))
            return e->root; /* $$, the root: an ASL expression has none */
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
            jn_fail(e, "D1002: Cannot negate a non-numeric value: %s", jn_show(e, v));
        return jn_num(e, -v->n);
    }
    case JN_ARRAY: return eval_array(e, n, in, env);
    case JN_OBJECT: return group_by(e, n, in, env);
    case JN_CONDITION:
        if (jn_truthy(e, eval(e, &n->kids[0], in, env)))
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
        if (jn_is_arr(in))
            return sort_items(e, n, in->a, jn_len_of(e, in), env);
        return sort_items(e, n, one, in ? 1 : 0, env);
    }
    case JN_GROUP: {
        jv *base = n->kids[0].kind == JN_PATH ? eval_path_as(e, &n->kids[0], in, env, 1) : eval_keep(e, &n->kids[0], in, env);
        return group_by(e, &n->kids[1], base, env);
    }
    case JN_FOCUS_BIND:
    case JN_INDEX_BIND: return eval_keep(e, &n->kids[0], in, env);
    case JN_INDEX_STAGE: return in;
    case JN_TRANSFORM: {
        jv *f = func(e, FN_TRANSFORM);
        f->f->node = n;
        f->f->env = env;
        f->f->input = in;
        return f;
    }
    case JN_PARENT: {
        jv *v = NULL;
        scope_find(env, label_name(e, n->op), &v);
        return v;
    }
    case JN_FILTER: {
        jv *v = eval_keep(e, &n->kids[0], in, env);
        for (int i = 1; i < n->count; i++)
            v = apply_filter(e, &n->kids[i], v, env);
        return v;
    }
    }
    jn_fail(e, "S0206: Unknown expression type: %d", n->kind);
}

/* Evaluates n; a sequence comes back as it is (see unwrap). */
static jv *eval_keep(ev *e, const jsonata_node *n, jv *in, scope *env)
{
    jn_guard(e);
    if (++e->depth > e->max_depth)
        jn_fail(e, "Stack overflow error: Check for non-terminating recursive function.  "
                "Consider rewriting as tail-recursive. Depth=%d max=%d", e->depth, e->max_depth);
    tick(e);
    jv *r = eval_node(e, n, in, env);
    if (r && (n->flags & JN_F_KEEP_ARRAY) && (r->fl & F_SEQ))
        r->fl |= F_KEEP;
    e->depth--;
    return r;
}

static jv *eval(ev *e, const jsonata_node *n, jv *in, scope *env)
{
    return unwrap(eval_keep(e, n, in, env));
}

static jv *regex_value(ev *e, const jsonata_node *n)
{
    const char *err;
    const rx *re = jn_rx_cached(n->str, strlen(n->str), n->op, jn_arena_cb, e, &err);
    if (!re)
        jn_fail(e, "S0302: Invalid regular expression: %s", err);
    jv *f = func(e, FN_REGEX);
    f->f->re = re;
    f->f->node = n;
    return f;
}

/* ------------------------------------------------------------- signatures */

void jn_sig_parse(const char *s, sig *out)
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

char jn_symbol(const jv *v)
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
    char c = jn_symbol(v);
    if (c == 'm')
        return NULL;
    if (p->sub && !(v->fl & F_RANGE && p->sub == 'n')) { /* a range's items are numbers */
        int ok = c == 'a' || c == p->sub;
        if (c == 'a' && jn_len_of(e, v) > 0) {
            char first = jn_symbol(v->a[0]);
            ok = first == p->sub;
            for (int i = 1; ok && i < v->len; i++)
                ok = jn_symbol(v->a[i]) == first;
        }
        if (!ok)
            jn_fail(e, "T0412: Argument %d of function \"%s\" must be an array of \"%s\"", index, name,
                 array_type_name(p->sub));
    }
    if (c == 'a')
        return v;
    jv *a = jn_arr(e, 0);
    jn_push(e, a, v);
    return a;
}

jv **jn_validate(ev *e, const char *sigtext, jv **args, int *nargs, jv *input, const char *name)
{
    if (input && (input->fl & F_WRAP)) /* the context as an argument is the input array itself */
        input = input->a[0];
    sig s;
    jn_sig_parse(sigtext, &s);
    int n = *nargs;
    char *syms = jn_alloc(e, (size_t)n + 1);
    for (int i = 0; i < n; i++)
        syms[i] = jn_symbol(args[i]);
    int take[8];
    if (!sig_match(&s, 0, syms, 0, n, take)) {
        int good = 0;
        for (int k = 1; k <= s.n; k++) {
            int r = sig_prefix(&s, k, 0, syms, 0, n);
            if (r < 0)
                break;
            good = r;
        }
        jn_fail(e, "T0410: Argument %d of function \"%s\" does not match function signature", good + 1, name);
    }
    jv **out = jn_alloc(e, sizeof *out * (size_t)(n + s.n + 1));
    int ai = 0, k = 0;
    for (int pi = 0; pi < s.n; pi++) {
        const sparam *p = &s.p[pi];
        if (take[pi] == 0) {
            if (p->ctx) {
                if (!accepts(p, jn_symbol(input)))
                    jn_fail(e, "T0411: Context value is not a compatible type with argument %d of function \"%s\"", ai + 1,
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

/* ------------------------------------------------------------- results */

/* The value as new cJSON: 0, 1 for no value (a function in standard
 * JSONata), -1 when it holds a function, -2 when it is
 * nested too deeply to walk, -3 a number that is not finite (standard
 * JSONata only: AWS writes them as strings). */
static int to_json(ev *e, jv *v, cJSON **out)
{
    *out = NULL;
    if (jn_stack_used(e->stack0) > STACK_BUDGET)
        return -2;
    switch ((jtype)v->t) {
    case T_NULL: *out = cJSON_CreateNull(); return 0;
    case T_BOOL: *out = cJSON_CreateBool(v->b); return 0;
    case T_NUM:
        if (!isfinite(v->n) && e->std)
            return -3;
        if (isfinite(v->n))
            *out = cJSON_CreateNumber(v->n == 0 ? 0 : v->n);
        else
            *out = cJSON_CreateString(isnan(v->n) ? "NaN" : v->n > 0 ? "Infinity" : "-Infinity");
        return 0;
    case T_STR: *out = cJSON_CreateString(v->s); return 0;
    case T_FUNC:
        /* standard JSONata prints as JSON.stringify does: no value (a
         * field left out, null in an array) */
        return e->std ? 1 : -1;
    case T_ARR:
    case T_OBJ:
        if (v->fl & F_RANGE)
            materialise(e, v);
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
            if (r == 1 && v->t == T_OBJ)
                continue;
            if (r == 1)
                item = cJSON_CreateNull();
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

/* A failure's text into err: "CODE: text" keeps its code. */
static void fail_to(jsonata_error *err, const char *prefix, const char *msg)
{
    jsonata_error_clear(err);
    size_t np = strlen(prefix), nm = strlen(msg);
    err->message = malloc(np + nm + 1);
    if (!err->message) {
        fputs("jsonata: out of memory\n", stderr);
        abort();
    }
    memcpy(err->message, prefix, np);
    memcpy(err->message + np, msg, nm + 1);
    const char *m = err->message;
    if (strlen(m) > 6 && m[0] >= 'A' && m[0] <= 'Z' && m[5] == ':')
        memcpy(err->code, m, 5);
}

static double system_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The time of the evaluation, the same at every call in it. */
double jn_now_ms(ev *e)
{
    if (isnan(e->now_ms))
        e->now_ms = floor((e->host->now ? e->host->now(e->host->ud) : system_now()) * 1000);
    return e->now_ms;
}

/* Sets up e, evaluates, converts. */
static cJSON *run(ev *e, const jsonata_node *expr, const cJSON *input, jsonata_error *err)
{
    e->stack0 = (uintptr_t)__builtin_frame_address(0);
    cJSON *result = NULL;
    if (setjmp(e->fail)) {
        /* standard JSONata names every failure by a code; the bounds of our
         * own (memory, regex effort) are runaways, as JSONata's U1001 */
        const char *c = e->cause;
        int coded = strlen(c) > 6 && c[0] >= 'A' && c[0] <= 'Z' && c[5] == ':';
        fail_to(err, e->std && !coded ? "U1001: " : "", c);
        arena_free(e);
        free(e);
        return NULL;
    }
    e->vnull = mk(e, T_NULL);
    e->vtrue = mk(e, T_BOOL);
    e->vtrue->b = 1;
    e->vfalse = mk(e, T_BOOL);
    e->t0 = mono();
    e->now_ms = NAN;
    jv *in = NULL;
    if (input) {
        in = jn_wrap(e, input);
        e->root = in;
        if (in->t == T_ARR) { /* as jsonata-js: the array is one item, not a sequence of its items */
            in = seq1(e, in);
            in->fl |= F_WRAP;
        }
    }
    const jsonata_node *body = expr->kind == JN_ROOT ? &expr->kids[0] : expr;
    jv *v = eval(e, body, in, scope_new(e, NULL));
    int r = v ? to_json(e, v, &result) : 0;
    if (r == -1)
        fail_to(err, "", JSONATA_FUNCTION_RESULT);
    else if (r == -2)
        fail_to(err, e->std ? "U1001: " : "", "Stack overflow error: the data is nested too deeply");
    else if (r == -3)
        fail_to(err, "", "D1001: Number out of range");
    arena_free(e);
    free(e);
    return result;
}

cJSON *jsonata_evaluate(const jsonata_node *expr, const cJSON *input, const jsonata_host *host, unsigned flags,
                        jsonata_error *err)
{
    static const jsonata_host none;
    err->code[0] = 0;
    err->message = NULL;
    ev *e = calloc(1, sizeof *e); /* big (jmp_buf); off the stack */
    if (!e) {
        fail_to(err, "", "out of memory");
        return NULL;
    }
    e->host = host ? host : &none;
    e->std = !(flags & JSONATA_STEP_FUNCTIONS);
    e->max_depth = e->std ? STD_MAX_DEPTH : MAX_DEPTH;
    e->max_items = e->std ? STD_MAX_ITEMS : MAX_ITEMS;
    e->max_bytes = e->std ? STD_MAX_BYTES : MAX_BYTES;
    return run(e, expr, input, err);
}

const cJSON *jsonata_object_variable(void *ud, const char *name)
{
    return ud ? cJSON_GetObjectItemCaseSensitive((const cJSON *)ud, name) : NULL;
}
