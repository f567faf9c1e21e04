/*
 * durable.c: aslc serve --data DIR. The server keeps its state machines
 * (every version of each definition), activities and executions in the
 * store (store/store.h) and brings them back when it starts again, so that
 * executions resume where they were (docs/durability.md).
 *
 * What an execution is goes to the store as the runtime's snapshot
 * (asl_exec_snapshot) plus its history events, which an observer collects
 * as the engine emits them. Each commit saves the executions touched since
 * the last one: those that emitted an event, and those an outside answer
 * woke (a frame on the run queue). Commits happen after each scheduler
 * turn and after each API call, before its answer leaves: what a client
 * was told happened is in the store.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "history.h"
#include "server.h"
#include "store.h"

/* An execution as the store knows it (found by its pointer: the engine's
 * user mark is TestState's). */
typedef struct dur_exec {
    long long key;              /* 0 until first saved */
    int version;                /* its machine's definition version */
    bool skip;                  /* not the server's (TestState's): not kept */
    bool touched;
    struct dur_exec *next_touched;
    asl_exec *x;
    asl_buf events;             /* its events since the last commit, comma-separated */
    int first;                  /* the first one's id */
} dur_exec;

/* A stored definition version (while starting), and an engine unit's
 * version (always). */
typedef struct dur_version {
    char *arn;
    int version;
    cJSON *record;
    int unit;
} dur_version;

struct srv_durable {
    store *st;
    bool in_tx;
    dur_exec *touched;
    char *engine_state;         /* as last saved */
    dur_version *versions;      /* stored definitions, then units */
    int nversions;
    dur_exec **slots;           /* every record, by execution pointer (open addressing) */
    size_t nslots, nslot_cap;
    bool machines_ready;
    int observer;
};

static size_t slot_of(const srv_durable *d, const asl_exec *x)
{
    size_t mask = d->nslot_cap - 1, i = ((uintptr_t)x >> 4) * 0x9e3779b97f4a7c15ull >> 20 & mask;
    while (d->slots[i] && d->slots[i]->x != x)
        i = (i + 1) & mask;
    return i;
}

static void grow(srv_durable *d)
{
    dur_exec **old = d->slots;
    size_t n = d->nslot_cap;
    d->nslot_cap = n ? 2 * n : 1024;
    d->slots = calloc(d->nslot_cap, sizeof *d->slots);
    if (!d->slots)
        exit(70);
    for (size_t i = 0; i < n; i++)
        if (old[i])
            d->slots[slot_of(d, old[i]->x)] = old[i];
    free(old);
}

/* The version of the definition e runs; TestState's machines have none. */
static void set_version(srv_durable *d, dur_exec *e)
{
    int unit = asl_exec_unit(e->x);
    e->version = 0;
    e->skip = true;
    for (int k = d->nversions - 1; k >= 0; k--)
        if (d->versions[k].unit == unit) {
            e->version = d->versions[k].version;
            e->skip = false;
            return;
        }
}

static dur_exec *record_of(srv_durable *d, asl_exec *x)
{
    if (2 * (d->nslots + 1) > d->nslot_cap)
        grow(d);
    size_t i = slot_of(d, x);
    if (d->slots[i])
        return d->slots[i];
    dur_exec *e = calloc(1, sizeof *e);
    if (!e)
        exit(70);
    d->slots[i] = e;
    d->nslots++;
    e->x = x;
    set_version(d, e);
    return e;
}

static void touch(srv_durable *d, asl_exec *x)
{
    dur_exec *e = record_of(d, x);
    if (e->touched || e->skip)
        return;
    e->touched = true;
    e->next_touched = d->touched;
    d->touched = e;
}

static void on_event(void *ud, const asl_event *ev)
{
    srv_durable *d = ud;
    if (!ev->id)
        return; /* StateInspection: not history */
    dur_exec *e = record_of(d, ev->exec);
    if (ev->id == 1 && !e->touched) {
        /* A new execution; a forgotten one (TestState's) may have had
         * the same address. */
        e->key = 0;
        set_version(d, e);
    }
    if (e->skip)
        return;
    touch(d, ev->exec);
    if (e->events.len)
        asl_buf_putc(&e->events, ',');
    else
        e->first = ev->id;
    asl_history_write_event(&e->events, ev);
}

