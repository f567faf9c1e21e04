/*
 * path.c: evaluates the JSONPath trees that aslc's path_parse.c builds, and
 * applies ResultPath.
 *
 * Step Functions evaluates paths with Jayway JsonPath, so this follows
 * Jayway's semantics where dialects differ:
 *  - A definite path (names and single indexes) gives one value or nothing.
 *    Anything else gives the array of its matches, possibly empty: a
 *    missing name, an index out of range, a name on a non-object or an
 *    index on a non-array just match nothing.
 *  - ['a','b'] as the last step is "definite" in Jayway: it gives one object
 *    holding those of the fields that exist (per object, under a wildcard).
 *  - A slice [a:b] does not normalise a negative a when b is given: each
 *    index i in a..b-1 is taken as is, a negative i counting from the end.
 *    So [-2:-1] is the element before the last, and [1:-1] is empty. The
 *    step of [a:b:c] is ignored (Jayway parses it and never uses it).
 *  - A filter tests the elements of an array, or an object itself. AWS
 *    documents that @ never matches a scalar, so scalar elements never pass.
 *  - In a filter, == compares numbers by value, a number with a string that
 *    spells a number equal to it, strings and booleans exactly, objects and
 *    arrays structurally; a path that matches nothing equals nothing, so
 *    != is true for it. <, <=, >, >= compare two numbers or two strings
 *    (by UTF-16 code units, as Java does), and are false otherwise.
 *  - ..x visits each object and array, the document first, then its
 *    members in order. When ..[i] or ..[a:b] is followed by more steps,
 *    Jayway skips the index and applies those steps to every element of
 *    each array (a quirk we keep).
 *
 * ResultPath (asl_path_assign) takes a reference path from $: names create
 * the objects they miss, an index must name an existing element (as Step
 * Functions Local does), and anything else (a name on a non-object, an
 * index out of range) fails with States.ResultPathMatchFailure, leaving the
 * document untouched.
 *
 * Definite paths are walked without allocating (asl_path_peek); select
 * duplicates only what it returns.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "member.h"

/* --------------------------------------------------------------- steps */

/* Element i of v (negative counts from the end), or NULL. */
static const cJSON *child_at(const cJSON *v, double num)
{
    if (!cJSON_IsArray(v))
        return NULL;
    long i = (long)num;
    if (i < 0) {
        i += cJSON_GetArraySize(v);
        if (i < 0)
            return NULL;
    }
    const cJSON *c = v->child;
    while (c && i-- > 0)
        c = c->next;
    return c;
}

/* Where a path starts, and the index of its first step (a variable's name
 * is its first step). NULL if the root does not exist. */
static inline __attribute__((always_inline)) const cJSON *root_of(const asl_node *path, asl_ctx *c,
                                                                  int *first)
{
    *first = 0;
    switch ((asl_root)path->op) {
    case ASL_ROOT_INPUT: return c->input;
    case ASL_ROOT_CONTEXT: return asl_ctx_context(c);
    case ASL_ROOT_CURRENT: return c->current;
    case ASL_ROOT_VAR:
        *first = 1;
        return path->count ? asl_ctx_var(c, path->kids[0].str) : NULL;
    }
    return NULL;
}

/* Follows the name and index steps [from, to) from v. With shared, notes
 * whether the way went through a view (view.c): what it finds is then a
 * part of the execution's input, to be viewed, never changed or detached. */
static inline __attribute__((always_inline)) const cJSON *follow_noting(const asl_node *path, int from, int to,
                                                                        const cJSON *v, bool *shared)
{
    if (shared)
        *shared = v && (v->type & cJSON_IsReference);
    for (int i = from; v && i < to; i++) {
        const asl_node *s = &path->kids[i];
        if (s->kind == ASL_N_STEP_NAME)
            v = asl_member(v, s->str);
        else if (s->kind == ASL_N_STEP_INDEX)
            v = child_at(v, s->num);
        else
            return NULL;
        if (shared && v && (v->type & cJSON_IsReference))
            *shared = true;
    }
    return v;
}

static inline __attribute__((always_inline)) const cJSON *follow(const asl_node *path, int from, int to,
                                                                 const cJSON *v)
{
    return follow_noting(path, from, to, v, NULL);
}

