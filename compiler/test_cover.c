/*
 * test_cover.c: what an `aslc test` suite exercised, read from the
 * engine's event stream alone: states entered, Choice rules taken (and
 * Default), Retry and Catch entries that acted, Parallel branches and Map
 * item processors that ran.
 *
 * The history says which state was entered after a Choice (the
 * StateEntered whose previousEventId is the ChoiceStateExited), so the
 * rule taken is the first whose Next is that state (else Default). A state
 * that fails sends a StateInspection with its error (ASL_OBSERVE_INSPECTION);
 * what follows is either the state's next attempt (a ...Scheduled or
 * ...Started of the same state: the first retrier whose ErrorEquals matches
 * took it) or its StateExited and the catcher's Next state entered (the
 * first matching catcher). So coverage needs no hook in the runtime.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* A state of some machine, with what the suite did to it. */
typedef struct cv_state {
    const char *machine, *name, *path;
    int parent, branch;              /* the Map/Parallel holding it (-1), its branch */
    bool entered;
    int nrules;                      /* Choice: rules and Default (last, if any) */
    const char **rule_next;
    bool *rule_hit, has_default;
    int nretry, ncatch;
    const char ***retry_errors, ***catch_errors;  /* copies of each ErrorEquals */
    int *retry_nerrors, *catch_nerrors;
    const char **catch_next;
    bool *retry_hit, *catch_hit;
    int nbranches;
    bool map;
    bool *branch_hit;
} cv_state;

/* One event of an execution, as far as coverage needs it. */
typedef struct cv_event {
    int state;                       /* cv_state index, -1 */
    bool choice_exit;                /* a ChoiceStateExited */
    char *error;                     /* a StateExited right after this error */
} cv_event;

typedef struct cv_exec {
    const asl_exec *x;
    cv_event *ev;
    int nev;
    int fail_state;                  /* the state that just failed (-1), and how */
    char *fail_error;
    struct cv_exec *next;
} cv_exec;

struct ts_cover {
    cv_state *states;
    int n;
    cv_exec *execs;
};

ts_cover *ts_cover_new(void)
{
    return cc_alloc(sizeof(ts_cover));
}

/* ------------------------------------------------------------ machines */

static int find_state(const ts_cover *c, const char *machine, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->states[i].machine, machine) && !strcmp(c->states[i].name, name))
            return i;
    return -1;
}

