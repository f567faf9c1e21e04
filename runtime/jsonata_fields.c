/*
 * jsonata_fields.c: the glue between the JSONata module and ASL (see
 * jsonata_fields.h): evaluating an expression with $states and the
 * workflow's variables, in AWS's dialect, with the runtime's clock, random
 * numbers and digests; AWS's sentences for a field that fails; and
 * JSONata states' fields, expressions inside literal objects and arrays.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "hash.h"
#include "ids.h"
#include "jsonata_fields.h"

/* One tree, two names: ASL nodes and the module's have one layout. */
_Static_assert(sizeof(asl_node) == sizeof(jsonata_node), "asl_node and jsonata_node differ");
_Static_assert(offsetof(asl_node, kind) == offsetof(jsonata_node, kind), "kind");
_Static_assert(offsetof(asl_node, op) == offsetof(jsonata_node, op), "op");
_Static_assert(offsetof(asl_node, flags) == offsetof(jsonata_node, flags), "flags");
_Static_assert(offsetof(asl_node, count) == offsetof(jsonata_node, count), "count");
_Static_assert(offsetof(asl_node, num) == offsetof(jsonata_node, num), "num");
_Static_assert(offsetof(asl_node, str) == offsetof(jsonata_node, str), "str");
_Static_assert(offsetof(asl_node, kids) == offsetof(jsonata_node, kids), "kids");

const jsonata_node *asl_jsonata_tree(const asl_node *n)
{
    /* only ever read through this type, never written */
    return (const jsonata_node *)(const void *)n;
}

/* ------------------------------------------------------- evaluation */

typedef struct host_ud {
    asl_ctx *c;
    const cJSON *states;
} host_ud;

static const cJSON *host_variable(void *ud, const char *name)
{
    host_ud *h = ud;
    if (!strcmp(name, "states") && h->states)
        return h->states;
    return h->c ? asl_ctx_var(h->c, name) : NULL;
}

static double host_now(void *ud)
{
    (void)ud;
    return asl_now(); /* the virtual clock too */
}

static uint64_t host_random(void *ud)
{
    (void)ud;
    return asl_random_u64();
}

static int host_hash(void *ud, const char *algorithm, const char *data, size_t n, char *hex)
{
    (void)ud;
    int alg = asl_hash_lookup(algorithm);
    if (alg < 0)
        return -1;
    asl_hash_hex((asl_hash_alg)alg, data, n, hex);
    return 0;
}

jsonata_host asl_jsonata_host(void)
{
    return (jsonata_host){.now = host_now, .random = host_random, .hash = host_hash};
}

cJSON *asl_jsonata_eval(const jsonata_node *expr, asl_ctx *c, const cJSON *states_var, asl_err *err)
{
    host_ud ud = {c, states_var};
    jsonata_host host = {host_variable, host_now, host_random, host_hash, &ud};
    jsonata_error e;
    cJSON *v = jsonata_evaluate(expr, NULL, &host, JSONATA_STEP_FUNCTIONS, &e);
    if (e.message)
        asl_err_set(err, "States.QueryEvaluationError", "%s", e.message);
    jsonata_error_clear(&e);
    return v;
}

