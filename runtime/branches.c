/*
 * branches.c: Parallel and Map states. The state's frame suspends while its
 * branches (or iterations) run as frames of their own; each one that ends
 * reports through asl_branch_end, and the last one wakes the parent.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "pool.h"
#include "history.h"
#include "jsonata_fields.h"

static const asl_state *state_of(const asl_frame *f)
{
    return &f->graph->states[f->state];
}

/* The frame's next event (see asl_frame_event). */
static void event(asl_frame *f, const char *type, cJSON *details)
{
    asl_frame_event(f, type, details, false);
}


void asl_frame_drop_map_input(asl_frame *f)
{
    asl_fan *p = f->fan;
    if (!p)
        return;
    if (!p->items_borrowed)
        asl_json_delete(p->items);
    if (!p->effective_borrowed)
        asl_json_delete(f->effective);
    p->items = f->effective = NULL;
    p->items_borrowed = p->effective_borrowed = false;
}

static asl_step branches_done(asl_frame *f)
{
    const asl_state *s = state_of(f);
    bool map = s->type == ASL_MAP;
    asl_fan *p = asl_frame_fan(f);
    asl_frame_drop_map_input(f);
    cJSON *results = p->results;
    size_t bound = p->results_bound;
    bool failed = f->err.error || p->kid_failed;
    /* The state is over for its branches: the frame goes on without them. */
    asl_frame_fan_end(f);
    if (failed) {
        asl_json_delete(results);
        f->fail_event = map ? "MapStateFailed" : "ParallelStateFailed";
        return ASL_STEP_FAIL;
    }
    /* Nothing follows on from it: StateExited points where it points. */
    asl_frame_event(f, map ? "MapStateSucceeded" : "ParallelStateSucceeded", NULL, true);
    cJSON *out = asl_state_output_sized(f, s, results, bound);
    return out ? asl_advance(f, s, out) : ASL_STEP_FAIL;
}

/* The results array, a null per branch or iteration until it ends. */
static void results_init(asl_frame *f, int n)
{
    asl_fan *p = asl_frame_fan(f);
    p->results = cJSON_CreateArray();
    p->slots = asl_fan_slots(p, n);
    cJSON *tail = NULL;
    for (int i = 0; i < n; i++) {
        p->slots[i] = asl_json_node(cJSON_NULL);
        asl_json_add(p->results, &tail, NULL, p->slots[i]);
    }
    /* "[null,null]": each result is bounded as it comes (see result_set) */
    p->results_bound = 2 + 5 * (size_t)n + (size_t)n;
}

/* Puts v (taken) in place of result i; bound is v's size bound (0:
 * unknown, and so then is the array's). */
static void result_set(asl_frame *f, int i, cJSON *v, size_t bound)
{
    asl_fan *p = f->fan;
    p->results_bound = p->results_bound && bound ? p->results_bound + bound : 0;
    /* v takes the placeholder's place in cJSON's list (the first member's
     * prev is the last member), in line: a Map sets a result per item. */
    cJSON *a = p->results, *old = p->slots[i];
    v->next = old->next;
    v->prev = old->prev;
    if (a->child == old)
        a->child = v;
    else
        old->prev->next = v;
    if (old->next)
        old->next->prev = v;
    else
        a->child->prev = v;
    old->next = old->prev = NULL;
    asl_json_delete(old);
    p->slots[i] = v;
}

/* ---------------------------------------------------------- Parallel */

asl_step asl_state_parallel(asl_frame *f, const asl_state *s)
{
    cJSON *in = s->jsonata ? asl_jn_arguments(f, s) : asl_effective_input(f, s, s->parameters);
    if (!in)
        return ASL_STEP_FAIL;
    event(f, "ParallelStateStarted", NULL);
    asl_fan *p = asl_frame_fan(f);
    p->kids = asl_fan_kids(p, s->nbranches);
    p->nkids = s->nbranches;
    p->running = s->nbranches;
    results_init(f, s->nbranches);
    f->wait = ASL_WAIT_FRAMES;
    /* Nothing reads the effective input once the branches have it: the
     * last branch takes it, the others get copies (each changes its own). */
    for (int i = 0; i < s->nbranches; i++) {
        cJSON *mine = i + 1 < s->nbranches ? asl_json_clone(in) : in;
        p->kids[i] = asl_frame_new(f->exec, s->branches[i], mine, f, i);
        asl_wake(p->kids[i], NULL);
    }
    if (s->nbranches == 0)
        asl_json_delete(in);
    if (s->nbranches == 0)
        asl_wake(f, branches_done);
    return ASL_STEP_SUSPEND;
}