/* ------------------------------------------------------------- walking */

/* An indefinite evaluation: the matches found so far. */
typedef struct walk {
    asl_ctx *c;
    cJSON *out;
    int failed;
} walk;

static void apply(walk *w, const asl_node *step, const asl_node *rest, int nrest, const cJSON *v);
static int expr_eval(asl_ctx *c, const asl_node *e);

static void emit_owned(walk *w, cJSON *v)
{
    if (!v) {
        w->failed = 1;
        return;
    }
    cJSON_AddItemToArray(w->out, v);
}

/* Applies steps[0..n) to v; each value reached at the end is a match. */
static void walk_steps(walk *w, const asl_node *steps, int n, const cJSON *v)
{
    if (w->failed)
        return;
    if (n == 0)
        emit_owned(w, cJSON_Duplicate(v, 1));
    else
        apply(w, &steps[0], steps + 1, n - 1, v);
}

static bool has_all_names(const asl_node *u, const cJSON *v)
{
    for (int i = 0; i < u->count; i++)
        if (!asl_member(v, u->kids[i].str))
            return false;
    return true;
}

/* ['a','b'] as the last step: one object with the fields v has. */
static cJSON *merge_names(const asl_node *u, const cJSON *v)
{
    cJSON *m = cJSON_CreateObject();
    for (int i = 0; m && i < u->count; i++) {
        const char *name = u->kids[i].str;
        const cJSON *f = asl_member(v, name);
        if (!f || asl_member(m, name))
            continue;
        cJSON *d = cJSON_Duplicate(f, 1);
        if (!d || !cJSON_AddItemToObject(m, name, d)) {
            cJSON_Delete(d);
            cJSON_Delete(m);
            return NULL;
        }
    }
    return m;
}

static void apply_union(walk *w, const asl_node *u, const asl_node *rest, int nrest, const cJSON *v)
{
    bool names = u->count && u->kids[0].kind == ASL_N_STEP_NAME;
    if (names && nrest == 0) {
        if (cJSON_IsObject(v))
            emit_owned(w, merge_names(u, v));
        return;
    }
    for (int i = 0; i < u->count; i++) {
        const asl_node *k = &u->kids[i];
        const cJSON *x = names ? asl_member(v, k->str) : child_at(v, k->num);
        if (x)
            walk_steps(w, rest, nrest, x);
    }
}

/* Jayway's slice bounds (see the top of the file). */
static void slice_bounds(const asl_node *s, int len, long *from, long *to)
{
    bool has_a = s->kids[0].kind == ASL_N_NUMBER, has_b = s->kids[1].kind == ASL_N_NUMBER;
    long a = (long)s->kids[0].num, b = (long)s->kids[1].num;
    *from = 0;
    *to = len;
    if (has_a && !has_b) {
        *from = a < 0 ? (a + len < 0 ? 0 : a + len) : a;
    } else if (has_a) {
        *from = a;
        *to = b < len ? b : len;
    } else if (has_b) {
        b = b < 0 ? b + len : b;
        *to = b < len ? b : len;
    }
}

/* Element i of an array of len elements, i as Jayway takes it (negative
 * counts from the end), reached from where the last call left *at: the
 * indexes of a slice only go forward, except for one jump back to 0. */
static const cJSON *seek(const cJSON *array, int len, long i, const cJSON **at, long *pos)
{
    if (i < 0)
        i += len;
    if (i < 0 || i >= len)
        return NULL;
    if (!*at || i < *pos) {
        *at = array->child;
        *pos = 0;
    }
    while (*at && *pos < i) {
        *at = (*at)->next;
        ++*pos;
    }
    return *at;
}

static void apply_slice(walk *w, const asl_node *s, const asl_node *rest, int nrest, const cJSON *v)
{
    if (!cJSON_IsArray(v))
        return;
    int len = cJSON_GetArraySize(v);
    long from, to, pos = 0;
    const cJSON *at = NULL;
    slice_bounds(s, len, &from, &to);
    for (long i = from; i < to && !w->failed; i++) {
        const cJSON *x = seek(v, len, i, &at, &pos);
        if (x)
            walk_steps(w, rest, nrest, x);
    }
}

