/*
 * engine.c: the embedding API (asl_engine.h). The engine is the one owner
 * of what a front end sees: the loaded units and their machines' ARNs, the
 * observers every event goes to, and the calls that start, stop, look up
 * and describe executions. The scheduler, executions and tokens below it
 * stay process-wide (sched.c, exec.c, token.c), which is why there is one
 * engine per process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "pool.h"
#include "handlers.h"
#include "history.h"
#include "s3.h"

/* What a unit knows of one of its machines: its ARN, and what each of its
 * executions' ARNs starts with (so that starting one is a copy). */
typedef struct unit_machine {
    char *arn;
    size_t narn;
    char *exec_prefix;           /* "arn:...:execution:NAME:" (asl_exec_arn_prefix) */
    size_t nprefix;
} unit_machine;

struct asl_unit {
    int id;
    const asl_program *program;
    unit_machine *ms;            /* per machine */
    void (*release)(void *ud);
    void *ud;
    int users;                   /* executions using it */
    bool unloaded;
    asl_unit *next;              /* newest first */
};

typedef struct observer {
    int id;
    asl_observer_fn fn;
    void *ud;
    unsigned flags;
    unsigned bit;                /* observing_bit(flags): the events it hears */
} observer;

struct asl_engine {
    asl_unit *units;
    asl_unit *retired;           /* unloaded, still used by executions */
    int next_unit, next_observer;
    observer *obs;               /* as many as embedders add (grows by doubling) */
    int nobs, obs_cap;
    unsigned flags;              /* union of the observers' flags */
    bool closing;
};

static asl_engine *engine;
unsigned asl_observing;

/* The last ARN asl_units_find answered and its answer (a workflow starts
 * the same child machine again and again, by an ARN of another account
 * or region as often as not); forgotten when a unit comes or goes. */
typedef struct found_machine {
    char *arn;
    asl_unit *unit;
    const asl_machine *m;
} found_machine;
static found_machine found;

static void found_forget(void)
{
    free(found.arn);
    memset(&found, 0, sizeof found);
}

/* Which events an observer with these flags hears (an ASL_OBSERVING_*
 * bit: see asl_event_hearers). */
static unsigned observing_bit(unsigned flags)
{
    return flags & ASL_OBSERVE_ENDS         ? ASL_OBSERVING_ENDS
           : flags & ASL_OBSERVE_EXECUTIONS ? ASL_OBSERVING_EXECUTIONS
                                            : ASL_OBSERVING_ALL;
}

/* The flags hot paths test instead of asking the observers. */
static void observing_update(asl_engine *e)
{
    asl_observing &= ASL_OBSERVING_DETAILS * asl_history_recording();
    for (int i = 0; i < e->nobs; i++) {
        unsigned f = e->obs[i].flags;
        asl_observing |= observing_bit(f);
        if (f & ASL_OBSERVE_DETAILS)
            asl_observing |= ASL_OBSERVING_DETAILS;
        if (f & ASL_OBSERVE_INSPECTION)
            asl_observing |= ASL_OBSERVING_INSPECTION;
    }
}

asl_engine *asl_engine_current(void)
{
    return engine;
}

asl_engine *asl_engine_new(const asl_engine_config *c)
{
    if (engine)
        return NULL;
    asl_engine_config defaults = {.wait_scale = 1};
    if (!c)
        c = &defaults;
    engine = calloc(1, sizeof *engine);
    if (!engine)
        abort();
    asl_wait_scale = c->wait_scale < 0 ? 1 : c->wait_scale;
    asl_set_account(c->region, c->account);
    asl_set_virtual_time(c->virtual_time, 0);
    asl_history_enable(c->record_history);
    return engine;
}

static void unit_release(asl_unit *u)
{
    for (int i = 0; i < u->program->nmachines; i++)
    {
        free(u->ms[i].arn);
        free(u->ms[i].exec_prefix);
    }
    free(u->ms);
    if (u->release)
        u->release(u->ud);
    free(u);
}

