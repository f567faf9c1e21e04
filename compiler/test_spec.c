/*
 * test_spec.c: reads an aslc test spec (NAME.test.json or NAME.test.yaml):
 *
 *     machine: template.yaml        # a definition or a template (required)
 *     stateMachine: Main            # the template's machine (logical ID)
 *     substitutions: {Carrier: UPS} # as --sub
 *     parameters: {Stage: dev}      # as --parameter
 *     machines: {ARN: nested.asl.json}   # as --machine
 *     tasks: [handlers.c]           # as --tasks
 *     lambdas: {Fn: "python:fn.py"} # as --lambda (run from the spec's folder)
 *     mock: mocks.json              # Step Functions Local's mock file
 *     virtualTime: true             # the default
 *     cases:
 *       - name: big order ships free
 *         input: {...}              # or inputFile: order.json
 *         mockTestCase: HappyPath   # a test case of the mock file
 *         expect: {status, output, outputContains, error, cause,
 *                  causeContains, path, pathIncludes, variables}
 *
 * Without cases, a spec with a mock file runs each of the mock file's test
 * cases for the machine once, as Step Functions Local would; `expect` then
 * maps a test case's name to its expectations (default: SUCCEEDED).
 *
 * Files are relative to the spec's folder. Every problem is reported with
 * its place in the spec.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *relative(const ts_spec *s, const char *file)
{
    const char *slash = strrchr(s->file, '/');
    if (file[0] == '/' || !slash)
        return file;
    return cc_printf("%.*s%s", (int)(slash - s->file + 1), s->file, file);
}

static const char *string_field(const ts_spec *s, const cJSON *o, const char *path, const char *key)
{
    const cJSON *v = get(o, key);
    if (v && !cJSON_IsString(v)) {
        diag_error(s->src, diag_path_key(path, key), "expected a string");
        return NULL;
    }
    return v ? v->valuestring : NULL;
}

/* {KEY: VALUE} into "KEY=VALUE" strings (values as text). */
static void pairs(ts_spec *s, const cJSON *o, const char *key, const char ***list, int *n, bool files)
{
    const cJSON *m = get(o, key);
    if (m && !cJSON_IsObject(m)) {
        diag_error(s->src, key, "expected an object of names and values");
        return;
    }
    for (const cJSON *e = m ? m->child : NULL; e; e = e->next) {
        char *text = cJSON_IsString(e) ? NULL : cJSON_PrintUnformatted(e);
        const char *v = text ? cc_strdup(text) : e->valuestring;
        cJSON_free(text);
        if (files && cJSON_IsString(e))
            v = relative(s, v);
        cc_push(list, n, cc_printf("%s=%s", e->string, v));
    }
}

/* A lambdas command runs from the spec's folder (as aslc.json's do). */
static void lambdas(ts_spec *s, const cJSON *root)
{
    const char *slash = strrchr(s->file, '/');
    const char *dir = slash ? cc_strndup(s->file, (size_t)(slash - s->file)) : NULL;
    const cJSON *m = get(root, "lambdas");
    for (const cJSON *e = cJSON_IsObject(m) ? m->child : NULL; e; e = e->next) {
        if (!cJSON_IsString(e)) {
            diag_error(s->src, diag_path_key("lambdas", e->string), "expected a command");
            continue;
        }
        const char *cmd = e->valuestring;
        bool py = !strncmp(cmd, "python:", 7), node = !strncmp(cmd, "node:", 5);
        if (dir && (py || node))
            cmd = cc_printf("%s%s", py ? "python:" : "node:", relative(s, cmd + (py ? 7 : 5)));
        else if (dir)
            cmd = cc_printf("cd %s && %s", diag_quote(dir), cmd);
        cc_push(&s->opts.lambdas, &s->opts.nlambdas, cc_printf("%s=%s", e->string, cmd));
    }
}

/* --------------------------------------------------------------- cases */

