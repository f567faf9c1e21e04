/*
 * model.c: from a definition's JSON to state descriptors (asl_graph,
 * asl_state), the same structures the runtime executes. Every field is
 * checked here: a field aslc does not know, or knows but cannot honour, is
 * an error naming its place, never silently ignored. Paths, templates,
 * intrinsic calls and Choice rules are parsed into asl_node trees once,
 * here, so nothing is parsed while an execution runs.
 */
#include <math.h>
#include <string.h>

#include "aslc.h"
#include "jsonata_fields.h"
#include "fields.h"
#include "model.h"

/* ------------------------------------------------------------ fields */

const field_info asl_fields[F__COUNT] = {
#define X(id, name, member, kind, types, langs) {name, member, kind, types, langs},
    ASL_FIELDS(X)
#undef X
};

static const char *const type_names[] = {"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"};

/* Whether a state of type t in language lang (L_PATH, L_ATA) takes f. */
static bool takes(int f, int t, unsigned lang)
{
    return (asl_fields[f].types & (1u << t)) && (asl_fields[f].langs & lang);
}

static int field_id(const char *key)
{
    for (int i = 0; i < F__COUNT; i++)
        if (!strcmp(asl_fields[i].name, key))
            return i;
    return -1;
}

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return v->child ? "an array" : "an empty array";
    return v->child ? "an object" : "an empty object";
}

/* "got 12" / "got an object": what was found, for expected-vs-got messages. */
const char *model_got(const cJSON *v)
{
    if (cJSON_IsString(v))
        return diag_quote(v->valuestring);
    if (cJSON_IsNumber(v) || cJSON_IsBool(v) || cJSON_IsNull(v)) {
        char *t = cJSON_PrintUnformatted(v);
        char *r = cc_strdup(t);
        cJSON_free(t);
        return r;
    }
    return type_name(v);
}

const char *model_string_field(mctx *c, const cJSON *o, const char *path, const char *key, bool required)
{
    const cJSON *v = get(o, key);
    if (!v) {
        if (required)
            diag_error(c->src, path, "%s: required field is missing", key);
        return NULL;
    }
    if (!cJSON_IsString(v)) {
        diag_error(c->src, diag_path_key(path, key), "expected a string, got %s", model_got(v));
        return NULL;
    }
    return cc_strdup(v->valuestring);
}

/* A non-negative integer field (TimeoutSeconds, MaxAttempts, ...). */
static bool int_field(mctx *c, const cJSON *o, const char *path, const char *key, double min, double *out)
{
    const cJSON *v = get(o, key);
    if (!v)
        return false;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < min ||
        v->valuedouble > 99999999) {
        diag_error(c->src, diag_path_key(path, key), "expected an integer of at least %g, got %s", min, model_got(v));
        return false;
    }
    *out = v->valuedouble;
    return true;
}

/* --------------------------------------------------------- paths */

/* A path field. kind: 'r' reference path to $ only (ResultPath), 'p' a
 * reference path ($ or $$), 'a' any path. null gives an ASL_N_NULL node
 * when nullable. */
static const asl_node *path_field(mctx *c, const cJSON *o, const char *path, const char *key, char kind,
                                  bool nullable)
{
    const cJSON *v = get(o, key);
    if (!v)
        return NULL;
    const char *fp = diag_path_key(path, key);
    if (cJSON_IsNull(v) && nullable)
        return node_new(ASL_N_NULL);
    if (!cJSON_IsString(v)) {
        diag_error(c->src, fp, "expected a path string%s, got %s", nullable ? " or null" : "", model_got(v));
        return NULL;
    }
    char *msg = NULL;
    asl_node *n = parse_path(v->valuestring, &msg);
    if (!n) {
        diag_error(c->src, fp, "invalid JSONPath %s: %s", diag_quote(v->valuestring), msg ? msg : "syntax error");
        return NULL;
    }
    if (kind != 'a' && !(n->flags & ASL_F_DEFINITE)) {
        diag_error(c->src, fp, "%s must be a reference path (no wildcards, slices, filters or '..'), got %s",
                   key, diag_quote(v->valuestring));
        return NULL;
    }
    if (kind == 'r' && n->op != ASL_ROOT_INPUT) {
        diag_error(c->src, fp, "%s must be a path into the state's input ($ or $.field...), got %s", key,
                   diag_quote(v->valuestring));
        return NULL;
    }
    return n;
}

/* ------------------------------------------------------- templates */

/* Reports a value that parse_dynamic rejected, saying what it took the
 * text for: a path, an intrinsic call, or neither (then msg says so). */
static void bad_dynamic(mctx *c, const char *path, const char *text, const char *msg)
{
    if (!msg)
        msg = "syntax error";
    if (text[0] == '$')
        diag_error(c->src, path, "invalid JSONPath %s: %s", diag_quote(text), msg);
    else if (!strncmp(text, "States.", 7))
        diag_error(c->src, path, "invalid intrinsic function call %s: %s", diag_quote(text), msg);
    else
        diag_error(c->src, path, "%s", msg);
}

static bool ends_with_dollar(const char *k)
{
    size_t n = strlen(k);
    return n >= 2 && k[n - 2] == '.' && k[n - 1] == '$';
}

static asl_node *template_value(mctx *c, const cJSON *v, const char *path);

