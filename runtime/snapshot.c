/*
 * snapshot.c: an execution as JSON and back (asl_engine.h's durability
 * calls), so that a front end can keep executions across a restart.
 *
 * A snapshot is taken between scheduler turns, when every frame is
 * suspended or done. Then a frame is its state, its data and variables,
 * its place in the history's causal chain, its retry counters, and what it
 * waits for: a timer (due time and callback), a task (resource, token,
 * payload if no one has answered it yet, a .sync child's ARN), or its
 * branches/iterations (their frames by slot, results so far, the Map's
 * items and counters). Functions are saved by name from the short lists
 * below: those are the only continuations and timer callbacks a suspended
 * frame can hold. A frame's graph is not saved: the machine's graph for the
 * top frame, the Parallel branch of its slot or the Map's processor below.
 * Restoring checks every state index and name against the machine first,
 * and builds only what passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "handlers.h"
#include "history.h"

enum { SNAPSHOT_VERSION = 1 };

static const struct {
    const char *name;
    asl_step (*const *fn)(asl_frame *f);
} resumes[] = {
    {"branches_done", &asl_branches_done},
    {"wait_done", &asl_wait_done},
    {"task_resume", &asl_task_resume},
};

static const struct {
    const char *name;
    void (*const *fn)(asl_frame *f);
} timers[] = {
    {"wait_fire", &asl_wait_fire},
    {"retry_fire", &asl_retry_fire},
    {"exec_timeout", &asl_exec_timeout},
    {"task_timeout", &asl_task_timeout},
    {"heartbeat_timeout", &asl_heartbeat_timeout},
};

#define COUNT(a) (int)(sizeof(a) / sizeof(a)[0])

/* ------------------------------------------------------------ saving */

static void put_value(cJSON *o, const char *key, const cJSON *v)
{
    if (v)
        cJSON_AddItemToObject(o, key, asl_json_copy(v));
}

static void put_str(cJSON *o, const char *key, const char *s)
{
    if (s)
        cJSON_AddStringToObject(o, key, s);
}

static void put_err(cJSON *o, const asl_err *e)
{
    if (!e->error && !e->cause)
        return;
    cJSON *j = cJSON_AddObjectToObject(o, "err");
    put_str(j, "error", e->error);
    put_str(j, "cause", e->cause);
}

static void put_timer(cJSON *o, const char *key, const asl_timer *t)
{
    if (!t)
        return;
    void (*fn)(asl_frame *) = asl_timer_fn(t);
    const char *name = NULL;
    for (int i = 0; i < COUNT(timers); i++)
        if (*timers[i].fn == fn)
            name = timers[i].name;
    if (!name)
        abort(); /* a callback missing from the list above */
    cJSON *j = cJSON_AddObjectToObject(o, key);
    cJSON_AddNumberToObject(j, "at", asl_timer_at(t));
    cJSON_AddStringToObject(j, "fn", name);
}

static cJSON *task_json(const asl_task *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "resource", t->resource);
    put_str(o, "token", t->token);
    put_str(o, "ref", ASL_AUX(t, ref));
    cJSON_AddBoolToObject(o, "done", t->done);
    cJSON_AddBoolToObject(o, "submitted", t->submitted);
    cJSON_AddBoolToObject(o, "timedOut", t->timed_out);
    cJSON_AddNumberToObject(o, "heartbeatSeconds", ASL_AUX(t, heartbeat_seconds));
    if (ASL_AUX(t, child))
        cJSON_AddStringToObject(o, "child", t->aux->child->arn);
    put_value(o, "payload", ASL_AUX(t, payload));
    return o;
}

