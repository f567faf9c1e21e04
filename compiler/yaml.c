/*
 * yaml.c: a YAML file (a SAM or CloudFormation template, or a definition
 * written in YAML) as the same cc_src a JSON file becomes: a cJSON tree and
 * the line:col of every key and array element, under the dotted paths
 * diag.c prints. libyaml parses; this file only builds the tree from its
 * events.
 *
 * CloudFormation's short tags become their long form, as CloudFormation
 * reads them: `!Ref X` is {"Ref": X}, `!Condition X` is {"Condition": X},
 * `!GetAtt A.B` is {"Fn::GetAtt": ["A", "B"]}, and any other `!Name v` is
 * {"Fn::Name": v}. So a template reads the same whether it was written in
 * YAML or JSON, and the paths of what a tag holds include the long key
 * (Resources.M.Properties.DefinitionString."Fn::Sub").
 *
 * Plain scalars are typed by YAML's core schema (null, booleans, integers,
 * floats); quoted and block scalars are strings. Anchors and aliases work
 * (an alias is a copy), and so does the merge key `<<`. Duplicate keys are
 * an error, as they are in JSON definitions.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "aslc.h"

enum { MAX_DEPTH = CJSON_NESTING_LIMIT };

typedef struct yframe {
    cJSON *node;         /* the object or array being filled */
    const char *path;
    char *key;           /* an object's key waiting for its value */
    int key_line, key_col;
    int index;
    cJSON *wrap;         /* the {"Fn::X": ...} a tag wraps this node in */
    yaml_mark_t start;   /* where the node starts */
    cJSON *merged;       /* keys a merge key (<<) brought: later keys win */
} yframe;

typedef struct anchor {
    char *name;
    cJSON *node;
} anchor;

typedef struct ybuild {
    cc_src *src;
    yframe stack[MAX_DEPTH];
    int depth;
    cJSON *root;
    anchor *anchors;
    int nanchors;
    cJSON *spent;        /* values used up (keys, merged maps) that an anchor may still name */
    bool failed;
} ybuild;

/* Whether key, at path, lies in a CloudFormation template's own sections
 * and not inside a state machine's definition (which keeps AWS's rules). */
static bool template_part(const char *path, const char *key)
{
    static const char *const top_keys[] = {"AWSTemplateFormatVersion", "Transform", "Description", "Resources",
                                           "Outputs", "Parameters", "Mappings", "Conditions", "Globals",
                                           "Metadata", "Rules"};
    /* A template's top-level key written twice (no state machine
     * definition has these keys at its top). */
    if (!*path)
        for (size_t i = 0; i < sizeof top_keys / sizeof *top_keys; i++)
            if (!strcmp(key, top_keys[i]))
                return true;
    static const char *const sections[] = {"Resources", "Outputs", "Parameters", "Mappings",
                                           "Conditions", "Globals", "Metadata", "Rules"};
    bool top = false;
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++) {
        size_t n = strlen(sections[i]);
        top |= !strncmp(path, sections[i], n) && (path[n] == '\0' || path[n] == '.');
    }
    return top && !strstr(path, ".Definition.") && !strstr(path, ".Definition[") &&
           (strlen(path) < 11 || strcmp(path + strlen(path) - 11, ".Definition"));
}

static void fail_in(ybuild *b, const char *path, yaml_mark_t m, const char *fmt, const char *arg)
{
    cc_src tmp = *b->src;
    tmp.npos = 0;
    tmp.pos = NULL;
    load_note(&tmp, path, (int)m.line + 1, (int)m.column + 1);
    diag_error(&tmp, path, fmt, arg);
    free(tmp.pos);
    b->failed = true;
}

static void fail_at(ybuild *b, yaml_mark_t m, const char *fmt, const char *arg)
{
    fail_in(b, "", m, fmt, arg);
}

/* ------------------------------------------------------------ scalars */

static bool all_match(const char *s, const char *set)
{
    return *s && strspn(s, set) == strlen(s);
}

static bool is_number(const char *s)
{
    const char *p = s + (*s == '-' || *s == '+');
    if (!*p || (!isdigit((unsigned char)*p) && *p != '.'))
        return false;
    char *end;
    strtod(s, &end);
    return *end == '\0' && !all_match(p, ".");
}

/* A plain scalar typed by the core schema. */
static cJSON *plain_scalar(const char *s)
{
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
        return cJSON_CreateNull();
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        return cJSON_CreateTrue();
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return cJSON_CreateFalse();
    if (!strncmp(s, "0x", 2) && all_match(s + 2, "0123456789abcdefABCDEF"))
        return cJSON_CreateNumber((double)strtoull(s + 2, NULL, 16));
    if (!strncmp(s, "0o", 2) && all_match(s + 2, "01234567"))
        return cJSON_CreateNumber((double)strtoull(s + 2, NULL, 8));
    if (is_number(s))
        return cJSON_CreateNumber(strtod(s, NULL));
    return cJSON_CreateString(s);
}