void asl_engine_free(asl_engine *e)
{
    if (!e)
        return;
    e->closing = true; /* executions drop their units without releasing them */
    e->nobs = 0;       /* freeing a .sync parent aborts its child: no one hears of it */
    asl_snapshot_links_clear();
    asl_exec_free_all();
    asl_dmap_free_all();
    asl_s3_free();
    asl_task_free_all();
    asl_handlers_free();
    asl_sched_reset();
    asl_unit *lists[] = {e->units, e->retired};
    for (int i = 0; i < 2; i++)
        while (lists[i]) {
            asl_unit *u = lists[i];
            lists[i] = u->next;
            unit_release(u);
        }
    asl_history_enable(false);
    found_forget();
    free(e->obs);
    free(e);
    engine = NULL;
    asl_observing = 0;
    asl_wait_scale = 1;
}

/* ------------------------------------------------------------- units */

static char *build_arn(const asl_machine *m)
{
    if (m->arn)
        return strdup(m->arn);
    asl_buf b = {0};
    asl_buf_printf(&b, "arn:aws:states:%s:%s:stateMachine:%s", asl_region(), asl_account(), m->name);
    return asl_buf_take(&b);
}

int asl_engine_load(asl_engine *e, const asl_program *p, void (*release)(void *ud), void *ud)
{
    asl_unit *u = calloc(1, sizeof *u);
    if (!u || !(u->ms = calloc((size_t)p->nmachines + 1, sizeof *u->ms)))
        abort();
    u->id = ++e->next_unit;
    u->program = p;
    u->release = release;
    u->ud = ud;
    for (int i = 0; i < p->nmachines; i++)
    {
        unit_machine *um = &u->ms[i];
        um->arn = build_arn(&p->machines[i]);
        um->narn = strlen(um->arn);
        um->exec_prefix = asl_exec_arn_prefix(um->arn, p->machines[i].express, &um->nprefix);
    }
    u->next = e->units;
    e->units = u;
    found_forget();
    return u->id;
}

void asl_engine_unload(asl_engine *e, int id)
{
    for (asl_unit **p = &e->units; *p; p = &(*p)->next) {
        asl_unit *u = *p;
        if (u->id != id)
            continue;
        *p = u->next;
        u->unloaded = true;
        found_forget();
        if (!u->users) {
            unit_release(u);
        } else {
            u->next = e->retired;
            e->retired = u;
        }
        return;
    }
}

void asl_unit_hold(asl_unit *u)
{
    u->users++;
}

void asl_unit_drop(asl_unit *u)
{
    if (--u->users || !u->unloaded || engine->closing)
        return;
    for (asl_unit **p = &engine->retired; *p; p = &(*p)->next)
        if (*p == u) {
            *p = u->next;
            break;
        }
    unit_release(u);
}

asl_unit *asl_unit_by_id(int id)
{
    for (asl_unit *u = engine->units; u; u = u->next)
        if (u->id == id)
            return u;
    return NULL;
}

const asl_machine *asl_unit_machine(const asl_unit *u, const char *arn)
{
    for (int i = 0; i < u->program->nmachines; i++)
        if (!strcmp(u->ms[i].arn, arn))
            return &u->program->machines[i];
    return NULL;
}

const asl_program *asl_unit_program(const asl_unit *u)
{
    return u->program;
}

const char *asl_unit_machine_arn(const asl_unit *u, const asl_machine *m)
{
    /* A Map Run's children run a machine of their own (dmap.c). */
    if (m < u->program->machines || m >= u->program->machines + u->program->nmachines)
        return m->arn;
    return u->ms[m - u->program->machines].arn;
}

const char *asl_unit_machine_arns(const asl_unit *u, const asl_machine *m, const char **prefix, size_t *n)
{
    if (m < u->program->machines || m >= u->program->machines + u->program->nmachines) {
        *prefix = NULL;
        return m->arn;
    }
    const unit_machine *um = &u->ms[m - u->program->machines];
    *prefix = um->exec_prefix;
    *n = um->nprefix;
    return um->arn;
}

