/*
 * exec.c: executions and frames: starting them, moving a frame from state
 * to state, Retry and Catch (the one place failures are handled), and
 * finishing a frame into its parent (Parallel/Map) or its execution.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "pool.h"
#include "history.h"
#include "ids.h"
#include "jsonata_fields.h"
#include "ptrtab.h"
#include "quotas.h"
#include "slab.h"

/* Executions and frames: a million of each when a million executions
 * wait at once, so they come from slabs (no per-record malloc header). */
static asl_slab exec_slab = ASL_SLAB(asl_exec), frame_slab = ASL_SLAB(asl_frame);
/* A child's side record: made and dropped with each child execution. */
static asl_slab kin_slab = ASL_SLAB(asl_exec_kin);

/* Every execution, oldest first (a list: ListExecutions pages through it),
 * and two tables to find one without walking the list: by ARN, and by
 * machine and name (AWS's uniqueness rule). A standard execution's ARN is
 * made of its machine's ARN and its name, so the ARN table answers the
 * name rule for it: only Express executions (an id after the name) are in
 * the name table, which spares each execution a hash and two table
 * writes. Each execution keeps the low
 * 32 bits of its keys' hashes, all a table of fewer than 2^32 slots reads
 * (working them out again when a table grows or shifts an entry back
 * costs a third of a token-scale run). */
static uint64_t by_arn_hash(const void *p)
{
    return ((const asl_exec *)p)->hash_arn;
}

static uint64_t by_name_hash(const void *p)
{
    return ((const asl_exec *)p)->hash_name;
}

/* The tables are filled when they are first searched, not as executions
 * start: a run that never looks an execution up by ARN or name (--bench,
 * an embedder keeping its own pointers) hashes no ARN at all. The
 * executions not yet in them are the end of the list, from E.unindexed on. */
static struct {
    asl_exec *all, *last;
    asl_exec *unindexed;
    asl_ptrtab by_arn, by_name;
    int running;
} E = {.by_arn = {.hash = by_arn_hash}, .by_name = {.hash = by_name_hash}};

static void link_exec(asl_exec *x)
{
    x->prev = E.last;
    x->next = NULL;
    *(E.last ? &E.last->next : &E.all) = x;
    E.last = x;
    x->indexed = false;
    if (!E.unindexed)
        E.unindexed = x;
}

/* Puts the executions started since the last search into the tables. */
static void index_pending(void)
{
    for (asl_exec *x = E.unindexed; x; x = x->next) {
        x->hash_arn = (uint32_t)asl_hash_str(x->arn);
        asl_ptrtab_put(&E.by_arn, x);
        if (x->machine->express) {
            x->hash_name = (uint32_t)asl_hash_str2(x->machine_arn, x->name);
            asl_ptrtab_put(&E.by_name, x);
        }
        x->indexed = true;
    }
    E.unindexed = NULL;
}

/* Linked: in the list (first, or after another). */
static bool linked(const asl_exec *x)
{
    return x->prev || E.all == x;
}

static void unlink_exec(asl_exec *x)
{
    *(x->prev ? &x->prev->next : &E.all) = x->next;
    *(x->next ? &x->next->prev : &E.last) = x->prev;
    if (E.unindexed == x)
        E.unindexed = x->next;
    x->prev = x->next = NULL;
    if (!x->indexed)
        return;
    asl_ptrtab_del(&E.by_arn, x);
    if (x->machine->express)
        asl_ptrtab_del(&E.by_name, x);
}

static bool arn_is(const void *p, const void *arn)
{
    return !strcmp(((const asl_exec *)p)->arn, arn);
}

asl_exec *asl_exec_find(const char *arn)
{
    index_pending();
    return asl_ptrtab_find(&E.by_arn, asl_hash_str(arn), arn_is, arn);
}

asl_exec *asl_exec_list(void)
{
    return E.all;
}

int asl_running_executions(void)
{
    return E.running;
}