static void on_ready(asl_frame *f, void *ud)
{
    touch(ud, f->exec);
}

/* ------------------------------------------------------------ writing */

static bool failed(srv *s)
{
    fprintf(stderr, "aslc serve: %s\n", store_error(s->durable->st));
    s->exit_status = 74;
    return false;
}

static bool begin(srv *s)
{
    srv_durable *d = s->durable;
    if (d->in_tx)
        return true;
    if (!store_begin(d->st))
        return failed(s);
    d->in_tx = true;
    return true;
}

static bool save_touched(srv *s)
{
    srv_durable *d = s->durable;
    char *state = asl_engine_save_state(s->engine);
    if (!d->engine_state || strcmp(state, d->engine_state)) {
        if (!store_put_meta(d->st, "engine", state)) {
            free(state);
            return false;
        }
        free(d->engine_state);
        d->engine_state = state;
    } else {
        free(state);
    }
    for (dur_exec *e = d->touched; e; e = e->next_touched) {
        char *snap = asl_exec_snapshot(e->x);
        e->key = store_put_execution(d->st, asl_exec_arn(e->x), e->version, snap);
        free(snap);
        if (e->key < 0 || (e->events.len && !store_add_events(d->st, e->key, e->first, e->events.p)))
            return false;
    }
    return true;
}

static void forget_touched(srv_durable *d)
{
    while (d->touched) {
        dur_exec *e = d->touched;
        d->touched = e->next_touched;
        e->touched = false;
        /* A running execution will have more: its buffer is kept. */
        if (asl_exec_status(e->x) == ASL_RUNNING && e->events.cap <= 65536)
            e->events.len = 0;
        else
            asl_buf_free(&e->events);
    }
}

bool durable_commit(srv *s)
{
    srv_durable *d = s->durable;
    if (!d || s->exit_status)
        return !s->exit_status;
    asl_sched_each_ready(on_ready, d);
    if (!d->touched && !d->in_tx)
        return true;
    bool ok = begin(s) && save_touched(s) && store_commit(d->st);
    d->in_tx = false;
    forget_touched(d);
    return ok || failed(s);
}

void durable_after_call(srv *s, srv_call *c)
{
    if (!s->durable || durable_commit(s))
        return;
    if (c->status) {
        free(c->body);
        c->body = NULL;
        c->status = 0;
    }
    srv_reply_error(c, "InternalFailure", "aslc serve cannot save to its store: %s", store_error(s->durable->st));
}

static char *machine_record(const srv_machine *m, bool deleted)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddStringToObject(o, "definition", m->def->text);
    cJSON_AddStringToObject(o, "roleArn", m->role_arn);
    cJSON_AddStringToObject(o, "type", m->type);
    cJSON_AddNumberToObject(o, "created", m->created);
    cJSON_AddBoolToObject(o, "deleted", deleted);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

static void note_unit(srv_durable *d, const char *arn, int version, int unit, cJSON *record)
{
    d->versions = realloc(d->versions, sizeof *d->versions * (size_t)(d->nversions + 1));
    if (!d->versions)
        exit(70);
    d->versions[d->nversions++] = (dur_version){strdup(arn), version, record, unit};
}

/* The highest version stored for arn (0: none). */
static int last_version(srv_durable *d, const char *arn)
{
    int v = 0;
    for (int i = 0; i < d->nversions; i++)
        if (!strcmp(d->versions[i].arn, arn) && d->versions[i].version > v)
            v = d->versions[i].version;
    return v;
}

static void save_machine(srv *s, srv_machine *m, bool deleted)
{
    srv_durable *d = s->durable;
    char *rec = machine_record(m, deleted);
    if (begin(s) && !store_put_machine(d->st, m->arn, m->version, rec))
        failed(s);
    free(rec);
}

