/*
 * template.c: SAM and CloudFormation templates (YAML or JSON, CDK's
 * cdk.out/NAME.template.json too) as input. A template's state machines
 * (AWS::StepFunctions::StateMachine, AWS::Serverless::StateMachine) become
 * the same cc_src a definition file does, so the rest of the pipeline does
 * not know where a definition came from:
 *
 *  - Definition (an object): intrinsic functions applied (template_fn.c);
 *    each key keeps its line:col in the template;
 *  - DefinitionString (text, usually built with Fn::Sub or Fn::Join):
 *    parsed as JSON; a literal block scalar keeps its lines and columns,
 *    any other text points at DefinitionString's own place;
 *  - DefinitionUri (SAM) and DefinitionS3Location (CloudFormation): a local
 *    file (a path, or the Key of {Bucket, Key}), relative to the template;
 *    its diagnostics name that file.
 *
 * Then DefinitionSubstitutions (and --sub KEY=VALUE, which wins) replace
 * ${KEY} in every string of the definition; each ${...} still left gets a
 * warning naming it and its place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

cc_src *template_read(const char *file)
{
    if (ends_with(file, ".yaml") || ends_with(file, ".yml"))
        return yaml_load(file);
    return load_file(file);
}

bool template_is(const cc_src *doc)
{
    if (!doc || !cJSON_IsObject(doc->root) || get(doc->root, "States"))
        return false;
    /* A template's sections, even empty (a placeholder template whose
     * Resources is null): checked as a template, not as a definition. */
    return cJSON_IsObject(get(doc->root, "Resources")) || get(doc->root, "AWSTemplateFormatVersion") ||
           cJSON_HasObjectItem(doc->root, "Resources");
}

/* ------------------------------------------------------------ opening */

static bool is_machine_type(const char *type, bool *sam)
{
    *sam = !strcmp(type, "AWS::Serverless::StateMachine");
    return *sam || !strcmp(type, "AWS::StepFunctions::StateMachine");
}

static void find_machines(cc_template *t)
{
    for (const cJSON *r = t->resources->child; r; r = r->next) {
        const cJSON *type = get(r, "Type");
        bool sam;
        if (!cJSON_IsString(type) || !is_machine_type(type->valuestring, &sam))
            continue;
        t->machines = realloc(t->machines, sizeof *t->machines * (size_t)(t->nmachines + 1));
        if (!t->machines)
            exit(70);
        tpl_machine *m = &t->machines[t->nmachines++];
        const char *path = diag_path_key(diag_path_key("Resources", r->string), "Properties");
        cJSON *ref = tpl_ref(t, r->string);
        const char *arn = cc_strdup(ref->valuestring);
        cJSON_Delete(ref);
        const char *name = strrchr(arn, ':');
        *m = (tpl_machine){cc_strdup(r->string), name ? name + 1 : r->string, arn, path, sam};
    }
}

cc_template *template_open(cc_src *doc, const cc_opts *o)
{
    cc_template *t = cc_alloc(sizeof *t);
    t->doc = doc;
    t->o = o;
    t->resources = get(doc->root, "Resources");
    t->parameters = get(doc->root, "Parameters");
    t->conditions = get(doc->root, "Conditions");
    t->mappings = get(doc->root, "Mappings");
    t->region = "us-east-1";
    t->account = "123456789012";
    t->partition = "aws";
    t->region = tpl_parameter(t, "AWS::Region");
    t->account = tpl_parameter(t, "AWS::AccountId");
    t->partition = tpl_parameter(t, "AWS::Partition");
    if (cJSON_IsObject(t->resources))
        find_machines(t);
    if (!t->nmachines) {
        diag_error(doc, "Resources", "no state machine in this template "
                                     "(AWS::StepFunctions::StateMachine or AWS::Serverless::StateMachine)");
        template_free(t);
        return NULL;
    }
    return t;
}

int template_count(const cc_template *t)
{
    return t->nmachines;
}

const char *template_name(const cc_template *t, int i)
{
    return t->machines[i].name;
}

const char *template_arn(const cc_template *t, int i)
{
    return t->machines[i].arn;
}