const char *asl_status_name(asl_status s)
{
    static const char *const names[] = {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"};
    return names[s];
}

/* ---------------------------------------------------------- frames */

static const asl_state *current(const asl_frame *f)
{
    return &f->graph->states[f->state];
}

static const char *entered_event(int type)
{
    static const char *const names[] = {"PassStateEntered", "TaskStateEntered", "ChoiceStateEntered",
        "WaitStateEntered", "SucceedStateEntered", "FailStateEntered", "ParallelStateEntered",
        "MapStateEntered"};
    return names[type];
}

static const char *exited_event(int type)
{
    static const char *const names[] = {"PassStateExited", "TaskStateExited", "ChoiceStateExited",
        "WaitStateExited", "SucceedStateExited", NULL, "ParallelStateExited", "MapStateExited"};
    return names[type];
}

int asl_frame_event(asl_frame *f, const char *type, cJSON *details, bool side)
{
    int id = asl_history_add(f->exec, f->src, type, details);
    if (!side)
        f->src = id;
    return id;
}

__attribute__((noinline)) static int state_details(asl_frame *f, const char *type, const char *key,
                                                  const cJSON *data)
{
    if (f->inspect)
        asl_inspect_flush(f, NULL); /* the state is left */
    if (!asl_history_enabled())
        return asl_frame_event(f, type, NULL, false);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "name", current(f)->name);
    char *text = asl_json_print(data);
    cJSON_AddStringToObject(d, key, text);
    free(text);
    cJSON *det = cJSON_CreateObject();
    cJSON_AddBoolToObject(det, "truncated", 0);
    cJSON_AddItemToObject(d, strcmp(key, "input") ? "outputDetails" : "inputDetails", det);
    return asl_frame_event(f, type, d, false);
}

/* Whether the frame's next n state events (Entered, Exited) are only
 * counted: nothing inspects the state, no observer hears them (only those
 * that hear every event do, see asl_event_hearers), nothing needs their
 * details (recording included: it sets ASL_OBSERVING_DETAILS), and the
 * quota is far. One test of one word for what asl_history_add would ask. */
static inline bool state_events_counted(const asl_frame *f, int n)
{
    return !f->inspect && !(asl_observing & (ASL_OBSERVING_ALL | ASL_OBSERVING_DETAILS)) &&
           (!asl_limit.history_events || f->exec->events + n < asl_limit.history_events);
}

/* A state's Entered or Exited event. Most runs keep no history and inspect
 * nothing: then the event is only counted, in line. */
static inline int state_event(asl_frame *f, const char *type, const char *key, const cJSON *data)
{
    if (!type)
        return 0;
    if (state_events_counted(f, 1))
        return f->src = ++f->exec->events;
    return state_details(f, type, key, data);
}

/* What entering a state resets (its event aside). */
static inline void enter_reset(asl_frame *f, int state)
{
    f->state = state;
    f->entered = asl_now();
    f->retry_count = 0;
    f->out_bound = 0;
    if (f->attempts) {
        free(f->attempts);
        f->attempts = NULL;
    }
    if (f->context) {
        asl_json_delete(f->context);
        f->context = NULL;
    }
    f->exec->transitions++;
}

static void enter_state(asl_frame *f, int state)
{
    enter_reset(f, state);
    f->entered_id = state_event(f, entered_event(current(f)->type), "input", f->data);
}

/* A branch starts from its ParallelStateStarted, an iteration from its
 * MapIterationStarted (the parent's latest event); the execution from 0. */
asl_frame *asl_frame_new(asl_exec *x, const asl_graph *g, cJSON *input, asl_frame *parent, int slot)
{
    asl_frame *f = asl_frame_alloc(x, g, parent, slot);
    f->data = input;
    f->src = parent ? parent->src : 0;
    /* enter_state on a zeroed frame: no retry counts, $$ or bounds to reset */
    f->state = g->start;
    f->entered = asl_now();
    x->transitions++;
    f->entered_id = state_event(f, entered_event(current(f)->type), "input", input);
    return f;
}

asl_frame *asl_frame_alloc(asl_exec *x, const asl_graph *g, asl_frame *parent, int slot)
{
    asl_frame *f = asl_slab_alloc(&frame_slab);
    f->exec = x;
    f->graph = g;
    f->parent = parent;
    f->slot = slot;
    return f;
}

/* Fan records come from a slab: a Parallel or Map state makes and drops
 * one, no malloc and free of its own. */
static asl_slab fan_slab = ASL_SLAB(asl_fan);

asl_fan *asl_frame_fan(asl_frame *f)
{
    if (!f->fan)
        f->fan = asl_slab_alloc(&fan_slab);
    return f->fan;
}

/* n + 1 zeroed elements of size bytes: in (in_bytes long) when they fit. */
static void *fan_array(void *in, size_t in_bytes, int n, size_t size)
{
    if ((size_t)n + 1 <= in_bytes / size) {
        memset(in, 0, in_bytes);
        return in;
    }
    void *a = calloc((size_t)n + 1, size);
    if (!a)
        abort();
    return a;
}