static void apply_wildcard(walk *w, const asl_node *rest, int nrest, const cJSON *v)
{
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return;
    for (const cJSON *x = v->child; x && !w->failed; x = x->next)
        walk_steps(w, rest, nrest, x);
}

/* Whether item passes a filter: @ is item while the expression runs. */
static bool passes(walk *w, const asl_node *expr, const cJSON *item)
{
    const cJSON *saved = w->c->current;
    w->c->current = item;
    int r = expr_eval(w->c, expr);
    w->c->current = saved;
    if (r < 0)
        w->failed = 1;
    return r > 0;
}

static void apply_filter(walk *w, const asl_node *f, const asl_node *rest, int nrest, const cJSON *v)
{
    const asl_node *expr = &f->kids[0];
    if (cJSON_IsObject(v)) {
        if (passes(w, expr, v))
            walk_steps(w, rest, nrest, v);
    } else if (cJSON_IsArray(v)) {
        for (const cJSON *x = v->child; x && !w->failed; x = x->next)
            if (cJSON_IsObject(x) && passes(w, expr, x))
                walk_steps(w, rest, nrest, x);
    }
}

static bool is_array_step(const asl_node *x)
{
    return x->kind == ASL_N_STEP_INDEX || x->kind == ASL_N_STEP_SLICE ||
           (x->kind == ASL_N_STEP_UNION && x->count && x->kids[0].kind == ASL_N_STEP_INDEX);
}

/* ..x: applies x to v and to everything below it, document order. */
static void descend(walk *w, const asl_node *x, const asl_node *rest, int nrest, const cJSON *v)
{
    bool obj = cJSON_IsObject(v);
    if (!obj && !cJSON_IsArray(v))
        return;
    if (x->kind == ASL_N_STEP_FILTER) {
        /* Objects only: an array's object elements are visited below. */
        if (obj)
            apply_filter(w, x, rest, nrest, v);
    } else if (x->kind == ASL_N_STEP_UNION && nrest == 0 && !is_array_step(x)) {
        /* Jayway merges only where every name exists. */
        if (obj && has_all_names(x, v))
            apply_union(w, x, rest, nrest, v);
    } else if (!obj && nrest > 0 && is_array_step(x)) {
        apply_wildcard(w, rest, nrest, v); /* Jayway's quirk, see the top */
    } else {
        apply(w, x, rest, nrest, v);
    }
    for (const cJSON *k = v->child; k && !w->failed; k = k->next)
        descend(w, x, rest, nrest, k);
}

static void apply(walk *w, const asl_node *step, const asl_node *rest, int nrest, const cJSON *v)
{
    const cJSON *x = NULL;
    switch ((asl_node_kind)step->kind) {
    case ASL_N_STEP_NAME: x = asl_member(v, step->str); break;
    case ASL_N_STEP_INDEX: x = child_at(v, step->num); break;
    case ASL_N_STEP_SLICE: apply_slice(w, step, rest, nrest, v); return;
    case ASL_N_STEP_WILDCARD: apply_wildcard(w, rest, nrest, v); return;
    case ASL_N_STEP_DESCEND: descend(w, &step->kids[0], rest, nrest, v); return;
    case ASL_N_STEP_UNION: apply_union(w, step, rest, nrest, v); return;
    case ASL_N_STEP_FILTER: apply_filter(w, step, rest, nrest, v); return;
    default: return;
    }
    if (x)
        walk_steps(w, rest, nrest, x);
}

/* ------------------------------------------------------------- filters */

/* A filter operand: a value (borrowed, or owned by `owned`) or nothing. */
typedef struct operand {
    const cJSON *v;
    cJSON *owned;
    cJSON lit;       /* a literal, as a cJSON that owns nothing */
} operand;

static int operand_get(asl_ctx *c, const asl_node *n, operand *o)
{
    memset(o, 0, sizeof *o);
    o->v = &o->lit;
    switch ((asl_node_kind)n->kind) {
    case ASL_N_NULL: o->lit.type = cJSON_NULL; return 0;
    case ASL_N_TRUE: o->lit.type = cJSON_True; return 0;
    case ASL_N_FALSE: o->lit.type = cJSON_False; return 0;
    case ASL_N_NUMBER: o->lit.type = cJSON_Number; o->lit.valuedouble = n->num; return 0;
    case ASL_N_STRING: o->lit.type = cJSON_String; o->lit.valuestring = (char *)n->str; return 0;
    case ASL_N_PATH: break;
    default: return asl_err_set(&c->err, "States.Runtime", "internal error: node kind %d in a filter", n->kind);
    }
    o->v = NULL;
    if (n->flags & ASL_F_DEFINITE)
        return asl_path_peek(n, c, &o->v) < 0 ? -1 : 0;
    int r = asl_path_select(n, c, &o->owned);
    o->v = o->owned;
    return r < 0 ? -1 : 0;
}