const asl_machine *asl_units_find(const char *arn, asl_unit **out)
{
    /* A full ARN first; a bare name (or an ARN of another region or
     * account naming the same machine) second. */
    if (found.arn && !strcmp(found.arn, arn)) {
        *out = found.unit;
        return found.m;
    }
    const char *name = NULL;
    size_t n = strlen(arn);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            name = strstr(arn, ":stateMachine:");
            name = name ? name + 14 : arn;
        }
        for (asl_unit *u = engine->units; u; u = u->next) {
            for (int i = 0; i < u->program->nmachines; i++) {
                const asl_machine *m = &u->program->machines[i];
                if (pass == 0 ? u->ms[i].narn == n && !memcmp(u->ms[i].arn, arn, n) : !strcmp(m->name, name)) {
                    free(found.arn);
                    found = (found_machine){strdup(arn), u, m};
                    if (!found.arn)
                        abort();
                    *out = u;
                    return m;
                }
            }
        }
    }
    return NULL;
}

const asl_machine *asl_engine_machine(asl_engine *e, const char *arn)
{
    asl_unit *u;
    return asl_units_find(arn, &u);
}

static asl_unit *unit_of(asl_engine *e, const asl_machine *m);

const char *asl_engine_machine_arn(asl_engine *e, const asl_machine *m)
{
    asl_unit *u = unit_of(e, m);
    return u ? asl_unit_machine_arn(u, m) : NULL;
}

/* -------------------------------------------------------- executions */

/* AWS's rule for execution names: 1 to 80 characters, none of them white
 * space, brackets, wildcards, special punctuation or control characters. */
bool asl_exec_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n < 1 || n > 80)
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || strchr("<>{}[]?*\"#%\\^|~`$&,;:/", *p))
            return false;
    return true;
}

static asl_unit *unit_of(asl_engine *e, const asl_machine *m)
{
    for (asl_unit *u = e->units; u; u = u->next)
        if (m >= u->program->machines && m < u->program->machines + u->program->nmachines)
            return u;
    return NULL;
}

asl_exec *asl_engine_start_value(asl_engine *e, const asl_machine *m, const char *name, cJSON *input,
                                 asl_err *err)
{
    if (name && !asl_exec_name_valid(name)) {
        asl_err_set(err, "InvalidName", "Invalid Name: '%s'", name);
        asl_json_delete(input);
        return NULL;
    }
    asl_keys_intern(input, m); /* look-ups by address (keys.c) */
    asl_exec *x = asl_exec_start(unit_of(e, m), m, name, input, NULL, err);
    if (!x && err->error && !strcmp(err->error, "StepFunctions.ExecutionAlreadyExistsException")) {
        free(err->error);
        err->error = strdup("ExecutionAlreadyExists");
    }
    return x;
}

asl_exec *asl_engine_start_shared(asl_engine *e, const asl_machine *m, const char *name, const cJSON *input,
                                  size_t size, asl_err *err)
{
    if (name && !asl_exec_name_valid(name)) {
        asl_err_set(err, "InvalidName", "Invalid Name: '%s'", name);
        return NULL;
    }
    return asl_exec_start_shared(unit_of(e, m), m, name, input, size, NULL, err);
}