asl_frame **asl_fan_kids(asl_fan *p, int n)
{
    return fan_array(p->kids_in, sizeof p->kids_in, n, sizeof *p->kids_in);
}

cJSON **asl_fan_slots(asl_fan *p, int n)
{
    return fan_array(p->slots_in, sizeof p->slots_in, n, sizeof *p->slots_in);
}

void asl_frame_fan_end(asl_frame *f)
{
    asl_fan *p = f->fan;
    if (p->kids != p->kids_in)
        free(p->kids);
    if (p->slots != p->slots_in)
        free(p->slots);
    asl_slab_free(&fan_slab, p);
    f->fan = NULL;
}

/* The Parallel/Map record and what it holds. */
static void fan_free(asl_frame *f)
{
    asl_fan *p = f->fan;
    if (!p)
        return;
    for (int i = 0; i < p->nkids; i++)
        if (p->kids[i])
            asl_frame_cancel(p->kids[i]);
    if (p->dmap)
        asl_dmap_abort(f);
    asl_frame_drop_map_input(f); /* before data, which they may point into */
    asl_json_delete(p->results);
    asl_frame_fan_end(f);
}

static inline void err_drop(asl_err *e)
{
    if (e->error || e->cause)
        asl_err_clear(e);
}

/* Frees a frame and its sub-frames. It must not touch f->exec: the
 * execution may be gone already (bench mode reaps ended executions). */
static void frame_free(asl_frame *f)
{
    if (f->timer)
        asl_timer_cancel(&f->timer);
    if (f->heartbeat)
        asl_timer_cancel(&f->heartbeat);
    if (f->task) {
        asl_task *t = f->task;
        f->task = NULL;
        asl_task_detach(t);
    }
    if (f->fan)
        fan_free(f);
    if (f->queued)
        asl_sched_forget(f);
    asl_json_drop(f->inspect);
    asl_json_drop(f->effective); /* a Task's (a Map's went with its fan) */
    asl_json_drop(f->data);
    asl_json_drop(f->vars);
    asl_json_drop(f->context);
    asl_json_drop(f->result);
    if (f->attempts)
        free(f->attempts);
    err_drop(&f->err);
    asl_slab_free(&frame_slab, f);
}

void asl_frame_cancel(asl_frame *f)
{
    if (f->parent)
        f->parent->fan->kids[f->slot] = NULL;
    frame_free(f);
}

/* Each running branch or iteration of f's Parallel or Map: its states'
 * aborts, then, for an iteration, MapIterationAborted, which AWS records
 * whether the Map state is aborted or a sibling failed. */
void asl_frame_abort_kids(asl_frame *f)
{
    const asl_state *s = current(f);
    for (int i = 0; f->fan && i < f->fan->nkids; i++) {
        asl_frame *kid = f->fan->kids[i];
        if (!kid)
            continue;
        int src = kid->src;
        asl_frame_abort(kid);
        if (s->type == ASL_MAP) {
            cJSON *d = NULL;
            if (asl_history_enabled()) {
                d = cJSON_CreateObject();
                cJSON_AddStringToObject(d, "name", s->name);
                cJSON_AddNumberToObject(d, "index", i);
            }
            asl_history_add(f->exec, src, "MapIterationAborted", d);
        }
    }
}

/* AWS records an abort for the states that wait: a Task, a Wait, a
 * Parallel or a Map, after those of the branches or iterations inside. */
void asl_frame_abort(asl_frame *f)
{
    static const char *const names[] = {[ASL_TASK] = "TaskStateAborted", [ASL_WAIT] = "WaitStateAborted",
                                        [ASL_PARALLEL] = "ParallelStateAborted", [ASL_MAP] = "MapStateAborted"};
    const asl_state *s = current(f);
    asl_frame_abort_kids(f);
    if (s->type < sizeof names / sizeof *names && names[s->type])
        asl_frame_event(f, names[s->type], NULL, true);
    asl_frame_cancel(f);
}

/* asl_goto in full: the output measured, the events recorded or
 * observed, what the state kept (its retry counts, its $$) dropped. */
__attribute__((noinline)) static asl_step goto_full(asl_frame *f, int next, cJSON *output)
{
    if (asl_output_over_fast(f, output))
        return asl_fail_data_limit(f, current(f)->name, output);
    asl_exec *x = f->exec;
    if (state_events_counted(f, 2)) {
        /* Most runs keep no history and inspect nothing: the Exited and
         * Entered events are only counted, with one test. */
        asl_json_delete(f->data);
        f->data = output;
        enter_reset(f, next);
        x->events += 2;
        f->entered_id = f->src = x->events;
        return ASL_STEP_NEXT;
    }
    state_event(f, exited_event(current(f)->type), "output", output);
    asl_json_delete(f->data);
    f->data = output;
    enter_state(f, next);
    return ASL_STEP_NEXT;
}

