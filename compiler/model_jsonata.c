/*
 * model_jsonata.c: the JSONata half of the model pass. Checks the fields of
 * a state whose QueryLanguage is JSONata (Arguments, Output, Assign, Items,
 * Conditions, numbers and strings that may be expressions), parses each
 * "{% ... %}" expression once, here, with the JSONata module, checks the
 * names it uses and what of $states it reads, and keeps its tree. model.c does the
 * fields common to both languages and calls model_jn_state_fields.
 */
#include <math.h>
#include <string.h>

#include "aslc.h"
#include "jsonata_fields.h"
#include "model.h"

/* ---------------------------------------------------------- JSONata */

/* Only a string that starts with "{%" and ends with "%}" is a JSONata
 * expression; anything else (" {% x %} " included) is a literal. */
static bool jn_is_expr(const cJSON *v)
{
    if (!cJSON_IsString(v))
        return false;
    size_t n = strlen(v->valuestring);
    return n >= 4 && !strncmp(v->valuestring, "{%", 2) && !strcmp(v->valuestring + n - 2, "%}");
}

/* ---------------------------------------------- names an expression uses */

/* Every variable an Assign anywhere in the file sets (a JSONPath Assign's
 * "name.$" sets name), gathered once: a state may read what a later state
 * in the document assigns. */
static void gather_assigned(mctx *c, const cJSON *v, int *cap)
{
    for (const cJSON *k = v ? v->child : NULL; k; k = k->next) {
        if (k->string && !strcmp(k->string, "Assign") && cJSON_IsObject(k)) {
            for (const cJSON *a = k->child; a; a = a->next) {
                if (c->njn_vars == *cap) {
                    *cap *= 2;
                    const char **names = cc_alloc(sizeof *names * (size_t)*cap);
                    memcpy(names, c->jn_vars, sizeof *names * (size_t)c->njn_vars);
                    c->jn_vars = names;
                }
                size_t n = strlen(a->string);
                c->jn_vars[c->njn_vars++] = n > 2 && !strcmp(a->string + n - 2, ".$") ? cc_strndup(a->string, n - 2)
                                                                                     : a->string;
            }
        }
        gather_assigned(c, k, cap);
    }
}