asl_exec *asl_engine_start(asl_engine *e, const char *machine_arn, const char *name, const char *input_json,
                           asl_err *err)
{
    asl_unit *u;
    const asl_machine *m = asl_units_find(machine_arn, &u);
    if (!m) {
        asl_err_set(err, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", machine_arn);
        return NULL;
    }
    const char *text = input_json ? input_json : "{}";
    asl_buf why = {0};
    cJSON *input = asl_json_parse_checked(text, strlen(text), &why); /* UTF-8, depth, numbers */
    asl_buf_free(&why);
    if (!input) {
        asl_err_set(err, "InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'", input_json);
        return NULL;
    }
    return asl_engine_start_value(e, m, name, input, err);
}

bool asl_engine_stop(asl_engine *e, asl_exec *x, const char *error, const char *cause)
{
    if (x->status != ASL_RUNNING)
        return false;
    asl_exec_abort(x, error, cause);
    return true;
}

asl_exec *asl_engine_find(asl_engine *e, const char *arn)
{
    return asl_exec_find(arn);
}

asl_exec *asl_engine_executions(asl_engine *e)
{
    return asl_exec_list();
}

asl_exec *asl_exec_next(const asl_exec *x)
{
    return x->next;
}

void asl_engine_forget(asl_engine *e, asl_exec *x)
{
    if (x->status != ASL_RUNNING && !ASL_KIN(x, waiter))
        asl_exec_free(x);
}

const char *asl_exec_arn(const asl_exec *x) { return x->arn; }
const char *asl_exec_name(const asl_exec *x) { return x->name; }
const char *asl_exec_machine_arn(const asl_exec *x) { return x->machine_arn; }
const char *asl_exec_parent_arn(const asl_exec *x) { return ASL_KIN(x, parent_arn); }
const char *asl_exec_map_run_arn(const asl_exec *x) { return ASL_KIN(x, map_run_arn); }
long asl_exec_item_count(const asl_exec *x) { return ASL_KIN(x, map_items); }
asl_status asl_exec_status(const asl_exec *x) { return x->status; }
double asl_exec_start_date(const asl_exec *x) { return x->start; }
double asl_exec_stop_date(const asl_exec *x) { return x->status == ASL_RUNNING ? 0 : x->stop; }
unsigned long asl_exec_transitions(const asl_exec *x) { return x->transitions; }
int asl_exec_unit(const asl_exec *x) { return x->unit->id; }
void *asl_exec_user(const asl_exec *x) { return x->user; }
void asl_exec_set_user(asl_exec *x, void *user) { x->user = user; }

const char *asl_exec_error(const asl_exec *x)
{
    return x->status == ASL_RUNNING ? NULL : x->err.error;
}

const char *asl_exec_cause(const asl_exec *x)
{
    return x->status == ASL_RUNNING ? NULL : x->err.cause;
}

char *asl_exec_input_json(const asl_exec *x)
{
    return asl_json_print(x->input);
}

char *asl_exec_output_json(const asl_exec *x)
{
    return x->status == ASL_SUCCEEDED ? asl_json_print(x->output) : NULL;
}

/* An EXPRESS execution is described as StartSyncExecution answers: no
 * redrive members, and what it is billed (64 MB, in 100 ms at least). */
static void express_billing(cJSON *o, const asl_exec *x)
{
    double ms = x->status == ASL_RUNNING ? 0 : (x->stop - x->start) * 1000.0;
    cJSON *bill = cJSON_AddObjectToObject(o, "billingDetails");
    cJSON_AddNumberToObject(bill, "billedMemoryUsedInMB", 64);
    cJSON_AddNumberToObject(bill, "billedDurationInMilliseconds", ms < 100 ? 100 : (double)(long long)(ms + 0.5));
}

cJSON *asl_describe(const asl_exec *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "executionArn", x->arn);
    cJSON_AddStringToObject(o, "stateMachineArn", x->machine_arn);
    cJSON_AddStringToObject(o, "name", x->name);
    cJSON_AddStringToObject(o, "status", asl_status_name(x->status));
    asl_json_add_date(o, "startDate", x->start);
    if (x->status != ASL_RUNNING)
        asl_json_add_date(o, "stopDate", x->stop);
    char *in = asl_json_print(x->input);
    cJSON_AddStringToObject(o, "input", in);
    free(in);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "inputDetails"), "included", 1);
    if (x->status == ASL_SUCCEEDED) {
        char *out = asl_json_print(x->output);
        cJSON_AddStringToObject(o, "output", out);
        free(out);
        cJSON_AddBoolToObject(cJSON_AddObjectToObject(o, "outputDetails"), "included", 1);
    } else if (x->status != ASL_RUNNING) {
        if (x->err.error)
            cJSON_AddStringToObject(o, "error", x->err.error);
        if (x->err.cause)
            cJSON_AddStringToObject(o, "cause", x->err.cause);
    }
    if (x->machine->express) {
        express_billing(o, x);
        return o;
    }
    if (ASL_KIN(x, map_run_arn))
        cJSON_AddStringToObject(o, "mapRunArn", x->kin->map_run_arn);
    cJSON_AddNumberToObject(o, "redriveCount", 0);
    cJSON_AddStringToObject(o, "redriveStatus", "NOT_REDRIVABLE");
    return o;
}