/* The unit is freed before the report: keep copies. */
static const char **copy_names(const char *const *names, int n)
{
    const char **r = cc_alloc(sizeof *r * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        r[i] = cc_strdup(names[i]);
    return r;
}

static void add_graph(ts_cover *c, const char *machine, const asl_graph *g, const char *path, int parent, int branch)
{
    for (int i = 0; i < g->nstates; i++) {
        const asl_state *s = &g->states[i];
        if (find_state(c, machine, s->name) >= 0)
            continue; /* the same machine twice (two specs): counted once */
        c->states = realloc(c->states, sizeof *c->states * (size_t)(c->n + 1));
        if (!c->states)
            exit(70);
        int me = c->n++;
        cv_state *v = &c->states[me];
        memset(v, 0, sizeof *v);
        v->machine = cc_strdup(machine);
        v->name = cc_strdup(s->name);
        v->path = diag_path_key(diag_path_key(path, "States"), s->name);
        v->parent = parent;
        v->branch = branch;
        if (s->type == ASL_CHOICE) {
            v->has_default = s->default_next >= 0;
            v->nrules = s->nrules + v->has_default;
            v->rule_next = cc_alloc(sizeof *v->rule_next * (size_t)(v->nrules + 1));
            v->rule_hit = cc_alloc(sizeof *v->rule_hit * (size_t)(v->nrules + 1));
            for (int r = 0; r < s->nrules; r++)
                v->rule_next[r] = s->choice_next[r] >= 0 ? cc_strdup(g->states[s->choice_next[r]].name) : "";
            if (v->has_default)
                v->rule_next[s->nrules] = cc_strdup(g->states[s->default_next].name);
        }
        v->nretry = s->nretry;
        v->retry_hit = cc_alloc(sizeof *v->retry_hit * (size_t)(s->nretry + 1));
        v->retry_errors = cc_alloc(sizeof *v->retry_errors * (size_t)(s->nretry + 1));
        v->retry_nerrors = cc_alloc(sizeof *v->retry_nerrors * (size_t)(s->nretry + 1));
        for (int k = 0; k < s->nretry; k++)
            v->retry_errors[k] = copy_names(s->retry[k].errors, v->retry_nerrors[k] = s->retry[k].nerrors);
        v->ncatch = s->ncatch;
        v->catch_hit = cc_alloc(sizeof *v->catch_hit * (size_t)(s->ncatch + 1));
        v->catch_next = cc_alloc(sizeof *v->catch_next * (size_t)(s->ncatch + 1));
        v->catch_errors = cc_alloc(sizeof *v->catch_errors * (size_t)(s->ncatch + 1));
        v->catch_nerrors = cc_alloc(sizeof *v->catch_nerrors * (size_t)(s->ncatch + 1));
        for (int k = 0; k < s->ncatch; k++) {
            v->catch_next[k] = cc_strdup(g->states[s->catches[k].next].name);
            v->catch_errors[k] = copy_names(s->catches[k].errors, v->catch_nerrors[k] = s->catches[k].nerrors);
        }
        v->map = s->type == ASL_MAP;
        bool branches = s->type == ASL_PARALLEL || s->type == ASL_MAP;
        v->nbranches = branches ? s->nbranches : 0;
        v->branch_hit = cc_alloc(sizeof *v->branch_hit * (size_t)(v->nbranches + 1));
        const char *vp = v->path;   /* v moves as the array grows */
        for (int b = 0; b < c->states[me].nbranches; b++)
            add_graph(c, machine, s->branches[b],
                      s->type == ASL_MAP ? diag_path_key(vp, "ItemProcessor")
                                         : diag_path_index(diag_path_key(vp, "Branches"), b),
                      me, b);
    }
}

void ts_cover_unit(ts_cover *c, const cc_unit *u)
{
    for (int i = 0; i < u->nmachines; i++)
        add_graph(c, u->machines[i].m.name, u->machines[i].m.graph, NULL, -1, 0);
}

/* -------------------------------------------------------------- events */

/* As the runtime matches ErrorEquals (exec.c): States.ALL all but
 * States.Runtime; States.TaskFailed any error not named States.*. */
static bool matches(const char **names, int n, const char *error)
{
    for (int i = 0; i < n; i++) {
        if (!strcmp(names[i], error))
            return true;
        if (!strcmp(names[i], "States.ALL"))
            return strcmp(error, "States.Runtime") != 0;
        if (!strcmp(names[i], "States.TaskFailed") && strncmp(error, "States.", 7))
            return true;
    }
    return false;
}

static cv_exec *exec_of(ts_cover *c, const asl_exec *x)
{
    for (cv_exec *e = c->execs; e; e = e->next)
        if (e->x == x)
            return e;
    cv_exec *e = calloc(1, sizeof *e);
    if (!e)
        exit(70);
    e->x = x;
    e->fail_state = -1;
    e->next = c->execs;
    c->execs = e;
    return e;
}

static cv_event *event_at(cv_exec *e, int id)
{
    if (id <= 0)
        return NULL;
    if (id >= e->nev) {
        e->ev = realloc(e->ev, sizeof *e->ev * (size_t)(id + 64));
        if (!e->ev)
            exit(70);
        for (int i = e->nev; i < id + 64; i++)
            e->ev[i] = (cv_event){-1, false, NULL};
        e->nev = id + 64;
    }
    return &e->ev[id];
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static void entered(ts_cover *c, int st, const cv_event *prev)
{
    cv_state *v = &c->states[st];
    v->entered = true;
    for (int s = st; c->states[s].parent >= 0; s = c->states[s].parent)
        c->states[c->states[s].parent].branch_hit[c->states[s].branch] = true;
    if (!prev || prev->state < 0)
        return;
    cv_state *from = &c->states[prev->state];
    for (int r = 0; prev->choice_exit && r < from->nrules; r++)
        if (!strcmp(from->rule_next[r], v->name)) {
            from->rule_hit[r] = true;
            return;
        }
    for (int k = 0; prev->error && k < from->ncatch; k++)
        if (matches(from->catch_errors[k], from->catch_nerrors[k], prev->error)) {
            from->catch_hit[k] |= !strcmp(from->catch_next[k], v->name);
            return;
        }
}

static void retried(cv_state *v, const char *error)
{
    for (int k = 0; k < v->nretry; k++)
        if (matches(v->retry_errors[k], v->retry_nerrors[k], error)) {
            v->retry_hit[k] = true;
            return;
        }
}

static void clear_failure(cv_exec *e)
{
    free(e->fail_error);
    e->fail_error = NULL;
    e->fail_state = -1;
}

/* A StateInspection with errorDetails: the state failed with that error
 * (what follows says whether it was retried or caught). */
static void inspected(ts_cover *c, cv_exec *e, const char *machine, const cJSON *d)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(d, "stateName");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "errorDetails"), "error");
    if (!cJSON_IsString(name) || !cJSON_IsString(err))
        return;
    clear_failure(e);
    e->fail_state = find_state(c, machine, name->valuestring);
    e->fail_error = strdup(err->valuestring);
}