static asl_node *template_object(mctx *c, const cJSON *o, const char *path)
{
    asl_node *n = node_new(ASL_N_OBJECT);
    bool konst = true;
    for (const cJSON *k = o->child; k; k = k->next) {
        const char *kp = diag_path_key(path, k->string);
        asl_node fld = {.kind = ASL_N_FIELD};
        asl_node *val;
        if (ends_with_dollar(k->string)) {
            fld.str = cc_strndup(k->string, strlen(k->string) - 2);
            /* "a" and "a.$" would both make a field "a" */
            const cJSON *twin = get(o, fld.str);
            if (twin) {
                diag_error(c->src, kp, "%s and %s both produce the field %s", diag_quote(twin->string),
                           diag_quote(k->string), diag_quote(fld.str));
                continue;
            }
            if (!cJSON_IsString(k)) {
                diag_error(c->src, kp, "a field ending in \".$\" takes a path or intrinsic function string, got %s",
                           model_got(k));
                continue;
            }
            char *msg = NULL;
            val = parse_dynamic(k->valuestring, &msg);
            if (!val) {
                bad_dynamic(c, kp, k->valuestring, msg);
                continue;
            }
            konst = false;
        } else {
            fld.str = cc_strdup(k->string);
            val = template_value(c, k, kp);
            if (!(val->flags & ASL_F_CONST))
                konst = false;
        }
        fld.flags = val->flags & ASL_F_CONST;
        node_push(&fld, val);
        node_push(n, &fld);
    }
    if (konst)
        n->flags |= ASL_F_CONST;
    node_literal_bound(n);
    return n;
}

static asl_node *template_value(mctx *c, const cJSON *v, const char *path)
{
    if (cJSON_IsObject(v))
        return template_object(c, v, path);
    if (cJSON_IsArray(v)) {
        asl_node *n = node_new(ASL_N_ARRAY);
        bool konst = true;
        int i = 0;
        for (const cJSON *e = v->child; e; e = e->next, i++) {
            asl_node *k = template_value(c, e, diag_path_index(path, i));
            konst = konst && (k->flags & ASL_F_CONST);
            node_push(n, k);
        }
        if (konst)
            n->flags |= ASL_F_CONST;
        node_literal_bound(n);
        return n;
    }
    return node_from_json(v);
}

const asl_node *model_template(mctx *c, const cJSON *v, const char *path)
{
    return template_value(c, v, path);
}

static const asl_node *template_field(mctx *c, const cJSON *o, const char *path, const char *key)
{
    const cJSON *v = get(o, key);
    if (!v)
        return NULL;
    const char *fp = diag_path_key(path, key);
    if (!cJSON_IsObject(v) && strcmp(key, "Result") && strcmp(key, "Parameters")) {
        diag_error(c->src, fp, "expected an object, got %s", model_got(v));
        return NULL;
    }
    if (!strcmp(key, "Result"))
        return node_from_json(v);
    return template_value(c, v, fp);
}

/* A number field that may instead be given by a *Path field. */
static const asl_node *number_or_path(mctx *c, const cJSON *o, const char *path, const char *key,
                                      const char *pkey, double min)
{
    double d;
    bool has = get(o, key) != NULL, hasp = get(o, pkey) != NULL;
    if (has && hasp) {
        diag_error(c->src, diag_path_key(path, pkey), "%s and %s cannot both be set", key, pkey);
        return NULL;
    }
    if (hasp)
        return path_field(c, o, path, pkey, 'p', false);
    if (has && !strcmp(key, "ToleratedFailurePercentage")) {
        const cJSON *v = get(o, key);
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 100) {
            diag_error(c->src, diag_path_key(path, key), "expected a number from 0 to 100, got %s", model_got(v));
            return NULL;
        }
        asl_node *n = node_new(ASL_N_NUMBER);
        n->num = v->valuedouble;
        return n;
    }
    if (has && int_field(c, o, path, key, min, &d)) {
        asl_node *n = node_new(ASL_N_NUMBER);
        n->num = d;
        return n;
    }
    return NULL;
}

/* ------------------------------------------------- Retry and Catch */

/* A required, non-empty array field; NULL after reporting a problem. */
const cJSON *model_required_array(mctx *c, const cJSON *o, const char *path, const char *key, const char *what)
{
    const cJSON *v = get(o, key);
    if (!v) {
        diag_error(c->src, path, "%s: required field is missing", key);
        return NULL;
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0) {
        diag_error(c->src, diag_path_key(path, key), "expected a non-empty array of %s, got %s", what, model_got(v));
        return NULL;
    }
    return v;
}

static const char *const *error_list(mctx *c, const cJSON *o, const char *path, int *n, bool last)
{
    *n = 0;
    const cJSON *v = model_required_array(c, o, path, "ErrorEquals", "error names");
    if (!v)
        return NULL;
    const char *fp = diag_path_key(path, "ErrorEquals");
    const char **names = cc_alloc(sizeof(char *) * (size_t)cJSON_GetArraySize(v));
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        if (!cJSON_IsString(e)) {
            diag_error(c->src, diag_path_index(fp, i), "expected an error name, got %s", model_got(e));
            continue;
        }
        if (!strcmp(e->valuestring, "States.ALL") && (cJSON_GetArraySize(v) > 1 || !last))
            diag_error(c->src, diag_path_index(fp, i),
                       "\"States.ALL\" must appear alone in the last %s", strstr(path, "Retry") ? "retrier" : "catcher");
        names[(*n)++] = cc_strdup(e->valuestring);
    }
    return names;
}

static int distance(const char *a, const char *b);