void durable_machine(srv *s, srv_machine *m)
{
    srv_durable *d = s->durable;
    if (!d)
        return;
    bool same_unit = false;
    for (int i = 0; i < d->nversions; i++)
        same_unit |= d->versions[i].unit == m->unit && !strcmp(d->versions[i].arn, m->arn);
    if (!same_unit || !m->version) {
        m->version = last_version(d, m->arn) + 1;
        note_unit(d, m->arn, m->version, m->unit, NULL);
    }
    save_machine(s, m, false);
}

void durable_machine_deleted(srv *s, srv_machine *m)
{
    if (s->durable)
        save_machine(s, m, true);
}

void durable_activity(srv *s, const char *name, const char *arn, double created, bool deleted)
{
    srv_durable *d = s->durable;
    if (!d || !begin(s))
        return;
    bool ok;
    if (deleted) {
        ok = store_delete_activity(d->st, arn);
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddNumberToObject(o, "created", created);
        char *rec = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        ok = store_put_activity(d->st, arn, rec);
        free(rec);
    }
    if (!ok)
        failed(s);
}

/* ------------------------------------------------------------ loading */

static const char *field(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double number(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static bool on_meta(void *ud, const char *key, const char *value)
{
    srv *s = ud;
    asl_err err = {0};
    if (!strcmp(key, "engine") && !asl_engine_load_state(s->engine, value, &err)) {
        fprintf(stderr, "aslc serve: %s/aslc.db: %s\n", s->opt.data, err.cause);
        asl_err_clear(&err);
        return false;
    }
    free(s->durable->engine_state);
    s->durable->engine_state = strdup(value);
    return true;
}

static bool on_machine(void *ud, const char *arn, int version, const char *record)
{
    srv *s = ud;
    cJSON *r = cJSON_Parse(record);
    if (!r) {
        fprintf(stderr, "aslc serve: %s/aslc.db: machine %s: not a machine record\n", s->opt.data, arn);
        return false;
    }
    note_unit(s->durable, arn, version, 0, r);
    return true;
}

static bool on_activity(void *ud, const char *arn, const char *record)
{
    srv *s = ud;
    cJSON *r = cJSON_Parse(record);
    activities_restore(s, field(r, "name"), arn, number(r, "created"));
    cJSON_Delete(r);
    return true;
}

/* Compiles a stored definition; 0 after a warning if it no longer
 * compiles. */
static int compile_version(srv *s, dur_version *v)
{
    char *diags;
    int status;
    int unit = compile_load(s, field(v->record, "name"), field(v->record, "type"), NULL,
                            field(v->record, "definition"), &diags, &status);
    if (!unit)
        fprintf(stderr, "aslc serve: %s/aslc.db: %s (version %d) no longer compiles: %s\n", s->opt.data, v->arn,
                v->version, diags);
    free(diags);
    v->unit = unit;
    return unit;
}

/* The latest version of each stored machine that was not deleted becomes
 * a machine again, unless the command line gave one with that ARN: then
 * that definition is the machine, a new version if it differs. */
static void setup_machines(srv *s)
{
    srv_durable *d = s->durable;
    if (d->machines_ready)
        return;
    d->machines_ready = true;
    int n = d->nversions;
    for (int i = 0; i < n; i++) {
        dur_version *v = &d->versions[i];
        if (i + 1 < n && !strcmp(d->versions[i + 1].arn, v->arn))
            continue; /* not the latest */
        srv_machine *m = machines_find(s, v->arn);
        if (m) {
            if (!strcmp(m->def->text, field(v->record, "definition"))) {
                m->version = v->version;
                v->unit = m->unit;
                m->created = number(v->record, "created");
            }
            continue;
        }
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v->record, "deleted")) || !compile_version(s, v))
            continue;
        m = machines_add(s, field(v->record, "name"), v->arn, field(v->record, "definition"), v->unit);
        m->version = v->version;
        m->created = number(v->record, "created");
        free(m->role_arn);
        m->role_arn = strdup(field(v->record, "roleArn"));
        free(m->type);
        m->type = strdup(field(v->record, "type"));
    }
}