void asl_jsonata_field_error(asl_err *err, const asl_node *expr, const char *field)
{
    const char *text = expr && expr->kind == JSONATA_KIND_ROOT && expr->str ? expr->str : "";
    char *cause = err->cause;
    err->cause = NULL;
    if (!err->error)
        asl_err_set(err, "States.QueryEvaluationError",
                    "The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", text, field);
    else if (cause && !strcmp(cause, JSONATA_FUNCTION_RESULT))
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

/* ------------------------------------------------------- fields */

void asl_jn_init(asl_jn *j, asl_frame *f, const cJSON *input)
{
    memset(j, 0, sizeof *j);
    j->f = f;
    j->input = input;
}

/* Where in a field a value stands, for messages: built only on failure. */
typedef struct jn_at {
    const char *key;           /* NULL: an array index */
    int index;
    const struct jn_at *up;
} jn_at;

static void at_print(asl_buf *b, const jn_at *at)
{
    if (!at)
        return;
    at_print(b, at->up);
    if (at->key)
        asl_buf_printf(b, "%s%s", at->up ? "/" : "", at->key);
    else
        asl_buf_printf(b, "[%d]", at->index);
}

static char *at_text(const jn_at *at)
{
    asl_buf b = {0};
    at_print(&b, at);
    return asl_buf_take(&b);
}

static void add_ref(cJSON *o, const char *key, const cJSON *v)
{
    /* A reference shares v's contents: deleting $states leaves v alone. */
    if (v)
        cJSON_AddItemReferenceToObject(o, key, (cJSON *)v);
}

static cJSON *jn_root(asl_jn *j, const asl_node *n, const jn_at *at)
{
    asl_ctx c;
    asl_ctx_init(&c, j->f, j->input);
    c.map_item = j->map_item;
    c.map_index = j->map_index;
    cJSON *st = cJSON_CreateObject();
    add_ref(st, "input", j->input);
    add_ref(st, "result", j->result);
    add_ref(st, "errorOutput", j->error_output);
    /* $$ costs a copy of the execution input: only for who reads it */
    if (n->op & (JN_STATES_CONTEXT | JN_STATES_OTHER))
        add_ref(st, "context", asl_ctx_context(&c));
    asl_err e = {0};
    cJSON *v = asl_jsonata_eval(asl_jsonata_tree(n), &c, st, &e);
    cJSON_Delete(st);
    asl_err_clear(&c.err);
    if (!v) {
        char *field = at_text(at);
        asl_jsonata_field_error(&e, n, field);
        free(field);
        asl_err_move(&j->err, &e);
    }
    return v;
}

static cJSON *jn_walk(asl_jn *j, const asl_node *n, const jn_at *at)
{
    switch (n->kind) {
    case JSONATA_KIND_ROOT: return jn_root(j, n, at);
    case ASL_N_NULL: return cJSON_CreateNull();
    case ASL_N_TRUE: return cJSON_CreateTrue();
    case ASL_N_FALSE: return cJSON_CreateFalse();
    case ASL_N_NUMBER: return cJSON_CreateNumber(n->num);
    case ASL_N_STRING: return cJSON_CreateString(n->str);
    case ASL_N_OBJECT:
    case ASL_N_ARRAY: {
        bool obj = n->kind == ASL_N_OBJECT;
        cJSON *o = obj ? cJSON_CreateObject() : cJSON_CreateArray();
        for (int i = 0; i < n->count; i++) {
            const asl_node *k = obj ? &n->kids[i].kids[0] : &n->kids[i];
            jn_at here = {obj ? n->kids[i].str : NULL, i, at};
            cJSON *v = jn_walk(j, k, &here);
            if (!v) {
                cJSON_Delete(o);
                return NULL;
            }
            if (obj)
                cJSON_AddItemToObjectCS(o, n->kids[i].str, v); /* keys are static data */
            else
                cJSON_AddItemToArray(o, v);
        }
        return o;
    }
    default:
        asl_err_set(&j->err, "States.Runtime", "internal error: node kind %d in a JSONata field", n->kind);
        return NULL;
    }
}

cJSON *asl_jn_eval(asl_jn *j, const asl_node *n, const char *field)
{
    jn_at root = {field, 0, NULL};
    return jn_walk(j, n, &root);
}

static const char *jn_type_name(const cJSON *v)
{
    if (cJSON_IsString(v)) return "string";
    if (cJSON_IsNumber(v)) return "number";
    if (cJSON_IsBool(v)) return "boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "array";
    return "object";
}

cJSON *asl_jn_eval_as(asl_jn *j, const asl_node *n, const char *field, int mask, const char *expected)
{
    cJSON *v = asl_jn_eval(j, n, field);
    if (!v)
        return NULL;
    bool ok = (v->type & 0xFF & mask) != 0;
    if (ok && cJSON_IsNumber(v) && strstr(expected, "integer"))
        ok = v->valuedouble == floor(v->valuedouble);
    if (ok)
        return v;
    char *text = asl_json_print(v);
    asl_err_set(&j->err, "States.QueryEvaluationError",
                "The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. "
                "Expected '%s', but was '%s' for value: %s",
                n->kind == JSONATA_KIND_ROOT && n->str ? n->str : "", field, expected, jn_type_name(v), text);
    free(text);
    cJSON_Delete(v);
    return NULL;
}

asl_step asl_jn_fail(asl_jn *j)
{
    asl_buf b = {0};
    asl_cause_prefix(&b, j->f);
    asl_buf_puts(&b, j->err.cause ? j->err.cause : "");
    asl_err_set(&j->f->err, j->err.error ? j->err.error : "States.QueryEvaluationError", "%s", b.p);
    asl_buf_free(&b);
    asl_err_clear(&j->err);
    return ASL_STEP_FAIL;
}

asl_step asl_jn_fail_msg(asl_frame *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    asl_fail_prefixed(f, "States.QueryEvaluationError", fmt, ap);
    va_end(ap);
    return ASL_STEP_FAIL;
}

cJSON *asl_jn_finish(asl_jn *j, const asl_node *assign, const asl_node *output, cJSON **dflt)
{
    cJSON *vals = NULL, *out;
    if (assign && !(vals = asl_jn_eval(j, assign, "Assign"))) {
        asl_jn_fail(j);
        return NULL;
    }
    if (output) {
        if (!(out = asl_jn_eval(j, output, "Output"))) {
            cJSON_Delete(vals);
            asl_jn_fail(j);
            return NULL;
        }
    } else {
        out = *dflt;
        *dflt = NULL;
    }
    if (vals)
        asl_store_vars(j->f, vals);
    return out;
}

cJSON *asl_jn_arguments(asl_frame *f, const asl_state *s)
{
    asl_inspect(f, "input", f->data);
    if (!s->parameters)
        return asl_json_clone(f->data);
    asl_jn j;
    asl_jn_init(&j, f, f->data);
    cJSON *v = asl_jn_eval(&j, s->parameters, "Arguments");
    if (!v)
        asl_jn_fail(&j);
    asl_inspect(f, "afterArguments", v);
    return v;
}