asl_step asl_goto(asl_frame *f, int next, cJSON *output)
{
    /* Most transitions: an output whose bound settles the payload quota,
     * events only counted, no retry counts or $$ kept. goto_full's steps
     * for that case, with no register saved: the old input's free last. */
    size_t bound = f->out_bound;
    if (!bound || bound > asl_limit.payload_bytes || !state_events_counted(f, 2) || f->attempts || f->context)
        return goto_full(f, next, output);
    asl_exec *x = f->exec;
    cJSON *old = f->data;
    f->data_bound = bound;
    f->data = output;
    f->state = next;
    f->entered = asl_now();
    f->retry_count = 0;
    f->out_bound = 0;
    x->transitions++;
    x->events += 2;
    f->entered_id = f->src = x->events;
    asl_json_delete(old);
    return ASL_STEP_NEXT;
}

/* asl_advance for a state that ends its frame. */
__attribute__((noinline)) static asl_step advance_end(asl_frame *f, const asl_state *s, cJSON *output)
{
    if (asl_output_over_fast(f, output))
        return asl_fail_data_limit(f, s->name, output);
    state_event(f, exited_event(s->type), "output", output);
    asl_json_delete(f->data);
    f->data = output;
    return ASL_STEP_END;
}

asl_step asl_advance(asl_frame *f, const asl_state *s, cJSON *output)
{
    if (!s->end && s->next >= 0)
        return asl_goto(f, s->next, output);
    return advance_end(f, s, output);
}

asl_step asl_frame_fail(asl_frame *f, const char *error, const char *cause)
{
    asl_err_set(&f->err, error, cause ? "%s" : NULL, cause);
    return ASL_STEP_FAIL;
}

asl_step asl_frame_fail_err(asl_frame *f, asl_err *e)
{
    asl_err_move(&f->err, e);
    return ASL_STEP_FAIL;
}

/* ---------------------------------------------------- Retry and Catch */

/* States.ALL matches every error but States.Runtime, which AWS treats as
 * terminal (its documentation says States.DataLimitExceeded is terminal
 * too, but the executions AWS recorded catch it, with States.ALL as well);
 * States.TaskFailed matches any error of a Task but States.Timeout. */
bool asl_error_matches(const char *const *names, int n, const char *error)
{
    /* A Fail state with no Error, seen from the Map or Parallel around
     * it: no name to match, but States.ALL takes it. */
    for (int i = 0; !error && i < n; i++)
        if (!strcmp(names[i], "States.ALL"))
            return true;
    for (int i = 0; error && i < n; i++) {
        if (!strcmp(names[i], error))
            return true;
        if (!strcmp(names[i], "States.ALL"))
            return strcmp(error, "States.Runtime") != 0;
        if (!strcmp(names[i], "States.TaskFailed") && strcmp(error, "States.Timeout") &&
            strcmp(error, "States.Runtime") && strcmp(error, "States.DataLimitExceeded") &&
            strncmp(error, "States.", 7) != 0)
            return true;
    }
    return false;
}

/* AWS never retries nor catches it. */
static bool is_terminal(const char *error)
{
    return error && !strcmp(error, "States.Runtime");
}

/* The retry runs the state afresh: the error it retries is over. */
static void retry_fire(asl_frame *f)
{
    asl_err_clear(&f->err);
    f->exec->failed_state = NULL;
    asl_wake_timed(f, NULL);
}

/* Returns true and schedules the retry if a retrier takes the error. */
static bool try_retry(asl_frame *f, const asl_state *s)
{
    for (int i = 0; i < s->nretry && i < ASL_RETRIERS_MAX; i++) {
        const asl_retrier *r = &s->retry[i];
        if (!asl_error_matches(r->errors, r->nerrors, f->err.error))
            continue;
        int done = f->attempts ? f->attempts[i] : 0;
        if (done >= r->max_attempts)
            return false;
        if (!f->attempts && !(f->attempts = calloc(ASL_RETRIERS_MAX, sizeof *f->attempts)))
            abort();
        double delay = r->interval * pow(r->backoff, f->attempts[i]);
        if (r->max_delay > 0 && delay > r->max_delay)
            delay = r->max_delay;
        if (r->jitter_full)
            delay *= asl_random_unit();
        f->attempts[i]++;
        f->retry_count++;
        f->timer = asl_timer_add(asl_now() + delay, f, retry_fire);
        f->wait = ASL_WAIT_TIMER;
        return true;
    }
    return false;
}

