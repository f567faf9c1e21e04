/*
 * unit.c: everything one compile needs. The main definition names nested
 * machines by ARN in its startExecution tasks; each ARN is resolved, in
 * this order, by a --machine ARN_OR_NAME=FILE flag, then by the project file
 * aslc.json next to the main definition:
 *
 *     {"machines": {"<ARN or name>": "nested.asl.json"},
 *      "tasks": ["handlers.c"],
 *      "lambdas": {"<function name or ARN>": "<command>"}}
 *
 * Nested machines are loaded the same way, recursively. Task handler files
 * are scanned for ASL_HANDLER("resource", fn) lines (and ASL_HANDLER_JSON), so a Task whose
 * resource nobody serves is caught here, at compile time.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aslc.h"
#include "mock_file.h"

typedef struct mapping {
    const char *key;     /* ARN or name */
    const char *file;    /* resolved path */
} mapping;

typedef struct uctx {
    cc_unit *u;
    mapping *maps;
    int nmaps;
    int status;
    const char *project;  /* project file path, for messages */
    /* Lambda commands by priority, lowest first: the template's own
     * functions, then aslc.json's; the command line's come last and win. */
    const char **tlambdas, **plambdas;
    int ntlambdas, nplambdas;
    int ntemplate;        /* how many of tlambdas the template implied */
    bool lint;            /* aslc check without --handlers */
    const cc_opts *opts;
} uctx;

static const char *dir_of(const char *file)
{
    const char *slash = strrchr(file, '/');
    return slash ? cc_strndup(file, (size_t)(slash - file + 1)) : "";
}

/* A path relative to the project file's folder. */
static const char *relative_to(const char *base, const char *file)
{
    return file[0] == '/' ? file : cc_printf("%s%s", dir_of(base), file);
}

static const char *name_from_file(const char *file)
{
    const char *b = strrchr(file, '/');
    b = b ? b + 1 : file;
    size_t n = strcspn(b, ".");
    return n ? cc_strndup(b, n) : cc_strdup(b);
}

static const char *name_from_arn(const char *arn)
{
    const char *p = strstr(arn, ":stateMachine:");
    if (!p)
        return arn;
    p += 14;
    return cc_strndup(p, strcspn(p, ":"));
}

static void add_mapping(uctx *c, const char *key, const char *file)
{
    c->maps = realloc(c->maps, sizeof *c->maps * (size_t)(c->nmaps + 1));
    if (!c->maps)
        exit(70);
    c->maps[c->nmaps++] = (mapping){key, file};
}

/* ----------------------------------------------------- project file */

/* A lambdas command of the project file runs relative to the file's
 * folder, as its machines and tasks are: python:/node: files are prefixed
 * with the folder, other commands run in it. */
static const char *project_command(const char *project, const char *cmd)
{
    const char *dir = dir_of(project);
    bool py = !strncmp(cmd, "python:", 7), node = !strncmp(cmd, "node:", 5);
    if (!*dir)
        return cmd;
    if (py || node) {
        const char *f = cmd + (py ? 7 : 5);
        return f[0] == '/' ? cmd : cc_printf("%s%s%s", py ? "python:" : "node:", dir, f);
    }
    asl_buf q = {0};   /* the folder single-quoted for the shell */
    asl_buf_puts(&q, "'");
    for (const char *p = dir; *p; p++)
        asl_buf_puts(&q, *p == '\'' ? "'\\''" : (char[2]){*p, 0});
    const char *r = cc_printf("cd %s' && %s", q.p, cmd);
    asl_buf_free(&q);
    return r;
}