/* --------------------------------------------------------------- Map */

static void map_start_more(asl_frame *f);

/* AWS takes a whole number written as a string ("3", " -2 ") where a
 * Map setting's path names a number. */
static bool integer_text(const char *t, double *out)
{
    char *end;
    while (*t == ' ' || *t == '\t')
        t++;
    if (!(*t >= '0' && *t <= '9') && !((*t == '-' || *t == '+') && t[1] >= '0' && t[1] <= '9'))
        return false;
    long long v = strtoll(t, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end)
        return false;
    *out = (double)v;
    return true;
}

/* A Map setting given as a number or a path to one (a number, or a whole
 * number as a string); AWS's wording for a path that names neither. */
static int map_number(asl_frame *f, const asl_node *n, const char *field, const cJSON *in, double *out)
{
    if (!n)
        return 0;
    if (n->kind == ASL_N_NUMBER) {
        *out = n->num;
        return 0;
    }
    bool percent = !strcmp(field, "ToleratedFailurePercentage");
    if (n->kind == JSONATA_KIND_ROOT) {
        asl_jn j;
        asl_jn_init(&j, f, in);
        cJSON *jv = asl_jn_eval_as(&j, n, field, cJSON_Number, percent ? "number" : "integer");
        if (!jv)
            return asl_jn_fail(&j), -1;
        /* (int) of a larger number would be undefined: no Map is that big */
        *out = jv->valuedouble > 99999999 ? 99999999 : jv->valuedouble;
        asl_json_delete(jv);
        return 0;
    }
    asl_ctx c;
    asl_ctx_init(&c, f, in);
    const cJSON *v = NULL;
    int rc = asl_path_peek(n, &c, &v);
    if (rc == 0 && cJSON_IsNumber(v) && (percent || v->valuedouble == floor(v->valuedouble))) {
        *out = v->valuedouble;
        return 0;
    }
    if (rc == 0 && cJSON_IsString(v) && integer_text(v->valuestring, out))
        return 0;
    char *text = rc == 0 ? (cJSON_IsString(v) ? strdup(v->valuestring) : asl_json_print(v)) : strdup("null");
    asl_fail_runtime(f, "The %sPath field refers to value \"%s\" which is not a valid %s: %s", field, text,
                     percent ? "float" : "integer", n->str);
    free(text);
    return -1;
}

int asl_map_settings(asl_frame *f, const asl_state *s, const cJSON *in)
{
    double conc = 0, count = 0, percent = 0;
    if (map_number(f, s->max_concurrency, "MaxConcurrency", in, &conc) < 0 ||
        map_number(f, s->tolerated_count, "ToleratedFailureCount", in, &count) < 0 ||
        map_number(f, s->tolerated_percent, "ToleratedFailurePercentage", in, &percent) < 0)
        return -1;
    if (conc < 0) {
        asl_fail_runtime(f, "Expected non-negative integer for MaxConcurrency, got '%lld' instead.", (long long)conc);
        return -1;
    }
    if (count < 0) {
        asl_fail_runtime(f, "ToleratedFailureCount cannot be negative.");
        return -1;
    }
    if (percent < 0 || percent > 100) {
        asl_fail_runtime(f, "ToleratedFailurePercentage must be between 0 and 100.");
        return -1;
    }
    asl_fan *p = asl_frame_fan(f);
    p->max_concurrency = conc > 0 ? (int)conc : 0;
    p->tolerated_count = s->tolerated_count ? (int)count : -1;
    p->tolerated_percent = s->tolerated_percent ? percent : -1;
    return 0;
}

/* A JSONata Map's items: Items (which must give an array), else the
 * input, which must be one. NULL with the frame failed. */
static cJSON *jn_items(asl_frame *f, const asl_state *s, const cJSON *in)
{
    if (s->items_path) {
        asl_jn j;
        asl_jn_init(&j, f, in);
        cJSON *v = asl_jn_eval_as(&j, s->items_path, "Items", cJSON_Array, "array");
        if (!v)
            asl_jn_fail(&j);
        return v;
    }
    if (cJSON_IsArray(in))
        return cJSON_Duplicate(in, 1);
    char *text = asl_json_print(in);
    asl_jn_fail_msg(f, "Map state input must be an array but was: %s", text);
    free(text);
    return NULL;
}

