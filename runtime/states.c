/*
 * states.c: the state types that finish in one step or wait for a timer:
 * Pass, Succeed, Fail, Choice and Wait.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "pool.h"
#include "jsonata_fields.h"

/* A JSONata Pass, Succeed or Wait (once waited): Assign, then Output or
 * the input itself. */
static asl_step jn_pass_on(asl_frame *f, const asl_state *s)
{
    asl_jn j;
    asl_jn_init(&j, f, f->data);
    cJSON *out = asl_jn_finish(&j, s->assign, s->output, &f->data);
    return out ? asl_advance(f, s, out) : ASL_STEP_FAIL;
}

asl_step asl_state_pass(asl_frame *f, const asl_state *s)
{
    if (s->jsonata)
        return jn_pass_on(f, s);
    size_t bound = 0;
    cJSON *result = NULL;
    if (!s->result || s->parameters || asl_engine_wants_inspection()) {
        if (!(result = asl_effective_input_sized(f, s, s->parameters, &bound)))
            return ASL_STEP_FAIL;
    } else if (s->input_path) {
        /* Result replaces the effective input, which is then only looked
         * at (an InputPath that selects nothing still fails), not copied. */
        cJSON *owned;
        if (!asl_path_view(f, s->input_path, f->data, &owned))
            return ASL_STEP_FAIL;
        asl_json_delete(owned);
    }
    if (s->result) {
        asl_json_delete(result);
        asl_ctx c;
        asl_ctx_init(&c, f, f->data);
        result = asl_eval_sized(s->result, &c, &bound);
        if (!result)
            return asl_frame_fail_err(f, &c.err);
    }
    cJSON *out = asl_state_output_sized(f, s, result, bound);
    return out ? asl_advance(f, s, out) : ASL_STEP_FAIL;
}

/* The input after InputPath, for states that pass it on (Succeed, Choice,
 * Wait). None of them retries or catches, so without an InputPath the raw
 * input itself moves on instead of a copy. */
cJSON *asl_state_input(asl_frame *f, const asl_state *s)
{
    f->out_bound = f->data_bound; /* they output (part of) their input */
    /* The raw input is dead after InputPath: move the part it selects. */
    cJSON *in = s->input_path ? asl_path_detach(s->input_path, f->data) : f->data;
    if (!in)
        return asl_apply_path(f, s->input_path, f->data);
    if (in != f->data)
        asl_json_delete(f->data);
    f->data = NULL;
    return in;
}

asl_step asl_state_succeed(asl_frame *f, const asl_state *s)
{
    if (s->jsonata)
        return jn_pass_on(f, s);
    cJSON *in = asl_state_input(f, s);
    if (!in)
        return ASL_STEP_FAIL;
    cJSON *out = asl_apply_path_take(f, s->output_path, in);
    return out ? asl_advance(f, s, out) : ASL_STEP_FAIL;
}

/* Error and Cause are literals or (ErrorPath, CausePath) paths that must
 * name a string. */
static int fail_field(asl_frame *f, const asl_node *n, const char *name, char **out)
{
    *out = NULL;
    if (!n)
        return 0;
    if (n->kind == ASL_N_STRING) {
        *out = strdup(n->str);
        return 0;
    }
    if (n->kind == JSONATA_KIND_ROOT) {
        asl_jn j;
        asl_jn_init(&j, f, f->data);
        cJSON *v = asl_jn_eval_as(&j, n, name, cJSON_String, "string");
        if (!v)
            return asl_jn_fail(&j), -1;
        *out = strdup(v->valuestring);
        asl_json_delete(v);
        return 0;
    }
    /* A path that finds nothing has AWS's own cause; an intrinsic fails as
     * in a template, with the state named in the cause. */
    cJSON *v;
    if (n->kind == ASL_N_PATH) {
        asl_ctx c;
        asl_ctx_init(&c, f, f->data);
        int rc = asl_path_select(n, &c, &v);
        if (rc < 0)
            return asl_frame_fail_err(f, &c.err), -1;
        if (rc > 0) {
            char *text = asl_json_print(f->data);
            asl_fail_runtime(f, "The JSONPath '%s' specified for the field '%sPath' could not be found in the input '%s'",
                             n->str, name, text);
            free(text);
            return -1;
        }
    } else if (!(v = asl_apply_template(f, n, f->data)))
        return -1;
    if (!cJSON_IsString(v)) {
        char *text = asl_json_print(v);
        asl_json_delete(v);
        asl_fail_runtime(f, "The %sPath field '%s' must reference a string, but was: %s", name,
                         n->str ? n->str : "", text);
        free(text);
        return -1;
    }
    *out = strdup(v->valuestring);
    asl_json_delete(v);
    return 0;
}

