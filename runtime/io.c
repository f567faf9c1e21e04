/*
 * io.c: input and output processing, in AWS's order: InputPath, Parameters
 * (or ItemSelector), the result, ResultSelector, ResultPath, OutputPath,
 * and Assign. Also the evaluation of templates and the context object
 * (JSONata states' fields are in jsonata_fields.c).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "history.h"
#include "jsonata_fields.h"
#include "member.h"
#include "quotas.h"

/* ---------------------------------------------------------- context */

void asl_ctx_init(asl_ctx *c, asl_frame *f, const cJSON *input)
{
    memset(c, 0, sizeof *c);
    c->frame = f;
    c->input = input;
}

static void add_time(cJSON *o, const char *key, double t)
{
    char buf[40];
    asl_timestamp_format(t, buf);
    cJSON_AddStringToObject(o, key, buf);
}

/* $$: built the first time a state reads it, kept until the state ends. */
static cJSON *build_context(asl_frame *f)
{
    asl_exec *x = f->exec;
    cJSON *c = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(c, "Execution");
    cJSON_AddStringToObject(e, "Id", x->arn);
    cJSON_AddItemToObject(e, "Input", asl_json_view(x->input));
    cJSON_AddStringToObject(e, "Name", x->name);
    cJSON_AddStringToObject(e, "RoleArn", asl_role_arn());
    add_time(e, "StartTime", x->start);
    if (!x->machine->express) /* Express executions cannot be redriven */
        cJSON_AddNumberToObject(e, "RedriveCount", 0);
    cJSON *s = cJSON_AddObjectToObject(c, "State");
    add_time(s, "EnteredTime", f->entered);
    cJSON_AddStringToObject(s, "Name", f->graph->states[f->state].name);
    /* Only states that can retry have a RetryCount. */
    int type = f->graph->states[f->state].type;
    if (type == ASL_TASK || type == ASL_PARALLEL || type == ASL_MAP)
        cJSON_AddNumberToObject(s, "RetryCount", f->retry_count);
    cJSON *m = cJSON_AddObjectToObject(c, "StateMachine");
    cJSON_AddStringToObject(m, "Id", x->machine_arn);
    cJSON_AddStringToObject(m, "Name", x->machine->name);
    if (f->task && f->task->token) {
        cJSON *t = cJSON_AddObjectToObject(c, "Task");
        cJSON_AddStringToObject(t, "Token", f->task->token);
    }
    return c;
}

/* Whether the cached $$ describes an earlier attempt of the state: a retry
 * runs the state again with a new RetryCount (and, for a
 * .waitForTaskToken task, a new token) without entering it anew. Nobody
 * holds pointers into $$ between attempts, so it can be rebuilt. */
static bool context_stale(asl_frame *f)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(f->context, "State");
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(s, "RetryCount");
    if (rc && rc->valuedouble != f->retry_count)
        return true;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(f->context, "Task");
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(t, "Token");
    const char *now = f->task ? f->task->token : NULL;
    /* (once the task is done f->task is NULL: $$.Task.Token stays) */
    return now && (!cJSON_IsString(tok) || strcmp(tok->valuestring, now));
}

const cJSON *asl_ctx_context(asl_ctx *c)
{
    if (!c->frame)
        return c->context;
    asl_frame *f = c->frame;
    if (f->context && context_stale(f)) {
        asl_json_drop(f->context);
        f->context = NULL;
    }
    if (!f->context)
        f->context = build_context(f);
    if (c->map_item) {
        /* Inside ItemSelector: $$.Map.Item for this item only. Built once
         * per item: callers (intrinsic arguments, several fields) keep
         * pointers into $$ while they look up the next path, so an
         * existing Map.Item for the same index must stay where it is. */
        cJSON *m = cJSON_GetObjectItemCaseSensitive(f->context, "Map");
        const cJSON *old = m ? cJSON_GetObjectItemCaseSensitive(m, "Item") : NULL;
        const cJSON *ix = old ? cJSON_GetObjectItemCaseSensitive(old, "Index") : NULL;
        if (cJSON_IsNumber(ix) && ix->valuedouble == c->map_index)
            return f->context;
        if (m)
            cJSON_DeleteItemFromObjectCaseSensitive(f->context, "Map");
        m = cJSON_AddObjectToObject(f->context, "Map");
        cJSON *it = cJSON_AddObjectToObject(m, "Item");
        cJSON_AddNumberToObject(it, "Index", c->map_index);
        cJSON_AddItemToObject(it, "Value", cJSON_Duplicate(c->map_item, 1));
    }
    return f->context;
}

