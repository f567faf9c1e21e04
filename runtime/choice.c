/*
 * choice.c: evaluates Choice rules (the trees choice_parse.c builds) with
 * AWS's semantics, as its recorded executions and error texts show them:
 *
 *  - A comparison whose value has the wrong type is simply false: a numeric
 *    operator on a string, a string operator on a number, a timestamp
 *    operator on a string that is not a timestamp. Nothing is coerced.
 *  - A Variable that matches nothing fails the state with States.Runtime
 *    ("Invalid path '$.x': The choice state's condition path references an
 *    invalid value."), except under IsPresent, which exists to ask exactly
 *    that. A *Path operand that matches nothing fails the same way. The
 *    caller (the Choice state) puts AWS's "An error occurred while
 *    executing the state ..." prefix in front.
 *  - Numbers compare by value (0 equals 0.0); strings by Java's
 *    String.compareTo (UTF-16 code units), since that is what AWS runs;
 *    timestamps as instants (an offset and Z may name the same instant).
 *
 * Definite paths are looked up with asl_path_peek, which borrows, so the
 * common case allocates nothing.
 *
 * A Choice state runs here too, from its generated function (rules written
 * as C, asl_gen.h) or from asl_state_choice (rules walked): both begin with
 * asl_choice_begin and end with asl_choose, so that the two agree on
 * everything but how a rule is evaluated.
 */
#include <stdint.h>
#include <string.h>

#include "exec.h"
#include "member.h"

/* Each *Path operator directly follows its literal form (asl.h), so the
 * comparison of X_PATH is that of X = X_PATH - 1. */
_Static_assert(ASL_CMP_STRING_EQUALS_PATH == ASL_CMP_STRING_EQUALS + 1, "operator order");
_Static_assert(ASL_CMP_NUMERIC_GREATER_THAN_EQUALS_PATH == ASL_CMP_NUMERIC_GREATER_THAN_EQUALS + 1,
               "operator order");
_Static_assert(ASL_CMP_TIMESTAMP_GREATER_THAN_EQUALS_PATH ==
                   ASL_CMP_TIMESTAMP_GREATER_THAN_EQUALS + 1,
               "operator order");

/* The right-hand side of a comparison, from a literal node or from data. */
typedef struct operand {
    int type;          /* cJSON_String, cJSON_Number, cJSON_True, cJSON_False or 0 */
    const char *str;
    double num;
} operand;

typedef enum relation { REL_EQ, REL_LT, REL_GT, REL_LE, REL_GE } relation;

/* cJSON's type tests are calls into a shared library; these run per
 * evaluation, so test the type bits here. */
static inline int type_of(const cJSON *v)
{
    return v->type & 0xFF;
}

static inline bool is_string(const cJSON *v)
{
    return type_of(v) == cJSON_String && v->valuestring;
}

/* ------------------------------------------------------------- strings */

/* Decodes the UTF-8 character at s (a lone invalid byte stands for itself). */
static uint32_t decode_utf8(const unsigned char *s)
{
    uint32_t c = s[0];
    int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (n == 0)
        return c;
    uint32_t cp = c & (0x3Fu >> n);
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return c;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    return cp;
}

/* The first UTF-16 code unit of a code point. */
static uint32_t utf16_lead(uint32_t cp)
{
    return cp < 0x10000 ? cp : 0xD800 + ((cp - 0x10000) >> 10);
}

/* Java's String.compareTo over UTF-8 text. Byte order is code point order,
 * which differs from UTF-16 order only where a character above U+FFFF (a
 * surrogate pair, 0xD800...) meets one in U+E000..U+FFFF; so compare bytes,
 * and decide the first differing character by its UTF-16 units. */
int asl_string_compare(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p && *p == *q)
        p++, q++;
    if (*p == *q)
        return 0;
    if (!*p || !*q)
        return *p ? 1 : -1;
    while (p > (const unsigned char *)a && ((*p & 0xC0) == 0x80 || (*q & 0xC0) == 0x80))
        p--, q--;
    uint32_t x = decode_utf8(p), y = decode_utf8(q);
    uint32_t ux = utf16_lead(x), uy = utf16_lead(y);
    if (ux != uy)
        return ux < uy ? -1 : 1;
    if (x != y) /* same high surrogate: the low ones follow code point order */
        return x < y ? -1 : 1;
    return *p < *q ? -1 : 1; /* malformed text: plain byte order */
}