static cJSON *frame_json(const asl_frame *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "state", f->state);
    cJSON_AddStringToObject(o, "name", f->graph->states[f->state].name);
    put_value(o, "data", f->data);
    put_value(o, "vars", f->vars);
    cJSON_AddNumberToObject(o, "src", f->src);
    cJSON_AddNumberToObject(o, "entered", f->entered);
    cJSON_AddNumberToObject(o, "enteredId", f->entered_id);
    cJSON_AddNumberToObject(o, "retryCount", f->retry_count);
    static const int none[ASL_RETRIERS_MAX];
    cJSON_AddItemToObject(o, "attempts", cJSON_CreateIntArray(f->attempts ? f->attempts : none, ASL_RETRIERS_MAX));
    cJSON_AddNumberToObject(o, "wait", f->wait);
    cJSON_AddBoolToObject(o, "queued", f->queued);
    for (int i = 0; i < COUNT(resumes); i++)
        if (f->resume && *resumes[i].fn == f->resume)
            cJSON_AddStringToObject(o, "resume", resumes[i].name);
    if (f->resume && !cJSON_GetObjectItemCaseSensitive(o, "resume"))
        abort(); /* a continuation missing from the list above */
    if (!f->result && f->task && f->task->answer) /* an answer not taken yet, kept as text */
        cJSON_AddItemToObject(o, "result", asl_json_parse(f->task->answer));
    else
        put_value(o, "result", f->result);
    put_err(o, &f->err);
    put_timer(o, "timer", f->timer);
    put_timer(o, "heartbeat", f->heartbeat);
    if (f->task)
        cJSON_AddItemToObject(o, "task", task_json(f->task));
    put_value(o, "effective", f->effective);
    const asl_fan *p = f->fan;
    if (!p || !p->kids)
        return o;
    cJSON *kids = cJSON_AddArrayToObject(o, "kids");
    for (int i = 0; i < p->nkids; i++)
        cJSON_AddItemToArray(kids, p->kids[i] ? frame_json(p->kids[i]) : cJSON_CreateNull());
    put_value(o, "items", p->items);
    put_value(o, "results", p->results);
    cJSON_AddNumberToObject(o, "started", p->started);
    cJSON_AddNumberToObject(o, "running", p->running);
    cJSON_AddNumberToObject(o, "failed", p->failed);
    cJSON_AddNumberToObject(o, "maxConcurrency", p->max_concurrency);
    cJSON_AddNumberToObject(o, "toleratedCount", p->tolerated_count);
    cJSON_AddNumberToObject(o, "toleratedPercent", p->tolerated_percent);
    return o;
}

char *asl_exec_snapshot(const asl_exec *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "version", SNAPSHOT_VERSION);
    cJSON_AddStringToObject(o, "arn", x->arn);
    cJSON_AddStringToObject(o, "name", x->name);
    cJSON_AddStringToObject(o, "machine", x->machine_arn);
    put_value(o, "input", x->input);
    cJSON_AddNumberToObject(o, "start", x->start);
    cJSON_AddNumberToObject(o, "stop", x->stop);
    cJSON_AddStringToObject(o, "status", asl_status_name(x->status));
    put_value(o, "output", x->output);
    put_err(o, &x->err);
    cJSON_AddNumberToObject(o, "events", x->events);
    cJSON_AddNumberToObject(o, "transitions", (double)x->transitions);
    put_str(o, "parent", ASL_KIN(x, parent_arn));
    put_str(o, "mockCase", ASL_KIN(x, mock_case));
    cJSON_AddBoolToObject(o, "overLimit", x->over_limit);
    cJSON_AddBoolToObject(o, "waited", ASL_KIN(x, waiter) != NULL);
    put_timer(o, "timeout", x->timeout);
    if (x->root)
        cJSON_AddItemToObject(o, "root", frame_json(x->root));
    char *text = asl_json_print(o);
    cJSON_Delete(o);
    return text;
}

/* ---------------------------------------------------------- checking */

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static asl_step (*resume_fn(const char *name, bool *ok))(asl_frame *f)
{
    *ok = true;
    if (!name)
        return NULL;
    for (int i = 0; i < COUNT(resumes); i++)
        if (!strcmp(resumes[i].name, name))
            return *resumes[i].fn;
    *ok = false;
    return NULL;
}

static void (*timer_fn(const cJSON *t))(asl_frame *f)
{
    const char *name = str(t, "fn");
    for (int i = 0; name && i < COUNT(timers); i++)
        if (!strcmp(timers[i].name, name))
            return *timers[i].fn;
    return NULL;
}

static bool bad(asl_err *err, const char *arn, const char *what)
{
    asl_err_set(err, "InvalidSnapshot", "execution %s: %s", arn ? arn : "(unnamed)", what);
    return false;
}

/* The graph a sub-frame in slot runs, below state s. */
static const asl_graph *kid_graph(const asl_state *s, int slot)
{
    if (s->type == ASL_MAP)
        return s->nbranches ? s->branches[0] : NULL;
    return slot < s->nbranches ? s->branches[slot] : NULL;
}

/* Whether frame snapshot j fits graph g (state indexes and names, the
 * functions it names), recursively. */