const cJSON *asl_ctx_var(asl_ctx *c, const char *name)
{
    /* (a variable's key is the unit's, as a path names it: member.h) */
    if (!c->frame)
        return asl_member(c->vars, name);
    for (asl_frame *f = c->frame; f; f = f->parent) {
        const cJSON *v = asl_member(f->vars, name);
        if (v)
            return v;
    }
    return NULL;
}

/* --------------------------------------------------------- templates */

/* What the steps from `from` on select below v (names and indexes only:
 * the rest of a definite path), borrowed; NULL if they find nothing. */
static const cJSON *follow_from(asl_ctx *c, const cJSON *v, const asl_node *path, int from)
{
    /* Names only (the usual $$.Execution.Input.key): looked up here. */
    const cJSON *w = v;
    int i = from;
    for (; w && i < path->count && path->kids[i].kind == ASL_N_STEP_NAME; i++)
        w = asl_member(w, path->kids[i].str);
    if (i == path->count || !w)
        return w;
    asl_node rest = *path;
    rest.op = ASL_ROOT_INPUT;
    rest.kids += from;
    rest.count -= from;
    const cJSON *input = c->input, *out;
    c->input = v; /* (a root of $ reads nothing else of the context) */
    int rc = asl_path_peek(&rest, c, &out);
    c->input = input;
    return rc == 0 ? out : NULL;
}

/* The common $$ paths ($$.Execution.Id, $$.Execution.Input..., $$.Task.Token,
 * $$.Map.Item...) read straight from the execution, without building $$
 * (a copy of the execution input and a dozen strings) for one value.
 * Returns true with *out set (and *bound grown) when it could answer.
 * (The first step is told apart by its first byte: most templates read
 * one or two of these per field, and a name compared in full each time
 * cost more than the value.) */