/* StringMatches: '*' matches any run of characters, "\*" a literal star
 * and "\\" a backslash; nothing else is special. Greedy with one backtrack
 * point, so linear in practice and never exponential. */
static bool pattern_char(const char **pp, char *c)
{
    const char *p = *pp;
    if (p[0] == '\\' && (p[1] == '*' || p[1] == '\\')) {
        *c = p[1];
        *pp = p + 2;
        return true;
    }
    *c = p[0];
    *pp = p + 1;
    return p[0] != '*';
}

int asl_string_matches(const char *s, const char *pat)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        const char *next = pat;
        char c = 0;
        bool literal = *pat && pattern_char(&next, &c);
        if (*pat && !literal) { /* a wildcard: try matching nothing first */
            star = pat = next;
            resume = s;
        } else if (literal && c == *s) {
            pat = next;
            s++;
        } else if (star) { /* let the last wildcard take one more byte */
            pat = star;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pat == '*')
        pat++;
    return *pat == '\0';
}

/* --------------------------------------------------------- comparisons */

static relation relation_of(int op)
{
    switch (op) {
    case ASL_CMP_STRING_LESS_THAN:
    case ASL_CMP_NUMERIC_LESS_THAN:
    case ASL_CMP_TIMESTAMP_LESS_THAN: return REL_LT;
    case ASL_CMP_STRING_GREATER_THAN:
    case ASL_CMP_NUMERIC_GREATER_THAN:
    case ASL_CMP_TIMESTAMP_GREATER_THAN: return REL_GT;
    case ASL_CMP_STRING_LESS_THAN_EQUALS:
    case ASL_CMP_NUMERIC_LESS_THAN_EQUALS:
    case ASL_CMP_TIMESTAMP_LESS_THAN_EQUALS: return REL_LE;
    case ASL_CMP_STRING_GREATER_THAN_EQUALS:
    case ASL_CMP_NUMERIC_GREATER_THAN_EQUALS:
    case ASL_CMP_TIMESTAMP_GREATER_THAN_EQUALS: return REL_GE;
    default: return REL_EQ;
    }
}

static int holds(relation r, int cmp)
{
    switch (r) {
    case REL_EQ: return cmp == 0;
    case REL_LT: return cmp < 0;
    case REL_GT: return cmp > 0;
    case REL_LE: return cmp <= 0;
    case REL_GE: return cmp >= 0;
    }
    return 0;
}

static int compare_doubles(double a, double b)
{
    return a < b ? -1 : a > b;
}

/* The Is* tests: does v have the type asked about? */
static bool has_type(int op, const cJSON *v)
{
    double t;
    switch (op) {
    case ASL_CMP_IS_NULL: return type_of(v) == cJSON_NULL;
    case ASL_CMP_IS_NUMERIC: return type_of(v) == cJSON_Number;
    case ASL_CMP_IS_STRING: return type_of(v) == cJSON_String;
    case ASL_CMP_IS_BOOLEAN: return type_of(v) == cJSON_True || type_of(v) == cJSON_False;
    case ASL_CMP_IS_TIMESTAMP: return is_string(v) && asl_timestamp_parse(v->valuestring, &t);
    default: return true; /* IsPresent: v was found */
    }
}

static int compare_timestamps(int op, const cJSON *v, const operand *o)
{
    double a, b;
    if (!is_string(v) || o->type != cJSON_String || !asl_timestamp_parse(v->valuestring, &a) ||
        !asl_timestamp_parse(o->str, &b))
        return 0;
    return holds(relation_of(op), compare_doubles(a, b));
}