/* A "did you mean" note for a misspelt name: the closest of the n
 * candidates, if it is close enough to be a likely typo. */
void model_suggest(mctx *c, const char *path, const char *name, const char *const *cand, int n)
{
    const char *best = NULL;
    size_t len = strlen(name);
    int bd = len > 4 ? 4 : 2;
    for (int i = 0; i < n; i++) {
        /* "Interval" for "IntervalSeconds": a prefix is as good as a typo */
        int d = len >= 4 && !strncmp(name, cand[i], len) ? 1 : distance(name, cand[i]);
        if (d < bd) {
            bd = d;
            best = cand[i];
        }
    }
    if (best)
        diag_note(c->src, path, "did you mean %s?", diag_quote(best));
}

void model_check_keys(mctx *c, const cJSON *o, const char *path, const char *const *allowed)
{
    int n = 0;
    while (allowed[n])
        n++;
    for (const cJSON *k = o->child; k; k = k->next) {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            ok = ok || !strcmp(*a, k->string);
        if (ok)
            continue;
        const char *kp = diag_path_key(path, k->string);
        diag_error(c->src, kp, "unknown field");
        model_suggest(c, kp, k->string, allowed, n);
    }
}

static void retriers(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    const cJSON *v = get(o, "Retry");
    if (!v)
        return;
    const char *fp = diag_path_key(path, "Retry");
    if (!cJSON_IsArray(v)) {
        diag_error(c->src, fp, "expected an array of retriers, got %s", model_got(v));
        return;
    }
    static const char *const keys[] = {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate",
                                       "MaxDelaySeconds", "JitterStrategy", "Comment", NULL};
    int n = cJSON_GetArraySize(v), i = 0;
    asl_retrier *r = cc_alloc(sizeof *r * (size_t)(n ? n : 1));
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        const char *ep = diag_path_index(fp, i);
        if (!cJSON_IsObject(e)) {
            diag_error(c->src, ep, "expected a retrier object, got %s", model_got(e));
            continue;
        }
        model_check_keys(c, e, ep, keys);
        asl_retrier *t = &r[i];
        t->errors = error_list(c, e, ep, &t->nerrors, i == n - 1);
        double d;
        t->interval = int_field(c, e, ep, "IntervalSeconds", 1, &d) ? d : 1;
        t->max_attempts = int_field(c, e, ep, "MaxAttempts", 0, &d) ? (int)d : 3;
        t->max_delay = int_field(c, e, ep, "MaxDelaySeconds", 1, &d) ? d : 0;
        t->backoff = 2;
        const cJSON *b = get(e, "BackoffRate");
        if (b && (!cJSON_IsNumber(b) || b->valuedouble < 1))
            diag_error(c->src, diag_path_key(ep, "BackoffRate"), "expected a number of at least 1.0, got %s", model_got(b));
        else if (b)
            t->backoff = b->valuedouble;
        const char *j = model_string_field(c, e, ep, "JitterStrategy", false);
        if (j && strcmp(j, "FULL") && strcmp(j, "NONE"))
            diag_error(c->src, diag_path_key(ep, "JitterStrategy"), "expected \"FULL\" or \"NONE\", got %s", diag_quote(j));
        t->jitter_full = j && !strcmp(j, "FULL");
    }
    if (n > 16)
        diag_error(c->src, fp, "at most 16 retriers are supported, got %d", n);
    s->retry = r;
    s->nretry = n;
}

static int state_index(const mctx *c, const char *name);
static void unknown_state(mctx *c, const char *path, const char *name, const asl_graph *g);
static const asl_node *assign_field(mctx *c, const cJSON *o, const char *path);

static void catchers(mctx *c, const cJSON *o, const char *path, asl_state *s, asl_graph *g,
                     const cJSON *states)
{
    const cJSON *v = get(o, "Catch");
    if (!v)
        return;
    const char *fp = diag_path_key(path, "Catch");
    if (!cJSON_IsArray(v)) {
        diag_error(c->src, fp, "expected an array of catchers, got %s", model_got(v));
        return;
    }
    static const char *const keys[] = {"ErrorEquals", "Next", "ResultPath", "Assign", "Comment", NULL};
    static const char *const jn_keys[] = {"ErrorEquals", "Next", "Output", "Assign", "Comment", NULL};
    int n = cJSON_GetArraySize(v), i = 0;
    asl_catcher *k = cc_alloc(sizeof *k * (size_t)(n ? n : 1));
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        const char *ep = diag_path_index(fp, i);
        if (!cJSON_IsObject(e)) {
            diag_error(c->src, ep, "expected a catcher object, got %s", model_got(e));
            continue;
        }
        model_check_keys(c, e, ep, s->jsonata ? jn_keys : keys);
        k[i].errors = error_list(c, e, ep, &k[i].nerrors, i == n - 1);
        if (s->jsonata) {
            k[i].output = model_jn_field(c, e, ep, "Output", JN_ALLOW_CATCH);
            k[i].assign = model_jn_assign(c, e, ep, JN_ALLOW_CATCH);
        } else {
            k[i].result_path = path_field(c, e, ep, "ResultPath", 'r', true);
            k[i].assign = assign_field(c, e, ep);
        }
        const char *next = model_string_field(c, e, ep, "Next", true);
        k[i].next = -1;
        if (next) {
            k[i].next = state_index(c, next);
            if (k[i].next < 0 && !get(states, next))
                unknown_state(c, diag_path_key(ep, "Next"), next, g);
        }
    }
    s->catches = k;
    s->ncatch = n;
}