/* Java's String.compareTo over UTF-8: byte order is code point order,
 * which differs from UTF-16 order only between a supplementary character
 * (4-byte UTF-8, surrogates D800.. in UTF-16) and U+E000..U+FFFF. */
static int java_strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x && *x == *y)
        x++, y++;
    if (*x == *y)
        return 0;
    if (*x >= 0xF0 && (*y == 0xEE || *y == 0xEF))
        return -1;
    if (*y >= 0xF0 && (*x == 0xEE || *x == 0xEF))
        return 1;
    return *x < *y ? -1 : 1;
}

static const char *skip_digits(const char *s)
{
    const char *t = s;
    while (*t >= '0' && *t <= '9')
        t++;
    return t == s ? NULL : t;
}

/* A string that spells a number as JSON does (Jayway compares such with
 * numbers, reading them as BigDecimal). */
static bool string_number(const char *s, double *d)
{
    const char *t = s + (*s == '-');
    if (!(t = skip_digits(t)))
        return false;
    if (*t == '.' && !(t = skip_digits(t + 1)))
        return false;
    if (*t == 'e' || *t == 'E') {
        t++;
        t += *t == '+' || *t == '-';
        if (!(t = skip_digits(t)))
            return false;
    }
    if (*t)
        return false;
    *d = strtod(s, NULL);
    return true;
}

static bool values_equal(const cJSON *a, const cJSON *b)
{
    double d;
    if (!a || !b)
        return false;
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
        return a->valuedouble == b->valuedouble;
    if (cJSON_IsNumber(a) && cJSON_IsString(b))
        return string_number(b->valuestring, &d) && d == a->valuedouble;
    if (cJSON_IsString(a) && cJSON_IsNumber(b))
        return string_number(a->valuestring, &d) && d == b->valuedouble;
    if (cJSON_IsString(a) && cJSON_IsString(b))
        return strcmp(a->valuestring, b->valuestring) == 0;
    if ((a->type & 0xFF) != (b->type & 0xFF))
        return false;
    if (cJSON_IsObject(a) || cJSON_IsArray(a))
        return cJSON_Compare(a, b, 1);
    return true; /* true, false, null */
}

/* <, <=, >, >=: -1/0/1 for two numbers or two strings, 2 otherwise. */
static int order(const cJSON *a, const cJSON *b)
{
    if (!a || !b)
        return 2;
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
        return a->valuedouble < b->valuedouble ? -1 : a->valuedouble > b->valuedouble;
    if (cJSON_IsString(a) && cJSON_IsString(b))
        return java_strcmp(a->valuestring, b->valuestring);
    return 2;
}

static bool compare(int op, const cJSON *a, const cJSON *b)
{
    if (op == ASL_OP_EQ)
        return values_equal(a, b);
    if (op == ASL_OP_NE)
        return !values_equal(a, b);
    int r = order(a, b);
    if (r == 2)
        return false;
    switch (op) {
    case ASL_OP_LT: return r < 0;
    case ASL_OP_LE: return r <= 0;
    case ASL_OP_GT: return r > 0;
    default: return r >= 0;
    }
}

static int eval_comparison(asl_ctx *c, const asl_node *e)
{
    operand l, r;
    if (operand_get(c, &e->kids[0], &l) < 0)
        return -1;
    if (operand_get(c, &e->kids[1], &r) < 0) {
        cJSON_Delete(l.owned);
        return -1;
    }
    bool t = compare(e->op, l.v, r.v);
    cJSON_Delete(l.owned);
    cJSON_Delete(r.owned);
    return t;
}