/* v OP o, for an operator in its literal form. */
static int compare(int op, const cJSON *v, const operand *o)
{
    if (op >= ASL_CMP_IS_NULL)
        return has_type(op, v) == (o->type == cJSON_True);
    if (op >= ASL_CMP_TIMESTAMP_EQUALS)
        return compare_timestamps(op, v, o);
    if (op >= ASL_CMP_BOOLEAN_EQUALS)
        return (type_of(v) == cJSON_True || type_of(v) == cJSON_False) &&
               (o->type == cJSON_True || o->type == cJSON_False) && type_of(v) == o->type;
    if (op >= ASL_CMP_NUMERIC_EQUALS)
        return type_of(v) == cJSON_Number && o->type == cJSON_Number &&
               holds(relation_of(op), compare_doubles(v->valuedouble, o->num));
    if (!is_string(v) || o->type != cJSON_String || !o->str)
        return 0;
    if (op == ASL_CMP_STRING_MATCHES)
        return asl_string_matches(v->valuestring, o->str);
    return holds(relation_of(op), asl_string_compare(v->valuestring, o->str));
}

/* ---------------------------------------------------------------- data */

static void operand_from_json(const cJSON *v, operand *o)
{
    o->type = type_of(v);
    o->str = is_string(v) ? v->valuestring : NULL;
    o->num = v->valuedouble;
}

static void operand_from_node(const asl_node *n, operand *o)
{
    static const int types[] = {
        [ASL_N_TRUE] = cJSON_True, [ASL_N_FALSE] = cJSON_False,
        [ASL_N_NUMBER] = cJSON_Number, [ASL_N_STRING] = cJSON_String,
    };
    o->type = n->kind < sizeof types / sizeof *types ? types[n->kind] : 0;
    o->str = n->str;
    o->num = n->num;
}

#define NO_SUCH_PATH "Invalid path '%s': The choice state's condition path references an invalid value."

static int no_such_path(asl_ctx *c, const asl_node *path)
{
    return asl_err_set(&c->err, "States.Runtime", NO_SUCH_PATH, path->str ? path->str : "$");
}

/* What path names: 0 with *out set (borrowed, or owned by *owned for an
 * indefinite path, whose matches come as an array), 1 if it matches
 * nothing, -1 on error. */
static int lookup(const asl_node *path, asl_ctx *c, const cJSON **out, cJSON **owned)
{
    *owned = NULL;
    if (path->flags & ASL_F_DEFINITE)
        return asl_path_peek(path, c, out);
    int r = asl_path_select(path, c, owned);
    *out = *owned;
    return r;
}

/* Compares v with the value of a *Path operand. */
static int compare_with_path(const asl_node *t, const cJSON *v, asl_ctx *c)
{
    const cJSON *w;
    cJSON *owned;
    int r = lookup(&t->kids[1], c, &w, &owned);
    if (r < 0)
        return -1;
    if (r > 0)
        return no_such_path(c, &t->kids[1]);
    operand o;
    operand_from_json(w, &o);
    r = compare(t->op - 1, v, &o);
    if (owned)
        cJSON_Delete(owned);
    return r;
}

static int eval_test(const asl_node *t, asl_ctx *c)
{
    const cJSON *v;
    cJSON *owned;
    int r = lookup(&t->kids[0], c, &v, &owned);
    if (r < 0)
        return -1;
    if (r > 0) {
        if (t->op == ASL_CMP_IS_PRESENT)
            return t->kids[1].kind == ASL_N_FALSE;
        return no_such_path(c, &t->kids[0]);
    }
    if (t->kids[1].kind == ASL_N_PATH) {
        r = compare_with_path(t, v, c);
    } else {
        operand o;
        operand_from_node(&t->kids[1], &o);
        r = compare(t->op, v, &o);
    }
    if (owned)
        cJSON_Delete(owned);
    return r;
}

int asl_rule_eval(const asl_node *rule, asl_ctx *c)
{
    int r;
    switch (rule->kind) {
    case ASL_N_RULE_AND:
        for (int i = 0; i < rule->count; i++)
            if ((r = asl_rule_eval(&rule->kids[i], c)) <= 0)
                return r;
        return 1;
    case ASL_N_RULE_OR:
        for (int i = 0; i < rule->count; i++)
            if ((r = asl_rule_eval(&rule->kids[i], c)) != 0)
                return r;
        return 0;
    case ASL_N_RULE_NOT:
        r = asl_rule_eval(&rule->kids[0], c);
        return r < 0 ? r : !r;
    case ASL_N_RULE_TEST:
        return eval_test(rule, c);
    default:
        return asl_err_set(&c->err, "States.Runtime", "not a Choice rule (node kind %d)",
                           rule->kind);
    }
}