asl_step asl_state_map(asl_frame *f, const asl_state *s)
{
    /* An inline Map only reads its input and items while it runs (f->data
     * stays as it is until the results are in): both may point into f->data
     * rather than be copies. A Distributed Map hands them on: copies. */
    bool share = !s->distributed;
    cJSON *in = share && !s->input_path ? f->data : asl_apply_path(f, s->input_path, f->data);
    if (!in)
        return ASL_STEP_FAIL;
    bool in_borrowed = in == f->data, items_borrowed = false;
    /* A Distributed Map's ItemReader reads the items once the run starts. */
    bool read = s->distributed && s->item_reader;
    cJSON *items = NULL;
    if (read) {
        items = NULL;
    } else if (s->jsonata) {
        items = jn_items(f, s, in);
    } else if (share) {
        cJSON *owned;
        items = (cJSON *)(uintptr_t)asl_path_view(f, s->items_path, in, &owned);
        items_borrowed = items && !owned;
    } else {
        items = asl_apply_path(f, s->items_path, in);
    }
    bool ok = (items || read) && asl_map_settings(f, s, in) == 0;
    if (ok && items && !cJSON_IsArray(items)) {
        char *text = asl_json_print(items);
        asl_fail_runtime(f, "Map state input must be an array but was: %s", text);
        free(text);
        ok = false;
    }
    if (!ok) {
        if (!items_borrowed)
            asl_json_delete(items);
        if (!in_borrowed)
            asl_json_delete(in);
        return ASL_STEP_FAIL;
    }
    if (s->distributed)
        return asl_dmap_start(f, s, in, items);
    int n = cJSON_GetArraySize(items);
    cJSON *d = NULL;
    if (asl_history_enabled()) {
        d = cJSON_CreateObject();
        cJSON_AddNumberToObject(d, "length", n);
    }
    event(f, "MapStateStarted", d);
    asl_fan *p = asl_frame_fan(f);
    f->effective = in;
    p->items = items;
    p->effective_borrowed = in_borrowed;
    p->items_borrowed = items_borrowed;
    p->next_item = items->child;
    results_init(f, n);
    p->kids = asl_fan_kids(p, n);
    p->nkids = n;
    p->started = p->running = p->failed = 0;
    f->wait = ASL_WAIT_FRAMES;
    if (n == 0) {
        asl_wake(f, branches_done);
        return ASL_STEP_SUSPEND;
    }
    map_start_more(f);
    return f->err.error ? branches_done(f) : ASL_STEP_SUSPEND;
}

/* A JSONata ItemSelector: $states.input is the Map's input,
 * $states.context.Map.Item this item. */
static cJSON *jn_iteration_input(asl_frame *f, const asl_state *s, int i, const cJSON *item)
{
    asl_jn j;
    asl_jn_init(&j, f, f->effective);
    j.map_item = item;
    j.map_index = i;
    cJSON *v = asl_jn_eval(&j, s->parameters, "ItemSelector");
    if (!v)
        asl_jn_fail(&j);
    if (f->context)
        cJSON_DeleteItemFromObjectCaseSensitive(f->context, "Map");
    return v;
}

cJSON *asl_map_item_input(asl_frame *f, const asl_state *s, int i, const cJSON *item)
{
    if (!s->parameters)
        return cJSON_Duplicate(item, 1);
    if (s->jsonata)
        return jn_iteration_input(f, s, i, item);
    asl_ctx c;
    asl_ctx_init(&c, f, f->effective);
    c.map_item = item;
    c.map_index = i;
    cJSON *v = asl_eval(s->parameters, &c);
    if (!v) {
        if (c.err.error && !strcmp(c.err.error, "States.Runtime"))
            asl_fail_runtime(f, "%s", c.err.cause ? c.err.cause : "");
        else
            asl_err_move(&f->err, &c.err);
        asl_err_clear(&c.err);
    }
    /* $$.Map.Item belongs to this item only; the rest of $$ serves the
     * next one (rebuilding it would copy the execution input per item). */
    if (f->context)
        cJSON_DeleteItemFromObjectCaseSensitive(f->context, "Map");
    return v;
}

/* {name, index}: MapIteration* events' details (NULL when not recording). */
static cJSON *iteration_details(const asl_state *s, int index)
{
    if (!asl_history_enabled())
        return NULL;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "name", s->name);
    cJSON_AddNumberToObject(d, "index", index);
    return d;
}

/* An inline Map runs at most 40 iterations at once, AWS's documented
 * limit for Inline mode, whatever MaxConcurrency says (0 included). An
 * iteration's input and frame are made when it starts and freed when it
 * ends, so a Map over 100,000 items holds 40 frames, not 100,000. */