/* ------------------------------------------------------------ states */

static const asl_node *assign_field(mctx *c, const cJSON *o, const char *path)
{
    const cJSON *v = get(o, "Assign");
    if (!v)
        return NULL;
    if (!cJSON_IsObject(v)) {
        diag_error(c->src, diag_path_key(path, "Assign"), "expected an object, got %s", model_got(v));
        return NULL;
    }
    return template_value(c, v, diag_path_key(path, "Assign"));
}

/* Edit distance, for "did you mean" notes; small strings only. */
static int distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 80 || m > 80)
        return 99;
    int d[81][81];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            /* a swap of two neighbours ("Satrt") is one typo */
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

static void unknown_state(mctx *c, const char *path, const char *name, const asl_graph *g)
{
    diag_error(c->src, path, "state %s does not exist", diag_quote(name));
    if (diag_error_count() > 20)
        return; /* nothing more is printed: spare the search */
    const char *best = NULL;
    int bd = 3;
    for (int i = 0; i < g->nstates; i++) {
        int d = distance(name, g->states[i].name);
        /* a likely typo changes at most a third of the name: "Secnd" is
         * "Second", but "X0" is not "S0" */
        size_t len = strlen(name) > strlen(g->states[i].name) ? strlen(name) : strlen(g->states[i].name);
        if (d < bd && (size_t)d * 3 <= len) {
            bd = d;
            best = g->states[i].name;
        }
    }
    if (best)
        diag_note(c->src, path, "did you mean %s?", diag_quote(best));
}

/* Targets are looked up in the graph being built (nested graphs are
 * complete by the time their parent's targets are resolved). */
static int state_index(const mctx *c, const char *name)
{
    return cc_strmap_get(c->state_names, name);
}

static asl_graph *graph(mctx *c, const cJSON *o, const char *path, const char *name);

void model_parse_resource(mctx *c, asl_state *s, const char *path)
{
    static const struct {
        const char *suffix;
        asl_pattern pattern;
    } suffixes[] = {{".waitForTaskToken", ASL_PATTERN_TOKEN}, {".sync:2", ASL_PATTERN_SYNC2},
                    {".sync", ASL_PATTERN_SYNC}};
    const char *r = s->resource;
    size_t n = strlen(r);
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        size_t k = strlen(suffixes[i].suffix);
        if (n > k && !strcmp(r + n - k, suffixes[i].suffix)) {
            s->pattern = suffixes[i].pattern;
            n -= k;
            /* Express workflows call services by Request Response only. */
            if (c->mc->m.express)
                diag_error(c->src, diag_path_key(path, "Resource"),
                           "Express state machine does not support '%s' service integration", suffixes[i].suffix);
            break;
        }
    }
    if (c->mc->m.express && !strncmp(r, "arn:aws:states:", 15) && strstr(r, ":activity:"))
        diag_error(c->src, diag_path_key(path, "Resource"), "Express state machine does not support Activity ARN");
    if (!strncmp(r, "arn:aws:states:::states:startExecution", n) && n == strlen("arn:aws:states:::states:startExecution")) {
        s->integration = ASL_RES_START_EXECUTION;
        return;
    }
    if (!strncmp(r, "arn:aws:states:::", 18) && strncmp(r, "arn:aws:states:::lambda:invoke", 30)) {
        /* Other AWS service integrations are served by handlers too; only
         * the patterns must be ones the service supports. */
    }
    if ((s->pattern == ASL_PATTERN_SYNC || s->pattern == ASL_PATTERN_SYNC2) && !strncmp(r, "arn:aws:states:::lambda:", 24))
        diag_error(c->src, diag_path_key(path, "Resource"), "Lambda does not support the .sync pattern");
}

static void task_fields(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    s->resource = model_string_field(c, o, path, "Resource", true);
    if (s->resource)
        model_parse_resource(c, s, path);
    s->timeout = number_or_path(c, o, path, "TimeoutSeconds", "TimeoutSecondsPath", 1);
    s->heartbeat = number_or_path(c, o, path, "HeartbeatSeconds", "HeartbeatSecondsPath", 1);
    if (s->timeout && s->heartbeat && s->timeout->kind == ASL_N_NUMBER && s->heartbeat->kind == ASL_N_NUMBER &&
        s->heartbeat->num >= s->timeout->num)
        diag_error(c->src, diag_path_key(path, "HeartbeatSeconds"), "HeartbeatSeconds (%g) must be smaller than TimeoutSeconds (%g)",
                   s->heartbeat->num, s->timeout->num);
    const cJSON *cred = get(o, "Credentials");
    if (cred)
        s->credentials = template_value(c, cred, diag_path_key(path, "Credentials"));
}

static void choice_fields(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    const cJSON *v = model_required_array(c, o, path, "Choices", "choice rules");
    const char *fp = diag_path_key(path, "Choices");
    if (!v)
        return;
    int n = cJSON_GetArraySize(v), i = 0;
    const asl_node **rules = cc_alloc(sizeof *rules * (size_t)n);
    const asl_node **assigns = cc_alloc(sizeof *assigns * (size_t)n);
    s->choice_next = cc_alloc(sizeof(int) * (size_t)n);
    for (const cJSON *r = v->child; r; r = r->next, i++) {
        const char *rp = diag_path_index(fp, i);
        if (!cJSON_IsObject(r)) {
            diag_error(c->src, rp, "expected a choice rule object, got %s", model_got(r));
            continue;
        }
        rules[i] = parse_rule(c->src, rp, r, true);
        assigns[i] = assign_field(c, r, rp);
        ((int *)s->choice_next)[i] = -1;
        if (!get(r, "Next"))
            diag_error(c->src, rp, "Next: required field is missing");
    }
    s->rules = rules;
    s->choice_assign = assigns;
    s->nrules = n;
}

