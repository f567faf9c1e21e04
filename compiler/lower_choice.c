/*
 * lower_choice.c: writes a JSONPath Choice state's rules as C. The state's
 * function begins the state, then for each rule in order looks up the
 * paths it compares and tests the values in line, the rule's JSON in a
 * comment above it, and returns asl_choose(&c, i) for the first that holds
 * (asl_gen.h says how a path that finds nothing fails the state):
 *
 *     v = asl_peek_key(&c, key.i, "$.i");
 *     w = asl_peek_key(&c, key.limit, "$.limit");
 *     if (asl_holds(&c, v.type == ASL_V_NUMBER && w.type == ASL_V_NUMBER && v.num < w.num))
 *         return asl_choose(&c, 0);
 *
 * And, Or and Not become &&, || and !, each test a comma expression that
 * looks up its paths where the walker would, so that evaluation stops where
 * the walker's stops. Timestamp literals are read here, once. A rule with
 * a path that may select several values (a wildcard, a filter ...) is left
 * to the walker (asl_choice_walk). The descriptor keeps every rule as
 * nodes either way: the walker, `aslc graph` and the tests read them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lower.h"

static const char *const operator_names[] = {
#define X(id, name) name,
    ASL_OPERATORS(X)
#undef X
};

typedef struct cgen {
    lctx *c;
    const char *ident;      /* the state's function name: its path nodes are named after it */
    int npaths;
    bool v, w, t, u;        /* the locals the code uses */
} cgen;

/* ------------------------------------------------------------- checks */

static bool path_ok(const asl_node *p)
{
    return p->kind == ASL_N_PATH && (p->flags & ASL_F_DEFINITE);
}

/* Whether a rule can be written as C: every path definite, every number
 * finite. */
static bool lowerable(const asl_node *r)
{
    switch (r->kind) {
    case ASL_N_RULE_AND:
    case ASL_N_RULE_OR:
    case ASL_N_RULE_NOT:
        for (int i = 0; i < r->count; i++)
            if (!lowerable(&r->kids[i]))
                return false;
        return r->count > 0;
    case ASL_N_RULE_TEST: {
        if (r->count != 2 || !path_ok(&r->kids[0]) || r->op >= ASL_CMP__COUNT)
            return false;
        const asl_node *o = &r->kids[1];
        size_t n = strlen(operator_names[r->op]);
        bool path_form = n > 4 && !strcmp(operator_names[r->op] + n - 4, "Path");
        if (path_form || o->kind == ASL_N_PATH)
            return path_form && path_ok(o);
        if (o->kind == ASL_N_NUMBER)
            return isfinite(o->num);
        return o->kind == ASL_N_STRING || o->kind == ASL_N_TRUE || o->kind == ASL_N_FALSE;
    }
    default: return false;
    }
}

/* ------------------------------------------------------------ values */

const char *lower_number(double x)
{
    for (int prec = 15; prec < 17; prec++) {
        const char *s = cc_printf("%.*g", prec, x);
        if (strtod(s, NULL) == x)
            return s;
    }
    return cc_printf("%.17g", x);
}

const char *lower_cstr(const char *s)
{
    asl_buf b = {0};
    lower_c_string(&b, s);
    const char *out = cc_strdup(b.p);
    asl_buf_free(&b);
    return out;
}

/* A path as a node of its own, named after the state (for asl_peek). */
static const char *path_node(cgen *g, const asl_node *p)
{
    return lower_named_node(g->c, p, g->ident, "path", &g->npaths);
}

/* The call that looks a path up: $.key by its key, anything else by its
 * node. */
static const char *peek(cgen *g, const asl_node *p)
{
    const asl_node *k = p->count == 1 ? &p->kids[0] : NULL;
    if (p->op == ASL_ROOT_INPUT && k && k->kind == ASL_N_STEP_NAME && k->str && p->str &&
        !strncmp(p->str, "$.", 2) && !strcmp(p->str + 2, k->str))
        return cc_printf("asl_peek_key(&c, %s, %s)", lower_key(g->c, k->str), lower_cstr(p->str));
    return cc_printf("asl_peek(&c, %s)", path_node(g, p));
}

static const char *relation(int base)
{
    switch (base) {
    case ASL_CMP_STRING_LESS_THAN:
    case ASL_CMP_NUMERIC_LESS_THAN:
    case ASL_CMP_TIMESTAMP_LESS_THAN: return "<";
    case ASL_CMP_STRING_GREATER_THAN:
    case ASL_CMP_NUMERIC_GREATER_THAN:
    case ASL_CMP_TIMESTAMP_GREATER_THAN: return ">";
    case ASL_CMP_STRING_LESS_THAN_EQUALS:
    case ASL_CMP_NUMERIC_LESS_THAN_EQUALS:
    case ASL_CMP_TIMESTAMP_LESS_THAN_EQUALS: return "<=";
    case ASL_CMP_STRING_GREATER_THAN_EQUALS:
    case ASL_CMP_NUMERIC_GREATER_THAN_EQUALS:
    case ASL_CMP_TIMESTAMP_GREATER_THAN_EQUALS: return ">=";
    default: return "==";
    }
}

