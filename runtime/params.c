/*
 * params.c: a Pass or Task state's Parameters written as C (asl_gen.h,
 * compiler/lower_params.c). The generated function adds each field of the
 * template in turn (asl_tmpl_path, asl_tmpl_math_add ...; asl_tmpl_open and
 * asl_tmpl_close around an object's), then asl_tmpl_pass passes
 * the object on as asl_state_pass would: ResultPath, OutputPath, Next; or
 * asl_tmpl_take hands a Task its payload (io.c asl_effective_input_sized).
 *
 * It builds what io.c's template walk builds (same nodes, same views, the
 * same size bound) for the common shapes only. Anything else, and every
 * failure (a path that finds nothing, an intrinsic that fails, a number
 * MathAdd would round), drops what was built and runs the state through
 * asl_state_pass instead, which words the failure as AWS does: a template
 * only reads the state's input, so doing it again changes nothing (the
 * lowering never writes C for MathRandom or UUID, whose second call would
 * differ). So a generated template never decides an error itself.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "exec.h"
#include "member.h"
#include "quotas.h"

int asl_tmpl_begin(asl_tmpl *t, asl_frame *f, const asl_state *s)
{
    /* Inspection notes each step, and an InputPath that finds nothing (or
     * a null one, or one that selects several values) has its own
     * wording: the walk does those. */
    if (asl_engine_wants_inspection())
        return 0;
    const cJSON *in = f->data;
    if (s->input_path) {
        asl_ctx c;
        asl_ctx_init(&c, f, f->data);
        if (!(s->input_path->flags & ASL_F_DEFINITE) || asl_path_peek(s->input_path, &c, &in) != 0)
            return 0;
    }
    t->input = in;
    t->frame = f;
    t->state = s;
    t->failed = 0;
    t->tail = NULL;
    t->depth = 0;
    t->out = asl_json_node(cJSON_Object);
    t->bound = 2;
    return 1;
}

/* Links v (taken: a node just made, with no key of its own) under field,
 * static text: asl_json_add without its test for a key to free. */
static inline void link_new(asl_tmpl *t, const char *field, cJSON *v)
{
    v->string = (char *)(uintptr_t)field;
    v->type |= cJSON_StringIsConst;
    asl_json_add(t->out, (cJSON **)&t->tail, NULL, v);
}

/* Adds a member (taken) under field, static text, or fails the template. */
static void add(asl_tmpl *t, const char *field, cJSON *v)
{
    if (!v) {
        t->failed = 1;
        return;
    }
    t->bound += ASL_BOUND_MEMBER(strlen(field));
    asl_json_add(t->out, (cJSON **)&t->tail, field, v);
}

/* What a definite path from $ names in the state's input, or NULL. */
static const cJSON *peek(const asl_tmpl *t, const asl_node *path)
{
    if (path->count == 1 && path->kids[0].kind == ASL_N_STEP_NAME) /* $.key, the commonest */
        return asl_member(t->input, path->kids[0].str);
    asl_ctx c;
    asl_ctx_init(&c, t->frame, t->input);
    const cJSON *v;
    return asl_path_peek(path, &c, &v) == 0 ? v : NULL;
}

void asl_tmpl_path(asl_tmpl *t, const char *field, const asl_node *path)
{
    if (t->failed)
        return;
    cJSON *out = NULL;
    const cJSON *v = peek(t, path);
    if (v && !(v->type & (cJSON_Object | cJSON_Array))) {
        out = asl_json_copy_bound(v, &t->bound);
    } else if (v) {
        /* a container: selected as the walk selects it (a view stays one) */
        asl_ctx c;
        asl_ctx_init(&c, t->frame, t->input);
        if (asl_path_select(path, &c, &out) == 0)
            t->bound += asl_json_size_bound(out, asl_limit.payload_bytes);
        asl_err_clear(&c.err);
    }
    add(t, field, out);
}

void asl_tmpl_context(asl_tmpl *t, const char *field, const asl_node *path, size_t bound)
{
    if (t->failed)
        return;
    /* the $$ paths the walk reads straight from the execution; any other
     * is the walk's */
    cJSON *out;
    if (!asl_context_fast(path, t->frame, t->input, &out, &t->bound)) {
        t->failed = 1;
        return;
    }
    t->bound += bound;
    link_new(t, field, out); /* (a $$ value is made for the field) */
}

void asl_tmpl_call(asl_tmpl *t, const char *field, const asl_node *call)
{
    if (t->failed)
        return;
    asl_ctx c;
    asl_ctx_init(&c, t->frame, t->input);
    cJSON *v = asl_call(call, &c);
    asl_err_clear(&c.err);
    if (v)
        t->bound += (v->type & 0xff) == cJSON_Number ? 24 : asl_json_size_bound(v, asl_limit.payload_bytes);
    add(t, field, v);
}

void asl_tmpl_math_add(asl_tmpl *t, const char *field, const asl_node *path, double n)
{
    if (t->failed)
        return;
    /* Integers only (an int32 sum of int32s): anything MathAdd would
     * round, or refuse, is the walk's. */
    const cJSON *v = peek(t, path);
    double x = v && (v->type & 0xff) == cJSON_Number ? v->valuedouble : NAN, sum = x + n;
    if (!(x >= INT32_MIN && x <= INT32_MAX && x == (double)(int32_t)x && sum >= INT32_MIN && sum <= INT32_MAX)) {
        t->failed = 1;
        return;
    }
    t->bound += 24;
    add(t, field, asl_json_number(sum));
}

void asl_tmpl_literal(asl_tmpl *t, const char *field, const asl_node *n, size_t bound)
{
    if (t->failed)
        return;
    t->bound += bound;
    link_new(t, field, asl_literal_node(n));
}

void asl_tmpl_value(asl_tmpl *t, const char *field, const asl_node *n)
{
    if (t->failed)
        return;
    asl_ctx c;
    asl_ctx_init(&c, t->frame, t->input);
    size_t b;
    cJSON *v = asl_eval_sized(n, &c, &b);
    asl_err_clear(&c.err);
    t->bound += b;
    add(t, field, v);
}

/* A nested object is made and linked even after a failure, so that the
 * generated calls stay balanced and asl_tmpl_pass frees everything. */
void asl_tmpl_open(asl_tmpl *t)
{
    t->outer[t->depth][0] = t->out;
    t->outer[t->depth][1] = t->tail;
    t->depth++;
    t->out = asl_json_node(cJSON_Object);
    t->tail = NULL;
    t->bound += 2;
}

void asl_tmpl_close(asl_tmpl *t, const char *field)
{
    cJSON *o = t->out;
    t->depth--;
    t->out = t->outer[t->depth][0];
    t->tail = t->outer[t->depth][1];
    t->bound += ASL_BOUND_MEMBER(strlen(field));
    link_new(t, field, o);
}

asl_step asl_tmpl_pass(asl_tmpl *t)
{
    asl_frame *f = t->frame;
    const asl_state *s = t->state;
    cJSON *params = t->out;
    if (t->failed) {
        asl_json_drop(params);
        return asl_state_pass(f, s); /* words the failure */
    }
    cJSON *out = asl_state_output_sized(f, s, params, t->bound);
    return out ? asl_advance(f, s, out) : ASL_STEP_FAIL;
}

void *asl_tmpl_take(asl_tmpl *t, size_t *bound)
{
    if (t->failed) {
        asl_json_drop(t->out);
        return NULL;
    }
    *bound = t->bound;
    return t->out;
}
