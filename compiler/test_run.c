/*
 * test_run.c: one spec's cases through the engine (asl_engine.h). The
 * spec's unit is compiled once, in memory (the JIT); each case gets an
 * engine of its own (virtual time unless the spec says otherwise), its
 * process handlers and its mock test case, runs to the end, and is checked
 * against its expectations. An observer records the states the main
 * execution entered and its last variables; the coverage observer sees
 * every event of every execution.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec.h"
#include "handlers.h"
#include "mock.h"
#include "report.h"
#include "reporter.h"
#include "test.h"

/* What a case's observer saw of the main execution. */
typedef struct seen {
    asl_exec *main;
    cJSON *path;         /* names of the states entered, in order */
    cJSON *variables;    /* the last variables a state left */
} seen;

static void observe(void *ud, const asl_event *ev)
{
    seen *s = ud;
    /* The main execution's first events come while it starts. */
    if (!s->main && !strcmp(ev->type, "ExecutionStarted") && !asl_exec_parent_arn(ev->exec))
        s->main = ev->exec;
    if (ev->exec != s->main)
        return;
    size_t n = strlen(ev->type);
    bool entered = n >= 12 && !strcmp(ev->type + n - 12, "StateEntered");
    bool inspection = !strcmp(ev->type, "StateInspection");
    if (!entered && !inspection)
        return;
    char *text = asl_event_details_json(ev);
    cJSON *d = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(d, "name");
    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(d, "variables");
    if (entered && cJSON_IsString(name))
        cJSON_AddItemToArray(s->path, cJSON_CreateString(name->valuestring));
    if (inspection && cJSON_IsString(vars)) {
        cJSON_Delete(s->variables);
        s->variables = cJSON_Parse(vars->valuestring);
    }
    cJSON_Delete(d);
}

/* ------------------------------------------------------- expectations */

/* want is a part of got: objects key by key (recursively), arrays element
 * by element, anything else equal. */
static bool contains(const cJSON *want, const cJSON *got)
{
    if (cJSON_IsObject(want)) {
        if (!cJSON_IsObject(got))
            return false;
        for (const cJSON *k = want->child; k; k = k->next)
            if (!contains(k, cJSON_GetObjectItemCaseSensitive(got, k->string)))
                return false;
        return true;
    }
    if (cJSON_IsArray(want)) {
        if (!cJSON_IsArray(got) || cJSON_GetArraySize(want) != cJSON_GetArraySize(got))
            return false;
        for (const cJSON *a = want->child, *b = got->child; a; a = a->next, b = b->next)
            if (!contains(a, b))
                return false;
        return true;
    }
    return got && cJSON_Compare(want, got, true);
}

static char *json_text(const cJSON *v)
{
    char *t = v ? cJSON_PrintUnformatted(v) : NULL;
    char *r = cc_strdup(t ? t : "nothing");
    cJSON_free(t);
    if (strlen(r) > 300)
        r = cc_printf("%.300s...", r);
    return r;
}

static bool listed(const cJSON *list, const char *name)
{
    for (const cJSON *e = list ? list->child : NULL; e; e = e->next)
        if (cJSON_IsString(e) && !strcmp(e->valuestring, name))
            return true;
    return false;
}

/* Why the case failed (cc_alloc'd), or NULL. */
static char *judge(const ts_expect *x, asl_exec *e, const seen *s)
{
    const char *status = asl_status_name(asl_exec_status(e));
    const char *error = asl_exec_error(e), *cause = asl_exec_cause(e);
    if (strcmp(status, x->status))
        return cc_printf("expected status %s, got %s%s%s%s%s", x->status, status, error ? " (" : "",
                         error ? error : "", error && cause ? ": " : "", error ? cc_printf("%s)", cause ? cause : "") : "");
    char *out_text = asl_exec_output_json(e);
    cJSON *out = out_text ? cJSON_Parse(out_text) : NULL;
    free(out_text);
    char *why = NULL;
    if (x->output && !cJSON_Compare(x->output, out, true))
        why = cc_printf("expected output %s, got %s", json_text(x->output), json_text(out));
    else if (x->output_contains && !contains(x->output_contains, out))
        why = cc_printf("expected output containing %s, got %s", json_text(x->output_contains), json_text(out));
    else if (x->error && (!error || strcmp(x->error, error)))
        why = cc_printf("expected error %s, got %s", x->error, error ? error : "none");
    else if (x->cause && (!cause || strcmp(x->cause, cause)))
        why = cc_printf("expected cause %s, got %s", diag_quote(x->cause), cause ? diag_quote(cause) : "none");
    else if (x->cause_contains && (!cause || !strstr(cause, x->cause_contains)))
        why = cc_printf("expected a cause containing %s, got %s", diag_quote(x->cause_contains),
                        cause ? diag_quote(cause) : "none");
    else if (x->path && !cJSON_Compare(x->path, s->path, true))
        why = cc_printf("expected path %s, got %s", json_text(x->path), json_text(s->path));
    else if (x->variables && !contains(x->variables, s->variables))
        why = cc_printf("expected variables %s, got %s", json_text(x->variables), json_text(s->variables));
    for (const cJSON *p = x->path_includes ? x->path_includes->child : NULL; !why && p; p = p->next)
        if (cJSON_IsString(p) && !listed(s->path, p->valuestring))
            why = cc_printf("expected state %s to be entered, path was %s", diag_quote(p->valuestring),
                            json_text(s->path));
    cJSON_Delete(out);
    return why;
}