static inline __attribute__((always_inline)) bool context_fast(const asl_node *path, asl_ctx *c, cJSON **out,
                                                              size_t *bound)
{
    asl_frame *f = c->frame;
    if (!f || path->op != ASL_ROOT_CONTEXT || !(path->flags & ASL_F_DEFINITE) || path->count < 2)
        return false;
    const asl_node *k = path->kids;
    if (k[0].kind != ASL_N_STEP_NAME || k[1].kind != ASL_N_STEP_NAME)
        return false;
    const char *a = k[0].str, *b = k[1].str, *text = NULL;
    const cJSON *base = NULL;
    bool item = false; /* base lies in the Map item (else in the execution's input) */
    if (c->map_item && (path->flags & ASL_F_MAP_ITEM)) {
        /* (aslc named the steps: Map, Item, then Index or Value) */
        if (path->count == 3 && k[2].str[0] == 'I') {
            *out = asl_json_number(c->map_index);
            *bound += 24;
            return true;
        }
        base = follow_from(c, c->map_item, path, 3);
        item = true;
    } else if (c->map_item && !strcmp(a, "Map") && !strcmp(b, "Item")) {
        if (path->count < 3 || k[2].kind != ASL_N_STEP_NAME)
            return false;
        if (path->count == 3 && !strcmp(k[2].str, "Index")) {
            *out = asl_json_number(c->map_index);
            *bound += 24;
            return true;
        }
        if (strcmp(k[2].str, "Value"))
            return false;
        base = follow_from(c, c->map_item, path, 3);
        item = true;
    } else if (a[0] == 'E') {
        if (strcmp(a, "Execution"))
            return false;
        if (b[0] == 'I' && b[1] == 'd' && !b[2])
            text = path->count == 2 ? f->exec->arn : NULL;
        else if (b[0] == 'I' && !strcmp(b, "Input"))
            base = follow_from(c, f->exec->input, path, 2);
        else if (path->count == 2 && !strcmp(b, "Name"))
            text = f->exec->name;
    } else if (path->count == 2) {
        switch (a[0]) {
        case 'S':
            if (!strcmp(a, "StateMachine"))
                text = !strcmp(b, "Id") ? f->exec->machine_arn : !strcmp(b, "Name") ? f->exec->machine->name : NULL;
            else if (!strcmp(a, "State") && !strcmp(b, "Name"))
                text = f->graph->states[f->state].name;
            break;
        case 'T':
            if (!strcmp(a, "Task") && !strcmp(b, "Token") && f->task && f->task->token)
                text = f->task->token;
            break;
        }
    }
    if (text) {
        size_t n = strlen(text);
        *out = asl_json_string_len(text, n);
        *bound += ASL_BOUND_TEXT(n);
        return true;
    }
    if (!base)
        return false; /* the general path words the failure */
    /* The execution's input is viewed (its bound walked, not copied); an
     * item may be ours to change: copied. */
    if (!item) {
        *out = asl_json_view(base);
        *bound += asl_json_size_bound(base, asl_limit.payload_bytes);
    } else {
        *out = asl_json_copy_bound(base, bound);
    }
    return true;
}

/* For params.c (a Pass or Task template: no Map item, which the compiler
 * then leaves out); the walk keeps its copy in line (a call there cost
 * map100 3%). */
bool asl_context_fast(const asl_node *path, asl_frame *f, const cJSON *input, cJSON **out, size_t *bound)
{
    asl_ctx c;
    asl_ctx_init(&c, f, input);
    return context_fast(path, &c, out, bound);
}

static cJSON *eval_path_field(const asl_node *path, const char *field, asl_ctx *c, size_t *bound)
{
    cJSON *out = NULL;
    if (context_fast(path, c, &out, bound))
        return out;
    int rc = 1;
    const cJSON *v;
    if ((path->flags & ASL_F_DEFINITE) && (rc = asl_path_peek(path, c, &v)) == 0 &&
        !(v->type & (cJSON_Object | cJSON_Array))) {
        /* a scalar: copied, and measured as it is copied */
        return asl_json_copy_bound(v, bound);
    } else if (!(path->flags & ASL_F_DEFINITE) || rc == 0) {
        /* (a container under a view is viewed, see view.c) */
        rc = asl_path_select(path, c, &out);
        if (rc == 0) {
            *bound += asl_json_size_bound(out, asl_limit.payload_bytes);
            return out;
        }
    }
    if (rc == 1) {
        const cJSON *root = path->op == ASL_ROOT_CONTEXT ? asl_ctx_context(c) : c->input;
        char *text = asl_json_print(root);
        asl_err_set(&c->err, "States.Runtime",
                    "The JSONPath '%s' specified for the field '%s.$' could not be found in the input '%s'",
                    path->str, field, text);
        free(text);
    }
    return NULL;
}

/* Templates are built node by node, members linked with a tail pointer,
 * and *bound grows by an upper bound of the value's size as JSON (what
 * asl_json_size_bound would find), so the payload quota needs no walk of
 * its own. A container's literal parts (keys, literal members) come
 * added up by aslc (the node's num, asl_gen.h): its literals are then
 * built without counting them again. */
static cJSON *eval_value(const asl_node *n, const char *field, asl_ctx *c, size_t *bound);

