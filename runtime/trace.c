/*
 * trace.c: --trace. One line per state entered and left, per failed
 * attempt and per retry, with the time since the run began, the state's
 * path (Map iterations as "Map[2]/", Parallel branches as "Parallel[1]/",
 * both counted from 0: the item's index, the branch's place in Branches),
 * its type, how long it took, "retry n/m" and the error; indented for
 * branches, iterations and child executions. --trace=json writes the same
 * as one JSON object a line.
 *
 * Only the event stream is read. An event continues the visit of the
 * event its previousEventId names (AWS's causal chain), so the trace keeps,
 * per execution, the visit each event id belongs to: a state entered, a
 * Map iteration or a Parallel's set of branches. Events that close a Map or
 * Parallel (MapIterationSucceeded, MapStateExited ...) point into the last
 * branch; they climb back up to the visit they close.
 */
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "trace.h"

typedef enum { V_ROOT, V_STATE, V_ITERATION, V_BRANCHES, V_BRANCH } vkind;

typedef struct visit visit;
struct visit {
    vkind kind;
    visit *parent;
    char *path;           /* "Map[2]/Ship"; containers end with '/' */
    char *name;
    char type[16];        /* Task, Map ... */
    int depth;
    double entered;
    int attempts;         /* Task attempts scheduled */
    char *error;          /* the last failure, NULL when none */
    const asl_state *state;
    visit *next_alloc;
};

typedef struct tx {       /* one execution */
    asl_exec *x;
    visit **ctx;          /* by event id */
    int nctx;
    visit *root;
    struct tx *next;
} tx;

struct asl_trace {
    FILE *out;
    bool json, colour;
    int observer;
    double t0;
    tx *execs;
    visit *last;          /* the visit of the last event seen */
    visit *visits;        /* every visit, to free */
};

/* ------------------------------------------------------------ visits */

static visit *visit_new(asl_trace *t, vkind kind, visit *parent, const char *path, const char *name)
{
    visit *v = calloc(1, sizeof *v);
    if (!v)
        abort();
    v->kind = kind;
    v->parent = parent;
    v->path = strdup(path);
    v->name = strdup(name ? name : "");
    v->depth = parent ? parent->depth + (kind == V_STATE ? 0 : 1) : 0;
    v->next_alloc = t->visits;
    t->visits = v;
    return v;
}