/* The unit an execution on version `version` of machine arn runs on
 * (compiled now for an older version or a deleted machine); 0 if none. */
static int unit_for(srv *s, const char *arn, int version)
{
    srv_durable *d = s->durable;
    for (int i = 0; i < d->nversions; i++) {
        dur_version *v = &d->versions[i];
        if (strcmp(v->arn, arn) || v->version != version)
            continue;
        if (!v->unit && v->record)
            compile_version(s, v);
        return v->unit;
    }
    srv_machine *m = machines_find(s, arn);
    return m ? m->unit : 0;
}

static bool on_execution(void *ud, const char *arn, int version, const char *snapshot, const char *events)
{
    srv *s = ud;
    setup_machines(s);
    cJSON *snap = cJSON_Parse(snapshot);
    const cJSON *machine = cJSON_GetObjectItemCaseSensitive(snap, "machine");
    int unit = cJSON_IsString(machine) ? unit_for(s, machine->valuestring, version) : 0;
    cJSON_Delete(snap);
    asl_err err = {0};
    asl_exec *x = unit ? asl_engine_restore(s->engine, unit, snapshot, events, &err) : NULL;
    if (!x) {
        fprintf(stderr, "aslc serve: %s/aslc.db: cannot resume %s: %s\n", s->opt.data, arn,
                err.cause ? err.cause : "its state machine does not compile");
        asl_err_clear(&err);
        return true; /* the others still resume */
    }
    index_add(s, x);
    dur_exec *e = record_of(s->durable, x);
    e->version = version;
    e->skip = false;
    return true;
}

/* Old versions were compiled only for the executions that run on them:
 * new executions must not see them. */
static void unload_old_versions(srv *s)
{
    srv_durable *d = s->durable;
    for (int i = 0; i < d->nversions; i++) {
        dur_version *v = &d->versions[i];
        srv_machine *m = machines_find(s, v->arn);
        if (v->unit && (!m || m->unit != v->unit))
            asl_engine_unload(s->engine, v->unit);
        cJSON_Delete(v->record);
        v->record = NULL;
    }
}

int durable_open(srv *s)
{
    if (s->opt.in_memory)
        return 0;
    char *msg;
    int status;
    store *st = store_open(s->opt.data, &msg, &status);
    if (!st) {
        fprintf(stderr, "aslc serve: %s\n", msg);
        free(msg);
        return status;
    }
    srv_durable *d = calloc(1, sizeof *d);
    if (!d)
        exit(70);
    d->st = st;
    s->durable = d;
    store_loader l = {s, on_meta, on_machine, on_activity, on_execution};
    if (!store_load(st, &l)) {
        if (*store_error(st))
            fprintf(stderr, "aslc serve: %s\n", store_error(st));
        return 66;
    }
    setup_machines(s);
    unload_old_versions(s);
    for (srv_machine *m = s->machines; m; m = m->next)
        if (!m->version)
            durable_machine(s, m);
    d->observer = asl_engine_observe(s->engine, on_event, d, ASL_OBSERVE_DETAILS);
    return durable_commit(s) ? 0 : 74;
}

void durable_close(srv *s)
{
    srv_durable *d = s->durable;
    if (!d)
        return;
    if (d->observer > 0)
        asl_engine_unobserve(s->engine, d->observer);
    store_close(d->st);
    forget_touched(d);
    for (int i = 0; i < d->nversions; i++) {
        free(d->versions[i].arn);
        cJSON_Delete(d->versions[i].record);
    }
    free(d->versions);
    for (size_t i = 0; i < d->nslot_cap; i++) {
        if (d->slots[i])
            asl_buf_free(&d->slots[i]->events);
        free(d->slots[i]);
    }
    free(d->slots);
    free(d->engine_state);
    free(d);
    s->durable = NULL;
}