static void expectations(ts_spec *s, const cJSON *e, const char *path, ts_expect *x)
{
    static const char *const known[] = {"status", "output", "outputContains", "error", "cause",
                                        "causeContains", "path", "pathIncludes", "variables", NULL};
    if (e && !cJSON_IsObject(e)) {
        diag_error(s->src, path, "expected an object");
        return;
    }
    for (const cJSON *k = e ? e->child : NULL; k; k = k->next) {
        int i = 0;
        while (known[i] && strcmp(known[i], k->string))
            i++;
        if (!known[i])
            diag_error(s->src, diag_path_key(path, k->string),
                       "unknown expectation (expected status, output, outputContains, error, cause, causeContains, "
                       "path, pathIncludes, variables)");
    }
    x->status = string_field(s, e, path, "status");
    x->error = string_field(s, e, path, "error");
    x->cause = string_field(s, e, path, "cause");
    x->cause_contains = string_field(s, e, path, "causeContains");
    x->output = get(e, "output");
    x->output_contains = get(e, "outputContains");
    x->path = get(e, "path");
    x->path_includes = get(e, "pathIncludes");
    x->variables = get(e, "variables");
    if (!x->status)
        x->status = x->error || x->cause || x->cause_contains ? "FAILED" : "SUCCEEDED";
    static const char *const statuses[] = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", NULL};
    int i = 0;
    while (statuses[i] && strcmp(statuses[i], x->status))
        i++;
    if (!statuses[i])
        diag_error(s->src, diag_path_key(path, "status"), "expected SUCCEEDED, FAILED, TIMED_OUT or ABORTED, got %s",
                   diag_quote(x->status));
    const cJSON *lists[] = {x->path, x->path_includes};
    for (int l = 0; l < 2; l++)
        if (lists[l] && !cJSON_IsArray(lists[l]))
            diag_error(s->src, diag_path_key(path, l ? "pathIncludes" : "path"), "expected an array of state names");
}

static char *case_input(ts_spec *s, const cJSON *c, const char *path)
{
    const char *file = string_field(s, c, path, "inputFile");
    if (file) {
        size_t len;
        char *text = load_read(relative(s, file), &len);
        char *r = text ? cc_strdup(text) : NULL;
        free(text);
        return r;
    }
    const cJSON *in = get(c, "input");
    char *text = in ? cJSON_PrintUnformatted(in) : NULL;
    char *r = cc_strdup(text ? text : "{}");
    cJSON_free(text);
    return r;
}

static void add_case(ts_spec *s, const cJSON *c, const char *path, const char *mock_name, const cJSON *expect)
{
    static const char *const known[] = {"name", "input", "inputFile", "mockTestCase", "expect", NULL};
    for (const cJSON *k = c ? c->child : NULL; k; k = k->next) {
        int i = 0;
        while (known[i] && strcmp(known[i], k->string))
            i++;
        if (!known[i])
            diag_error(s->src, diag_path_key(path, k->string),
                       "unknown field (expected name, input, inputFile, mockTestCase, expect)");
    }
    s->cases = realloc(s->cases, sizeof *s->cases * (size_t)(s->ncases + 1));
    if (!s->cases)
        exit(70);
    ts_case *tc = &s->cases[s->ncases++];
    memset(tc, 0, sizeof *tc);
    tc->name = mock_name ? mock_name : string_field(s, c, path, "name");
    if (!tc->name)
        tc->name = cc_printf("case %d", s->ncases);
    tc->mock_case = mock_name ? mock_name : string_field(s, c, path, "mockTestCase");
    tc->input = case_input(s, c, path);
    if (!tc->input)
        diag_error(s->src, diag_path_key(path, "inputFile"), "cannot read the input file");
    expectations(s, expect ? expect : get(c, "expect"), diag_path_key(path, "expect"), &tc->expect);
}