/* Resolves Next / Default / Choices[].Next once every state is known. */
static void resolve_targets(mctx *c, const cJSON *o, const char *path, asl_graph *g, asl_state *s)
{
    /* Next where the type has none, Default outside a Choice: reported
     * as unexpected fields already. */
    bool flows = s->type != ASL_CHOICE && s->type != ASL_SUCCEED && s->type != ASL_FAIL;
    const char *next = flows ? model_string_field(c, o, path, "Next", false) : NULL;
    s->next = -1;
    if (next && (s->next = state_index(c, next)) < 0)
        unknown_state(c, diag_path_key(path, "Next"), next, g);
    const char *def = s->type == ASL_CHOICE ? model_string_field(c, o, path, "Default", false) : NULL;
    s->default_next = -1;
    if (def && (s->default_next = state_index(c, def)) < 0)
        unknown_state(c, diag_path_key(path, "Default"), def, g);
    const cJSON *ch = get(o, "Choices");
    int i = 0;
    for (const cJSON *r = cJSON_IsArray(ch) ? ch->child : NULL; r && i < s->nrules; r = r->next, i++) {
        const char *rp = diag_path_index(diag_path_key(path, "Choices"), i);
        const char *n = cJSON_IsObject(r) ? model_string_field(c, r, rp, "Next", false) : NULL;
        if (n && (((int *)s->choice_next)[i] = state_index(c, n)) < 0)
            unknown_state(c, diag_path_key(rp, "Next"), n, g);
    }
    for (i = 0; i < s->ncatch; i++)
        if (s->catches[i].next < 0) {
            const cJSON *k = cJSON_GetArrayItem(get(o, "Catch"), i);
            const char *n = k ? model_string_field(c, k, path, "Next", false) : NULL;
            if (n)
                ((asl_catcher *)s->catches)[i].next = state_index(c, n);
        }
}