void ts_cover_event(void *cover, const asl_event *ev)
{
    ts_cover *c = cover;
    cv_exec *e = exec_of(c, ev->exec);
    const char *arn = asl_exec_machine_arn(ev->exec), *m = strstr(arn, ":stateMachine:");
    m = m ? m + 14 : arn;
    char *text = asl_event_details_json(ev);
    cJSON *d = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(d, "name");
    if (ev->id <= 0) {
        if (!strcmp(ev->type, "StateInspection"))
            inspected(c, e, m, d);
        cJSON_Delete(d);
        return;
    }
    cv_event *prev = event_at(e, ev->previous_id), *me = event_at(e, ev->id);
    me->state = prev ? prev->state : -1;
    if (cJSON_IsString(name) && (ends_with(ev->type, "StateEntered") || ends_with(ev->type, "StateExited")))
        me->state = find_state(c, m, name->valuestring);
    if (ends_with(ev->type, "StateEntered") && me->state >= 0) {
        entered(c, me->state, prev);
    } else if (ends_with(ev->type, "StateExited")) {
        me->choice_exit = !strcmp(ev->type, "ChoiceStateExited");
        if (e->fail_state >= 0 && e->fail_state == me->state) {
            me->error = e->fail_error;   /* the catch shows in the next StateEntered */
            e->fail_error = NULL;
            clear_failure(e);
        }
    } else if (e->fail_state >= 0 && me->state == e->fail_state &&
               (ends_with(ev->type, "Scheduled") || ends_with(ev->type, "Started"))) {
        retried(&c->states[me->state], e->fail_error);   /* the state's next attempt */
        clear_failure(e);
    }
    cJSON_Delete(d);
}

/* Forgets the executions seen (after each case: the engine frees them). */
void ts_cover_forget(ts_cover *c)
{
    while (c->execs) {
        cv_exec *e = c->execs;
        c->execs = e->next;
        for (int i = 0; i < e->nev; i++)
            free(e->ev[i].error);
        free(e->ev);
        free(e->fail_error);
        free(e);
    }
}

/* ------------------------------------------------------------ reports */

typedef struct cv_count {
    int hit, total;
} cv_count;