char *asl_exec_describe_json(const asl_exec *x)
{
    return asl_json_print_take(asl_describe(x));
}

char *asl_exec_history_json(const asl_exec *x)
{
    return asl_json_print_take(asl_history_json(x));
}

/* --------------------------------------------------------- scheduling */

void asl_engine_run(asl_engine *e)
{
    asl_snapshot_links_clear();
    asl_sched_run();
}

int asl_engine_step(asl_engine *e, asl_engine_wait *w)
{
    asl_snapshot_links_clear();
    while (asl_sched_turn())
        ;
    if (w) {
        w->deadline = asl_sched_deadline();
        double retry = -1;
        w->nfds = asl_process_fds(w->fds, (int)(sizeof w->fds / sizeof w->fds[0]), &retry);
        if (retry > 0 && (w->deadline < 0 || retry < w->deadline))
            w->deadline = retry;
    }
    return asl_running_executions();
}

void asl_engine_block(asl_engine *e, const asl_engine_wait *w)
{
    asl_sched_block(w->deadline);
}

/* ------------------------------------------------------------ events */

int asl_engine_observe(asl_engine *e, asl_observer_fn fn, void *ud, unsigned flags)
{
    if (e->nobs == e->obs_cap) {
        int cap = e->obs_cap ? 2 * e->obs_cap : 8;
        observer *grown = realloc(e->obs, sizeof *grown * (size_t)cap);
        if (!grown)
            abort(); /* as every allocation of the engine */
        e->obs = grown;
        e->obs_cap = cap;
    }
    e->obs[e->nobs] = (observer){++e->next_observer, fn, ud, flags, observing_bit(flags)};
    e->flags |= flags;
    int id = e->obs[e->nobs++].id;
    observing_update(e);
    return id;
}

void asl_engine_unobserve(asl_engine *e, int id)
{
    e->flags = 0;
    for (int i = 0; i < e->nobs; i++) {
        if (e->obs[i].id == id) {
            memmove(&e->obs[i], &e->obs[i + 1], sizeof *e->obs * (size_t)(e->nobs - i - 1));
            e->nobs--;
            i--;
            continue;
        }
        e->flags |= e->obs[i].flags;
    }
    observing_update(e);
}

double asl_wait_scale = 1;

void asl_engine_emit(asl_exec *x, int id, int prev, const char *type, double at, const cJSON *details)
{
    asl_engine_emit_heard(x, id, prev, type, at, details, asl_event_hearers(type));
}

void asl_engine_emit_heard(asl_exec *x, int id, int prev, const char *type, double at, const cJSON *details,
                           unsigned hearers)
{
    if (!engine || !engine->nobs)
        return;
    asl_event ev = {x, id, prev, type, at, NULL};
    for (int i = 0; i < engine->nobs; i++) {
        const observer *o = &engine->obs[i];
        if (!(hearers & o->bit))
            continue;
        ev.details = o->flags & ASL_OBSERVE_DETAILS ? details : NULL;
        o->fn(o->ud, &ev);
    }
}

char *asl_event_details_json(const asl_event *ev)
{
    return ev->details ? asl_json_print(ev->details) : NULL;
}

char *asl_event_json(const asl_event *ev)
{
    asl_buf b = {0};
    asl_history_write_event(&b, ev);
    return asl_buf_take(&b);
}

const char *asl_event_details_key(const asl_event *ev, char *buf, size_t n)
{
    return asl_history_details_key(ev->type, buf, n);
}