static void wait_fields(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    static const char *const keys[] = {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"};
    int n = 0;
    const char *given[4];
    for (int i = 0; i < 4; i++)
        if (get(o, keys[i]))
            given[n++] = keys[i];
    if (n == 0) {
        diag_error(c->src, path, "a Wait state needs one of Seconds, SecondsPath, Timestamp or TimestampPath");
        return;
    }
    if (n > 1) {
        diag_error(c->src, diag_path_key(path, given[1]), "a Wait state takes only one of Seconds, SecondsPath, "
                   "Timestamp and TimestampPath, got %s and %s", given[0], given[1]);
        return;
    }
    double d;
    if (int_field(c, o, path, "Seconds", 0, &d)) {
        asl_node *k = node_new(ASL_N_NUMBER);
        k->num = d;
        s->seconds = k;
    }
    s->seconds = s->seconds ? s->seconds : path_field(c, o, path, "SecondsPath", 'p', false);
    const char *ts = model_string_field(c, o, path, "Timestamp", false);
    double t;
    if (ts && !asl_timestamp_parse(ts, &t))
        diag_error(c->src, diag_path_key(path, "Timestamp"), "expected an RFC 3339 timestamp, got %s", diag_quote(ts));
    if (ts) {
        asl_node *k = node_new(ASL_N_STRING);
        k->str = ts;
        s->timestamp = k;
    }
    s->timestamp = s->timestamp ? s->timestamp : path_field(c, o, path, "TimestampPath", 'p', false);
}

static void fail_fields(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    static const char *const lit[] = {"Error", "Cause"}, *const pth[] = {"ErrorPath", "CausePath"};
    for (int i = 0; i < 2; i++) {
        const asl_node **dst = i ? &s->cause : &s->error;
        if (get(o, lit[i]) && get(o, pth[i])) {
            diag_error(c->src, diag_path_key(path, pth[i]), "%s and %s cannot both be set", lit[i], pth[i]);
            continue;
        }
        const char *v = model_string_field(c, o, path, lit[i], false);
        if (v) {
            asl_node *k = node_new(ASL_N_STRING);
            k->str = v;
            *dst = k;
            continue;
        }
        const cJSON *p = get(o, pth[i]);
        if (!p)
            continue;
        char *msg = NULL;
        const char *fp = diag_path_key(path, pth[i]);
        asl_node *k = cJSON_IsString(p) ? parse_dynamic(p->valuestring, &msg) : NULL;
        if (!cJSON_IsString(p))
            diag_error(c->src, fp, "expected a path or an intrinsic function call, got %s", model_got(p));
        else if (!k)
            bad_dynamic(c, fp, p->valuestring, msg);
        *dst = k;
    }
}

void model_parallel_fields(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    const cJSON *v = model_required_array(c, o, path, "Branches", "branches");
    const char *fp = diag_path_key(path, "Branches");
    if (!v)
        return;
    int n = cJSON_GetArraySize(v), i = 0;
    const asl_graph **b = cc_alloc(sizeof *b * (size_t)n);
    for (const cJSON *e = v->child; e; e = e->next, i++)
        b[i] = graph(c, e, diag_path_index(fp, i), cc_printf("%s__b%d", s->name, i));
    s->branches = b;
    s->nbranches = n;
}

/* The item processor (ItemProcessor or Iterator) at path pp. */
static void map_processor(mctx *c, const cJSON *p, const char *pp, asl_state *s)
{
    const cJSON *cfg = cJSON_IsObject(p) ? get(p, "ProcessorConfig") : NULL;
    const cJSON *mode = cfg ? get(cfg, "Mode") : NULL;
    if (mode && (!cJSON_IsString(mode) || (strcmp(mode->valuestring, "INLINE") && strcmp(mode->valuestring, "DISTRIBUTED"))))
        diag_error(c->src, diag_path_key(diag_path_key(pp, "ProcessorConfig"), "Mode"),
                   "expected \"INLINE\" or \"DISTRIBUTED\", got %s", model_got(mode));
    const asl_graph **b = cc_alloc(sizeof *b);
    b[0] = graph(c, p, pp, cc_printf("%s__items", s->name));
    s->branches = b;
    s->nbranches = 1;
}

/* What a Map state of either query language has: no distributed-Map
 * fields, and its item processor (ItemProcessor, or the older Iterator). */
void model_map_processor(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    model_dmap_fields(c, o, path, s);
    const char *key = get(o, "ItemProcessor") ? "ItemProcessor" : "Iterator";
    if (get(o, "ItemProcessor") && get(o, "Iterator"))
        diag_error(c->src, diag_path_key(path, "Iterator"), "ItemProcessor and Iterator cannot both be set");
    const cJSON *p = get(o, key);
    if (!p)
        diag_error(c->src, path, "ItemProcessor: required field is missing");
    else
        map_processor(c, p, diag_path_key(path, key), s);
}

static void map_fields(mctx *c, const cJSON *o, const char *path, asl_state *s)
{
    model_map_processor(c, o, path, s);
    s->items_path = path_field(c, o, path, "ItemsPath", 'p', false);
    if (get(o, "ItemSelector") && get(o, "Parameters"))
        diag_error(c->src, diag_path_key(path, "Parameters"), "ItemSelector and Parameters cannot both be set");
    s->parameters = template_field(c, o, path, get(o, "ItemSelector") ? "ItemSelector" : "Parameters");
    s->max_concurrency = number_or_path(c, o, path, "MaxConcurrency", "MaxConcurrencyPath", 0);
    s->tolerated_count = number_or_path(c, o, path, "ToleratedFailureCount", "ToleratedFailureCountPath", 0);
    s->tolerated_percent = number_or_path(c, o, path, "ToleratedFailurePercentage",
                                          "ToleratedFailurePercentagePath", 0);
}

/* Reads a QueryLanguage field into *jsonata (left alone when absent). */
static void query_language(mctx *c, const cJSON *o, const char *path, bool *jsonata)
{
    const cJSON *q = get(o, "QueryLanguage");
    if (!q)
        return;
    if (!cJSON_IsString(q) || (strcmp(q->valuestring, "JSONPath") && strcmp(q->valuestring, "JSONata"))) {
        diag_error(c->src, diag_path_key(path, "QueryLanguage"), "expected \"JSONPath\" or \"JSONata\", got %s", model_got(q));
        return;
    }
    *jsonata = !strcmp(q->valuestring, "JSONata");
    if (!*jsonata && c->top_jsonata)
        diag_error(c->src, diag_path_key(path, "QueryLanguage"),
                   "the state machine's QueryLanguage is JSONata: no part of it can use JSONPath");
}

static void state(mctx *c, const cJSON *o, const char *path, asl_state *s, asl_graph *g, const cJSON *states)
{
    const char *type = model_string_field(c, o, path, "Type", true);
    if (!type)
        return;
    int t = -1;
    for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++)
        if (!strcmp(type_names[i], type))
            t = (int)i;
    if (t < 0) {
        diag_error(c->src, diag_path_key(path, "Type"),
                   "unknown state type %s (expected Pass, Task, Choice, Wait, Succeed, Fail, Parallel or Map)",
                   diag_quote(type));
        return;
    }
    s->type = (unsigned short)t;
    bool jn = c->jsonata;
    query_language(c, o, path, &jn);
    s->jsonata = jn;
    unsigned lang = jn ? L_ATA : L_PATH;
    const char *allowed[F__COUNT];
    int nallowed = 0;
    for (int f = 0; f < F__COUNT; f++)
        if (takes(f, t, lang))
            allowed[nallowed++] = asl_fields[f].name;
    for (const cJSON *k = o->child; k; k = k->next) {
        int f = field_id(k->string);
        if (f >= 0 && takes(f, t, lang))
            continue;
        const char *kp = diag_path_key(path, k->string);
        if (!jn && f >= 0 && takes(f, t, L_ATA))
            diag_error(c->src, kp, "%s is a JSONata field: a JSONPath state does not take it", k->string);
        else if (jn && f >= 0 && takes(f, t, L_PATH))
            diag_error(c->src, kp, "%s is a JSONPath field: a JSONata state does not take it", k->string);
        else
            diag_error(c->src, kp, "%s field for a %s state", f < 0 ? "unknown" : "unexpected", type);
        if (f < 0)
            model_suggest(c, kp, k->string, allowed, nallowed);
    }
    const cJSON *end = get(o, "End");
    if (end && !cJSON_IsBool(end))
        diag_error(c->src, diag_path_key(path, "End"), "expected true or false, got %s", model_got(end));
    s->end = cJSON_IsTrue(end);
    bool flows = takes(F_NEXT, t, lang);
    if (flows && (!end || cJSON_IsBool(end)) && s->end == (get(o, "Next") != NULL))
        diag_error(c->src, path, s->end ? "a state cannot have both Next and End" :
                                          "a %s state needs Next or \"End\": true", type);
    /* A field the type does not take was reported above; reading it too
     * would only add errors about its contents. */
    if (jn) {
        if (takes(F_RETRY, t, lang))
            retriers(c, o, path, s);
        if (takes(F_CATCH, t, lang))
            catchers(c, o, path, s, g, states);
        model_jn_state_fields(c, o, path, s);
        return;
    }
    /* The fields the table reads the same way for every type (a Map's
     * Parameters is its old name for ItemSelector: map_fields reads it). */
    for (int f = 0; f < F__COUNT; f++) {
        const field_info *fi = &asl_fields[f];
        if (fi->kind == OWN || !takes(f, t, L_PATH) || (f == F_PARAMETERS && t == ASL_MAP))
            continue;
        const asl_node **member = (const asl_node **)((char *)s + fi->member);
        *member = fi->kind == TMPL ? template_field(c, o, path, fi->name)
                                   : path_field(c, o, path, fi->name, fi->kind == REF ? 'r' : 'a', true);
    }
    s->assign = takes(F_ASSIGN, t, L_PATH) ? assign_field(c, o, path) : NULL;
    if (takes(F_RETRY, t, lang))
        retriers(c, o, path, s);
    if (takes(F_CATCH, t, lang))
        catchers(c, o, path, s, g, states);
    switch ((asl_state_type)s->type) {
    case ASL_TASK: task_fields(c, o, path, s); break;
    case ASL_CHOICE: choice_fields(c, o, path, s); break;
    case ASL_WAIT: wait_fields(c, o, path, s); break;
    case ASL_FAIL: fail_fields(c, o, path, s); break;
    case ASL_PARALLEL: model_parallel_fields(c, o, path, s); break;
    case ASL_MAP: map_fields(c, o, path, s); break;
    default: break;
    }
}