bool template_express(const cc_template *t, int i)
{
    const cJSON *p = get(get(t->resources, t->machines[i].id), "Properties");
    const cJSON *type = get(p, t->machines[i].sam ? "Type" : "StateMachineType");
    return cJSON_IsString(type) && !strcmp(type->valuestring, "EXPRESS");
}

int template_pick(const cc_template *t, const char *id, bool first_ok)
{
    if (!id && (t->nmachines == 1 || first_ok))
        return 0;
    for (int i = 0; id && i < t->nmachines; i++)
        if (!strcmp(t->machines[i].id, id))
            return i;
    for (int i = 0; id && i < t->nmachines; i++)
        if (!strcmp(t->machines[i].name, id))
            return i;
    asl_buf list = {0};
    for (int i = 0; i < t->nmachines; i++)
        asl_buf_printf(&list, "%s%s", i ? ", " : "", t->machines[i].id);
    if (id)
        diag_error(t->doc, "Resources", "no state machine %s in this template (it has %s)", diag_quote(id), list.p);
    else
        diag_error(t->doc, "Resources", "this template has %d state machines (%s): choose one with --state-machine ID",
                   t->nmachines, list.p);
    asl_buf_free(&list);
    return -1;
}

void template_free(cc_template *t)
{
    if (!t)
        return;
    free(t->machines);
    load_free(t->doc);
}

/* ------------------------------------------------------ substitutions */

/* KEY=VALUE pairs: DefinitionSubstitutions evaluated, then --sub. */
typedef struct subs {
    const char **keys, **values;
    int n;
} subs;

static void sub_add(subs *s, const char *key, const char *value)
{
    const char **k = cc_alloc(sizeof *k * (size_t)(s->n + 1)), **v = cc_alloc(sizeof *v * (size_t)(s->n + 1));
    if (s->n) {
        memcpy(k, s->keys, sizeof *k * (size_t)s->n);
        memcpy(v, s->values, sizeof *v * (size_t)s->n);
    }
    k[s->n] = key;
    v[s->n++] = value;
    s->keys = k;
    s->values = v;
}

static const char *sub_find(const subs *s, const char *key, size_t len)
{
    for (int i = s->n - 1; i >= 0; i--)
        if (strlen(s->keys[i]) == len && !strncmp(s->keys[i], key, len))
            return s->values[i];
    return NULL;
}

static subs substitutions(cc_template *t, const tpl_machine *m)
{
    subs s = {0};
    const char *path = diag_path_key(m->path, "DefinitionSubstitutions");
    const cJSON *ds = get(get(get(t->resources, m->id), "Properties"), "DefinitionSubstitutions");
    tpl_ctx c = {t, NULL, NULL};
    for (const cJSON *e = cJSON_IsObject(ds) ? ds->child : NULL; e; e = e->next) {
        const char *v = tpl_string(&c, e, diag_path_key(path, e->string));
        if (v)
            sub_add(&s, e->string, v);
        else
            diag_warning(t->doc, diag_path_key(path, e->string), "expected a string, number or boolean");
    }
    for (int i = 0; i < t->o->nsubs; i++) {
        const char *kv = t->o->subs[i];
        size_t n = strcspn(kv, "=");
        sub_add(&s, cc_strndup(kv, n), kv + n + 1);
    }
    return s;
}

/* text with every ${KEY} that s knows replaced. */
static const char *substitute(const subs *s, const char *text)
{
    if (!strstr(text, "${"))
        return text;
    asl_buf out = {0};
    asl_buf_puts(&out, "");
    for (const char *p = text; *p;) {
        const char *open = strstr(p, "${"), *close = open ? strchr(open + 2, '}') : NULL;
        const char *v = close ? sub_find(s, open + 2, (size_t)(close - open - 2)) : NULL;
        if (!close) {
            asl_buf_puts(&out, p);
            break;
        }
        asl_buf_put(&out, p, (size_t)(v ? open - p : close + 1 - p));
        if (v)
            asl_buf_puts(&out, v);
        p = close + 1;
    }
    const char *r = cc_strdup(out.p);
    asl_buf_free(&out);
    return r;
}