static void read_project(uctx *c, cc_opts *o)
{
    const char *file = cc_printf("%saslc.json", dir_of(o->main_file));
    FILE *f = fopen(file, "r");
    if (!f)
        return;
    fclose(f);
    c->project = file;
    cc_src *src = load_file(file);
    if (!src) {
        c->status = 65;
        return;
    }
    for (const cJSON *k = src->root->child; k; k = k->next) {
        bool obj = cJSON_IsObject(k);
        if (!strcmp(k->string, "machines") && obj) {
            for (const cJSON *m = k->child; m; m = m->next)
                if (cJSON_IsString(m))
                    add_mapping(c, cc_strdup(m->string), relative_to(file, m->valuestring));
                else
                    diag_error(src, diag_path_key("machines", m->string), "expected a file name");
        } else if (!strcmp(k->string, "tasks") && cJSON_IsArray(k)) {
            for (const cJSON *t = k->child; t; t = t->next)
                if (cJSON_IsString(t))
                    cc_push(&o->tasks, &o->ntasks, relative_to(file, t->valuestring));
        } else if (!strcmp(k->string, "lambdas") && obj) {
            for (const cJSON *l = k->child; l; l = l->next)
                if (cJSON_IsString(l))
                    cc_push(&c->plambdas, &c->nplambdas, cc_printf("%s=%s", l->string, project_command(file, l->valuestring)));
        } else if (strcmp(k->string, "Comment")) {
            diag_error(src, k->string, "unknown or mistyped field (expected machines, tasks, lambdas)");
        }
    }
    load_free(src);
}

/* ------------------------------------------------------ task files */

/* Finds ASL_HANDLER("resource", fn) in a handler file (a call may span
 * lines). */
static void scan_tasks(uctx *c, const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "%s: error: cannot open: %s\n", file, strerror(errno));
        c->status = 66;
        return;
    }
    asl_buf text = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        asl_buf_put(&text, chunk, n);
    fclose(f);
    for (const char *p = text.p; p && (p = strstr(p, "ASL_HANDLER")); p++) {
        bool json = !strncmp(p + 11, "_JSON(", 6);
        if (!json && p[11] != '(')
            continue;
        const char *q = p + (json ? 17 : 12);
        while (isspace((unsigned char)*q))
            q++;
        if (*q != '"')
            continue; /* the macro's own definition, or a comment */
        const char *res = ++q, *close = strchr(q, '"');
        const char *fn = close ? close + 1 : NULL;
        while (fn && isspace((unsigned char)*fn))
            fn++;
        if (!fn || *fn != ',') {
            int line = 1;
            for (const char *k = text.p; k < p; k++)
                line += *k == '\n';
            fprintf(stderr, "%s:%d: error: expected %s(\"resource\", function)\n", file, line,
                    json ? "ASL_HANDLER_JSON" : "ASL_HANDLER");
            c->status = 65;
            continue;
        }
        fn++;
        while (isspace((unsigned char)*fn))
            fn++;
        size_t len = 0;
        while (isalnum((unsigned char)fn[len]) || fn[len] == '_')
            len++;
        cc_unit *u = c->u;
        u->bindings = realloc(u->bindings, sizeof *u->bindings * (size_t)(u->nbindings + 1));
        u->binding_fns = realloc(u->binding_fns, sizeof *u->binding_fns * (size_t)(u->nbindings + 1));
        u->bindings[u->nbindings] = (asl_binding){.resource = cc_strndup(res, (size_t)(close - res))};
        u->binding_json = realloc(u->binding_json, sizeof *u->binding_json * (size_t)(u->nbindings + 1));
        u->binding_json[u->nbindings] = json;
        u->binding_fns[u->nbindings++] = cc_strndup(fn, len);
    }
    asl_buf_free(&text);
}

/* -------------------------------------------------- nested machines */

static const char *mapped_file(uctx *c, const char *arn)
{
    const char *name = name_from_arn(arn);
    for (int i = 0; i < c->nmaps; i++)
        if (!strcmp(c->maps[i].key, arn))
            return c->maps[i].file;
    for (int i = 0; i < c->nmaps; i++)
        if (!strcmp(name_from_arn(c->maps[i].key), name))
            return c->maps[i].file;
    return NULL;
}

/* Whether the file can be opened: a file that cannot is exit status 66, one
 * that opens but is not a valid definition 65. (errno after load_file
 * cannot tell: it may be left over from any earlier call.) */