/* ------------------------------------------------ graph structure */

/* The states s can move to (Next, Default, Choices, Catch); out has room
 * for 2 + nrules + ncatch. Returns how many. */
static int state_targets(const asl_state *s, int *out)
{
    int k = 0;
    if (s->next >= 0)
        out[k++] = s->next;
    if (s->default_next >= 0)
        out[k++] = s->default_next;
    for (int j = 0; j < s->nrules; j++)
        if (s->choice_next[j] >= 0)
            out[k++] = s->choice_next[j];
    for (int j = 0; j < s->ncatch; j++)
        if (s->catches[j].next >= 0)
            out[k++] = s->catches[j].next;
    return k;
}

/* A state that is a way out by itself. A Choice without Default ends the
 * execution (with States.NoChoiceMatched) when no rule matches. */
static bool state_ends(const asl_state *s)
{
    return s->end || s->type == ASL_SUCCEED || s->type == ASL_FAIL || (s->type == ASL_CHOICE && s->default_next < 0);
}

/* Warns about states StartAt cannot reach; errors for reachable states from
 * which no terminal state can be reached (an endless loop). Failures a
 * state may raise do not count as a way out, except a Choice's
 * States.NoChoiceMatched when it has no Default (that is its design).
 * Linear in states and transitions: the edges are listed once, forwards
 * (first/to) for reachability and backwards (pfirst/from) to spread "can
 * end" from the terminal states to their predecessors. */
static void check_flow(mctx *c, const asl_graph *g, const char *path)
{
    int n = g->nstates;
    size_t room = 0;
    for (int i = 0; i < n; i++)
        room += 2 + (size_t)g->states[i].nrules + (size_t)g->states[i].ncatch;
    int *first = cc_alloc(sizeof(int) * ((size_t)n + 1)), *to = cc_alloc(sizeof(int) * (room + 1));
    int ne = 0;
    for (int i = 0; i < n; i++) {
        first[i] = ne;
        ne += state_targets(&g->states[i], to + ne);
    }
    first[n] = ne;
    char *reach = cc_alloc((size_t)n), *ends = cc_alloc((size_t)n);
    int *stack = cc_alloc(sizeof(int) * ((size_t)ne + (size_t)n + 1)), sp = 0;
    if (g->start >= 0)
        stack[sp++] = g->start;
    while (sp) {
        int i = stack[--sp];
        if (reach[i])
            continue;
        reach[i] = 1;
        for (int e = first[i]; e < first[i + 1]; e++)
            if (!reach[to[e]])
                stack[sp++] = to[e];
    }
    int *pfirst = cc_alloc(sizeof(int) * ((size_t)n + 2)), *from = cc_alloc(sizeof(int) * ((size_t)ne + 1));
    for (int e = 0; e < ne; e++)
        pfirst[to[e] + 2]++;
    for (int i = 2; i <= n + 1; i++)
        pfirst[i] += pfirst[i - 1];
    for (int i = 0; i < n; i++)
        for (int e = first[i]; e < first[i + 1]; e++)
            from[pfirst[to[e] + 1]++] = i;
    /* now pfirst[t]..pfirst[t + 1] are t's predecessors; stack is the queue */
    int head = 0, tail = 0;
    for (int i = 0; i < n; i++)
        if (state_ends(&g->states[i]))
            ends[i] = 1, stack[tail++] = i;
    while (head < tail) {
        int t = stack[head++];
        for (int e = pfirst[t]; e < pfirst[t + 1]; e++)
            if (!ends[from[e]])
                ends[from[e]] = 1, stack[tail++] = from[e];
    }
    const char *sp_path = diag_path_key(path, "States");
    for (int i = 0; i < n; i++) {
        const char *p = diag_path_key(sp_path, g->states[i].name);
        if (!reach[i])
            diag_warning(c->src, p, "state is unreachable from StartAt");
        else if (!ends[i])
            diag_error(c->src, p, "no path from this state reaches an end (End, Succeed or Fail)");
    }
}