static char *join(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (!s)
        abort();
    snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

/* The state named name in graph g or its branches. */
static const asl_state *find_state(const asl_graph *g, const char *name)
{
    for (int i = 0; g && i < g->nstates; i++) {
        const asl_state *s = &g->states[i];
        if (!strcmp(s->name, name))
            return s;
        for (int k = 0; k < s->nbranches; k++) {
            const asl_state *in = find_state(s->branches[k], name);
            if (in)
                return in;
        }
    }
    return NULL;
}

static tx *tx_of(asl_trace *t, asl_exec *x)
{
    for (tx *e = t->execs; e; e = e->next)
        if (e->x == x)
            return e;
    tx *e = calloc(1, sizeof *e);
    if (!e)
        abort();
    e->x = x;
    /* A child execution starts while its parent's task dispatches, so the
     * last event seen is the parent's: the child is drawn one step in from
     * that task, its paths prefixed with its machine's name. */
    visit *by = t->last;
    int nth = 1;   /* children of one machine are told apart by number */
    for (tx *o = t->execs; o; o = o->next)
        nth += o->x->machine == x->machine && o->root->path[0];
    char label[256] = "";
    if (by)
        snprintf(label, sizeof label, "%s#%d›", x->machine->name, nth);
    e->root = visit_new(t, V_ROOT, NULL, label, x->machine->name);
    e->root->depth = by ? by->depth + 1 : 0;
    e->next = t->execs;
    t->execs = e;
    return e;
}

static visit *ctx_get(tx *e, int id)
{
    return id > 0 && id < e->nctx && e->ctx[id] ? e->ctx[id] : e->root;
}

static void ctx_set(tx *e, int id, visit *v)
{
    if (id <= 0)
        return;
    if (id >= e->nctx) {
        int n = e->nctx ? e->nctx : 64;
        while (n <= id)
            n *= 2;
        visit **c = realloc(e->ctx, sizeof *c * (size_t)n);
        if (!c)
            abort();
        memset(c + e->nctx, 0, sizeof *c * (size_t)(n - e->nctx));
        e->ctx = c;
        e->nctx = n;
    }
    e->ctx[id] = v;
}

/* Climbs from v to the state visit of the given type (and name, if any). */
static visit *up(visit *v, const char *type, const char *name)
{
    for (visit *p = v; p; p = p->parent)
        if (p->kind == V_STATE && (!type || !strcmp(p->type, type)) && (!name || !strcmp(p->name, name)))
            return p;
    return v;
}

/* ------------------------------------------------------------ lines */

static const char *colour_of(char mark)
{
    switch (mark) {
    case '>': return "\033[36m";   /* entered */
    case '+': return "\033[32m";   /* left */
    case '~': return "\033[33m";   /* caught, retry */
    default: return "\033[31m";    /* failed */
    }
}

/* mark: '>' entered, '+' left, '~' caught or retry, '!' failed. */
static void line(asl_trace *t, tx *e, const visit *v, char mark, const char *event, double at, double duration,
                 const char *extra, const char *error, const char *cause)
{
    double el = at - t->t0;
    if (t->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "elapsed", el);
        cJSON_AddStringToObject(o, "event", event);
        cJSON_AddStringToObject(o, "execution", asl_exec_name(e->x));
        cJSON_AddStringToObject(o, "machine", e->x->machine->name);
        cJSON_AddStringToObject(o, "path", v->path);
        cJSON_AddStringToObject(o, "state", v->name);
        cJSON_AddStringToObject(o, "type", v->type);
        cJSON_AddNumberToObject(o, "depth", v->depth);
        if (duration >= 0)
            cJSON_AddNumberToObject(o, "duration", duration);
        if (extra)
            cJSON_AddStringToObject(o, "retry", extra);
        if (error)
            cJSON_AddStringToObject(o, "error", error);
        if (cause)
            cJSON_AddStringToObject(o, "cause", cause);
        char *s = asl_json_print(o);
        fprintf(t->out, "%s\n", s);
        free(s);
        cJSON_Delete(o);
        return;
    }
    static const char *const marks[] = {">", "▶", "+", "✓", "~", "↻", "!", "✗"};
    const char *sym = "?";
    for (int i = 0; i < 8; i += 2)
        if (marks[i][0] == mark)
            sym = marks[i + 1];
    if (mark == '~' && !strcmp(event, "caught"))
        sym = "✓";
    fprintf(t->out, "%s%8.3fs%s %*s%s%s %s%s  %s", t->colour ? "\033[2m" : "", el, t->colour ? "\033[0m" : "",
            2 * v->depth, "", t->colour ? colour_of(mark) : "", sym, v->path, t->colour ? "\033[0m" : "", v->type);
    if (duration >= 0)
        fprintf(t->out, "  %.3fs", duration);
    if (extra)
        fprintf(t->out, "  %s", extra);
    if (error) {
        fprintf(t->out, "  %s%s", error, cause ? ": " : "");
        /* one line: the cause cut short, newlines as spaces */
        for (int i = 0; cause && cause[i] && i < 100; i++)
            fputc(cause[i] == '\n' || cause[i] == '\r' ? ' ' : cause[i], t->out);
        if (cause && strlen(cause) > 100)
            fputs("…", t->out);
    }
    fputc('\n', t->out);
    fflush(t->out);
}

/* ------------------------------------------------------------ events */

/* The event's details (the observer asks for them). */
static const cJSON *details(const asl_event *ev)
{
    return ev->details;
}