static cJSON *eval_members(const asl_node *n, const char *field, asl_ctx *c, size_t *bound)
{
    bool object = n->kind == ASL_N_OBJECT, counted = n->num > 0;
    cJSON *o = asl_json_node(object ? cJSON_Object : cJSON_Array), *tail = NULL;
    *bound += counted ? (size_t)n->num : ASL_BOUND_BRACKETS;
    for (int i = 0; i < n->count; i++) {
        const asl_node *k = &n->kids[i], *vn = object ? &k->kids[0] : k;
        /* (the kinds before ARRAY are literals) */
        cJSON *v = counted && vn->kind <= ASL_N_STRING ? asl_literal_node(vn)
                                                       : eval_value(vn, object ? k->str : field, c, bound);
        if (!v) {
            asl_json_drop(o);
            return NULL;
        }
        if (!counted)
            *bound += object ? ASL_BOUND_MEMBER(strlen(k->str)) : 1;
        /* Keys are static data of the compiled machine: no copy. */
        asl_json_add(o, &tail, object ? k->str : NULL, v);
    }
    return o;
}

static cJSON *eval_value(const asl_node *n, const char *field, asl_ctx *c, size_t *bound)
{
    cJSON *v;
    switch ((asl_node_kind)n->kind) {
    case ASL_N_NULL:
    case ASL_N_TRUE:
    case ASL_N_FALSE: *bound += ASL_BOUND_LITERAL; return asl_literal_node(n);
    case ASL_N_NUMBER: *bound += ASL_BOUND_NUMBER; return asl_literal_node(n);
    case ASL_N_STRING: *bound += ASL_BOUND_TEXT(strlen(n->str ? n->str : "")); return asl_literal_node(n);
    case ASL_N_OBJECT:
    case ASL_N_ARRAY: return eval_members(n, field, c, bound);
    case ASL_N_PATH: return eval_path_field(n, field ? field : "", c, bound);
    case ASL_N_CALL:
        if ((v = asl_call(n, c)))
            *bound += (v->type & 0xff) == cJSON_Number ? ASL_BOUND_NUMBER : asl_json_size_bound(v, asl_limit.payload_bytes);
        return v;
    default:
        asl_err_set(&c->err, "States.Runtime", "internal error: node kind %d in a template", n->kind);
        return NULL;
    }
}

cJSON *asl_eval(const asl_node *n, asl_ctx *c)
{
    size_t bound = 0;
    return eval_value(n, NULL, c, &bound);
}

cJSON *asl_eval_sized(const asl_node *n, asl_ctx *c, size_t *bound)
{
    *bound = 0;
    return eval_value(n, NULL, c, bound);
}

/* ------------------------------------------------------- path fields */

/* AWS (Jayway) words a failed reference path by the first step that found
 * nothing: the last step gives "No results for path", an earlier one
 * "Missing property in path". */
static void missing_cause(asl_buf *b, const asl_node *path, asl_ctx *c)
{
    asl_buf p = {0};
    const cJSON *cur;
    int i = 0;
    if (path->op == ASL_ROOT_VAR && path->count > 0) {
        /* $name...: the steps after the first walk the variable's value */
        asl_buf_printf(&p, "$%s", path->kids[0].str);
        cur = asl_ctx_var(c, path->kids[0].str);
        if (!cur) {
            asl_buf_printf(b, "%s%s", path->count == 1 ? "No results for path: " : "Missing property in path ", p.p);
            asl_buf_free(&p);
            return;
        }
        i = 1;
    } else {
        asl_buf_puts(&p, "$");
        cur = path->op == ASL_ROOT_CONTEXT ? asl_ctx_context(c) : c->input;
    }
    for (; i < path->count; i++) {
        const asl_node *st = &path->kids[i];
        if (st->kind == ASL_N_STEP_NAME) {
            asl_buf_puts(&p, "['");
            asl_buf_puts(&p, st->str);
            asl_buf_puts(&p, "']");
            cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, st->str) : NULL;
        } else {
            asl_buf_printf(&p, "[%d]", (int)st->num);
            cur = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, (int)st->num) : NULL;
        }
        if (!cur) {
            asl_buf_printf(b, "%s%s", i + 1 == path->count ? "No results for path: " : "Missing property in path ", p.p);
            asl_buf_free(&p);
            return;
        }
    }
    asl_buf_printf(b, "No results for path: %s", p.p);
    asl_buf_free(&p);
}