static void warn_unresolved(cc_template *t, const cc_src *src, const char *path, const char *text)
{
    for (const char *p = text; (p = strstr(p, "${"));) {
        const char *close = strchr(p, '}');
        if (!close)
            return;
        const char *name = cc_strndup(p + 2, (size_t)(close - p - 2));
        bool param = get(t->parameters, name) != NULL;
        diag_warning(src, path, "${%s} is not resolved: give %s %s=VALUE", name, param ? "--parameter" : "--sub",
                     name);
        p = close + 1;
    }
}

/* Substitutes in every string of the tree (in place) and warns about what
 * is left. */
static void substitute_tree(cc_template *t, const cc_src *src, const subs *s, cJSON *v, const char *path)
{
    if (cJSON_IsString(v) && strstr(v->valuestring, "${")) {
        const char *r = substitute(s, v->valuestring);
        if (r != v->valuestring)
            cJSON_SetValuestring(v, r);
        warn_unresolved(t, src, path, v->valuestring);
    }
    int i = 0;
    for (cJSON *e = v->child; e; e = e->next, i++)
        substitute_tree(t, src, s, e, cJSON_IsArray(v) ? diag_path_index(path, i) : diag_path_key(path, e->string));
}

/* ------------------------------------------------------- definitions */

static cc_src *from_definition(cc_template *t, const tpl_machine *m, const cJSON *def)
{
    cc_src *src = load_tree(t->doc->file, NULL, NULL);
    tpl_ctx c = {t, src, NULL};
    src->root = tpl_eval(&c, def, diag_path_key(m->path, "Definition"), "");
    load_index(src);
    if (!cJSON_IsObject(src->root)) {
        diag_error(t->doc, diag_path_key(m->path, "Definition"), "expected an object (the state machine definition)");
        load_free(src);
        return NULL;
    }
    return src;
}

/* Where the text of a DefinitionString starts in the template: a literal
 * block scalar (`|`) keeps its lines, on the lines after its key; any other
 * text (a Fn::Join of pieces, a JSON template's one-line string) is placed
 * at the key (indent0 -1). */
static void text_origin(const cc_template *t, const char *tpath, cc_src *at)
{
    int line, col;
    load_position(t->doc, tpath, &line, &col);
    at->line0 = line;
    at->col0 = col;
    at->indent0 = -1;
    const char *p = t->doc->text;
    for (int l = 1; p && l < line; l++)
        p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
    if (!p || !line)
        return;
    const char *eol = p + strcspn(p, "\n");
    while (eol > p && (eol[-1] == ' ' || eol[-1] == '\r' || eol[-1] == '-' || eol[-1] == '+'))
        eol--;
    if (eol == p || eol[-1] != '|' || !*(p + strcspn(p, "\n")))
        return;
    const char *next = p + strcspn(p, "\n") + 1;
    int indent = (int)strspn(next, " ");
    *at = (cc_src){.line0 = line + 1, .col0 = indent + 1, .indent0 = indent};
}

static cc_src *from_string(cc_template *t, const tpl_machine *m, const cJSON *def, const subs *s)
{
    const char *path = diag_path_key(m->path, "DefinitionString");
    tpl_ctx c = {t, NULL, NULL};
    const char *text = tpl_string(&c, def, path);
    if (!text) {
        diag_error(t->doc, path, "expected a string (the definition as JSON text)");
        return NULL;
    }
    text = substitute(s, text);
    /* The literal text is under Fn::Sub when there is one. */
    const cJSON *sub = get(def, "Fn::Sub");
    const char *lit = cJSON_IsString(def) ? path : cJSON_IsString(sub) ? diag_path_key(path, "Fn::Sub")
                                              : cJSON_IsArray(sub)  ? diag_path_index(diag_path_key(path, "Fn::Sub"), 0)
                                                                    : path;
    cc_src at = {0};
    text_origin(t, lit, &at);
    if (lit == path || at.indent0 < 0)
        load_position(t->doc, path, &at.line0, &at.col0), at.indent0 = -1;
    cc_src *src = load_text(t->doc->file, strdup(text), strlen(text), &at);
    if (!src)
        warn_unresolved(t, t->doc, path, text);
    return src;
}