/* ------------------------------------------------------- the state */

int asl_choice_begin(asl_choice *c, asl_frame *f, const asl_state *s)
{
    c->frame = f;
    c->state = s;
    c->failed = 0;
    c->input = asl_state_input(f, s);
    return c->input != NULL;
}

/* The first path that found nothing fails the state (AWS's cause). */
static void path_failed(asl_choice *c, const char *path)
{
    if (!c->failed) {
        c->failed = 1;
        asl_fail_runtime(c->frame, NO_SUCH_PATH, path);
    }
}

/* cJSON's type bits (1 << n) by their low byte, as asl_val types. */
static const unsigned char val_types[256] = {
    [cJSON_False] = ASL_V_FALSE, [cJSON_True] = ASL_V_TRUE,     [cJSON_NULL] = ASL_V_NULL,
    [cJSON_Number] = ASL_V_NUMBER, [cJSON_String] = ASL_V_STRING, [cJSON_Array] = ASL_V_ARRAY,
    [cJSON_Object] = ASL_V_OBJECT,
};

static inline asl_val val_of(const cJSON *v)
{
    asl_val r = {val_types[type_of(v)], v->valuedouble, v->valuestring};
    /* (a string without text, which no parse makes, compares as none) */
    if (r.type == ASL_V_STRING && !r.str)
        r.type = ASL_V_MISSING;
    return r;
}

asl_val asl_peek(asl_choice *c, const asl_node *path)
{
    asl_ctx x;
    asl_ctx_init(&x, c->frame, c->input);
    const cJSON *v;
    if (asl_path_peek(path, &x, &v) == 0)
        return val_of(v);
    path_failed(c, path->str ? path->str : "$");
    return (asl_val){ASL_V_MISSING, 0, NULL};
}

asl_val asl_peek_key(asl_choice *c, const char *key, const char *path)
{
    const cJSON *v = asl_member(c->input, key);
    if (v)
        return val_of(v);
    path_failed(c, path);
    return (asl_val){ASL_V_MISSING, 0, NULL};
}

int asl_present(asl_choice *c, const asl_node *path)
{
    asl_ctx x;
    asl_ctx_init(&x, c->frame, c->input);
    const cJSON *v;
    return asl_path_peek(path, &x, &v) == 0;
}

int asl_timestamp(asl_val v, double *t)
{
    return v.type == ASL_V_STRING && asl_timestamp_parse(v.str, t);
}

int asl_choice_walk(asl_choice *c, int i)
{
    asl_ctx x;
    asl_ctx_init(&x, c->frame, c->input);
    int r = asl_rule_eval(c->state->rules[i], &x);
    if (r >= 0)
        return r;
    c->failed = 1;
    if (x.err.error && !strcmp(x.err.error, "States.Runtime"))
        asl_fail_runtime(c->frame, "%s", x.err.cause ? x.err.cause : "");
    else
        asl_frame_fail_err(c->frame, &x.err);
    asl_err_clear(&x.err);
    return 1;
}

asl_step asl_choose(asl_choice *c, int i)
{
    asl_frame *f = c->frame;
    const asl_state *s = c->state;
    cJSON *in = c->input;
    if (c->failed) {
        cJSON_Delete(in);
        return ASL_STEP_FAIL;
    }
    int next = i < 0 ? s->default_next : s->choice_next[i];
    const asl_node *assign = i < 0 ? s->assign : s->choice_assign ? s->choice_assign[i] : NULL;
    if (next < 0) {
        cJSON_Delete(in);
        return asl_frame_fail(f, "States.NoChoiceMatched", "No Matches!");
    }
    if (assign) {
        asl_ctx x;
        asl_ctx_init(&x, f, in);
        if (asl_assign(f, assign, &x) < 0) {
            cJSON_Delete(in);
            return asl_frame_fail_err(f, &x.err);
        }
    }
    cJSON *out = asl_apply_path_take(f, s->output_path, in);
    return out ? asl_goto(f, next, out) : ASL_STEP_FAIL;
}