/* --------------------------------------------------------------- cases */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The case's mock test case selected (a message on failure). */
static char *select_mock(const ts_spec *s, const ts_case *c, const asl_program *p)
{
    if (!c->mock_case)
        return NULL;
    if (!s->mock)
        return cc_printf("mockTestCase %s needs a mock file (mock: FILE)", diag_quote(c->mock_case));
    if (asl_mock_option("--mock", s->mock) || asl_mock_option("--test-case", c->mock_case) ||
        asl_mock_begin(p, "aslc test"))
        return cc_printf("mock test case %s cannot be used (see above)", diag_quote(c->mock_case));
    return NULL;
}

/* The page's frame for the spec's unit, when the run writes pages. */
typedef struct frame {
    char *head, *tail;
} frame;

/* What the case's execution ended with, for the run's page. */
static void outcome(ts_result *r, const asl_exec *x)
{
    if (x->failed_state)
        r->failed_state = cc_strdup(x->failed_state);
    if (asl_exec_error(x))
        r->error = cc_strdup(asl_exec_error(x));
    if (asl_exec_cause(x))
        r->cause = cc_strdup(asl_exec_cause(x));
}

static void run_case(const ts_spec *s, const ts_case *c, const asl_program *p, ts_cover *cover, const frame *page,
                     ts_result *r)
{
    double t0 = now();
    asl_engine_config cfg = {.virtual_time = s->virtual_time, .wait_scale = 1, .record_history = page != NULL};
    asl_engine *e = asl_engine_new(&cfg);
    asl_engine_load(e, p, NULL, NULL);
    for (int i = 0; i < p->nprocesses; i++) {
        const char *eq = strchr(p->processes[i], '=');
        asl_handlers_add_process(cc_strndup(p->processes[i], (size_t)(eq - p->processes[i])), eq + 1);
    }
    seen sn = {NULL, cJSON_CreateArray(), NULL};
    asl_engine_observe(e, observe, &sn, ASL_OBSERVE_DETAILS | ASL_OBSERVE_INSPECTION);
    if (cover)
        asl_engine_observe(e, ts_cover_event, cover, ASL_OBSERVE_DETAILS | ASL_OBSERVE_INSPECTION);
    if (page)
        asl_report_begin(e);
    r->message = select_mock(s, c, p);
    asl_err err = {0};
    if (!r->message) {
        sn.main = asl_engine_start(e, asl_engine_machine_arn(e, &p->machines[0]), NULL, c->input, &err);
        if (!sn.main)
            r->message = cc_printf("the execution did not start: %s: %s", err.error, err.cause ? err.cause : "");
        asl_err_clear(&err);
    }
    if (sn.main) {
        asl_engine_run(e);
        if (asl_exec_status(sn.main) == ASL_RUNNING) {
            r->message = "the execution is still running, and nothing is left that could complete it "
                         "(a task token nobody sends?)";
            asl_engine_stop(e, sn.main, NULL, NULL);
        } else {
            r->message = judge(&c->expect, sn.main, &sn);
        }
        r->status = asl_status_name(asl_exec_status(sn.main));
        char *out = asl_exec_output_json(sn.main);
        r->output = out ? cc_strdup(out) : NULL;
        free(out);
        outcome(r, sn.main);
    }
    if (page) {
        cJSON *x = asl_report_executions(e);
        r->report = sn.main ? asl_report_page(page->head, x, page->tail) : NULL;
        cJSON_Delete(x);
    }
    r->passed = r->message == NULL;
    asl_engine_free(e);
    asl_mock_free();
    if (cover)
        ts_cover_forget(cover);
    cJSON_Delete(sn.path);
    cJSON_Delete(sn.variables);
    r->seconds = now() - t0;
}

int ts_run_spec(ts_spec *s, ts_cover *cover, bool pages, ts_result **results, int *nresults)
{
    diag_reset();
    int status = s->mock ? asl_mock_option("--mock", s->mock) : 0;
    cc_unit u;
    memset(&u, 0, sizeof u);
    if (!status && !unit_load(&u, &s->opts, &status) && !status)
        status = 65;
    const asl_program *p = NULL;
    void *jit = NULL;
    if (!status) {
        char *c_text = lower_unit(&u, false);
        p = jit_load(&u, c_text, &jit);
        free(c_text);
        status = p ? 0 : 70;
    }
    if (!status && cover)
        ts_cover_unit(cover, &u);
    frame fr = {NULL, NULL};
    if (!status && pages)
        report_frame(&u, &fr.head, &fr.tail);
    asl_mock_free();
    for (int i = 0; !status && i < s->ncases; i++) {
        *results = realloc(*results, sizeof **results * (size_t)(*nresults + 1));
        if (!*results)
            exit(70);
        ts_result *r = &(*results)[(*nresults)++];
        memset(r, 0, sizeof *r);
        r->spec = s->file;
        r->name = cc_strdup(s->cases[i].name);
        run_case(s, &s->cases[i], p, cover, fr.head ? &fr : NULL, r);
        if (r->passed)
            printf("PASS %s: %s\n", s->file, r->name);
        else
            printf("FAIL %s: %s: %s\n", s->file, r->name, r->message);
        fflush(stdout);
    }
    free(fr.head);
    free(fr.tail);
    jit_release(jit);
    unit_free(&u);
    return status;
}