/* A bare path in a filter: true when it matches something. */
static int eval_exists(asl_ctx *c, const asl_node *path)
{
    if (path->flags & ASL_F_DEFINITE) {
        const cJSON *v;
        return asl_path_peek(path, c, &v) == 0;
    }
    cJSON *out = NULL;
    int r = asl_path_select(path, c, &out);
    if (r < 0)
        return -1;
    bool found = r == 0 && (!cJSON_IsArray(out) || cJSON_GetArraySize(out) > 0);
    cJSON_Delete(out);
    return found;
}

/* 1 true, 0 false, -1 with c->err set. */
static int expr_eval(asl_ctx *c, const asl_node *e)
{
    int r;
    switch ((asl_node_kind)e->kind) {
    case ASL_N_PATH: return eval_exists(c, e);
    case ASL_N_EXPR_NOT: r = expr_eval(c, &e->kids[0]); return r < 0 ? r : !r;
    case ASL_N_EXPR_BINARY: break;
    default: return asl_err_set(&c->err, "States.Runtime", "internal error: node kind %d in a filter", e->kind);
    }
    if (e->op != ASL_OP_AND && e->op != ASL_OP_OR)
        return eval_comparison(c, e);
    r = expr_eval(c, &e->kids[0]);
    if (r < 0 || r == (e->op == ASL_OP_OR))
        return r;
    return expr_eval(c, &e->kids[1]);
}

/* ------------------------------------------------------------- select */

/* Jayway calls a path definite (one value, not a list) also when its last
 * step is a union of names and all others are names and indexes. */
static bool merges_at_end(const asl_node *path)
{
    int n = path->count;
    if (n == 0 || path->kids[n - 1].kind != ASL_N_STEP_UNION || is_array_step(&path->kids[n - 1]))
        return false;
    for (int i = 0; i < n - 1; i++)
        if (path->kids[i].kind != ASL_N_STEP_NAME && path->kids[i].kind != ASL_N_STEP_INDEX)
            return false;
    return true;
}

static int out_of_memory(asl_ctx *c)
{
    return asl_err_set(&c->err, "States.Runtime", "out of memory evaluating a path");
}

int asl_path_peek(const asl_node *path, asl_ctx *c, const cJSON **out)
{
    /* $.name, the most common path of all, without the general walk */
    if (path->op == ASL_ROOT_INPUT && path->count == 1 && path->kids[0].kind == ASL_N_STEP_NAME) {
        const cJSON *v = asl_member(c->input, path->kids[0].str);
        *out = v;
        return v ? 0 : 1;
    }
    int first;
    const cJSON *v = root_of(path, c, &first);
    v = follow(path, first, path->count, v);
    *out = v;
    return v ? 0 : 1;
}

cJSON *asl_path_detach(const asl_node *path, cJSON *doc)
{
    if (!doc || path->kind == ASL_N_NULL || path->op != ASL_ROOT_INPUT || !(path->flags & ASL_F_DEFINITE))
        return NULL;
    if (path->count == 0)
        return doc;
    bool shared;
    cJSON *parent = (cJSON *)follow_noting(path, 0, path->count - 1, doc, &shared);
    cJSON *v = (cJSON *)follow(path, path->count - 1, path->count, parent);
    if (!v)
        return NULL;
    if (shared) /* a part of the execution's input: viewed, not taken */
        return asl_json_view(v);
    cJSON_DetachItemViaPointer(parent, v);
    /* A root value has no key. */
    if (v->string && !(v->type & cJSON_StringIsConst))
        cJSON_free(v->string);
    v->string = NULL;
    v->type &= ~cJSON_StringIsConst;
    return v;
}

int asl_path_select(const asl_node *path, asl_ctx *c, cJSON **out)
{
    *out = NULL;
    int first;
    const cJSON *root = root_of(path, c, &first);
    if (path->flags & ASL_F_DEFINITE) {
        bool shared;
        const cJSON *v = follow_noting(path, first, path->count, root, &shared);
        if (!v)
            return 1;
        return (*out = shared ? asl_json_view(v) : asl_json_copy(v)) ? 0 : out_of_memory(c);
    }
    if (merges_at_end(path)) {
        const cJSON *v = follow(path, first, path->count - 1, root);
        if (!cJSON_IsObject(v))
            return 1;
        return (*out = merge_names(&path->kids[path->count - 1], v)) ? 0 : out_of_memory(c);
    }
    walk w = { .c = c, .out = cJSON_CreateArray() };
    if (!w.out)
        return out_of_memory(c);
    if (root)
        walk_steps(&w, path->kids + first, path->count - first, root);
    if (w.failed) {
        cJSON_Delete(w.out);
        return c->err.error ? -1 : out_of_memory(c);
    }
    *out = w.out;
    return 0;
}