static bool known_in(const char *name, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

typedef struct jn_names {
    mctx *c;
    const char *path;
    const char **local;    /* names bound inside the expression: known everywhere in it */
    int nlocal, cap;
    const char **all;      /* candidates for "did you mean": locals, assigned, states, functions */
    int nall;
} jn_names;

static void gather_local(void *ud, const char *name, int use)
{
    jn_names *k = ud;
    if (use != JSONATA_NAME_BOUND)
        return;
    if (k->nlocal == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 8;
        const char **more = cc_alloc(sizeof *more * (size_t)k->cap);
        if (k->nlocal)
            memcpy(more, k->local, sizeof *more * (size_t)k->nlocal);
        k->local = more;
    }
    k->local[k->nlocal++] = name;
}

static bool jn_known(const jn_names *k, const char *name)
{
    return !name[0] || !strcmp(name, "$") || !strcmp(name, "states") || jsonata_builtin(name) >= 0 ||
           known_in(name, k->local, k->nlocal) ||
           known_in(name, k->c->jn_vars, k->c->njn_vars);
}

/* A $name that nothing sets is undefined wherever the state runs, and a
 * function that does not exist fails when called (T1006): both are
 * warned of, with the nearest name. */
static void check_name(void *ud, const char *name, int use)
{
    jn_names *k = ud;
    if (use == JSONATA_NAME_BOUND || jn_known(k, name))
        return;
    if (use == JSONATA_NAME_CALLED)
        diag_warning(k->c->src, k->path, "unknown function $%s", name);
    else
        diag_warning(k->c->src, k->path, "variable $%s is set by no Assign and bound nowhere in the expression", name);
    model_suggest(k->c, k->path, cc_printf("$%s", name), k->all, k->nall);
}

static void jn_check_names(mctx *c, const jsonata_node *root, const char *path)
{
    if (!c->jn_vars) {
        int cap = 16;
        c->jn_vars = cc_alloc(sizeof *c->jn_vars * (size_t)cap);
        gather_assigned(c, c->src ? c->src->root : NULL, &cap);
    }
    jn_names k = {c, path, NULL, 0, 0, NULL, 0};
    jsonata_names(root, gather_local, &k);
    /* the candidates are written as the expression writes them: $name */
    int nfn = 0;
    while (jsonata_builtin_name(nfn))
        nfn++;
    k.all = cc_alloc(sizeof *k.all * (size_t)(k.nlocal + c->njn_vars + nfn + 1));
    for (int i = 0; i < k.nlocal; i++)
        k.all[k.nall++] = cc_printf("$%s", k.local[i]);
    for (int i = 0; i < c->njn_vars; i++)
        k.all[k.nall++] = cc_printf("$%s", c->jn_vars[i]);
    k.all[k.nall++] = "$states";
    for (int i = 0; i < nfn; i++)
        k.all[k.nall++] = cc_printf("$%s", jsonata_builtin_name(i));
    jsonata_names(root, check_name, &k);
}

/* The module's tree as compiler data (cc_alloc'd, freed with the rest),
 * so that the module's own copy can be freed at once. */
static asl_node *copy_tree(const jsonata_node *n, asl_node *out)
{
    *out = (asl_node){.kind = n->kind, .op = n->op, .flags = n->flags, .count = n->count, .num = n->num,
                      .str = n->str ? cc_strdup(n->str) : NULL};
    if (n->count) {
        asl_node *kids = cc_alloc(sizeof *kids * (size_t)n->count);
        for (int i = 0; i < n->count; i++)
            copy_tree(&n->kids[i], &kids[i]);
        out->kids = kids;
    }
    return out;
}

/* A JSONata expression string: the module's root node, whose op records
 * which members of $states it reads (the runtime builds only those). */
static asl_node *jn_expr(mctx *c, const cJSON *v, const char *path, unsigned allow)
{
    jsonata_error err;
    jsonata_node *tree = jsonata_parse(v->valuestring, JSONATA_STEP_FUNCTIONS, &err);
    if (!tree) {
        diag_error(c->src, path, "invalid JSONata expression %s: %s", diag_quote(v->valuestring), err.message);
        jsonata_error_clear(&err);
        return node_new(ASL_N_NULL);
    }
    static const char *const members[] = JN_STATES_MEMBERS;
    unsigned refs = jsonata_var_members(tree, "states", members, 4);
    if ((refs & JN_STATES_RESULT) && !(allow & JN_STATES_RESULT))
        diag_error(c->src, path, "$states.result is not available here (only in Output and Assign, after the "
                   "state's work)");
    if ((refs & JN_STATES_ERROR_OUTPUT) && !(allow & JN_STATES_ERROR_OUTPUT))
        diag_error(c->src, path, "$states.errorOutput is not available here (only in a Catch's Output and Assign)");
    jn_check_names(c, tree, path);
    asl_node *r = copy_tree(tree, cc_alloc(sizeof *r));
    r->op = (unsigned short)refs;
    jsonata_free(tree);
    return r;
}

/* A JSONata field's value: expressions anywhere in objects and arrays,
 * everything else literal (keys are kept as written: no ".$"). */
static asl_node *jn_value(mctx *c, const cJSON *v, const char *path, unsigned allow)
{
    if (jn_is_expr(v))
        return jn_expr(c, v, path, allow);
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return node_from_json(v);
    bool obj = cJSON_IsObject(v), konst = true;
    asl_node *n = node_new(obj ? ASL_N_OBJECT : ASL_N_ARRAY);
    int i = 0;
    for (const cJSON *k = v->child; k; k = k->next, i++) {
        asl_node *val = jn_value(c, k, obj ? diag_path_key(path, k->string) : diag_path_index(path, i), allow);
        bool kc = (val->flags & ASL_F_CONST) != 0;
        konst = konst && kc;
        if (obj) {
            asl_node fld = {.kind = ASL_N_FIELD, .str = cc_strdup(k->string), .flags = kc ? ASL_F_CONST : 0};
            node_push(&fld, val);
            node_push(n, &fld);
        } else {
            node_push(n, val);
        }
    }
    if (konst)
        n->flags |= ASL_F_CONST;
    return n;
}

const asl_node *model_jn_field(mctx *c, const cJSON *o, const char *path, const char *key, unsigned allow)
{
    const cJSON *v = get(o, key);
    return v ? jn_value(c, v, diag_path_key(path, key), allow) : NULL;
}

/* Assign: an object of variables. */
const asl_node *model_jn_assign(mctx *c, const cJSON *o, const char *path, unsigned allow)
{
    const cJSON *v = get(o, "Assign");
    if (!v)
        return NULL;
    if (!cJSON_IsObject(v)) {
        diag_error(c->src, diag_path_key(path, "Assign"), "expected an object, got %s", model_got(v));
        return NULL;
    }
    return jn_value(c, v, diag_path_key(path, "Assign"), allow);
}

/* A number field (TimeoutSeconds, MaxConcurrency ...): a literal checked
 * now, or an expression checked when it runs. */
static const asl_node *jn_number(mctx *c, const cJSON *o, const char *path, const char *key, double min, double max,
                                 bool integer)
{
    const cJSON *v = get(o, key);
    if (!v)
        return NULL;
    const char *fp = diag_path_key(path, key);
    if (jn_is_expr(v))
        return jn_expr(c, v, fp, JN_ALLOW_IN);
    if (!cJSON_IsNumber(v) || (integer && v->valuedouble != floor(v->valuedouble)) || v->valuedouble < min ||
        v->valuedouble > max) {
        diag_error(c->src, fp, "expected %s from %.10g to %.10g or a JSONata expression, got %s",
                   integer ? "an integer" : "a number", min, max, model_got(v));
        return NULL;
    }
    return node_from_json(v);
}

/* A string field (Error, Cause, Timestamp): a literal or an expression. */
static const asl_node *jn_string(mctx *c, const cJSON *o, const char *path, const char *key)
{
    const cJSON *v = get(o, key);
    if (!v)
        return NULL;
    const char *fp = diag_path_key(path, key);
    if (jn_is_expr(v))
        return jn_expr(c, v, fp, JN_ALLOW_IN);
    if (!cJSON_IsString(v)) {
        diag_error(c->src, fp, "expected a string or a JSONata expression, got %s", model_got(v));
        return NULL;
    }
    return node_from_json(v);
}

/* ---------------------------------------------- JSONata state fields */

static void jn_choice_fields(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    const cJSON *v = model_required_array(c, o, path, "Choices", "choice rules");
    const char *fp = diag_path_key(path, "Choices");
    if (!v)
        return;
    static const char *const keys[] = {"Condition", "Next", "Output", "Assign", "Comment", NULL};
    int n = cJSON_GetArraySize(v), i = 0;
    const asl_node **rules = cc_alloc(sizeof *rules * (size_t)n);
    const asl_node **assigns = cc_alloc(sizeof *assigns * (size_t)n);
    const asl_node **outputs = cc_alloc(sizeof *outputs * (size_t)n);
    s->choice_next = cc_alloc(sizeof(int) * (size_t)n);
    for (const cJSON *r = v->child; r; r = r->next, i++) {
        const char *rp = diag_path_index(fp, i);
        ((int *)s->choice_next)[i] = -1;
        rules[i] = node_new(ASL_N_FALSE);
        if (!cJSON_IsObject(r)) {
            diag_error(c->src, rp, "expected a choice rule object, got %s", model_got(r));
            continue;
        }
        model_check_keys(c, r, rp, keys);
        const cJSON *cond = get(r, "Condition");
        if (!cond)
            diag_error(c->src, rp, "Condition: required field is missing (a JSONata Choice rule is a Condition)");
        else if (jn_is_expr(cond))
            rules[i] = jn_expr(c, cond, diag_path_key(rp, "Condition"), JN_ALLOW_IN);
        else if (cJSON_IsBool(cond))
            rules[i] = node_from_json(cond);
        else
            diag_error(c->src, diag_path_key(rp, "Condition"), "expected true, false or a JSONata expression, got %s",
                       model_got(cond));
        assigns[i] = model_jn_assign(c, r, rp, JN_ALLOW_IN);
        outputs[i] = model_jn_field(c, r, rp, "Output", JN_ALLOW_IN);
        if (!get(r, "Next"))
            diag_error(c->src, rp, "Next: required field is missing");
    }
    s->rules = rules;
    s->choice_assign = assigns;
    s->choice_output = outputs;
    s->nrules = n;
}

static void jn_wait_fields(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    bool sec = get(o, "Seconds") != NULL, ts = get(o, "Timestamp") != NULL;
    if (sec == ts) {
        diag_error(c->src, path, sec ? "a Wait state takes only one of Seconds and Timestamp"
                                     : "a Wait state needs Seconds or Timestamp");
        return;
    }
    s->seconds = jn_number(c, o, path, "Seconds", 0, 99999999, true);
    s->timestamp = jn_string(c, o, path, "Timestamp");
    double t;
    if (s->timestamp && s->timestamp->kind == ASL_N_STRING && !asl_timestamp_parse(s->timestamp->str, &t))
        diag_error(c->src, diag_path_key(path, "Timestamp"), "expected an RFC 3339 timestamp, got %s",
                   diag_quote(s->timestamp->str));
}

static void jn_map_fields(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    model_map_processor(c, o, path, s);
    const cJSON *items = get(o, "Items");
    if (items && !cJSON_IsArray(items) && !jn_is_expr(items))
        diag_error(c->src, diag_path_key(path, "Items"), "expected an array or a JSONata expression, got %s", model_got(items));
    else
        s->items_path = model_jn_field(c, o, path, "Items", JN_ALLOW_IN);
    s->parameters = model_jn_field(c, o, path, "ItemSelector", JN_ALLOW_IN);
    s->max_concurrency = jn_number(c, o, path, "MaxConcurrency", 0, 99999999, true);
    s->tolerated_count = jn_number(c, o, path, "ToleratedFailureCount", 0, 99999999, true);
    s->tolerated_percent = jn_number(c, o, path, "ToleratedFailurePercentage", 0, 100, false);
}

/* A Task's Arguments: an object, or an expression that builds one. The
 * handler check (unit.c) looks for a FunctionName among the kids of
 * Arguments, and takes one that is not a literal string as chosen at run
 * time: an expression is wrapped in a one-item block (same value) labelled
 * so, for it may choose the function. */
static const asl_node *jn_task_arguments(mctx *c, const cJSON *o, const char *path)
{
    const cJSON *a = get(o, "Arguments");
    if (!a)
        return NULL;
    if (!cJSON_IsObject(a) && !jn_is_expr(a)) {
        diag_error(c->src, diag_path_key(path, "Arguments"), "expected an object or a JSONata expression, got %s",
                   model_got(a));
        return NULL;
    }
    return jn_value(c, a, diag_path_key(path, "Arguments"), JN_ALLOW_IN);
}

/* The fields of a JSONata state (the generic ones, Retry, Catch and the
 * flow, are the caller's). */
void model_jn_state_fields(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    s->assign = model_jn_assign(c, o, path, JN_ALLOW_OUT);
    s->output = model_jn_field(c, o, path, "Output", JN_ALLOW_OUT);
    switch ((asl_state_type)s->type) {
    case ASL_TASK:
        s->resource = model_string_field(c, o, path, "Resource", true);
        if (s->resource)
            model_parse_resource(c, s, path);
        s->parameters = jn_task_arguments(c, o, path);
        s->timeout = jn_number(c, o, path, "TimeoutSeconds", 1, 99999999, true);
        s->heartbeat = jn_number(c, o, path, "HeartbeatSeconds", 1, 99999999, true);
        if (s->timeout && s->heartbeat && s->timeout->kind == ASL_N_NUMBER && s->heartbeat->kind == ASL_N_NUMBER &&
            s->heartbeat->num >= s->timeout->num)
            diag_error(c->src, diag_path_key(path, "HeartbeatSeconds"),
                       "HeartbeatSeconds (%g) must be smaller than TimeoutSeconds (%g)", s->heartbeat->num,
                       s->timeout->num);
        s->credentials = model_jn_field(c, o, path, "Credentials", JN_ALLOW_IN);
        break;
    case ASL_CHOICE: jn_choice_fields(c, o, path, s); break;
    case ASL_WAIT: jn_wait_fields(c, o, path, s); break;
    case ASL_FAIL:
        s->error = jn_string(c, o, path, "Error");
        s->cause = jn_string(c, o, path, "Cause");
        break;
    case ASL_PARALLEL:
        s->parameters = model_jn_field(c, o, path, "Arguments", JN_ALLOW_IN);
        model_parallel_fields(c, o, path, s);
        break;
    case ASL_MAP: jn_map_fields(c, o, path, s); break;
    default: break;
    }
}