static cJSON *scalar(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    const char *tag = (const char *)ev->data.scalar.tag;
    if (tag && (!strcmp(tag, YAML_STR_TAG) || !strncmp(tag, "!", 1)))
        return cJSON_CreateString(v);
    if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE || (tag && !strncmp(tag, "tag:yaml.org", 12)))
        return plain_scalar(v);
    return cJSON_CreateString(v);
}

/* ---------------------------------------------------------------- tags */

/* The long form of a CloudFormation short tag (!Sub -> Fn::Sub), or NULL
 * for no tag or YAML's own (!!str). */
static const char *long_key(const yaml_char_t *tag)
{
    const char *t = (const char *)tag;
    if (!t || t[0] != '!' || t[1] == '!' || !t[1])
        return NULL;
    t++;
    if (!strcmp(t, "Ref") || !strcmp(t, "Condition"))
        return cc_strdup(t);
    return cc_printf("Fn::%s", t);
}

/* !GetAtt A.B.C in short form is ["A", "B.C"]. */
static cJSON *split_getatt(cJSON *v)
{
    if (!cJSON_IsString(v))
        return v;
    const char *s = v->valuestring, *dot = strchr(s, '.');
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateString(dot ? cc_strndup(s, (size_t)(dot - s)) : s));
    if (dot)
        cJSON_AddItemToArray(a, cJSON_CreateString(dot + 1));
    cJSON_Delete(v);
    return a;
}

/* ------------------------------------------------------------ building */

/* The path a new value at the top of the stack will have. */
static const char *child_path(const ybuild *b)
{
    if (!b->depth)
        return "";
    const yframe *f = &b->stack[b->depth - 1];
    if (cJSON_IsArray(f->node))
        return diag_path_index(f->path, f->index);
    return f->key ? diag_path_key(f->path, f->key) : f->path;   /* a key itself */
}

static void merge_into(yframe *f, const cJSON *from)
{
    for (const cJSON *m = from && cJSON_IsObject(from) ? from->child : NULL; m; m = m->next)
        if (!cJSON_GetObjectItemCaseSensitive(f->node, m->string)) {
            cJSON_AddItemToObject(f->node, m->string, cJSON_Duplicate(m, 1));
            if (!f->merged)
                f->merged = cJSON_CreateObject();
            cJSON_AddNullToObject(f->merged, m->string);
        }
}

/* Puts a finished value v (wrapped in *wrap when tagged) where it
 * belongs: a key, an object member, an array element or the root. */
static void attach(ybuild *b, cJSON *v, yaml_mark_t m)
{
    if (!b->depth) {
        if (!b->root)
            b->root = v;
        else
            cJSON_Delete(v);
        return;
    }
    yframe *f = &b->stack[b->depth - 1];
    if (cJSON_IsArray(f->node)) {
        load_note(b->src, diag_path_index(f->path, f->index++), (int)m.line + 1, (int)m.column + 1);
        cJSON_AddItemToArray(f->node, v);
        return;
    }
    if (!f->key) {
        if (!cJSON_IsString(v) && !cJSON_IsNumber(v) && !cJSON_IsBool(v)) {
            fail_at(b, m, "%s", "invalid YAML: a key must be a plain value");
            cJSON_AddItemToArray(b->spent, v);
            return;
        }
        char *text = cJSON_IsString(v) ? cc_strdup(v->valuestring) : cJSON_PrintUnformatted(v);
        f->key = cc_strdup(text);
        if (!cJSON_IsString(v))
            cJSON_free(text);
        f->key_line = (int)m.line + 1;
        f->key_col = (int)m.column + 1;
        cJSON_AddItemToArray(b->spent, v);
        return;
    }
    const char *key = f->key;
    f->key = NULL;
    if (!strcmp(key, "<<")) {
        if (cJSON_IsArray(v))
            for (const cJSON *e = v->child; e; e = e->next)
                merge_into(f, e);
        else
            merge_into(f, v);
        cJSON_AddItemToArray(b->spent, v);
        return;
    }
    const char *path = diag_path_key(f->path, key);
    if (cJSON_GetObjectItemCaseSensitive(f->merged, key)) {
        cJSON_DeleteItemFromObjectCaseSensitive(f->merged, key);
        cJSON_DeleteItemFromObjectCaseSensitive(f->node, key);
    }
    if (cJSON_GetObjectItemCaseSensitive(f->node, key)) {
        yaml_mark_t km = {0, (size_t)f->key_line - 1, (size_t)f->key_col - 1};
        if (!template_part(f->path, key)) {
            fail_in(b, f->path, km, "duplicate key %s", diag_quote(key));
            cJSON_AddItemToArray(b->spent, v);
            return;
        }
        /* SAM CLI's YAML loader keeps the later value, and so does
         * CloudFormation: in a template, outside a state machine's
         * definition, a repeated key (a resource written twice) is news
         * for the linter, not a reason to refuse the machines. */
        cc_src tmp = *b->src;
        tmp.npos = 0;
        tmp.pos = NULL;
        load_note(&tmp, f->path, (int)km.line + 1, (int)km.column + 1);
        diag_warning(&tmp, f->path, "duplicate key %s in this template: the later value is used, as SAM and CloudFormation do",
                     diag_quote(key));
        free(tmp.pos);
        cJSON_DeleteItemFromObjectCaseSensitive(f->node, key);
    }
    load_note(b->src, path, f->key_line, f->key_col);
    cJSON_AddItemToObject(f->node, key, v);
}