/* The Is* tests: whether v has the type (want) or not. */
static const char *type_test(cgen *g, int op, bool want)
{
    const char *eq = want ? "==" : "!=";
    switch (op) {
    case ASL_CMP_IS_NULL: return cc_printf("v.type %s ASL_V_NULL", eq);
    case ASL_CMP_IS_NUMERIC: return cc_printf("v.type %s ASL_V_NUMBER", eq);
    case ASL_CMP_IS_STRING: return cc_printf("v.type %s ASL_V_STRING", eq);
    case ASL_CMP_IS_BOOLEAN: return want ? "(v.type == ASL_V_TRUE || v.type == ASL_V_FALSE)"
                                         : "v.type != ASL_V_TRUE && v.type != ASL_V_FALSE";
    default: g->t = true; return want ? "asl_timestamp(v, &t)" : "!asl_timestamp(v, &t)"; /* IsTimestamp */
    }
}

/* The test of v (and w, the value of a *Path operand) for a comparison,
 * given its operator and literal operand o (NULL for a *Path form). Types
 * that do not fit compare false, as in the walker (choice.c). */
static const char *condition(cgen *g, int op, const asl_node *o)
{
    bool path = o == NULL;
    int base = path ? op - 1 : op;
    const char *rel = relation(base);
    if (base >= ASL_CMP_IS_NULL)
        return type_test(g, base, o->kind == ASL_N_TRUE);
    if (base >= ASL_CMP_TIMESTAMP_EQUALS) {
        g->t = true;
        double when;
        if (path)
            return g->u = true, cc_printf("asl_timestamp(v, &t) && asl_timestamp(w, &u) && t %s u", rel);
        if (o->kind != ASL_N_STRING || !asl_timestamp_parse(o->str, &when))
            return "0 /* not a timestamp */";
        return cc_printf("asl_timestamp(v, &t) && t %s %s /* %s */", rel, lower_number(when), o->str);
    }
    if (base >= ASL_CMP_BOOLEAN_EQUALS) {
        if (path)
            return "(v.type == ASL_V_TRUE || v.type == ASL_V_FALSE) && v.type == w.type";
        return o->kind == ASL_N_TRUE ? "v.type == ASL_V_TRUE" : o->kind == ASL_N_FALSE ? "v.type == ASL_V_FALSE" : "0";
    }
    if (base >= ASL_CMP_NUMERIC_EQUALS) {
        if (path)
            return cc_printf("v.type == ASL_V_NUMBER && w.type == ASL_V_NUMBER && v.num %s w.num", rel);
        if (o->kind != ASL_N_NUMBER)
            return "0";
        return cc_printf("v.type == ASL_V_NUMBER && v.num %s %s", rel, lower_number(o->num));
    }
    if (path)
        return cc_printf("v.type == ASL_V_STRING && w.type == ASL_V_STRING && asl_string_compare(v.str, w.str) %s 0",
                         rel);
    if (o->kind != ASL_N_STRING)
        return "0";
    if (base == ASL_CMP_STRING_MATCHES)
        return cc_printf("v.type == ASL_V_STRING && asl_string_matches(v.str, %s)", lower_cstr(o->str));
    return cc_printf("v.type == ASL_V_STRING && asl_string_compare(v.str, %s) %s 0", lower_cstr(o->str), rel);
}

/* ------------------------------------------------------------- rules */

/* A rule as one line of text, for the comment above its code. */
static void describe(asl_buf *b, const asl_node *r)
{
    if (r->kind == ASL_N_RULE_TEST) {
        asl_buf_printf(b, "%s %s ", r->kids[0].str ? r->kids[0].str : "$", operator_names[r->op]);
        const asl_node *o = &r->kids[1];
        switch (o->kind) {
        case ASL_N_PATH: asl_buf_puts(b, o->str ? o->str : "$"); break;
        case ASL_N_STRING: asl_buf_printf(b, "\"%s\"", o->str); break;
        case ASL_N_NUMBER: asl_buf_puts(b, o->str ? o->str : lower_number(o->num)); break;
        case ASL_N_TRUE: asl_buf_puts(b, "true"); break;
        case ASL_N_FALSE: asl_buf_puts(b, "false"); break;
        default: asl_buf_puts(b, "?"); break;
        }
        return;
    }
    asl_buf_puts(b, r->kind == ASL_N_RULE_AND ? "And(" : r->kind == ASL_N_RULE_OR ? "Or(" : "Not(");
    for (int i = 0; i < r->count; i++) {
        if (i)
            asl_buf_puts(b, ", ");
        describe(b, &r->kids[i]);
    }
    asl_buf_putc(b, ')');
}