static cJSON *error_output(const asl_err *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "Error", e->error ? e->error : "");
    cJSON_AddStringToObject(o, "Cause", e->cause ? e->cause : "");
    return o;
}

/* A JSONata catcher: Assign and Output read $states.errorOutput and the
 * state's input; the error output is the default output. */
static asl_step jn_catch(asl_frame *f, const asl_catcher *c)
{
    cJSON *eo = error_output(&f->err);
    asl_jn j;
    asl_jn_init(&j, f, f->data);
    j.error_output = eo;
    cJSON *out = asl_jn_finish(&j, c->assign, c->output, &eo);
    asl_json_delete(eo);
    if (!out)
        return ASL_STEP_FAIL;
    asl_err_clear(&f->err);
    f->exec->failed_state = NULL;
    return asl_goto(f, c->next, out);
}

static asl_step try_catch(asl_frame *f, const asl_state *s)
{
    for (int i = 0; i < s->ncatch; i++) {
        const asl_catcher *c = &s->catches[i];
        if (!asl_error_matches(c->errors, c->nerrors, f->err.error))
            continue;
        if (s->jsonata)
            return jn_catch(f, c);
        cJSON *out = asl_json_clone(f->data);
        cJSON *eo = error_output(&f->err);
        if (c->assign) {
            asl_ctx ctx;
            asl_ctx_init(&ctx, f, eo);
            if (asl_assign(f, c->assign, &ctx) < 0) {
                asl_err_move(&f->err, &ctx.err);
                asl_json_delete(eo);
                asl_json_delete(out);
                return ASL_STEP_FAIL;
            }
        }
        if (c->result_path && c->result_path->kind == ASL_N_NULL) {
            asl_json_delete(eo); /* "ResultPath": null keeps the input as it was */
        } else if (c->result_path) {
            asl_err e = {0};
            if (asl_path_assign(&out, c->result_path, eo, &e) < 0) {
                asl_json_delete(out);
                return asl_frame_fail_err(f, &e);
            }
        } else {
            asl_json_delete(out);
            out = eo;
        }
        asl_err_clear(&f->err);
        f->exec->failed_state = NULL;
        return asl_goto(f, c->next, out);
    }
    return ASL_STEP_FAIL;
}

/* ------------------------------------------------------- finishing */

static void exec_finish(asl_exec *x, asl_status st, int prev);

static void frame_done(asl_frame *f, bool ok)
{
    if (!ok && !f->exec->failed_state)
        f->exec->failed_state = current(f)->name; /* the innermost: a branch's before its Parallel's */
    if (f->parent) {
        asl_branch_end(f, ok);
        return;
    }
    asl_exec *x = f->exec;
    x->root = NULL;
    if (ok) {
        x->output = f->data;
        f->data = NULL;
        if (x->kin) /* (data_bound holds after the last state: asl_output_over) */
            x->kin->output_bound = f->data_bound;
        exec_finish(x, ASL_SUCCEEDED, f->src);
    } else {
        asl_err_move(&x->err, &f->err);
        exec_finish(x, ASL_FAILED, f->src);
    }
    frame_free(f);
}

static void exec_stop(asl_exec *x, asl_status st, const char *error, const char *cause);

/* The history is full: the execution fails where it stands, as AWS fails
 * it (no Retry or Catch). Frees every frame of x, f among them. */
static void exec_over_limit(asl_exec *x)
{
    asl_buf b = {0};
    asl_history_limit_cause(&b);
    exec_stop(x, ASL_FAILED, "States.Runtime", b.p);
    asl_buf_free(&b);
}

/* What a state that failed leads to: a retry scheduled (RETRIED), a
 * catcher's next state (ASL_STEP_NEXT), or the failure (ASL_STEP_FAIL).
 * Out of line: the loop below stays small for the states that succeed. */
enum { RETRIED = -1 };
__attribute__((noinline)) static int step_failed(asl_frame *f)
{
    const asl_state *s = current(f);
    f->out_bound = 0; /* what the failed state meant to output */
    if (asl_engine_wants_inspection())
        asl_inspect_flush(f, &f->err);
    bool handled = !f->fail_state && !is_terminal(f->err.error);
    const char *failed = f->fail_event;
    f->fail_event = NULL;
    if (handled && try_retry(f, s))
        return RETRIED; /* AWS records no MapStateFailed for a failure it retries */
    if (failed)
        asl_frame_event(f, failed, NULL, false);
    return handled ? (int)try_catch(f, s) : ASL_STEP_FAIL;
}