/* A value tagged !Name becomes {"Fn::Name": value}; returns the value to
 * attach. */
static cJSON *wrap(const yaml_char_t *tag, cJSON *v, const char *path, yaml_mark_t m, ybuild *b)
{
    const char *k = long_key(tag);
    if (!k)
        return v;
    if (!strcmp(k, "Fn::GetAtt"))
        v = split_getatt(v);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, k, v);
    load_note(b->src, diag_path_key(path, k), (int)m.line + 1, (int)m.column + 1);
    return o;
}

static void remember(ybuild *b, const yaml_char_t *name, cJSON *node)
{
    if (!name)
        return;
    b->anchors = realloc(b->anchors, sizeof *b->anchors * (size_t)(b->nanchors + 1));
    if (!b->anchors)
        exit(70);
    b->anchors[b->nanchors++] = (anchor){cc_strdup((const char *)name), node};
}

static cJSON *recall(ybuild *b, const yaml_char_t *name)
{
    for (int i = b->nanchors - 1; i >= 0; i--)
        if (!strcmp(b->anchors[i].name, (const char *)name))
            return cJSON_Duplicate(b->anchors[i].node, 1);
    return NULL;
}

static void open_container(ybuild *b, const yaml_event_t *ev, bool map)
{
    if (b->depth == MAX_DEPTH) {
        fail_at(b, ev->start_mark, "%s", "invalid YAML: nested too deeply");
        return;
    }
    const yaml_char_t *tag = map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
    const yaml_char_t *anchor_name = map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    const char *path = child_path(b);
    const char *k = long_key(tag);
    yframe *f = &b->stack[b->depth++];
    *f = (yframe){.node = map ? cJSON_CreateObject() : cJSON_CreateArray(), .path = path, .start = ev->start_mark};
    if (k) {
        f->wrap = cJSON_CreateObject();
        f->path = diag_path_key(path, k);
        load_note(b->src, f->path, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1);
        cJSON_AddItemToObject(f->wrap, k, f->node);
    }
    remember(b, anchor_name, f->node);
}

static void close_container(ybuild *b)
{
    yframe *f = &b->stack[--b->depth];
    cJSON_Delete(f->merged);
    attach(b, f->wrap ? f->wrap : f->node, f->start);
}

static void on_scalar(ybuild *b, const yaml_event_t *ev)
{
    const char *path = child_path(b);
    cJSON *v = scalar(ev);
    remember(b, ev->data.scalar.anchor, v);
    attach(b, wrap(ev->data.scalar.tag, v, path, ev->start_mark, b), ev->start_mark);
}

static void on_alias(ybuild *b, const yaml_event_t *ev)
{
    cJSON *v = recall(b, ev->data.alias.anchor);
    if (!v) {
        fail_at(b, ev->start_mark, "invalid YAML: unknown anchor %s", diag_quote((const char *)ev->data.alias.anchor));
        return;
    }
    attach(b, v, ev->start_mark);
}

/* Feeds libyaml's events of the first document to the builder. */
static void build(ybuild *b, yaml_parser_t *p)
{
    bool done = false;
    while (!done && !b->failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(p, &ev)) {
            const char *msg = p->context ? cc_printf("invalid YAML: %s %s", p->problem, p->context)
                                         : cc_printf("invalid YAML: %s", p->problem ? p->problem : "cannot parse");
            fail_at(b, p->problem_mark, "%s", msg);
            return;
        }
        switch (ev.type) {
        case YAML_SCALAR_EVENT: on_scalar(b, &ev); break;
        case YAML_ALIAS_EVENT: on_alias(b, &ev); break;
        case YAML_MAPPING_START_EVENT: open_container(b, &ev, true); break;
        case YAML_SEQUENCE_START_EVENT: open_container(b, &ev, false); break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT: close_container(b); break;
        case YAML_DOCUMENT_END_EVENT:
        case YAML_STREAM_END_EVENT: done = true; break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
}

cc_src *yaml_load(const char *file)
{
    size_t len;
    char *text = load_read(file, &len);
    if (!text)
        return NULL;
    cc_src *src = load_tree(file, text, NULL);
    ybuild *b = calloc(1, sizeof *b);
    if (!b)
        exit(70);
    b->src = src;
    b->spent = cJSON_CreateArray();
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    build(b, &p);
    yaml_parser_delete(&p);
    while (b->depth) {   /* after an error: free what was open */
        yframe *f = &b->stack[--b->depth];
        cJSON_Delete(f->merged);
        cJSON_Delete(f->wrap ? f->wrap : f->node);
    }
    src->root = b->root;
    bool ok = !b->failed;
    free(b->anchors);
    cJSON_Delete(b->spent);
    free(b);
    if (ok && !cJSON_IsObject(src->root)) {
        diag_error(src, NULL, "expected a mapping at the top level");
        ok = false;
    }
    if (!ok) {
        load_free(src);
        return NULL;
    }
    load_index(src);
    return src;
}