/* A test as one C expression: its look-ups, then its condition. */
static const char *test_expr(cgen *g, const asl_node *t)
{
    if (t->op == ASL_CMP_IS_PRESENT) /* looked up by node: it must not fail */
        return cc_printf("%sasl_present(&c, %s)", t->kids[1].kind == ASL_N_TRUE ? "" : "!", path_node(g, &t->kids[0]));
    g->v = true;
    const char *pv = peek(g, &t->kids[0]);
    if (t->kids[1].kind == ASL_N_PATH) {
        g->w = true;
        const char *pw = peek(g, &t->kids[1]);
        return cc_printf("(v = %s, w = %s, %s)", pv, pw, condition(g, t->op, NULL));
    }
    return cc_printf("(v = %s, %s)", pv, condition(g, t->op, &t->kids[1]));
}

/* A rule as one C expression, its operands on lines of their own. */
static const char *rule_expr(cgen *g, const asl_node *r, int indent)
{
    if (r->kind == ASL_N_RULE_TEST)
        return test_expr(g, r);
    if (r->kind == ASL_N_RULE_NOT)
        return cc_printf("!%s", rule_expr(g, &r->kids[0], indent + 1));
    asl_buf b = {0};
    asl_buf_putc(&b, '(');
    for (int i = 0; i < r->count; i++) {
        if (i)
            asl_buf_printf(&b, "\n%*s%s ", indent, "", r->kind == ASL_N_RULE_AND ? "&&" : "||");
        asl_buf_puts(&b, rule_expr(g, &r->kids[i], indent + 4));
    }
    asl_buf_putc(&b, ')');
    const char *out = cc_strdup(b.p);
    asl_buf_free(&b);
    return out;
}

/* Rule i: a lone comparison as statements (look-ups, then the test),
 * anything else as one expression; a rule the walker keeps, by index. */
static void rule(cgen *g, asl_buf *b, const asl_graph *gr, const asl_state *s, int i)
{
    const asl_node *r = s->rules[i];
    asl_buf text = {0};
    describe(&text, r);
    asl_buf_printf(b, "    /* Choices[%d] -> ", i);
    lower_comment(b, diag_quote(gr->states[s->choice_next[i]].name), 100);
    asl_buf_puts(b, ": ");
    lower_comment(b, text.p, 300);
    asl_buf_free(&text);
    if (!lowerable(r)) {
        asl_buf_printf(b, " (walked) */\n    if (asl_choice_walk(&c, %d))\n        return asl_choose(&c, %d);\n", i, i);
        return;
    }
    asl_buf_puts(b, " */\n");
    const char *cond;
    if (r->kind == ASL_N_RULE_TEST && r->op != ASL_CMP_IS_PRESENT) {
        g->v = true;
        asl_buf_printf(b, "    v = %s;\n", peek(g, &r->kids[0]));
        const asl_node *o = &r->kids[1];
        if (o->kind == ASL_N_PATH) {
            g->w = true;
            asl_buf_printf(b, "    w = %s;\n", peek(g, o));
        }
        cond = condition(g, r->op, o->kind == ASL_N_PATH ? NULL : o);
    } else {
        cond = rule_expr(g, r, 22);
    }
    asl_buf_printf(b, "    if (asl_holds(&c, %s))\n        return asl_choose(&c, %d);\n", cond, i);
}

void lower_choice(lctx *c, const asl_graph *gr, const asl_state *s, const char *ident, const char *ref, asl_buf *body)
{
    cgen g = {.c = c, .ident = ident};
    asl_buf rules = {0};
    for (int i = 0; i < s->nrules; i++)
        rule(&g, &rules, gr, s, i);
    if (g.npaths)
        asl_buf_putc(c->b, '\n');
    asl_buf_puts(body, "    asl_choice c;\n");
    if (g.v || g.w)
        asl_buf_printf(body, "    asl_val %s;\n", g.v && g.w ? "v, w" : g.v ? "v" : "w");
    if (g.t || g.u)
        asl_buf_printf(body, "    double %s;\n", g.t && g.u ? "t, u" : g.t ? "t" : "u");
    asl_buf_printf(body, "    if (!asl_choice_begin(&c, f, %s))\n        return ASL_STEP_FAIL;\n", ref);
    if (rules.p)
        asl_buf_puts(body, rules.p);
    asl_buf_free(&rules);
    if (s->default_next >= 0) {
        asl_buf_puts(body, "    /* Default -> ");
        lower_comment(body, diag_quote(gr->states[s->default_next].name), 100);
        asl_buf_puts(body, " */\n");
    } else {
        asl_buf_puts(body, "    /* no Default: States.NoChoiceMatched */\n");
    }
    asl_buf_puts(body, "    return asl_choose(&c, -1);\n");
}