void asl_frame_step(asl_frame *f)
{
    for (;;) {
        if (f->exec->over_limit) {
            exec_over_limit(f->exec);
            return;
        }
        int st;
        if (f->resume) {
            asl_step (*r)(asl_frame *) = f->resume;
            f->resume = NULL;
            st = r(f);
        } else {
            st = f->graph->fns[f->state](f);
        }
        if (st == ASL_STEP_FAIL && (st = step_failed(f)) == RETRIED)
            return;
        if (st != ASL_STEP_NEXT && f->exec->over_limit) {
            exec_over_limit(f->exec);
            return;
        }
        switch (st) {
        case ASL_STEP_NEXT: continue;
        case ASL_STEP_SUSPEND: return;
        case ASL_STEP_END: frame_done(f, true); return;
        case ASL_STEP_FAIL: frame_done(f, false); return;
        }
    }
}

/* ------------------------------------------------------- executions */

/* Ends a running execution from outside its frames: its states stop where
 * they are (their tasks close; .sync children are aborted in turn). */
static void exec_stop(asl_exec *x, asl_status st, const char *error, const char *cause)
{
    asl_frame *root = x->root;
    x->root = NULL;
    asl_err_clear(&x->err);
    if (error)
        asl_err_set(&x->err, error, cause ? "%s" : NULL, cause);
    if (root)
        frame_free(root);
    exec_finish(x, st, x->events);
}

static void exec_timeout(asl_frame *f)
{
    exec_stop(f->exec, ASL_TIMED_OUT, "States.Timeout", NULL);
}

void asl_exec_abort(asl_exec *x, const char *error, const char *cause)
{
    if (x->status == ASL_RUNNING)
        exec_stop(x, ASL_ABORTED, error, cause);
}

static void exec_finish(asl_exec *x, asl_status st, int prev)
{
    static const char *const types[] = {NULL, "ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut",
                                         "ExecutionAborted"};
    x->status = st;
    x->stop = asl_now();
    if (x->timeout)
        asl_timer_cancel(&x->timeout);
    E.running--;
    cJSON *d = NULL;
    if (asl_history_enabled()) {
        d = cJSON_CreateObject();
        if (st == ASL_SUCCEEDED) {
            char *text = asl_json_print(x->output);
            cJSON_AddStringToObject(d, "output", text);
            free(text);
            cJSON_AddBoolToObject(cJSON_AddObjectToObject(d, "outputDetails"), "truncated", 0);
        } else {
            if (x->err.error)
                cJSON_AddStringToObject(d, "error", x->err.error);
            if (x->err.cause)
                cJSON_AddStringToObject(d, "cause", x->err.cause);
        }
    }
    asl_history_add_heard(x, prev, types[st], d, ASL_HEARERS_END);
    if (ASL_KIN(x, waiter))
        asl_child_finished(x);
    if (ASL_KIN(x, dmap))
        asl_dmap_child_finished(x);
}

static void exec_free(asl_exec *x);

typedef struct name_key {
    const char *machine, *name;
} name_key;

static bool name_is(const void *p, const void *key)
{
    const asl_exec *x = p;
    const name_key *k = key;
    return !strcmp(x->name, k->name) && !strcmp(x->machine_arn, k->machine);
}

/* Where ":stateMachine:" starts in a machine's ARN: before the name, which
 * holds no colon, so found from the end first. */
static const char *machine_colon(const char *marn)
{
    const char *p = strrchr(marn, ':');
    if (p && p - marn >= 13 && !memcmp(p - 13, ":stateMachine", 13))
        return p - 13;
    return strstr(marn, ":stateMachine:");
}

/* A standard execution's name is taken when its ARN is; an Express one's
 * is looked up in the name table (see link_exec). */
static bool name_taken(const char *machine, const char *name, bool express)
{
    if (express) {
        index_pending();
        name_key k = {machine, name};
        return asl_ptrtab_find(&E.by_name, asl_hash_str2(machine, name), name_is, &k) != NULL;
    }
    const char *colon = machine_colon(machine);
    if (!colon)
        return false;
    asl_buf b = {0};
    asl_buf_put(&b, machine, (size_t)(colon - machine));
    asl_buf_puts(&b, ":execution:");
    asl_buf_puts(&b, colon + 14);
    asl_buf_putc(&b, ':');
    asl_buf_puts(&b, name);
    bool taken = asl_exec_find(b.p) != NULL;
    asl_buf_free(&b);
    return taken;
}