/* Characters (code points) in UTF-8 text: the state name limit counts
 * characters, not bytes. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void graph_states(mctx *c, const cJSON *o, const char *path, asl_graph *g);

static asl_graph *graph(mctx *c, const cJSON *o, const char *path, const char *name)
{
    asl_graph *g = cc_alloc(sizeof *g);
    g->name = name;
    g->start = -1;
    if (!cJSON_IsObject(o)) {
        diag_error(c->src, path, "expected an object with StartAt and States, got %s", model_got(o));
        return g;
    }
    static const char *const keys[] = {"StartAt", "States", "Comment", "Version", "TimeoutSeconds",
                                       "QueryLanguage", "ProcessorConfig", NULL};
    model_check_keys(c, o, path, keys);
    /* A graph's states default to its QueryLanguage, else to the enclosing
     * graph's (the machine's); restored on the way out. */
    bool outer = c->jsonata;
    query_language(c, o, path, &c->jsonata);
    graph_states(c, o, path, g);
    c->jsonata = outer;
    return g;
}

static void graph_states(mctx *c, const cJSON *o, const char *path, asl_graph *g)
{
    int errors_before = diag_error_count();
    const char *start = model_string_field(c, o, path, "StartAt", true);
    const cJSON *states = get(o, "States");
    const char *sp = diag_path_key(path, "States");
    if (!states) {
        diag_error(c->src, path, "States: required field is missing");
        return;
    }
    if (!cJSON_IsObject(states) || !states->child) {
        diag_error(c->src, sp, "expected a non-empty object of states, got %s", model_got(states));
        return;
    }
    g->nstates = cJSON_GetArraySize(states);
    asl_state *s = cc_alloc(sizeof *s * (size_t)g->nstates);
    g->states = s;
    cc_strmap *outer = c->state_names;
    c->state_names = cc_alloc(sizeof *c->state_names);
    int i = 0;
    for (const cJSON *st = states->child; st; st = st->next, i++) {
        s[i].name = cc_strdup(st->string);
        bool added;
        cc_strmap_put(c->state_names, s[i].name, i, &added);
        s[i].next = s[i].default_next = -1;
        size_t len = utf8_chars(st->string);
        if (len > 80 || len == 0)
            diag_error(c->src, diag_path_key(sp, st->string), "a state name must have 1 to 80 characters, got %zu",
                       len);
    }
    i = 0;
    for (const cJSON *st = states->child; st; st = st->next, i++) {
        const char *p = diag_path_key(sp, st->string);
        char *src = cJSON_PrintUnformatted(st);
        s[i].source = cc_strdup(src);
        cJSON_free(src);
        if (!cJSON_IsObject(st)) {
            diag_error(c->src, p, "expected a state object, got %s", model_got(st));
            continue;
        }
        state(c, st, p, &s[i], g, states);
        resolve_targets(c, st, p, g, &s[i]);
    }
    if (start && (g->start = state_index(c, start)) < 0)
        unknown_state(c, diag_path_key(path, "StartAt"), start, g);
    c->state_names = outer;
    /* The flow check would only repeat what broken names already say. */
    if (g->start >= 0 && diag_error_count() == errors_before)
        check_flow(c, g, path);
    return;
}

/* ------------------------------------------------------------ machines */

bool model_machine(cc_unit *u, cc_machine *mc)
{
    mctx c = {.u = u, .mc = mc, .src = mc->src};
    int before = diag_error_count();
    const cJSON *root = mc->src->root;
    const cJSON *q = cJSON_IsObject(root) ? get(root, "QueryLanguage") : NULL;
    c.top_jsonata = cJSON_IsString(q) && !strcmp(q->valuestring, "JSONata");
    /* Path "" (not NULL): a field missing at the top level is then
     * reported at the top-level object, line 1. */
    mc->m.graph = graph(&c, root, "", mc->m.name);
    mc->m.file = mc->src->file;
    double d;
    if (int_field(&c, root, NULL, "TimeoutSeconds", 1, &d)) {
        asl_node *n = node_new(ASL_N_NUMBER);
        n->num = d;
        mc->m.timeout = n;
    }
    const cJSON *v = get(root, "Version");
    if (v && (!cJSON_IsString(v) || strcmp(v->valuestring, "1.0")))
        diag_error(c.src, "Version", "expected \"1.0\", got %s", model_got(v));
    return diag_error_count() == before;
}

const cc_machine *model_find_machine(const cc_unit *u, const char *arn)
{
    for (int i = 0; i < u->nmachines; i++)
        if (u->machines[i].m.arn && !strcmp(u->machines[i].m.arn, arn))
            return &u->machines[i];
    const char *name = strstr(arn, ":stateMachine:");
    name = name ? name + 14 : arn;
    for (int i = 0; i < u->nmachines; i++)
        if (!strcmp(u->machines[i].m.name, name))
            return &u->machines[i];
    return NULL;
}