asl_step asl_state_fail(asl_frame *f, const asl_state *s)
{
    char *error, *cause;
    if (fail_field(f, s->error, "Error", &error) < 0)
        return ASL_STEP_FAIL;
    if (fail_field(f, s->cause, "Cause", &cause) < 0) {
        free(error);
        return ASL_STEP_FAIL;
    }
    asl_err_clear(&f->err);
    f->err.error = error;
    f->err.cause = cause;
    f->fail_state = true;
    return ASL_STEP_FAIL;
}

/* ------------------------------------------------------------ Choice */

/* A JSONata Choice: the first rule whose Condition is true, with its
 * Assign and Output; else the Default with the state's. */
static asl_step jn_choice(asl_frame *f, const asl_state *s)
{
    asl_jn j;
    asl_jn_init(&j, f, f->data);
    int next = s->default_next;
    const asl_node *assign = s->assign, *output = s->output;
    for (int i = 0; i < s->nrules; i++) {
        const asl_node *r = s->rules[i];
        bool hit = r->kind == ASL_N_TRUE;
        if (r->kind == JSONATA_KIND_ROOT) {
            char field[48];
            snprintf(field, sizeof field, "Choices[%d]/Condition", i);
            cJSON *v = asl_jn_eval_as(&j, r, field, cJSON_True | cJSON_False, "boolean");
            if (!v)
                return asl_jn_fail(&j);
            hit = cJSON_IsTrue(v);
            asl_json_delete(v);
        }
        if (hit) {
            next = s->choice_next[i];
            assign = s->choice_assign ? s->choice_assign[i] : NULL;
            output = s->choice_output ? s->choice_output[i] : NULL;
            break;
        }
    }
    if (next < 0)
        return asl_frame_fail(f, "States.NoChoiceMatched", "No Matches!");
    cJSON *out = asl_jn_finish(&j, assign, output, &f->data);
    return out ? asl_goto(f, next, out) : ASL_STEP_FAIL;
}

/* A JSONPath Choice whose rules are walked (choice.c); aslc's generated
 * code does the same with the rules written as C. */
asl_step asl_state_choice(asl_frame *f, const asl_state *s)
{
    if (s->jsonata)
        return jn_choice(f, s);
    asl_choice c;
    if (!asl_choice_begin(&c, f, s))
        return ASL_STEP_FAIL;
    for (int i = 0; i < s->nrules; i++)
        if (asl_choice_walk(&c, i))
            return asl_choose(&c, i);
    return asl_choose(&c, -1);
}

/* -------------------------------------------------------------- Wait */

#define MAX_WAIT_SECONDS (365.0 * 24 * 3600)

static asl_step wait_done(asl_frame *f)
{
    const asl_state *s = &f->graph->states[f->state];
    if (!s->input_path && !s->assign && !s->output_path && !s->jsonata) {
        /* The common Wait passes its input on as it is (as below). */
        cJSON *in = f->data;
        f->out_bound = f->data_bound;
        f->data = NULL;
        return asl_advance(f, s, in);
    }
    if (s->jsonata)
        return jn_pass_on(f, s);
    cJSON *in = asl_state_input(f, s);
    if (!in)
        return ASL_STEP_FAIL;
    if (s->assign) {
        /* A Wait has no result: Assign reads its input. */
        asl_ctx c;
        asl_ctx_init(&c, f, in);
        if (asl_assign(f, s->assign, &c) < 0) {
            asl_json_delete(in);
            return asl_frame_fail_err(f, &c.err);
        }
    }
    cJSON *out = asl_apply_path_take(f, s->output_path, in);
    return out ? asl_advance(f, s, out) : ASL_STEP_FAIL;
}

static void wait_fire(asl_frame *f)
{
    asl_wake_timed(f, wait_done);
}