enum { CV_STATES, CV_RULES, CV_RETRY, CV_CATCH, CV_BRANCHES, CV_KINDS };
static const char *const kind_names[CV_KINDS] = {"states", "choiceRules", "retriers", "catchers", "branches"};
static const char *const kind_labels[CV_KINDS] = {"states", "Choice rules", "Retry", "Catch", "branches"};

/* Calls fn for every item of every kind (its path and whether it was hit). */
static void each_item(const ts_cover *c, void (*fn)(void *ud, int kind, const cv_state *v, const char *path, bool hit),
                      void *ud)
{
    for (int i = 0; i < c->n; i++) {
        const cv_state *v = &c->states[i];
        fn(ud, CV_STATES, v, v->path, v->entered);
        for (int r = 0; r < v->nrules; r++)
            fn(ud, CV_RULES, v,
               v->has_default && r == v->nrules - 1 ? diag_path_key(v->path, "Default")
                                                    : diag_path_index(diag_path_key(v->path, "Choices"), r),
               v->rule_hit[r]);
        for (int r = 0; r < v->nretry; r++)
            fn(ud, CV_RETRY, v, diag_path_index(diag_path_key(v->path, "Retry"), r), v->retry_hit[r]);
        for (int r = 0; r < v->ncatch; r++)
            fn(ud, CV_CATCH, v, diag_path_index(diag_path_key(v->path, "Catch"), r), v->catch_hit[r]);
        for (int b = 0; b < v->nbranches; b++)
            fn(ud, CV_BRANCHES, v,
               v->map ? diag_path_key(v->path, "ItemProcessor") : diag_path_index(diag_path_key(v->path, "Branches"), b),
               v->branch_hit[b]);
    }
}

static void count_item(void *ud, int kind, const cv_state *v, const char *path, bool hit)
{
    cv_count *n = ud;
    (void)v;
    (void)path;
    n[kind].total++;
    n[kind].hit += hit;
}

static void print_missed(void *ud, int kind, const cv_state *v, const char *path, bool hit)
{
    if (!hit)
        fprintf(ud, "  not covered: %s %s (%s)\n", v->machine, path, kind_labels[kind]);
}

void ts_cover_print(const ts_cover *c, FILE *f)
{
    cv_count n[CV_KINDS] = {{0, 0}};
    each_item(c, count_item, n);
    fputs("coverage:", f);
    for (int k = 0; k < CV_KINDS; k++)
        fprintf(f, "%s %s %d/%d", k ? "," : "", kind_labels[k], n[k].hit, n[k].total);
    fputc('\n', f);
    each_item(c, print_missed, f);
}

typedef struct cv_json {
    cJSON *kinds[CV_KINDS];
    cv_count n[CV_KINDS];
} cv_json;

static void json_item(void *ud, int kind, const cv_state *v, const char *path, bool hit)
{
    cv_json *j = ud;
    j->n[kind].total++;
    j->n[kind].hit += hit;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "machine", v->machine);
    cJSON_AddStringToObject(o, "path", path);
    cJSON_AddBoolToObject(o, "covered", hit);
    cJSON_AddItemToArray(j->kinds[kind], o);
}

cJSON *ts_cover_json(const ts_cover *c)
{
    cv_json j = {{0}, {{0, 0}}};
    for (int k = 0; k < CV_KINDS; k++)
        j.kinds[k] = cJSON_CreateArray();
    each_item(c, json_item, &j);
    cJSON *o = cJSON_CreateObject();
    for (int k = 0; k < CV_KINDS; k++) {
        cJSON *kind = cJSON_AddObjectToObject(o, kind_names[k]);
        cJSON_AddNumberToObject(kind, "covered", j.n[k].hit);
        cJSON_AddNumberToObject(kind, "total", j.n[k].total);
        cJSON_AddItemToObject(kind, "items", j.kinds[k]);
    }
    return o;
}

void ts_cover_free(ts_cover *c)
{
    if (!c)
        return;
    ts_cover_forget(c);
    free(c->states);
}