static const char *str(const asl_event *ev, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(details(ev), key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && !strcmp(s + n - m, tail);
}

/* The index in Branches of the Parallel state's branch whose states
 * include name, or -1. */
static int branch_of(const asl_state *par, const char *name)
{
    for (int k = 0; par && k < par->nbranches; k++)
        for (int i = 0; i < par->branches[k]->nstates; i++)
            if (!strcmp(par->branches[k]->states[i].name, name))
                return k;
    return -1;
}

/* The first state of a Parallel branch leads back to ParallelStateStarted,
 * which every branch shares: the branch is the one that holds the state,
 * and its visit ("Parallel[1]/") is the parent of the branch's states. */
static visit *branch_visit(asl_trace *t, visit *branches, const char *name)
{
    int k = name ? branch_of(branches->parent->state, name) : -1;
    if (k < 0)
        return branches;
    char idx[32];
    snprintf(idx, sizeof idx, "%.*s[%d]/", (int)strlen(branches->path) - 1, branches->path, k);
    visit *b = visit_new(t, V_BRANCH, branches, idx, branches->name);
    b->depth = branches->depth;
    return b;
}

static void entered(asl_trace *t, tx *e, const asl_event *ev)
{
    visit *p = ctx_get(e, ev->previous_id);
    visit *parent = p->kind == V_STATE ? p->parent : p;
    const char *name = str(ev, "name");
    if (parent->kind == V_BRANCHES)
        parent = branch_visit(t, parent, name);
    char *path = join(parent->path, name ? name : "?", "");
    visit *v = visit_new(t, V_STATE, parent, path, name);
    free(path);
    snprintf(v->type, sizeof v->type, "%.*s", (int)(strlen(ev->type) - strlen("StateEntered")), ev->type);
    v->entered = ev->timestamp;
    v->state = name ? find_state(e->x->machine->graph, name) : NULL;
    ctx_set(e, ev->id, v);
    line(t, e, v, '>', "entered", ev->timestamp, -1, NULL, NULL, NULL);
}

/* "retry n/m": the retrier that takes the state's last error. */
static char *retry_text(const visit *v)
{
    char buf[64];
    int max = 0;
    for (int i = 0; v->state && v->error && i < v->state->nretry && !max; i++)
        if (asl_error_matches(v->state->retry[i].errors, v->state->retry[i].nerrors, v->error))
            max = v->state->retry[i].max_attempts;
    if (max)
        snprintf(buf, sizeof buf, "retry %d/%d", v->attempts - 1, max);
    else
        snprintf(buf, sizeof buf, "retry %d", v->attempts - 1);
    return strdup(buf);
}

static void task_event(asl_trace *t, tx *e, const asl_event *ev, visit *v)
{
    ctx_set(e, ev->id, v);
    if (ends_with(ev->type, "Scheduled") && ++v->attempts > 1) {
        char *r = retry_text(v);
        line(t, e, v, '~', "retry", ev->timestamp, -1, r, v->error, NULL);
        free(r);
    } else if (ends_with(ev->type, "Succeeded")) {
        free(v->error);   /* an attempt succeeded: earlier failures are over */
        v->error = NULL;
    } else if (ends_with(ev->type, "Failed") || ends_with(ev->type, "TimedOut")) {
        free(v->error);
        const char *err = str(ev, "error");
        v->error = strdup(err ? err : ev->type);
        line(t, e, v, '!', "failed", ev->timestamp, ev->timestamp - v->entered, NULL, err ? err : ev->type,
             str(ev, "cause"));
    }
}

static void exited(asl_trace *t, tx *e, const asl_event *ev)
{
    visit *v = up(ctx_get(e, ev->previous_id), NULL, str(ev, "name"));
    ctx_set(e, ev->id, v);
    bool caught = v->error != NULL;
    char retried[32];
    snprintf(retried, sizeof retried, "retried %d×", v->attempts - 1);
    line(t, e, v, caught ? '~' : '+', caught ? "caught" : "exited", ev->timestamp, ev->timestamp - v->entered,
         v->attempts > 1 ? retried : NULL, v->error, NULL);
}

static void container_event(asl_trace *t, tx *e, const asl_event *ev)
{
    visit *p = ctx_get(e, ev->previous_id);
    if (!strcmp(ev->type, "MapIterationStarted")) {
        visit *m = up(p, "Map", str(ev, "name"));
        const cJSON *i = cJSON_GetObjectItemCaseSensitive(details(ev), "index");
        char idx[32];
        snprintf(idx, sizeof idx, "[%d]/", cJSON_IsNumber(i) ? i->valueint : -1);
        char *path = join(m->path, idx, "");
        visit *it = visit_new(t, V_ITERATION, m, path, m->name);
        free(path);
        ctx_set(e, ev->id, it);
    } else if (!strcmp(ev->type, "ParallelStateStarted")) {
        char *path = join(p->path, "/", "");
        ctx_set(e, ev->id, visit_new(t, V_BRANCHES, p, path, p->name));
        free(path);
    } else if (!strncmp(ev->type, "MapIteration", 12)) {
        ctx_set(e, ev->id, up(p, "Map", str(ev, "name")));
    } else {
        /* MapStateSucceeded, ParallelStateFailed ...: close the state */
        visit *v = up(p, !strncmp(ev->type, "Map", 3) ? "Map" : "Parallel", NULL);
        ctx_set(e, ev->id, v);
        if (ends_with(ev->type, "Failed"))
            line(t, e, v, '!', "failed", ev->timestamp, ev->timestamp - v->entered, NULL, NULL, NULL);
    }
}

/* Execution lines name the machine, with the type "Execution". */
static void execution_event(asl_trace *t, tx *e, const asl_event *ev)
{
    ctx_set(e, ev->id, e->root);
    visit v = *e->root;
    char path[256];
    size_t n = strlen(e->root->path) - (e->root->path[0] ? strlen("›") : 0);
    if (n)
        snprintf(path, sizeof path, "%.*s", (int)n, e->root->path);
    else
        snprintf(path, sizeof path, "%s", e->x->machine->name);
    v.path = path;
    snprintf(v.type, sizeof v.type, "Execution");
    if (!strcmp(ev->type, "ExecutionStarted")) {
        e->root->entered = ev->timestamp;
        line(t, e, &v, '>', "started", ev->timestamp, -1, NULL, NULL, NULL);
    } else if (ends_with(ev->type, "Succeeded")) {
        line(t, e, &v, '+', "succeeded", ev->timestamp, ev->timestamp - e->root->entered, NULL, NULL, NULL);
    } else {
        const char *err = str(ev, "error");
        line(t, e, &v, '!', "failed", ev->timestamp, ev->timestamp - e->root->entered, NULL, err ? err : ev->type,
             str(ev, "cause"));
    }
}

static void observe(void *ud, const asl_event *ev)
{
    asl_trace *t = ud;
    if (ev->id <= 0)
        return;   /* not a history event (StateInspection) */
    if (!t->execs)
        t->t0 = ev->timestamp;
    tx *e = tx_of(t, ev->exec);
    const char *type = ev->type;
    if (ends_with(type, "StateEntered"))
        entered(t, e, ev);
    else if (ends_with(type, "StateExited"))
        exited(t, e, ev);
    else if (!strncmp(type, "Execution", 9))
        execution_event(t, e, ev);
    else if (!strncmp(type, "Map", 3) || !strncmp(type, "Parallel", 8))
        container_event(t, e, ev);
    else if (!strncmp(type, "Task", 4) || !strncmp(type, "Lambda", 6) || !strncmp(type, "Activity", 8))
        task_event(t, e, ev, up(ctx_get(e, ev->previous_id), NULL, NULL));
    else
        ctx_set(e, ev->id, ctx_get(e, ev->previous_id));
    t->last = ctx_get(e, ev->id);
}

asl_trace *asl_trace_start(asl_engine *e, FILE *out, bool json, bool colour)
{
    asl_trace *t = calloc(1, sizeof *t);
    if (!t)
        abort();
    t->out = out;
    t->json = json;
    t->colour = colour && !json;
    t->observer = asl_engine_observe(e, observe, t, ASL_OBSERVE_DETAILS);
    return t;
}

void asl_trace_stop(asl_engine *e, asl_trace *t)
{
    if (!t)
        return;
    asl_engine_unobserve(e, t->observer);
    for (tx *x = t->execs, *n; x; x = n) {
        n = x->next;
        free(x->ctx);
        free(x);
    }
    for (visit *v = t->visits, *n; v; v = n) {
        n = v->next_alloc;
        free(v->path);
        free(v->name);
        free(v->error);
        free(v);
    }
    free(t);
}