enum { INLINE_MAP_CONCURRENCY = 40 };

static void map_start_more(asl_frame *f)
{
    const asl_state *s = state_of(f);
    asl_fan *p = f->fan;
    int limit = p->max_concurrency > 0 && p->max_concurrency < INLINE_MAP_CONCURRENCY ? p->max_concurrency
                                                                                       : INLINE_MAP_CONCURRENCY;
    while (p->started < p->nkids && p->running < limit) {
        int i = p->started++;
        const cJSON *item = p->next_item;
        p->next_item = item->next;
        cJSON *in = asl_map_item_input(f, s, i, item);
        if (!in) {
            asl_frame_abort_kids(f);
            return;
        }
        event(f, "MapIterationStarted", iteration_details(s, i));
        p->running++;
        p->kids[i] = asl_frame_new(f->exec, s->branches[0], in, f, i);
        asl_wake(p->kids[i], NULL);
    }
}

static bool map_tolerates(const asl_fan *p)
{
    if (p->tolerated_count < 0 && p->tolerated_percent < 0)
        return false;
    if (p->tolerated_count >= 0 && p->failed <= p->tolerated_count)
        return true;
    if (p->tolerated_percent >= 0 && p->nkids > 0 &&
        100.0 * p->failed / p->nkids <= p->tolerated_percent)
        return true;
    return false;
}

/* ---------------------------------------------------- branch results */

/* AWS's chain (see history.c): the state goes on from the last event of
 * the branch or iteration that ended. An iteration's MapIterationSucceeded
 * follows it too, and is where the Map state stands when no iteration
 * starts in its place; MapIterationFailed is a side link. */
void asl_branch_end(asl_frame *kid, bool ok)
{
    asl_frame *f = kid->parent;
    asl_fan *p = f->fan;
    const asl_state *s = state_of(f);
    bool map = s->type == ASL_MAP;
    int slot = kid->slot, kid_src = kid->src;
    p->running--;
    f->src = kid_src;
    if (map) {
        int id = asl_history_add(f->exec, kid_src, ok ? "MapIterationSucceeded" : "MapIterationFailed",
                                 iteration_details(s, slot));
        if (ok)
            f->src = id;
    }
    if (ok) {
        /* (a frame's data_bound holds after its last state: asl_output_over) */
        result_set(f, slot, kid->data, kid->data_bound);
        kid->data = NULL;
    } else if (map && (p->failed++, map_tolerates(p))) {
        cJSON *eo = cJSON_CreateObject();
        cJSON_AddStringToObject(eo, "Error", kid->err.error ? kid->err.error : "");
        cJSON_AddStringToObject(eo, "Cause", kid->err.cause ? kid->err.cause : "");
        result_set(f, slot, eo, 0);
    } else {
        if (map && (p->tolerated_count >= 0 || p->tolerated_percent >= 0))
            asl_err_set(&f->err, "States.ExceedToleratedFailureThreshold",
                        "The specified tolerated failure threshold was exceeded");
        else
            asl_err_move(&f->err, &kid->err);
        p->kid_failed = true;
        asl_frame_cancel(kid);
        asl_frame_abort_kids(f);
        p->running = 0;
        asl_wake(f, branches_done);
        return;
    }
    asl_frame_cancel(kid);
    if (map) {
        /* An iteration started in its place follows on from it. */
        int here = f->src, before = p->started;
        f->src = kid_src;
        map_start_more(f);
        if (p->started == before)
            f->src = here;
    }
    if (f->err.error) {
        asl_frame_abort_kids(f);
        p->running = 0;
    }
    if (p->running == 0)
        asl_wake(f, branches_done);
}

/* ----------------------------------------------------------- restore */

asl_step (*const asl_branches_done)(asl_frame *f) = branches_done;

void asl_branches_restore(asl_frame *f, cJSON *items, cJSON *results)
{
    asl_fan *p = asl_frame_fan(f);
    p->items = items;
    p->results = results ? results : cJSON_CreateArray();
    p->results_bound = 0; /* the results so far are not measured */
    int n = cJSON_GetArraySize(p->results), i = 0;
    p->slots = asl_fan_slots(p, n);
    for (cJSON *r = p->results->child; r; r = r->next)
        p->slots[i++] = r;
    p->next_item = items ? items->child : NULL;
    for (i = 0; i < p->started && p->next_item; i++)
        p->next_item = p->next_item->next;
}
