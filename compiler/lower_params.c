/*
 * lower_params.c: writes a JSONPath Pass or Task state's Parameters as C,
 * one call a field, the field as written in a comment above it:
 *
 *     // "i.$": "States.MathAdd($.i, 1)"
 *     asl_tmpl_math_add(&t, key.i, Increment_path0, 1);
 *     // "limit.$": "$.limit"
 *     asl_tmpl_path(&t, key.limit, Increment_path1);
 *     return asl_tmpl_pass(&t);
 *
 * Only when every field is a constant, a definite path from $ (or one of
 * the $$ paths io.c reads straight from the execution), an intrinsic call
 * with neither MathRandom nor UUID in it (runtime/params.c may run the
 * template again through the walk, and those two would answer
 * differently), or an object of such fields (asl_tmpl_open ...
 * asl_tmpl_close); a state with a Result or any other field is left to
 * asl_state_pass, as it is at run time when an observer inspects.
 * A Task's template becomes a function of its own that builds the payload
 * (the descriptor's build_parameters), NULL meaning the walk builds it.
 */
#include <math.h>
#include <string.h>

#include "lower.h"

/* Whether an intrinsic call (and every call in its arguments) gives the
 * same value when made twice. */
static bool call_repeatable(const asl_node *n)
{
    if (n->kind != ASL_N_CALL)
        return true;
    if (n->op == ASL_FN_MATH_RANDOM || n->op == ASL_FN_UUID)
        return false;
    for (int i = 0; i < n->count; i++)
        if (!call_repeatable(&n->kids[i]))
            return false;
    return true;
}

static bool input_path(const asl_node *n)
{
    return n->kind == ASL_N_PATH && n->op == ASL_ROOT_INPUT && (n->flags & ASL_F_DEFINITE);
}

/* $$.Execution.Id and the like: io.c's asl_context_fast reads those
 * straight from the execution (the rest it leaves to the walk). */
static bool context_path(const asl_node *n)
{
    return n->kind == ASL_N_PATH && n->op == ASL_ROOT_CONTEXT && (n->flags & ASL_F_DEFINITE) && n->count >= 2;
}

/* States.MathAdd($.path, n), n an integer MathAdd takes as it is. */
static bool math_add_of_path(const asl_node *n)
{
    if (n->kind != ASL_N_CALL || n->op != ASL_FN_MATH_ADD || n->count != 2 || !input_path(&n->kids[0]))
        return false;
    const asl_node *k = &n->kids[1];
    return k->kind == ASL_N_NUMBER && k->num == floor(k->num) && fabs(k->num) <= 2147483647.0 &&
           !(k->num == 0 && signbit(k->num));
}

static bool fields_ok(const asl_node *o, int depth);

static bool field_ok(const asl_node *v, int depth)
{
    if (v->flags & ASL_F_CONST)
        return true;
    if (v->kind == ASL_N_CALL)
        return call_repeatable(v);
    if (v->kind == ASL_N_OBJECT)
        return depth + 1 < ASL_TMPL_DEPTH && fields_ok(v, depth + 1);
    return input_path(v) || context_path(v);
}

/* Whether every field of template object o can be written as C. */
static bool fields_ok(const asl_node *o, int depth)
{
    for (int i = 0; i < o->count; i++)
        if (o->kids[i].kind != ASL_N_FIELD || o->kids[i].count != 1 || !field_ok(&o->kids[i].kids[0], depth))
            return false;
    return true;
}

/* A constant as JSON-ish text, for the comment. */
static void describe(asl_buf *b, const asl_node *v)
{
    switch (v->kind) {
    case ASL_N_NULL: asl_buf_puts(b, "null"); break;
    case ASL_N_TRUE: asl_buf_puts(b, "true"); break;
    case ASL_N_FALSE: asl_buf_puts(b, "false"); break;
    case ASL_N_NUMBER: asl_buf_puts(b, v->str ? v->str : lower_number(v->num)); break;
    case ASL_N_STRING: asl_buf_printf(b, "\"%s\"", v->str ? v->str : ""); break;
    case ASL_N_ARRAY: asl_buf_puts(b, "[...]"); break;
    default: asl_buf_puts(b, "{...}"); break;
    }
}