/* Execution ARNs (with a child's parent ARN after them) come from slabs
 * of 64, 128, 192 and 256 bytes, longer ones from malloc: starting and
 * freeing an execution costs no malloc and free of its ARN. */
enum { ARN_CLASS_BYTES = 64, ARN_CLASSES = 4 };
static asl_slab arn_slabs[ARN_CLASSES] = {{.size = 64}, {.size = 128}, {.size = 192}, {.size = 256}};

static char *arn_alloc(asl_exec *x, size_t n)
{
    size_t c = (n + ARN_CLASS_BYTES - 1) / ARN_CLASS_BYTES;
    if (c <= ARN_CLASSES) {
        x->arn_class = (unsigned char)c;
        return asl_slab_alloc_raw(&arn_slabs[c - 1]);
    }
    char *p = malloc(n);
    if (!p)
        abort();
    return p;
}

static void arn_free(asl_exec *x)
{
    if (x->arn_class)
        asl_slab_free(&arn_slabs[x->arn_class - 1], x->arn);
    else
        free(x->arn);
}

char *asl_exec_arn_prefix(const char *marn, bool express, size_t *n)
{
    const char *colon = machine_colon(marn);
    asl_buf b = {0};
    if (colon) {
        asl_buf_put(&b, marn, (size_t)(colon - marn));
        asl_buf_puts(&b, express ? ":express:" : ":execution:");
        asl_buf_puts(&b, colon + 14);
    } else {
        asl_buf_puts(&b, marn); /* (not a machine's ARN: kept whole) */
    }
    asl_buf_putc(&b, ':');
    *n = b.len;
    return asl_buf_take(&b);
}

static asl_exec *exec_start(asl_unit *u, const asl_machine *m, const char *name, cJSON *input, bool borrowed,
                            size_t in_size, const char *parent_arn, asl_err *e)
{
    const char *pre;
    size_t npre = 0;
    const char *marn = asl_unit_machine_arns(u, m, &pre, &npre);
    if (!in_size) /* (no JSON text is empty: 0 is "not known") */
        in_size = asl_payload_size(input);
    if (asl_limit.payload_bytes && in_size > asl_limit.payload_bytes) {
        asl_buf b = {0};
        asl_limit_validation_cause(&b, "input", asl_limit.payload_bytes);
        asl_err_set(e, "StepFunctions.ValidationException", "%s", b.p);
        asl_buf_free(&b);
        if (!borrowed)
            asl_json_delete(input);
        return NULL;
    }
    /* Generated names are UUIDs: only a chosen name can clash. */
    if (name && name_taken(marn, name, m->express)) {
        const char *colon = strstr(marn, ":stateMachine:");
        asl_err_set(e, "StepFunctions.ExecutionAlreadyExistsException", "Execution Already Exists: '%.*s:execution:%s:%s'",
                    (int)(colon - marn), marn, colon + 14, name);
        if (!borrowed)
            asl_json_delete(input);
        return NULL;
    }
    asl_exec *x = asl_exec_alloc();
    x->machine = m;
    x->unit = u;
    asl_unit_hold(u);
    x->machine_arn = marn;
    /* ARN: the machine's with ":execution:" (":express:" for EXPRESS, with
     * an id after the name), written at once into one allocation; the
     * unit made its start once for all. */
    char *made = NULL;
    if (!pre)
        pre = made = asl_exec_arn_prefix(marn, m->express, &npre);
    size_t nn = name ? strlen(name) : 36;
    /* (a child's parent ARN goes in the same allocation, after the ARN) */
    size_t np = parent_arn ? strlen(parent_arn) + 1 : 0;
    char *arn = arn_alloc(x, npre + nn + (m->express ? 37 : 0) + 1 + np), *p = arn;
    memcpy(p, pre, npre), p += npre;
    free(made);
    if (name)
        memcpy(p, name, nn);
    else
        asl_uuid(p); /* (its NUL is written over next) */
    p += nn;
    if (m->express) {
        *p++ = ':';
        asl_uuid(p);
        p += 36;
    }
    *p = '\0';
    x->arn = arn;
    /* A standard execution's ARN ends with its name: the name is kept
     * there, not copied (a million executions, a million strings less). */
    x->name_in_arn = !m->express;
    x->name = x->name_in_arn ? p - nn : strndup(p - nn - (m->express ? 37 : 0), nn);
    if (!x->name)
        abort();
    x->input = input;
    x->input_borrowed = borrowed;
    x->start = asl_now();
    x->status = ASL_RUNNING;
    if (parent_arn) {
        asl_exec_kin_of(x)->parent_arn = memcpy(p + 1, parent_arn, np);
        x->parent_in_arn = true;
    }
    link_exec(x);
    E.running++;
    cJSON *d = NULL;
    if (asl_history_enabled()) {
        d = cJSON_CreateObject();
        char *text = asl_json_print(input);
        cJSON_AddStringToObject(d, "input", text);
        free(text);
        cJSON_AddBoolToObject(cJSON_AddObjectToObject(d, "inputDetails"), "truncated", 0);
        cJSON_AddStringToObject(d, "roleArn", asl_role_arn());
    }
    asl_history_add_heard(x, 0, "ExecutionStarted", d, ASL_HEARERS_START);
    /* The root frame reads the input in place (a view: see view.c). */
    x->root = asl_frame_new(x, m->graph, asl_json_view(input), NULL, 0);
    x->root->data_bound = in_size;
    double limit = m->timeout && m->timeout->kind == ASL_N_NUMBER ? m->timeout->num : 0;
    if (m->express && (limit <= 0 || limit > ASL_EXPRESS_SECONDS))
        limit = ASL_EXPRESS_SECONDS; /* an Express execution lasts five minutes at most */
    if (limit > 0)
        x->timeout = asl_timer_add(x->start + limit, x->root, exec_timeout);
    asl_wake(x->root, NULL);
    return x;
}