/* Prefix AWS puts on every States.Runtime cause raised inside a state. */
void asl_cause_prefix(asl_buf *b, asl_frame *f)
{
    asl_buf_printf(b, "An error occurred while executing the state '%s' (entered at the event id #%d). ",
                   f->graph->states[f->state].name, f->entered_id);
}

/* Fails the frame with error, the cause prefixed as AWS prefixes it. */
asl_step asl_fail_prefixed(asl_frame *f, const char *error, const char *fmt, va_list ap)
{
    asl_buf b = {0};
    asl_cause_prefix(&b, f);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *msg = malloc((size_t)n + 1);
    if (!msg)
        abort();
    vsnprintf(msg, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    asl_buf_puts(&b, msg);
    free(msg);
    asl_err_set(&f->err, error, "%s", b.p);
    asl_buf_free(&b);
    return ASL_STEP_FAIL;
}

asl_step asl_fail_runtime(asl_frame *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    asl_fail_prefixed(f, "States.Runtime", fmt, ap);
    va_end(ap);
    return ASL_STEP_FAIL;
}

/* Applies a reference path (InputPath, OutputPath, ItemsPath); NULL path
 * node means "$", a null path gives {}. Returns NULL with f->err set. */
cJSON *asl_apply_path(asl_frame *f, const asl_node *path, const cJSON *doc)
{
    if (!path)
        return asl_json_clone(doc);
    if (path->kind == ASL_N_NULL)
        return cJSON_CreateObject();
    asl_ctx c;
    asl_ctx_init(&c, f, doc);
    cJSON *out = NULL;
    int rc = asl_path_select(path, &c, &out);
    if (rc == 0)
        return out;
    if (rc == 1) {
        asl_buf b = {0};
        missing_cause(&b, path, &c);
        asl_fail_runtime(f, "Invalid path '%s' : %s", path->str, b.p);
        asl_buf_free(&b);
    } else {
        asl_frame_fail_err(f, &c.err);
    }
    return NULL;
}

const cJSON *asl_path_view(asl_frame *f, const asl_node *path, const cJSON *doc, cJSON **owned)
{
    *owned = NULL;
    if (!path)
        return doc;
    if (path->kind != ASL_N_NULL && path->op == ASL_ROOT_INPUT && (path->flags & ASL_F_DEFINITE)) {
        asl_ctx c;
        asl_ctx_init(&c, f, doc);
        const cJSON *v;
        if (asl_path_peek(path, &c, &v) == 0)
            return v;
    }
    return *owned = asl_apply_path(f, path, doc);
}

cJSON *asl_apply_path_take(asl_frame *f, const asl_node *path, cJSON *doc)
{
    if (!path)
        return doc;
    cJSON *v = asl_path_detach(path, doc);
    if (!v)
        v = asl_apply_path(f, path, doc);
    if (v != doc)
        asl_json_drop(doc);
    return v;
}

/* Evaluates a template (Parameters, ResultSelector, ItemSelector) against
 * input; errors become the frame's, prefixed as AWS prefixes them. *bound
 * is set to the value's size bound. */
static cJSON *apply_template(asl_frame *f, const asl_node *tmpl, const cJSON *input, size_t *bound)
{
    asl_ctx c;
    asl_ctx_init(&c, f, input);
    cJSON *out = asl_eval_sized(tmpl, &c, bound);
    if (!out) {
        if (c.err.error && !strcmp(c.err.error, "States.Runtime")) {
            asl_fail_runtime(f, "%s", c.err.cause ? c.err.cause : "");
            asl_err_clear(&c.err);
        } else {
            asl_frame_fail_err(f, &c.err);
        }
    }
    return out;
}

cJSON *asl_apply_template(asl_frame *f, const asl_node *tmpl, const cJSON *input)
{
    size_t bound;
    return apply_template(f, tmpl, input, &bound);
}

/* The steps of asl_effective_input one by one, noting each value for
 * inspection (only when an observer asked: it copies). */
__attribute__((noinline)) static cJSON *inspected_input(asl_frame *f, const asl_state *s, const asl_node *parameters)
{
    asl_inspect(f, "input", f->data);
    cJSON *in = asl_apply_path(f, s->input_path, f->data);
    if (!in)
        return NULL;
    asl_inspect(f, "afterInputPath", in);
    if (!parameters)
        return in;
    cJSON *out = asl_apply_template(f, parameters, in);
    asl_json_drop(in);
    asl_inspect(f, "afterParameters", out);
    return out;
}

/* The template walked (parameters set, no inspection). */
__attribute__((noinline)) static cJSON *walked_input(asl_frame *f, const asl_state *s, const asl_node *parameters,
                                                     size_t *bound)
{
    /* The template only reads its input: borrow it rather than copy. */
    const cJSON *in = f->data;
    cJSON *owned = NULL;
    if (s->input_path && s->input_path->kind == ASL_N_NULL) {
        in = owned = cJSON_CreateObject();
    } else if (s->input_path) {
        asl_ctx c;
        asl_ctx_init(&c, f, f->data);
        if (asl_path_peek(s->input_path, &c, &in) != 0) {
            asl_err_clear(&c.err);
            return asl_apply_path(f, s->input_path, f->data); /* words the failure */
        }
    }
    cJSON *out = apply_template(f, parameters, in, bound);
    if (owned)
        asl_json_drop(owned);
    return out;
}

cJSON *asl_effective_input_sized(asl_frame *f, const asl_state *s, const asl_node *parameters, size_t *bound)
{
    *bound = 0;
    if (asl_engine_wants_inspection())
        return inspected_input(f, s, parameters);
    if (!parameters)
        return asl_apply_path(f, s->input_path, f->data);
    if (s->build_parameters && parameters == s->parameters) {
        /* written as C (params.c); NULL: built by the walk */
        cJSON *out = s->build_parameters(f, s, bound);
        if (out)
            return out;
        *bound = 0;
    }
    return walked_input(f, s, parameters, bound);
}

cJSON *asl_effective_input(asl_frame *f, const asl_state *s, const asl_node *parameters)
{
    size_t bound;
    return asl_effective_input_sized(f, s, parameters, &bound);
}

/* Stores evaluated variables (takes vals) in the frame's scope. Every
 * expression read the variables as they were before the state: all are
 * evaluated first, then stored. */
void asl_store_vars(asl_frame *f, cJSON *vals)
{
    if (!f->vars)
        f->vars = cJSON_CreateObject();
    while (vals->child) {
        cJSON *v = cJSON_DetachItemViaPointer(vals, vals->child);
        cJSON *old = (cJSON *)asl_member(f->vars, v->string);
        if (old)
            cJSON_Delete(cJSON_DetachItemViaPointer(f->vars, old));
        /* an Assign's key is the unit's (static: kept, and found by its
         * address), else copied */
        if (v->type & cJSON_StringIsConst)
            cJSON_AddItemToObjectCS(f->vars, v->string, v);
        else
            cJSON_AddItemToObject(f->vars, v->string, v);
    }
    asl_json_drop(vals);
}

int asl_assign(asl_frame *f, const asl_node *assign, asl_ctx *c)
{
    cJSON *vals = asl_eval(assign, c);
    if (!vals) {
        /* Named after the state, as every States.Runtime cause is. */
        if (c->err.error && !strcmp(c->err.error, "States.Runtime")) {
            asl_buf b = {0};
            asl_cause_prefix(&b, f);
            asl_buf_puts(&b, c->err.cause ? c->err.cause : "");
            asl_err_set(&c->err, "States.Runtime", "%s", b.p);
            asl_buf_free(&b);
        }
        return -1;
    }
    asl_store_vars(f, vals);
    return 0;
}

/* Output and Assign after a Task, Parallel or Map: $states.result is the
 * result (taken), the default output. */
static cJSON *jn_state_output(asl_frame *f, const asl_state *s, cJSON *result)
{
    asl_jn j;
    asl_jn_init(&j, f, f->data);
    j.result = result;
    asl_inspect(f, "result", result);
    cJSON *out = asl_jn_finish(&j, s->assign, s->output, &result);
    asl_json_drop(result);
    return out;
}

cJSON *asl_state_output(asl_frame *f, const asl_state *s, cJSON *result)
{
    return asl_state_output_sized(f, s, result, 0);
}

cJSON *asl_state_output_plain(asl_frame *f, const asl_state *s, cJSON *result, size_t rb)
{
    /* The common case in few instructions: the result is the output
     * (OutputPath aside), as asl_state_output_rest would make it. */
    if (result == f->data && !(s->nretry || s->ncatch))
        f->data = NULL;
    f->out_bound = rb ? rb : asl_json_size_bound(result, asl_limit.payload_bytes);
    return s->output_path ? asl_apply_path_take(f, s->output_path, result) : result;
}

cJSON *asl_state_output_rest(asl_frame *f, const asl_state *s, cJSON *result, size_t rb)
{
    if (s->jsonata)
        return jn_state_output(f, s, result);
    asl_inspect(f, "result", result);
    if (s->result_selector) {
        cJSON *sel = apply_template(f, s->result_selector, result, &rb);
        asl_json_drop(result);
        if (!(result = sel))
            return NULL;
        asl_inspect(f, "afterResultSelector", result);
    }
    if (s->assign) {
        asl_ctx c;
        asl_ctx_init(&c, f, result);
        if (asl_assign(f, s->assign, &c) < 0) {
            asl_frame_fail_err(f, &c.err);
            asl_json_drop(result);
            return NULL;
        }
    }
    /* The raw input is needed again only by a retry or a catcher: without
     * them the output may take it over instead of copying it. */
    bool keep = s->nretry || s->ncatch;
    cJSON *out;
    /* The output's size is at most the input's plus the result's (and the
     * keys ResultPath adds), so only the result is measured here; OutputPath
     * only takes away (see asl_output_over). */
    if (!rb)
        rb = asl_json_size_bound(result, asl_limit.payload_bytes);
    if (s->result_path && s->result_path->kind == ASL_N_NULL) {
        asl_json_drop(result);
        out = keep ? asl_json_clone(f->data) : f->data;
        f->out_bound = f->data_bound;
    } else if (!s->result_path) {
        out = result;
        f->out_bound = rb;
    } else {
        f->out_bound = f->data_bound ? f->data_bound + rb + 8 * strlen(s->result_path->str) + 16 : 0;
        out = keep ? asl_json_clone(f->data) : f->data;
        if (!keep)
            f->data = NULL;
        asl_err e = {0};
        if (asl_path_assign(&out, s->result_path, result, &e) < 0) {
            asl_json_drop(out);
            asl_frame_fail_err(f, &e);
            return NULL;
        }
    }
    if (!keep && out == f->data)
        f->data = NULL;
    asl_inspect(f, "afterResultPath", out);
    if (!s->output_path)
        return out;
    return asl_apply_path_take(f, s->output_path, out);
}