static bool check_frame(const cJSON *j, const asl_graph *g, const char *arn, asl_err *err)
{
    const cJSON *st = get(j, "state");
    const char *name = str(j, "name");
    if (!cJSON_IsNumber(st) || st->valueint < 0 || st->valueint >= g->nstates || !name)
        return bad(err, arn, "a frame names no state of the machine");
    const asl_state *s = &g->states[st->valueint];
    if (strcmp(s->name, name)) {
        char msg[600];
        snprintf(msg, sizeof msg, "state %d of %s is \"%s\", not \"%s\": the machine changed", st->valueint,
                 g->name, s->name, name);
        return bad(err, arn, msg);
    }
    bool ok;
    resume_fn(str(j, "resume"), &ok);
    if (!ok)
        return bad(err, arn, "unknown continuation");
    for (const char *const *k = (const char *const[]){"timer", "heartbeat", NULL}; *k; k++)
        if (get(j, *k) && !timer_fn(get(j, *k)))
            return bad(err, arn, "unknown timer callback");
    const cJSON *task = get(j, "task");
    if (task && !str(task, "resource"))
        return bad(err, arn, "a task without its resource");
    const char *token = task ? str(task, "token") : NULL;
    if (token && !cJSON_IsTrue(get(task, "done")) && !asl_token_signed(token))
        return bad(err, arn, "a task token this engine did not sign (load the engine state first)");
    const cJSON *kids = get(j, "kids"), *kid;
    int slot = 0;
    cJSON_ArrayForEach(kid, kids) {
        const asl_graph *kg = kid_graph(s, slot++);
        if (!cJSON_IsNull(kid) && (!kg || !check_frame(kid, kg, arn, err)))
            return kg ? false : bad(err, arn, "a branch the state does not have");
    }
    return true;
}

/* ---------------------------------------------------------- building */

/* .sync tasks restored before their child execution. */
static struct link {
    asl_task *task;
    char *child;
} *links;
static int nlinks;

void asl_snapshot_links_clear(void)
{
    for (int i = 0; i < nlinks; i++)
        free(links[i].child);
    free(links);
    links = NULL;
    nlinks = 0;
}

/* The child reports to t from now on; one that ended already does so at
 * once (both were saved in the same turn, so only a store that lost a
 * turn gets here). */
static void link_child(asl_task *t, asl_exec *child)
{
    asl_exec_kin_of(child)->waiter = t;
    asl_task_aux_of(t)->child = child;
    if (child->status != ASL_RUNNING)
        asl_child_finished(child);
}

static void want_child(asl_task *t, const char *arn)
{
    asl_exec *child = asl_engine_find(asl_engine_current(), arn);
    if (child) {
        link_child(t, child);
        return;
    }
    links = realloc(links, sizeof *links * (size_t)(nlinks + 1));
    if (!links)
        abort();
    links[nlinks++] = (struct link){t, strdup(arn)};
}

/* Tasks to dispatch again once their execution is whole. */
typedef struct sends {
    asl_task **task;
    int n;
} sends;

static asl_err take_err(const cJSON *j)
{
    const cJSON *e = get(j, "err");
    const char *error = str(e, "error"), *cause = str(e, "cause");
    return (asl_err){error ? strdup(error) : NULL, cause ? strdup(cause) : NULL};
}

static cJSON *copy(const cJSON *j, const char *key)
{
    const cJSON *v = get(j, key);
    return v ? asl_json_copy(v) : NULL;
}

static void build_task(asl_frame *f, const cJSON *j, sends *out)
{
    asl_task *t = asl_task_restore(f, &f->graph->states[f->state], str(j, "resource"));
    f->task = t;
    const char *token = str(j, "token"), *ref = str(j, "ref"), *child = str(j, "child");
    t->done = cJSON_IsTrue(get(j, "done"));
    t->submitted = cJSON_IsTrue(get(j, "submitted"));
    t->timed_out = cJSON_IsTrue(get(j, "timedOut"));
    double heartbeat = num(j, "heartbeatSeconds");
    cJSON *payload = copy(j, "payload");
    if (heartbeat > 0 || ref || payload) {
        asl_task_aux *a = asl_task_aux_of(t);
        a->heartbeat_seconds = heartbeat;
        a->ref = ref ? strdup(ref) : NULL;
        a->payload = payload;
    }
    if (token) {
        t->token = asl_json_text(token, strlen(token)); /* (freed as token.c's are) */
        if (!t->done)
            asl_token_adopt(t);
    }
    if (child)
        want_child(t, child);
    else if (!t->done && !t->submitted && payload) {
        out->task = realloc(out->task, sizeof *out->task * (size_t)(out->n + 1));
        if (!out->task)
            abort();
        out->task[out->n++] = t;
    }
}