/* The calls for the fields of template object o, indented by depth. */
static void fields(lctx *c, asl_buf *body, const asl_node *o, const char *ident, int *nodes, int depth)
{
    int in = 4 + 4 * depth;
    for (int i = 0; i < o->count; i++) {
        const char *key = o->kids[i].str;
        const asl_node *v = &o->kids[i].kids[0];
        bool dynamic = !(v->flags & ASL_F_CONST);
        asl_buf text = {0};
        asl_buf_printf(&text, "\"%s%s\": ", key, dynamic && v->kind != ASL_N_OBJECT ? ".$" : "");
        if (v->kind == ASL_N_OBJECT && dynamic)
            asl_buf_puts(&text, "{");
        else if (dynamic)
            asl_buf_printf(&text, "\"%s\"", v->str ? v->str : "$");
        else
            describe(&text, v);
        asl_buf_printf(body, "%*s/* ", in, "");
        lower_comment(body, text.p, 300);
        asl_buf_puts(body, " */\n");
        asl_buf_free(&text);
        const char *field = lower_key(c, key);
        if (v->kind == ASL_N_OBJECT && dynamic) {
            asl_buf_printf(body, "%*sasl_tmpl_open(&t);\n", in, "");
            fields(c, body, v, ident, nodes, depth + 1);
            asl_buf_printf(body, "%*sasl_tmpl_close(&t, %s); /* } */\n", in, "", field);
        } else if (math_add_of_path(v)) {
            asl_buf_printf(body, "%*sasl_tmpl_math_add(&t, %s, %s, %s);\n", in, "", field,
                           lower_named_node(c, &v->kids[0], ident, "path", nodes), lower_number(v->kids[1].num));
        } else if (v->kind <= ASL_N_STRING) {
            /* (the kinds before ARRAY are literals: the member's bound is known) */
            const char *vb = v->kind == ASL_N_STRING ? cc_printf("ASL_BOUND_TEXT(%zu)", strlen(v->str ? v->str : ""))
                             : v->kind == ASL_N_NUMBER ? "ASL_BOUND_NUMBER"
                                                       : "ASL_BOUND_LITERAL";
            asl_buf_printf(body, "%*sasl_tmpl_literal(&t, %s, %s, ASL_BOUND_MEMBER(%zu) + %s);\n", in, "", field,
                           lower_named_node(c, v, ident, "value", nodes), strlen(key), vb);
        } else if (!dynamic) {
            asl_buf_printf(body, "%*sasl_tmpl_value(&t, %s, %s);\n", in, "", field,
                           lower_named_node(c, v, ident, "value", nodes));
        } else if (context_path(v)) {
            asl_buf_printf(body, "%*sasl_tmpl_context(&t, %s, %s, ASL_BOUND_MEMBER(%zu));\n", in, "", field,
                           lower_named_node(c, v, ident, "path", nodes), strlen(key));
        } else if (v->kind == ASL_N_PATH) {
            asl_buf_printf(body, "%*sasl_tmpl_path(&t, %s, %s);\n", in, "", field,
                           lower_named_node(c, v, ident, "path", nodes));
        } else {
            asl_buf_printf(body, "%*sasl_tmpl_call(&t, %s, %s);\n", in, "", field,
                           lower_named_node(c, v, ident, "call", nodes));
        }
    }
}

/* Whether state s's Parameters are a template of shapes params.c builds. */
static bool params_ok(const asl_state *s)
{
    const asl_node *p = s->parameters;
    return !s->jsonata && p && p->kind == ASL_N_OBJECT && !(p->flags & ASL_F_CONST) && !s->result &&
           fields_ok(p, 0);
}

const char *lower_task_params(lctx *c, const asl_state *s, const char *ident)
{
    if (s->type != ASL_TASK || !params_ok(s))
        return NULL;
    const char *fn = cc_printf("%s_parameters", ident);
    asl_buf body = {0};
    int nodes = 0;
    fields(c, &body, s->parameters, ident, &nodes, 0);
    asl_buf_puts(c->b, "\n/* The payload of Task ");
    lower_comment(c->b, s->name, 200);
    asl_buf_printf(c->b,
                   "; NULL: the template walk builds it */\n"
                   "static void *%s(asl_frame *f, const asl_state *s, size_t *bound)\n{\n"
                   "    asl_tmpl t;\n    if (!asl_tmpl_begin(&t, f, s))\n        return NULL;\n"
                   "%s    return asl_tmpl_take(&t, bound);\n}\n\n",
                   fn, body.p);
    asl_buf_free(&body);
    return fn;
}

bool lower_params(lctx *c, const asl_state *s, const char *ident, const char *ref, asl_buf *body)
{
    const asl_node *p = s->parameters;
    if (s->type != ASL_PASS || !params_ok(s))
        return false;
    int nodes = 0;
    asl_buf_printf(body, "    asl_tmpl t;\n    if (!asl_tmpl_begin(&t, f, %s))\n        return asl_state_pass(f, %s);\n",
                   ref, ref);
    fields(c, body, p, ident, &nodes, 0);
    asl_buf_puts(c->b, "\n");
    asl_buf_puts(body, "    return asl_tmpl_pass(&t);\n");
    return true;
}