/* Without cases: each test case the mock file has for the machine. */
static void mock_cases(ts_spec *s, const cJSON *root)
{
    size_t len;
    char *text = load_read(s->mock, &len);
    cJSON *m = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *machines = get(m, "StateMachines"), *mc = NULL;
    const char *want = s->opts.state_machine;
    for (const cJSON *e = cJSON_IsObject(machines) ? machines->child : NULL; e && !mc; e = e->next)
        if (!want || !strcmp(e->string, want) || !machines->child->next)
            mc = e;
    const cJSON *tcs = get(mc, "TestCases");
    if (!cJSON_IsObject(tcs))
        diag_error(s->src, "mock", "the mock file has no test cases for this machine (StateMachines.NAME.TestCases)");
    const cJSON *expect = get(root, "expect");
    for (const cJSON *t = cJSON_IsObject(tcs) ? tcs->child : NULL; t; t = t->next)
        add_case(s, NULL, diag_path_key("expect", t->string), cc_strdup(t->string), get(expect, t->string));
    cJSON_Delete(m);
}

static void read_spec(ts_spec *s)
{
    const cJSON *root = s->src->root;
    static const char *const known[] = {"Comment", "machine", "stateMachine", "substitutions", "parameters",
                                        "machines", "tasks", "lambdas", "mock", "virtualTime", "cases",
                                        "expect", NULL};
    for (const cJSON *k = root->child; k; k = k->next) {
        int i = 0;
        while (known[i] && strcmp(known[i], k->string))
            i++;
        if (!known[i])
            diag_error(s->src, k->string, "unknown field (expected machine, stateMachine, substitutions, parameters, "
                                          "machines, tasks, lambdas, mock, virtualTime, cases, expect)");
    }
    const char *machine = string_field(s, root, NULL, "machine");
    if (!machine)
        diag_error(s->src, "", "machine: required (a definition or template file)");
    s->opts.main_file = machine ? relative(s, machine) : NULL;
    s->opts.state_machine = string_field(s, root, NULL, "stateMachine");
    pairs(s, root, "substitutions", &s->opts.subs, &s->opts.nsubs, false);
    pairs(s, root, "parameters", &s->opts.params, &s->opts.nparams, false);
    pairs(s, root, "machines", &s->opts.machines, &s->opts.nmachines, true);
    lambdas(s, root);
    const cJSON *tasks = get(root, "tasks");
    for (const cJSON *t = cJSON_IsArray(tasks) ? tasks->child : NULL; t; t = t->next)
        if (cJSON_IsString(t))
            cc_push(&s->opts.tasks, &s->opts.ntasks, relative(s, t->valuestring));
    const char *mock = string_field(s, root, NULL, "mock");
    s->mock = mock ? relative(s, mock) : NULL;
    const cJSON *vt = get(root, "virtualTime");
    s->virtual_time = !cJSON_IsFalse(vt);
    const cJSON *cases = get(root, "cases");
    if (cases && !cJSON_IsArray(cases))
        diag_error(s->src, "cases", "expected an array of cases");
    int i = 0;
    for (const cJSON *c = cJSON_IsArray(cases) ? cases->child : NULL; c; c = c->next, i++)
        add_case(s, c, diag_path_index("cases", i), NULL, NULL);
    if (!cases && s->mock)
        mock_cases(s, root);
    else if (!cases)
        diag_error(s->src, "", "cases: required (or a mock file, whose test cases are then run)");
}

ts_spec *ts_spec_load(const char *file)
{
    int before = diag_error_count();
    cc_src *src = template_read(file);
    if (!src)
        return NULL;
    ts_spec *s = cc_alloc(sizeof *s);
    s->file = file;
    s->src = src;
    read_spec(s);
    if (diag_error_count() > before) {
        ts_spec_free(s);
        return NULL;
    }
    return s;
}

void ts_spec_free(ts_spec *s)
{
    if (!s)
        return;
    load_free(s->src);
    free(s->cases);
}