static asl_frame *build_frame(asl_exec *x, const asl_graph *g, asl_frame *parent, int slot, const cJSON *j,
                              sends *out)
{
    asl_frame *f = asl_frame_alloc(x, g, parent, slot);
    f->state = (int)num(j, "state");
    f->data = copy(j, "data");
    f->vars = copy(j, "vars");
    f->src = (int)num(j, "src");
    f->entered = num(j, "entered");
    f->entered_id = (int)num(j, "enteredId");
    f->retry_count = (int)num(j, "retryCount");
    const cJSON *a;
    int i = 0;
    cJSON_ArrayForEach(a, get(j, "attempts")) {
        if (i >= ASL_RETRIERS_MAX)
            break;
        if (a->valueint && !f->attempts && !(f->attempts = calloc(ASL_RETRIERS_MAX, sizeof *f->attempts)))
            abort();
        if (f->attempts)
            f->attempts[i] = a->valueint;
        i++;
    }
    f->wait = (asl_wait_kind)num(j, "wait");
    f->result = copy(j, "result");
    f->err = take_err(j);
    f->effective = copy(j, "effective");
    const cJSON *t;
    if ((t = get(j, "timer")))
        f->timer = asl_timer_add(num(t, "at"), f, timer_fn(t));
    if ((t = get(j, "heartbeat")))
        f->heartbeat = asl_timer_add(num(t, "at"), f, timer_fn(t));
    if ((t = get(j, "task")))
        build_task(f, t, out);
    const cJSON *kids = get(j, "kids");
    if (kids) {
        const asl_state *s = &g->states[f->state];
        asl_fan *p = asl_frame_fan(f);
        p->nkids = cJSON_GetArraySize(kids);
        p->kids = calloc((size_t)p->nkids + 1, sizeof *p->kids);
        if (!p->kids)
            abort();
        i = 0;
        const cJSON *kid;
        cJSON_ArrayForEach(kid, kids) {
            if (!cJSON_IsNull(kid))
                p->kids[i] = build_frame(x, kid_graph(s, i), f, i, kid, out);
            i++;
        }
        p->started = (int)num(j, "started");
        p->running = (int)num(j, "running");
        p->failed = (int)num(j, "failed");
        p->max_concurrency = (int)num(j, "maxConcurrency");
        p->tolerated_count = (int)num(j, "toleratedCount");
        p->tolerated_percent = num(j, "toleratedPercent");
        asl_branches_restore(f, copy(j, "items"), copy(j, "results"));
    }
    bool ok;
    asl_step (*resume)(asl_frame *) = resume_fn(str(j, "resume"), &ok);
    if (cJSON_IsTrue(get(j, "queued")))
        asl_wake(f, resume);
    else
        f->resume = resume;
    return f;
}

static asl_status status_of(const char *name)
{
    for (int s = ASL_RUNNING; s <= ASL_ABORTED; s++)
        if (name && !strcmp(asl_status_name((asl_status)s), name))
            return (asl_status)s;
    return (asl_status)-1;
}

/* The machine the snapshot runs on; NULL with err set. */
static const asl_machine *machine_of(int unit, const char *arn, asl_unit **u, asl_err *err)
{
    const asl_machine *m = NULL;
    if (unit > 0) {
        *u = asl_unit_by_id(unit);
        m = *u && arn ? asl_unit_machine(*u, arn) : NULL;
    } else if (arn) {
        m = asl_units_find(arn, u);
    }
    if (!m)
        asl_err_set(err, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn ? arn : "");
    return m;
}