/* The same for a JSONata Seconds or Timestamp expression. */
static double jn_wait_until(asl_frame *f, const asl_state *s, double now)
{
    asl_jn j;
    asl_jn_init(&j, f, f->data);
    double when = -1, t;
    if (s->seconds) {
        cJSON *v = asl_jn_eval_as(&j, s->seconds, "Seconds", cJSON_Number, "integer");
        if (v && v->valuedouble >= 0)
            when = now + v->valuedouble;
        else if (v)
            asl_jn_fail_msg(f, "The Seconds field must be a non-negative integer, but was: %g", v->valuedouble);
        else
            asl_jn_fail(&j);
        asl_json_delete(v);
        return when;
    }
    cJSON *v = asl_jn_eval(&j, s->timestamp, "Timestamp");
    if (!v) {
        asl_jn_fail(&j);
        return -1;
    }
    if (cJSON_IsString(v) && asl_timestamp_parse(v->valuestring, &t)) {
        when = t;
    } else {
        char *text = cJSON_IsString(v) ? strdup(v->valuestring) : asl_json_print(v);
        asl_jn_fail_msg(f, "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: %s",
                        text);
        free(text);
    }
    asl_json_delete(v);
    return when;
}

/* The time the Wait ends, or a negative value with f->err set. */
static double wait_until(asl_frame *f, const asl_state *s, const cJSON *in)
{
    double now = asl_now();
    if (s->seconds && s->seconds->kind == ASL_N_NUMBER)
        return now + s->seconds->num;
    if (s->timestamp && s->timestamp->kind == ASL_N_STRING) {
        double t;
        if (!asl_timestamp_parse(s->timestamp->str, &t)) {
            asl_fail_runtime(f, "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: %s",
                             s->timestamp->str);
            return -1;
        }
        return t;
    }
    const asl_node *p = s->seconds ? s->seconds : s->timestamp;
    if (p->kind == JSONATA_KIND_ROOT)
        return jn_wait_until(f, s, now);
    asl_ctx c;
    asl_ctx_init(&c, f, in);
    const cJSON *v = NULL;
    int rc = asl_path_peek(p, &c, &v);
    char *text = rc == 0 ? asl_json_print(v) : strdup("null");
    double when = -1;
    if (s->seconds) {
        bool whole = rc == 0 && cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
        if (whole && v->valuedouble >= 0)
            when = now + v->valuedouble;
        else if (whole)
            asl_fail_runtime(f, "The SecondsPath parameter references a negative value: %s == %s", p->str, text);
        else
            asl_fail_runtime(f, "The SecondsPath parameter cannot be parsed as a long value: %s == %s", p->str, text);
    } else {
        double t;
        if (rc == 0 && cJSON_IsString(v) && asl_timestamp_parse(v->valuestring, &t))
            when = t;
        else
            asl_fail_runtime(f, "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s",
                             p->str, rc == 0 && cJSON_IsString(v) ? v->valuestring : text);
    }
    free(text);
    asl_err_clear(&c.err);
    return when;
}

/* The time a Wait ends when it reads its input (InputPath, a path, a
 * timestamp, JSONata), or a negative value with f->err set (out of line:
 * the common Wait, a number of seconds, stays small). */
__attribute__((noinline)) static double wait_until_read(asl_frame *f, const asl_state *s)
{
    /* Only read: borrow the input unless InputPath makes a new value. */
    cJSON *owned = NULL;
    if (s->input_path && !(owned = asl_apply_path(f, s->input_path, f->data)))
        return -1;
    double until = wait_until(f, s, owned ? owned : f->data);
    asl_json_delete(owned);
    return until;
}

asl_step asl_state_wait(asl_frame *f, const asl_state *s)
{
    double now = asl_now(), until;
    if (!s->input_path && s->seconds && s->seconds->kind == ASL_N_NUMBER)
        until = now + s->seconds->num;
    else
        until = wait_until_read(f, s);
    if (until < 0)
        return ASL_STEP_FAIL;
    if (until - now > MAX_WAIT_SECONDS)
        return asl_fail_runtime(f, "Wait state delay is too long.");
    double scale = asl_engine_wait_scale();
    if (scale != 1 && until > now)
        until = now + (until - now) * scale;
    f->timer = asl_timer_add(until, f, wait_fire);
    f->wait = ASL_WAIT_TIMER;
    return ASL_STEP_SUSPEND;
}

asl_step (*const asl_wait_done)(asl_frame *f) = wait_done;
void (*const asl_wait_fire)(asl_frame *f) = wait_fire;