/* ---------------------------------------------------------- ResultPath */

/* Whether path can be written into doc: every step but the last must find
 * an object (a name step) or an existing element (an index step), or find
 * nothing under a name, where objects will be made; the last step needs
 * an object, or an array holding the index. The containers it passes
 * become doc's own (view.c), ready to be written. */
static bool assignable(const asl_node *path, cJSON *doc, const cJSON **found)
{
    cJSON *v = doc;
    for (int i = 0; i < path->count; i++) {
        const asl_node *s = &path->kids[i];
        if (!v) {                 /* below a field that will be created */
            if (s->kind != ASL_N_STEP_NAME)
                return false;
            if (found)
                found[i] = NULL;
            continue;
        }
        /* Every container on the way is made our own before anything is
         * looked up in it: views' members are not to be changed (view.c). */
        asl_json_own(v);
        if (s->kind == ASL_N_STEP_NAME) {
            if ((v->type & 0xff) != cJSON_Object) /* (in line: cJSON_IsObject is a call) */
                return false;
            v = (cJSON *)asl_member(v, s->str);
        } else if (s->kind == ASL_N_STEP_INDEX) {
            if (!(v = (cJSON *)child_at(v, s->num)))
                return false;
        } else {
            return false;
        }
        if (found)
            found[i] = v;
    }
    return true;
}

/* Names in paths are static data of the compiled machine, so a stored
 * value can use them as its key without a copy. */
static void set_static_key(cJSON *value, const char *key)
{
    if (value->string && !(value->type & cJSON_StringIsConst))
        cJSON_free(value->string);
    value->string = (char *)key;
    value->type |= cJSON_StringIsConst;
}

/* Stores value at the last step of path inside v, creating objects.
 * found[i] (if found is not NULL) is what step i found, as assignable saw
 * it: each step is looked up once, not twice. */
static void store(cJSON *v, const asl_node *path, cJSON *value, const cJSON **found)
{
    for (int i = 0; i < path->count; i++) {
        const asl_node *s = &path->kids[i];
        bool last = i + 1 == path->count;
        if (s->kind == ASL_N_STEP_INDEX) {
            cJSON *x = (cJSON *)(found ? found[i] : child_at(v, s->num));
            if (last)
                cJSON_ReplaceItemViaPointer(v, x, value);
            v = x;
            continue;
        }
        cJSON *x = (cJSON *)(found && v ? found[i] : asl_member(v, s->str));
        if (last) {
            if (x) {
                set_static_key(value, s->str);
                cJSON_ReplaceItemViaPointer(v, x, value);
            } else {
                /* appended with its key (static) in line, as
                 * cJSON_AddItemToObjectCS would (the first member's prev
                 * is the last) */
                cJSON *tail = v->child ? v->child->prev : NULL;
                asl_json_add(v, &tail, s->str, value);
            }
        } else if (!x) {
            x = cJSON_AddObjectToObject(v, s->str);
        }
        v = x;
    }
}

int asl_path_assign(cJSON **doc, const asl_node *path, cJSON *value, asl_err *e)
{
    if (path->op == ASL_ROOT_INPUT && path->count == 0) {
        cJSON_Delete(*doc);
        *doc = value;
        return 0;
    }
    /* What each step finds, for paths of usual depth. */
    const cJSON *found_small[16];
    const cJSON **found = path->count <= 16 ? found_small : NULL;
    if (path->op != ASL_ROOT_INPUT || !*doc || !assignable(path, *doc, found)) {
        char *input = asl_json_print(*doc);
        asl_err_set(e, "States.ResultPathMatchFailure", "Unable to apply ReferencePath %s to input %s",
                    path->str ? path->str : "$", input ? input : "null");
        free(input);
        cJSON_Delete(value);
        return -1;
    }
    store(*doc, path, value, found);
    return 0;
}