static cc_src *from_file(cc_template *t, const tpl_machine *m, const char *key, const cJSON *v, int *status)
{
    const char *path = diag_path_key(m->path, key);
    const cJSON *file = cJSON_IsObject(v) ? get(v, "Key") : v;
    if (!cJSON_IsString(file)) {
        diag_error(t->doc, path, "expected a file name, or {\"Bucket\": ..., \"Key\": FILE} naming a local file");
        return NULL;
    }
    const char *f = file->valuestring, *slash = strrchr(t->doc->file, '/');
    if (f[0] != '/' && slash)
        f = cc_printf("%.*s%s", (int)(slash - t->doc->file + 1), t->doc->file, f);
    FILE *fp = fopen(f, "rb");
    if (!fp) {
        diag_error(t->doc, path, "cannot open %s", diag_quote(f));
        *status = 66;
        return NULL;
    }
    fclose(fp);
    return template_read(f);
}

cc_src *template_definition(cc_template *t, int i, int *status)
{
    const tpl_machine *m = &t->machines[i];
    const cJSON *props = get(get(t->resources, m->id), "Properties");
    subs s = substitutions(t, m);
    const cJSON *v;
    cc_src *src = NULL;
    if ((v = get(props, "Definition")))
        src = from_definition(t, m, v);
    else if (!m->sam && (v = get(props, "DefinitionString")))
        src = from_string(t, m, v, &s);
    else if ((v = get(props, m->sam ? "DefinitionUri" : "DefinitionS3Location")))
        src = from_file(t, m, m->sam ? "DefinitionUri" : "DefinitionS3Location", v, status);
    else
        diag_error(t->doc, diag_path_key("Resources", m->id), "state machine has no %s",
                   m->sam ? "Definition or DefinitionUri" : "Definition, DefinitionString or DefinitionS3Location");
    if (src)
        substitute_tree(t, src, &s, src->root, "");
    else if (!*status)
        *status = 65;
    return src;
}

/* ------------------------------------------------------------ functions */

/* A function the template can run itself: a SAM function with a Python or
 * Node.js Runtime, a local CodeUri folder and a Handler (module.function):
 * NAME=python:CodeUri/module.py:function (or node:...js). */
static const char *function_command(cc_template *t, const cJSON *res, const char *id)
{
    const cJSON *type = get(res, "Type"), *p = get(res, "Properties");
    const cJSON *rt = get(p, "Runtime"), *code = get(p, "CodeUri"), *h = get(p, "Handler");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "AWS::Serverless::Function") || !cJSON_IsString(rt) ||
        !cJSON_IsString(h) || (code && !cJSON_IsString(code)))
        return NULL;
    bool py = !strncmp(rt->valuestring, "python", 6), node = !strncmp(rt->valuestring, "nodejs", 6);
    const char *dot = strrchr(h->valuestring, '.');
    if ((!py && !node) || !dot)
        return NULL;
    const char *module = cc_strndup(h->valuestring, (size_t)(dot - h->valuestring));
    if (py)
        for (char *c = (char *)module; *c; c++)
            *c = *c == '.' ? '/' : *c;
    const char *dir = code ? code->valuestring : "", *slash = strrchr(t->doc->file, '/');
    const char *base = slash ? cc_strndup(t->doc->file, (size_t)(slash - t->doc->file + 1)) : "";
    const char *sep = *dir && dir[strlen(dir) - 1] != '/' ? "/" : "";
    const char *file = cc_printf("%s%s%s%s", dir[0] == '/' ? "" : base, dir, sep, module);
    if (node) {
        FILE *f = fopen(cc_printf("%s.mjs", file), "r");
        file = cc_printf("%s.%s", file, f ? "mjs" : "js");
        if (f)
            fclose(f);
    }
    cJSON *name = tpl_ref(t, id);
    const char *cmd = cc_printf("%s=%s:%s%s:%s", name->valuestring, py ? "python" : "node", file, py ? ".py" : "",
                                dot + 1);
    cJSON_Delete(name);
    return cmd;
}

const char **template_lambdas(cc_template *t, int *n)
{
    const char **list = cc_alloc(sizeof *list * (size_t)(cJSON_GetArraySize(t->resources) + 1));
    *n = 0;
    for (const cJSON *r = t->resources->child; r; r = r->next) {
        const char *cmd = function_command(t, r, r->string);
        if (cmd)
            list[(*n)++] = cmd;
    }
    return list;
}