/* Checks the snapshot and the events; NULL with err set. */
static cJSON *check(const char *snapshot_json, const char *events_json, cJSON **events, asl_err *err)
{
    cJSON *j = asl_json_parse(snapshot_json ? snapshot_json : "");
    const char *arn = str(j, "arn");
    if (!j || num(j, "version") != SNAPSHOT_VERSION || !arn || !str(j, "name") || !get(j, "input") ||
        (int)status_of(str(j, "status")) < 0) {
        bad(err, arn, "not an execution snapshot of this version of aslc");
        cJSON_Delete(j);
        return NULL;
    }
    if (asl_engine_find(asl_engine_current(), arn)) {
        asl_err_set(err, "ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn);
        cJSON_Delete(j);
        return NULL;
    }
    *events = events_json ? asl_json_parse(events_json) : NULL;
    if (events_json && !cJSON_IsArray(*events)) {
        bad(err, arn, "its history is not a JSON array of events");
        cJSON_Delete(*events);
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static asl_exec *build_exec(const cJSON *j, asl_unit *u, const asl_machine *m)
{
    asl_exec *x = asl_exec_alloc();
    x->machine = m;
    x->unit = u;
    asl_unit_hold(u);
    x->machine_arn = asl_unit_machine_arn(u, m);
    x->name = strdup(str(j, "name"));
    x->arn = strdup(str(j, "arn"));
    x->input = copy(j, "input");
    x->start = num(j, "start");
    x->stop = num(j, "stop");
    x->status = status_of(str(j, "status"));
    x->output = copy(j, "output");
    x->err = take_err(j);
    x->events = (int)num(j, "events");
    x->transitions = (unsigned long)num(j, "transitions");
    const char *parent = str(j, "parent");
    if (parent)
        asl_exec_kin_of(x)->parent_arn = strdup(parent);
    const char *mock_case = str(j, "mockCase");
    if (mock_case)
        asl_exec_kin_of(x)->mock_case = strdup(mock_case);
    x->over_limit = cJSON_IsTrue(get(j, "overLimit"));
    return x;
}

asl_exec *asl_engine_restore(asl_engine *e, int unit, const char *snapshot_json, const char *events_json,
                             asl_err *err)
{
    cJSON *events = NULL;
    cJSON *j = check(snapshot_json, events_json, &events, err);
    if (!j)
        return NULL;
    asl_unit *u = NULL;
    const asl_machine *m = machine_of(unit, str(j, "machine"), &u, err);
    const cJSON *root = get(j, "root");
    if (!m || (root && !check_frame(root, m->graph, str(j, "arn"), err))) {
        cJSON_Delete(events);
        cJSON_Delete(j);
        return NULL;
    }
    asl_exec *x = build_exec(j, u, m);
    if (!asl_exec_adopt(x)) {
        asl_err_set(err, "ExecutionAlreadyExists", "Execution Already Exists: '%s'", str(j, "arn"));
        cJSON_Delete(events);
        cJSON_Delete(j);
        return NULL;
    }
    if (events)
        asl_history_restore(x, events);
    sends out = {0};
    if (root && x->status == ASL_RUNNING)
        x->root = build_frame(x, m->graph, NULL, 0, root, &out);
    const cJSON *t = get(j, "timeout");
    if (t && x->root)
        x->timeout = asl_timer_add(num(t, "at"), x->root, asl_exec_timeout);
    for (int i = 0; i < nlinks; i++) {
        if (strcmp(links[i].child, x->arn))
            continue;
        link_child(links[i].task, x);
        free(links[i].child);
        links[i--] = links[--nlinks];
    }
    for (int i = 0; i < out.n; i++) {
        asl_task *task = out.task[i];
        cJSON *payload = task->aux->payload;
        task->aux->payload = NULL;
        asl_task_send(task, payload);
    }
    free(out.task);
    cJSON_Delete(j);
    return x;
}

/* ------------------------------------------------------ engine state */

char *asl_engine_save_state(asl_engine *e)
{
    unsigned char key[16];
    uint64_t next;
    asl_token_state(key, &next);
    char hex[33], seq[24];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", key[i]);
    snprintf(seq, sizeof seq, "%llu", (unsigned long long)next);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "tokenKey", hex);
    cJSON_AddStringToObject(o, "tokenNext", seq);
    char *text = asl_json_print(o);
    cJSON_Delete(o);
    return text;
}

bool asl_engine_load_state(asl_engine *e, const char *state_json, asl_err *err)
{
    cJSON *o = asl_json_parse(state_json ? state_json : "");
    const char *hex = str(o, "tokenKey"), *seq = str(o, "tokenNext");
    unsigned char key[16];
    bool ok = hex && seq && strlen(hex) == 32;
    for (int i = 0; ok && i < 16; i++) {
        unsigned v;
        ok = sscanf(hex + 2 * i, "%2x", &v) == 1;
        key[i] = (unsigned char)v;
    }
    if (ok)
        asl_token_set_state(key, strtoull(seq, NULL, 10));
    else
        asl_err_set(err, "InvalidSnapshot", "not an engine state of this version of aslc");
    cJSON_Delete(o);
    return ok;
}