static bool can_open(const char *file)
{
    struct stat st;
    if (!stat(file, &st) && S_ISDIR(st.st_mode))
        return false; /* fopen opens a directory; reading it fails */
    FILE *f = fopen(file, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static cc_machine *add_src(uctx *c, cc_src *src, const char *name, const char *arn)
{
    cc_unit *u = c->u;
    u->machines = realloc(u->machines, sizeof *u->machines * (size_t)(u->nmachines + 1));
    cc_machine *mc = &u->machines[u->nmachines++];
    memset(mc, 0, sizeof *mc);
    mc->src = src;
    mc->m.name = name;
    mc->m.arn = arn;
    return mc;
}

static cc_machine *add_machine(uctx *c, const char *file, const char *name, const char *arn)
{
    cc_src *src = template_read(file);
    if (!src) {
        if (!c->status || c->status == 65)
            c->status = can_open(file) ? 65 : 66;
        return NULL;
    }
    return add_src(c, src, name, arn);
}

/* A copy of len bytes of text, NUL bytes included (strndup would stop at
 * the first and leave the loader reading past the copy). */
static char *text_copy(const char *text, size_t len)
{
    char *p = malloc(len + 1);
    if (!p) {
        fputs("aslc: out of memory\n", stderr);
        exit(70);
    }
    memcpy(p, text, len);
    p[len] = '\0';
    return p;
}

/* The main definition, or a template's machines: the one picked first,
 * the others beside it (nested machines by Ref or GetAtt name them), each
 * modelled as soon as added. Returns whether a main machine was added. */
static bool add_main(uctx *c, const cc_opts *o)
{
    cc_src *src = o->main_text ? load_text(o->main_file, text_copy(o->main_text, o->main_len), o->main_len, NULL)
                               : template_read(o->main_file);
    if (!src) {
        c->status = o->main_text || can_open(o->main_file) ? 65 : 66;
        return false;
    }
    if (o->main_text || !template_is(src)) {
        cc_machine *mc = add_src(c, src, o->main_name ? o->main_name : name_from_file(o->main_file), NULL);
        mc->m.express = o->type && !strcmp(o->type, "EXPRESS") ? 1 : 0;
        if (!model_machine(c->u, mc))
            c->status = 65;
        return true;
    }
    cc_template *t = template_open(src, o);
    int pick = t ? template_pick(t, o->state_machine, o->every_machine) : -1;
    if (t)
        c->tlambdas = template_lambdas(t, &c->ntlambdas);
    c->ntemplate = c->ntlambdas;
    bool added = false;
    for (int k = 0; pick >= 0 && k < template_count(t); k++) {
        int i = k == 0 ? pick : k <= pick ? k - 1 : k, st = 0;
        cc_src *d = template_definition(t, i, &st);
        if (!d) {
            c->status = c->status == 66 ? 66 : st;
            continue;
        }
        cc_machine *mc = add_src(c, d, cc_strdup(template_name(t, i)), cc_strdup(template_arn(t, i)));
        mc->m.express = k == 0 && o->type ? !strcmp(o->type, "EXPRESS") : template_express(t, i);
        added |= k == 0;
        if (!model_machine(c->u, mc))
            c->status = c->status ? c->status : 65;
    }
    template_free(t);
    if (!added && !c->status)
        c->status = 65;
    return added;
}

typedef void (*task_visit)(uctx *c, const cc_src *src, const char *path, const asl_state *s);

static void visit_tasks(uctx *c, const cc_src *src, const asl_graph *g, const char *path, task_visit fn)
{
    for (int i = 0; i < g->nstates; i++) {
        const asl_state *s = &g->states[i];
        const char *p = diag_path_key(diag_path_key(path, "States"), s->name);
        if (s->type == ASL_TASK && s->resource)
            fn(c, src, p, s);
        for (int b = 0; b < s->nbranches; b++)
            visit_tasks(c, src, s->branches[b],
                        s->type == ASL_MAP ? diag_path_key(p, "ItemProcessor")
                                           : diag_path_index(diag_path_key(p, "Branches"), b),
                        fn);
    }
}

/* With --mock FILE, a state that some test case of FILE mocks needs no
 * handler and no nested machine: a run without its mock fails the task. */
static bool mocked(const uctx *c, const cc_src *src, const asl_state *s)
{
    for (int i = 0; i < c->u->nmachines; i++)
        if (c->u->machines[i].src == src)
            return asl_mock_covers(c->u->machines[i].m.name, s->name);
    return false;
}

/* The literal "StateMachineArn" of a startExecution task, or NULL. */
/* The literal string a task's Parameters (or Arguments) give a field.
 * NULL, with *dynamic set, when the value is only known at run time (a
 * path, an expression, or Parameters that are not an object). */
static const char *literal_field(const asl_state *s, const char *key, bool *dynamic)
{
    const asl_node *p = s->parameters;
    *dynamic = p && p->kind != ASL_N_OBJECT;
    for (int i = 0; p && p->kind == ASL_N_OBJECT && i < p->count; i++) {
        if (strcmp(p->kids[i].str, key))
            continue;
        if (p->kids[i].kids[0].kind == ASL_N_STRING)
            return p->kids[i].kids[0].str;
        *dynamic = true;
    }
    return NULL;
}

static const char *literal_arn(const asl_state *s)
{
    bool dynamic;
    return literal_field(s, "StateMachineArn", &dynamic);
}

static void resolve_child(uctx *c, const cc_src *src, const char *path, const asl_state *s)
{
    if (s->integration != ASL_RES_START_EXECUTION)
        return;
    const char *arn = literal_arn(s);
    if (!arn || model_find_machine(c->u, arn))
        return;
    const char *file = mapped_file(c, arn);
    if (!file && (mocked(c, src, s) || c->opts->lenient))
        return;
    if (!file) {
        /* The linter checks the definition alone: AWS would find it. */
        void (*report)(const cc_src *, const char *, const char *, ...) = c->lint ? diag_warning : diag_error;
        if (c->lint && strstr(arn, "${"))
            return; /* the template already warned about it */
        report(src, diag_path_key(diag_path_key(path, "Parameters"), "StateMachineArn"),
               "state machine %s is not known: give --machine ARN=FILE, or map it in %s", diag_quote(arn),
               c->project ? c->project : "an aslc.json next to the main definition");
        return;
    }
    cc_machine *mc = add_machine(c, file, name_from_arn(arn), cc_strdup(arn));
    if (mc && !model_machine(c->u, mc))
        c->status = 65;
}

/* ------------------------------------------------------ handlers */

static bool lambda_invoke(const char *r)
{
    return !strncmp(r, "arn:aws:states:::lambda:invoke", 30);
}

static const char *function_of(const char *s)
{
    const char *p = strstr(s, ":function:");
    if (p)
        s = p + 10;
    return cc_strndup(s, strcspn(s, ":"));
}

static bool served(const cc_unit *u, const char *resource, const char *fname)
{
    for (int i = 0; i < u->nbindings; i++) {
        const char *b = u->bindings[i].resource;
        if (!strcmp(b, resource) || (fname && !strcmp(function_of(b), fname)))
            return true;
    }
    for (int i = 0; i < u->nlambdas; i++) {
        const char *l = u->lambdas[i];
        const char *b = cc_strndup(l, strcspn(l, "="));
        if (!strcmp(b, resource) || (fname && !strcmp(function_of(b), fname)))
            return true;
    }
    return false;
}

static void check_handler(uctx *c, const cc_src *src, const char *path, const asl_state *s)
{
    if (s->integration == ASL_RES_START_EXECUTION || mocked(c, src, s) || c->opts->lenient)
        return;
    const char *fname = NULL;
    if (lambda_invoke(s->resource)) {
        bool dynamic;
        const char *name = literal_field(s, "FunctionName", &dynamic);
        if (dynamic)
            return; /* chosen at run time */
        fname = name ? function_of(name) : NULL;
    } else if (!strncmp(s->resource, "arn:aws:lambda:", 15)) {
        fname = function_of(s->resource);
    }
    if (served(c->u, s->resource, fname))
        return;
    /* Any resource can be served by a process, SDK integrations too
     * (--lambda arn:aws:states:::dynamodb:putItem=COMMAND fakes one). */
    diag_error(src, diag_path_key(path, "Resource"),
               "no handler serves %s%s%s: give --lambda %s=COMMAND, --tasks FILE.c with ASL_HANDLER(%s, fn), "
               "or --mock FILE with a test case that mocks state %s",
               diag_quote(s->resource), fname ? " (function " : "", fname ? cc_printf("%s)", diag_quote(fname)) : "",
               fname ? fname : s->resource, diag_quote(s->resource), diag_quote(s->name));
}

/* aslc check: the file a python: or node: command names must exist (the
 * run would fail only when the task is reached). A template's function
 * whose code is not there yet (built by `sam build`, esbuild, a compiler)
 * is only a warning for the linter: the definition is still valid, and a
 * run can serve the function with --lambda. */
static void check_lambda_files(uctx *c)
{
    for (int i = 0; i < c->ntlambdas; i++) {
        void (*report)(const cc_src *, const char *, const char *, ...) =
            c->lint && i < c->ntemplate ? diag_warning : diag_error;
        const char *l = c->tlambdas[i], *cmd = strchr(l, '=') + 1;
        bool py = !strncmp(cmd, "python:", 7);
        if (!py && strncmp(cmd, "node:", 5))
            continue;
        const char *file = cmd + (py ? 7 : 5), *fn = strrchr(file, ':');
        if (fn && fn[1] && !strpbrk(fn + 1, "/."))
            file = cc_strndup(file, (size_t)(fn - file));
        if (!can_open(file) && i < c->ntemplate)
            report(NULL, NULL, "function %s of the template: handler file %s cannot be opened (not built yet?); "
                   "a run needs it, or --lambda %s=COMMAND", diag_quote(cc_strndup(l, strcspn(l, "="))),
                   diag_quote(file), cc_strndup(l, strcspn(l, "=")));
        else if (!can_open(file))
            report(NULL, NULL, "--lambda %s: handler file %s cannot be opened", diag_quote(l), diag_quote(file));
    }
}

/* ------------------------------------------------------------ unit */

bool unit_load(cc_unit *u, const cc_opts *opts, int *status)
{
    memset(u, 0, sizeof *u);
    cc_opts o = *opts;
    uctx c = {.u = u, .lint = o.lint, .opts = &o};
    for (int i = 0; i < o.nmachines; i++) {
        const char *eq = strrchr(o.machines[i], '=');
        add_mapping(&c, cc_strndup(o.machines[i], (size_t)(eq - o.machines[i])), eq + 1);
    }
    if (!o.main_text)
        read_project(&c, &o);
    bool main = add_main(&c, &o);
    /* Every mapped machine is compiled in: a StateMachineArn.$ chosen at
     * run time may name any of them. */
    for (int i = 0; main && i < c.nmaps; i++) {
        const char *key = c.maps[i].key;
        if (model_find_machine(u, key))
            continue;
        cc_machine *mc = add_machine(&c, c.maps[i].file, name_from_arn(key),
                                     strstr(key, ":stateMachine:") ? key : NULL);
        if (mc && !model_machine(u, mc))
            c.status = 65;
    }
    for (int i = 0; i < o.ntasks; i++)
        scan_tasks(&c, o.tasks[i]);
    u->task_files = o.tasks;
    u->ntask_files = o.ntasks;
    for (int i = 0; i < c.nplambdas; i++)
        cc_push(&c.tlambdas, &c.ntlambdas, c.plambdas[i]);
    for (int i = 0; i < o.nlambdas; i++)
        cc_push(&c.tlambdas, &c.ntlambdas, o.lambdas[i]);
    u->lambdas = c.tlambdas;
    u->nlambdas = c.ntlambdas;
    /* Machines appended while visiting are visited in turn. */
    for (int i = 0; !c.status && i < u->nmachines; i++)
        visit_tasks(&c, u->machines[i].src, u->machines[i].m.graph, NULL, resolve_child);
    if (o.check_files)
        check_lambda_files(&c);
    for (int i = 0; !c.status && !o.draw_only && !o.lint && i < u->nmachines; i++)
        visit_tasks(&c, u->machines[i].src, u->machines[i].m.graph, NULL, check_handler);
    free(c.maps);
    if (!c.status && diag_error_count())
        c.status = 65;
    *status = c.status;
    return c.status == 0;
}

void unit_free(cc_unit *u)
{
    for (int i = 0; i < u->nmachines; i++)
        load_free(u->machines[i].src);
    free(u->machines);
    free(u->bindings);
    free(u->binding_fns);
    free(u->binding_json);
    memset(u, 0, sizeof *u);
}