asl_exec_kin *asl_exec_kin_of(asl_exec *x)
{
    if (!x->kin)
        x->kin = asl_slab_alloc(&kin_slab);
    return x->kin;
}

asl_exec *asl_exec_alloc(void)
{
    return asl_slab_alloc(&exec_slab);
}

asl_exec *asl_exec_start(asl_unit *u, const asl_machine *m, const char *name, cJSON *input,
                         const char *parent_arn, asl_err *e)
{
    return exec_start(u, m, name, input, false, 0, parent_arn, e);
}

asl_exec *asl_exec_start_sized(asl_unit *u, const asl_machine *m, const char *name, cJSON *input, size_t size,
                               const char *parent_arn, asl_err *e)
{
    return exec_start(u, m, name, input, false, size, parent_arn, e);
}

asl_exec *asl_exec_start_shared(asl_unit *u, const asl_machine *m, const char *name, const cJSON *input,
                                size_t size, const char *parent_arn, asl_err *e)
{
    /* Cast away const: x->input is only read while input_borrowed. */
    return exec_start(u, m, name, (cJSON *)(uintptr_t)input, true, size, parent_arn, e);
}

void asl_exec_free(asl_exec *x)
{
    if (!linked(x))
        return;
    unlink_exec(x);
    if (x->status == ASL_RUNNING)
        E.running--;
    exec_free(x);
}

static void exec_free(asl_exec *x)
{
    if (x->root)
        frame_free(x->root);
    if (x->timeout)
        asl_timer_cancel(&x->timeout);
    if (!x->name_in_arn)
        free(x->name);
    if (x->kin) {
        asl_exec_kin *k = x->kin;
        if (!x->parent_in_arn && k->parent_arn)
            free(k->parent_arn);
        if (k->map_run_arn)
            free(k->map_run_arn);
        if (k->mock_case)
            free(k->mock_case);
        asl_slab_free(&kin_slab, k);
    }
    arn_free(x);
    asl_unit_drop(x->unit);
    if (!x->input_borrowed)
        asl_json_drop(x->input);
    asl_json_drop(x->output);
    err_drop(&x->err);
    if (x->history)
        asl_history_free(x->history);
    asl_slab_free(&exec_slab, x);
}

void asl_exec_free_all(void)
{
    while (E.all) {
        asl_exec *x = E.all;
        E.all = x->next;
        exec_free(x);
    }
    E.last = E.unindexed = NULL;
    asl_ptrtab_free(&E.by_arn);
    asl_ptrtab_free(&E.by_name);
    E.running = 0;
}

void (*const asl_retry_fire)(asl_frame *f) = retry_fire;
void (*const asl_exec_timeout)(asl_frame *f) = exec_timeout;

bool asl_exec_adopt(asl_exec *x)
{
    if (name_taken(x->machine_arn, x->name, x->machine->express) || asl_exec_find(x->arn)) {
        exec_free(x);
        return false;
    }
    link_exec(x);
    if (x->status == ASL_RUNNING)
        E.running++;
    return true;
}
