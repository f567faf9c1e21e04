/*
 * mock.c: mocked service integrations, read from a mock configuration file
 * in the format of AWS Step Functions Local:
 *
 *     {"StateMachines": {"<machine>": {"TestCases": {"<test case>": {"<state>": "<response>"}}}},
 *      "MockedResponses": {"<response>": {"0": {"Return": <result>},
 *                                         "1-2": {"Throw": {"Error": "...", "Cause": "..."}}}}}
 *
 * The whole file is checked when it is loaded, every problem reported with
 * its JSON path, and kept as flat tables, not as a cJSON tree: aslc loads
 * it before the runtime installs its cJSON allocator (pool.c), so a tree
 * would be freed by another allocator than the one that made it.
 *
 * Each Task state a test case names counts its invocations per execution
 * (first attempts, retries, Map iterations and loops alike); invocation n
 * gets the response whose range holds n. Past the last range the execution
 * fails, as AWS documents. docs/mocks.md has the rules.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"

/* Invocation numbers beyond this are refused (they would only ever be a
 * typo, and it keeps every range arithmetic far from overflow). */
#define MOCK_MAX_INVOCATION 1000000000L

/* One range of invocations of a mocked response: Return (value, as JSON
 * text) or Throw (error and cause). */
typedef struct mock_step {
    long lo, hi;
    char *value;
    char *error, *cause;
} mock_step;

typedef struct mock_response {
    char *name;
    mock_step *steps;   /* sorted by lo; consecutive from 0 once checked */
    int nsteps;
} mock_response;

/* One entry of a test case. A row with state NULL records that the test
 * case exists, for a test case may well be empty. */
typedef struct mock_row {
    char *machine, *test_case, *state;
    int response;
} mock_row;

/* Invocations so far of a state in an execution. The execution is known by
 * address and ARN: bench mode frees ended executions, so an address may come
 * back for another execution, but an ARN does not. */
typedef struct mock_counter {
    const asl_exec *x;
    char *arn;
    char *state;
    long n;
} mock_counter;

static struct {
    char *file;                 /* NULL until a file is loaded */
    mock_response *responses;
    int nresponses;
    mock_row *rows;
    int nrows;
    char *test_case;            /* --test-case, or NULL */
    mock_counter *counters;
    int ncounters, cap;
} mock;

/* ------------------------------------------------------------- tables */

static void free_config(void)
{
    for (int i = 0; i < mock.nresponses; i++) {
        mock_response *r = &mock.responses[i];
        for (int k = 0; k < r->nsteps; k++) {
            free(r->steps[k].value);
            free(r->steps[k].error);
            free(r->steps[k].cause);
        }
        free(r->steps);
        free(r->name);
    }
    for (int i = 0; i < mock.nrows; i++) {
        free(mock.rows[i].machine);
        free(mock.rows[i].test_case);
        free(mock.rows[i].state);
    }
    free(mock.responses);
    free(mock.rows);
    free(mock.file);
    mock.responses = NULL;
    mock.rows = NULL;
    mock.file = NULL;
    mock.nresponses = mock.nrows = 0;
}

void asl_mock_free(void)
{
    free_config();
    for (int i = 0; i < mock.ncounters; i++) {
        free(mock.counters[i].arn);
        free(mock.counters[i].state);
    }
    free(mock.counters);
    free(mock.test_case);
    mock.counters = NULL;
    mock.test_case = NULL;
    mock.ncounters = mock.cap = 0;
}

static char *dup(const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        abort();
    return d;
}

static void add_row(const char *machine, const char *test_case, const char *state, int response)
{
    mock_row *rows = realloc(mock.rows, sizeof *rows * (size_t)(mock.nrows + 1));
    if (!rows)
        abort();
    mock.rows = rows;
    rows[mock.nrows++] = (mock_row){dup(machine), dup(test_case), dup(state), response};
}

static int find_response(const char *name)
{
    for (int i = 0; i < mock.nresponses; i++)
        if (!strcmp(mock.responses[i].name, name))
            return i;
    return -1;
}

/* The row of test_case of machine for state (NULL: the test case itself). */
static const mock_row *find_row(const char *machine, const char *test_case, const char *state)
{
    for (int i = 0; i < mock.nrows; i++) {
        const mock_row *r = &mock.rows[i];
        if (!strcmp(r->machine, machine) && !strcmp(r->test_case, test_case) &&
            (state ? r->state && !strcmp(r->state, state) : !r->state))
            return r;
    }
    return NULL;
}

/* -------------------------------------------------------- diagnostics */

typedef struct loader {
    const char *file;
    int errors;
} loader;

static bool is_identifier(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* path.key, the key quoted unless identifier-like, as aslc's diagnostics
 * write paths (StateMachines.Main.TestCases.HappyPath, MockedResponses.R."1-2").
 * malloc'd. */
static char *key_path(const char *path, const char *key)
{
    asl_buf b = {0};
    if (path && *path) {
        asl_buf_puts(&b, path);
        asl_buf_putc(&b, '.');
    }
    if (is_identifier(key))
        asl_buf_puts(&b, key);
    else
        asl_json_write_string(&b, key);
    return b.p;
}

/* FILE: error: PATH: message */
static void problem(loader *l, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(loader *l, const char *path, const char *fmt, ...)
{
    fprintf(stderr, "%s: error: ", l->file);
    if (path && *path)
        fprintf(stderr, "%s: ", path);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    l->errors++;
}

/* problem() at path.key. */
static void key_problem(loader *l, const char *path, const char *key, const char *msg)
{
    char *p = key_path(path, key);
    problem(l, p, "%s", msg);
    free(p);
}

/* cJSON keeps every duplicate key; the format has no use for one. */
static void check_duplicates(loader *l, const cJSON *obj, const char *path)
{
    for (const cJSON *a = obj->child; a; a = a->next)
        for (const cJSON *b = obj->child; b != a; b = b->next)
            if (!strcmp(a->string, b->string)) {
                key_problem(l, path, a->string, "duplicate key");
                break;
            }
}

/* --------------------------------------------------- mocked responses */

#define RANGE_SYNTAX "expected an invocation number (\"0\") or an inclusive range (\"1-2\")"

/* "N" or "N-M": decimal invocation numbers. Returns NULL, or what is
 * wrong with s. */
static const char *parse_range(const char *s, long *lo, long *hi)
{
    char *end;
    if (*s < '0' || *s > '9')
        return RANGE_SYNTAX;
    errno = 0;
    *lo = *hi = strtol(s, &end, 10);
    if (*end == '-') {
        if (end[1] < '0' || end[1] > '9')
            return RANGE_SYNTAX;
        *hi = strtol(end + 1, &end, 10);
    }
    if (*end)
        return RANGE_SYNTAX;
    if (errno || *lo > MOCK_MAX_INVOCATION || *hi > MOCK_MAX_INVOCATION)
        return "invocation number too large";
    return *lo > *hi ? "the range ends before it starts" : NULL;
}

static void set_string(loader *l, const char *path, const cJSON *v, char **out)
{
    if (!cJSON_IsString(v)) {
        key_problem(l, path, v->string, "expected a string");
        return;
    }
    free(*out);
    *out = dup(v->valuestring);
}

static void load_throw(loader *l, const char *path, const cJSON *thr, mock_step *s)
{
    char *p = key_path(path, "Throw");
    if (!cJSON_IsObject(thr)) {
        problem(l, p, "expected an object with Error and Cause");
        free(p);
        return;
    }
    check_duplicates(l, thr, p);
    for (const cJSON *k = thr->child; k; k = k->next) {
        if (!strcmp(k->string, "Error"))
            set_string(l, p, k, &s->error);
        else if (!strcmp(k->string, "Cause"))
            set_string(l, p, k, &s->cause);
        else
            key_problem(l, p, k->string, "unknown field (expected Error and Cause)");
    }
    if (!cJSON_GetObjectItemCaseSensitive(thr, "Error"))
        problem(l, p, "missing Error (the error name, a string)");
    if (!cJSON_GetObjectItemCaseSensitive(thr, "Cause"))
        problem(l, p, "missing Cause (a string)");
    free(p);
}

/* One "N" / "N-M" entry: {"Return": value} or {"Throw": {...}}. */
static void load_step(loader *l, const char *path, const cJSON *v, mock_step *s)
{
    if (!cJSON_IsObject(v)) {
        problem(l, path, "expected an object with Return or Throw");
        return;
    }
    check_duplicates(l, v, path);
    const cJSON *ret = NULL, *thr = NULL;
    for (const cJSON *k = v->child; k; k = k->next) {
        if (!strcmp(k->string, "Return"))
            ret = k;
        else if (!strcmp(k->string, "Throw"))
            thr = k;
        else
            key_problem(l, path, k->string, "unknown field (expected Return or Throw)");
    }
    if (ret && thr)
        problem(l, path, "has both Return and Throw: a response is one or the other");
    else if (!ret && !thr)
        problem(l, path, "needs Return (the task's result) or Throw (its error)");
    else if (ret)
        s->value = asl_json_print(ret);
    else
        load_throw(l, path, thr, s);
}

static int by_start(const void *a, const void *b)
{
    long x = ((const mock_step *)a)->lo, y = ((const mock_step *)b)->lo;
    return (x > y) - (x < y);
}

/* AWS: "you must specify a mocked response for every invocation", so the
 * ranges run from 0 with no gap and no overlap. */
static void check_consecutive(loader *l, const char *path, const mock_response *r)
{
    long next = 0;
    for (int i = 0; i < r->nsteps; i++) {
        const mock_step *s = &r->steps[i];
        if (s->lo > next && s->lo - 1 == next)
            problem(l, path, "invocation %ld has no response (invocation numbers run from 0 without gaps)", next);
        else if (s->lo > next)
            problem(l, path, "invocations %ld to %ld have no response (invocation numbers run from 0 without gaps)",
                    next, s->lo - 1);
        else if (s->lo < next)
            problem(l, path, "invocation %ld has more than one response", s->lo);
        if (s->hi + 1 > next)
            next = s->hi + 1;
    }
}

static void load_response(loader *l, const cJSON *v, mock_response *r)
{
    char *path = key_path("MockedResponses", v->string);
    r->name = dup(v->string);
    if (!cJSON_IsObject(v) || !v->child) {
        problem(l, path, "expected an object from invocation numbers (\"0\", \"1-2\") to responses");
        free(path);
        return;
    }
    int before = l->errors;
    check_duplicates(l, v, path);
    r->steps = calloc((size_t)cJSON_GetArraySize(v), sizeof *r->steps);
    if (!r->steps)
        abort();
    for (const cJSON *k = v->child; k; k = k->next) {
        mock_step *s = &r->steps[r->nsteps];
        const char *bad = parse_range(k->string, &s->lo, &s->hi);
        if (bad) {
            key_problem(l, path, k->string, bad);
        } else {
            char *p = key_path(path, k->string);
            load_step(l, p, k, s);
            free(p);
            r->nsteps++;
        }
    }
    qsort(r->steps, (size_t)r->nsteps, sizeof *r->steps, by_start);
    if (l->errors == before)
        check_consecutive(l, path, r);
    free(path);
}

static void load_responses(loader *l, const cJSON *v)
{
    if (!cJSON_IsObject(v)) {
        problem(l, "MockedResponses", "expected an object from mocked response names to responses");
        return;
    }
    check_duplicates(l, v, "MockedResponses");
    mock.responses = calloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *mock.responses);
    if (!mock.responses)
        abort();
    for (const cJSON *r = v->child; r; r = r->next)
        load_response(l, r, &mock.responses[mock.nresponses++]);
}

/* ------------------------------------------------------ state machines */

static void load_test_case(loader *l, const char *machine, const cJSON *tc, const char *path)
{
    if (!cJSON_IsObject(tc)) {
        problem(l, path, "expected an object from state names to mocked response names");
        return;
    }
    check_duplicates(l, tc, path);
    add_row(machine, tc->string, NULL, -1);
    for (const cJSON *e = tc->child; e; e = e->next) {
        char *p = key_path(path, e->string);
        int r = cJSON_IsString(e) ? find_response(e->valuestring) : -1;
        if (!cJSON_IsString(e))
            problem(l, p, "expected the name of a mocked response (a string)");
        else if (r < 0)
            problem(l, p, "no mocked response \"%s\" in MockedResponses", e->valuestring);
        else
            add_row(machine, tc->string, e->string, r);
        free(p);
    }
}

static void load_test_cases(loader *l, const char *machine, const cJSON *tcs, const char *path)
{
    if (!cJSON_IsObject(tcs)) {
        problem(l, path, "expected an object from test case names to test cases");
        return;
    }
    check_duplicates(l, tcs, path);
    for (const cJSON *tc = tcs->child; tc; tc = tc->next) {
        char *p = key_path(path, tc->string);
        load_test_case(l, machine, tc, p);
        free(p);
    }
}

static void load_machine(loader *l, const cJSON *m)
{
    char *path = key_path("StateMachines", m->string);
    if (!cJSON_IsObject(m)) {
        problem(l, path, "expected an object with TestCases");
        free(path);
        return;
    }
    check_duplicates(l, m, path);
    for (const cJSON *k = m->child; k; k = k->next) {
        if (strcmp(k->string, "TestCases")) {
            key_problem(l, path, k->string, "unknown field (expected TestCases)");
            continue;
        }
        char *p = key_path(path, "TestCases");
        load_test_cases(l, m->string, k, p);
        free(p);
    }
    if (!cJSON_GetObjectItemCaseSensitive(m, "TestCases"))
        problem(l, path, "missing TestCases");
    free(path);
}

static void load_root(loader *l, const cJSON *root)
{
    if (!cJSON_IsObject(root)) {
        problem(l, NULL, "expected an object with StateMachines and MockedResponses");
        return;
    }
    check_duplicates(l, root, NULL);
    const cJSON *machines = NULL, *responses = NULL;
    for (const cJSON *k = root->child; k; k = k->next) {
        if (!strcmp(k->string, "StateMachines"))
            machines = k;
        else if (!strcmp(k->string, "MockedResponses"))
            responses = k;
        else
            key_problem(l, NULL, k->string, "unknown field (expected StateMachines and MockedResponses)");
    }
    if (!machines)
        problem(l, NULL, "missing StateMachines");
    if (!responses) {
        problem(l, NULL, "missing MockedResponses");
        return; /* every test case entry would be reported as dangling */
    }
    load_responses(l, responses);
    if (!cJSON_IsObject(machines)) {
        if (machines)
            problem(l, "StateMachines", "expected an object from state machine names to {\"TestCases\": ...}");
        return;
    }
    check_duplicates(l, machines, "StateMachines");
    for (const cJSON *m = machines->child; m; m = m->next)
        load_machine(l, m);
}

/* -------------------------------------------------------------- load */


static int load(const char *file)
{
    free_config();
    errno = 0;
    char *text = asl_read_file(file);
    if (!text) {
        fprintf(stderr, "%s: error: cannot read the mock configuration file: %s\n", file, strerror(errno ? errno : EIO));
        return 66;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        int line = 1, col = 1;
        for (const char *p = text; end && p < end && *p; p++, col++)
            if (*p == '\n')
                line++, col = 0;
        fprintf(stderr, "%s:%d:%d: error: not valid JSON\n", file, line, col);
        free(text);
        return 65;
    }
    free(text);
    loader l = {file, 0};
    load_root(&l, root);
    cJSON_Delete(root);
    if (l.errors) {
        free_config();
        return 65;
    }
    mock.file = dup(file);
    return 0;
}

int asl_mock_option(const char *opt, const char *value)
{
    /* aslc loads the file for its compile and the run reuses it (the JIT
     * runs in the same process), so whoever exits last frees it. */
    static bool registered;
    if (!registered && !atexit(asl_mock_free))
        registered = true;
    if (!strcmp(opt, "--test-case")) {
        free(mock.test_case);
        mock.test_case = dup(value);
        return 0;
    }
    return load(value);
}

/* -------------------------------------------------------- run checks */

static bool has_task(const asl_graph *g, const char *name)
{
    for (int i = 0; i < g->nstates; i++) {
        const asl_state *s = &g->states[i];
        if (s->type == ASL_TASK && !strcmp(s->name, name))
            return true;
        for (int b = 0; b < s->nbranches; b++)
            if (has_task(s->branches[b], name))
                return true;
    }
    return false;
}

static const asl_machine *program_machine(const asl_program *p, const char *name)
{
    for (int i = 0; i < p->nmachines; i++)
        if (!strcmp(p->machines[i].name, name))
            return &p->machines[i];
    return NULL;
}

/* An entry that names no Task state is most likely a typo; AWS ignores it,
 * so this only warns. */
static void warn_unused(const asl_program *p)
{
    for (int i = 0; i < mock.nrows; i++) {
        const mock_row *r = &mock.rows[i];
        const asl_machine *m = program_machine(p, r->machine);
        if (!r->state || !m || strcmp(r->test_case, mock.test_case) || has_task(m->graph, r->state))
            continue;
        char *mp = key_path("StateMachines", r->machine), *tp = key_path(mp, "TestCases");
        char *cp = key_path(tp, r->test_case), *sp = key_path(cp, r->state);
        fprintf(stderr, "%s: warning: %s: state machine \"%s\" has no Task state \"%s\"; the entry is not used\n",
                mock.file, sp, r->machine, r->state);
        free(mp);
        free(tp);
        free(cp);
        free(sp);
    }
}

/* The selected test case is not among those of machine: says which are. */
static void no_test_case(const char *path, const char *machine)
{
    fprintf(stderr, "%s: error: %s: no test case \"%s\" (test cases:", mock.file, path, mock.test_case);
    for (int i = 0; i < mock.nrows; i++)
        if (!mock.rows[i].state && !strcmp(mock.rows[i].machine, machine))
            fprintf(stderr, " \"%s\"", mock.rows[i].test_case);
    fputs(")\n", stderr);
}

int asl_mock_begin(const asl_program *p, const char *prog)
{
    if (!mock.file && !mock.test_case)
        return 0;
    if (!mock.file) {
        fprintf(stderr, "%s: --test-case %s needs --mock FILE, the mock configuration file that defines it\n"
                        "(try --help)\n", prog, mock.test_case);
        return 64;
    }
    if (!mock.test_case) {
        fprintf(stderr, "%s: --mock %s needs --test-case NAME, the test case to run\n(try --help)\n", prog, mock.file);
        return 64;
    }
    const char *name = p->machines[0].name;
    if (!find_row(name, mock.test_case, NULL)) {
        char *mp = key_path("StateMachines", name), *tp = key_path(mp, "TestCases");
        bool known = false;
        for (int i = 0; i < mock.nrows && !known; i++)
            known = !strcmp(mock.rows[i].machine, name);
        if (known)
            no_test_case(tp, name);
        else
            fprintf(stderr, "%s: error: StateMachines: no test cases for state machine \"%s\" (the main machine is "
                            "named after its definition file), so none named \"%s\"\n", mock.file, name, mock.test_case);
        free(mp);
        free(tp);
        return 65;
    }
    warn_unused(p);
    return 0;
}

bool asl_mock_covers(const char *machine, const char *state)
{
    for (int i = 0; i < mock.nrows; i++) {
        const mock_row *r = &mock.rows[i];
        if (r->state && !strcmp(r->machine, machine) && !strcmp(r->state, state))
            return true;
    }
    return false;
}

/* ---------------------------------------------------------- dispatch */

static bool counter_live(const mock_counter *c)
{
    const asl_exec *x = asl_exec_find(c->arn);
    return x == c->x && x->status == ASL_RUNNING;
}

/* Drops the counters of executions that have ended; grows the table when
 * that frees too little. */
static void make_room(void)
{
    int k = 0;
    for (int i = 0; i < mock.ncounters; i++) {
        mock_counter *c = &mock.counters[i];
        if (counter_live(c)) {
            mock.counters[k++] = *c;
        } else {
            free(c->arn);
            free(c->state);
        }
    }
    mock.ncounters = k;
    if (k * 2 < mock.cap)
        return;
    mock.cap = mock.cap ? mock.cap * 2 : 16;
    mock_counter *c = realloc(mock.counters, sizeof *c * (size_t)mock.cap);
    if (!c)
        abort();
    mock.counters = c;
}

/* This invocation's number (0 for the first) of state in execution x. */
static long invocation(const asl_exec *x, const char *state)
{
    for (int i = 0; i < mock.ncounters; i++) {
        mock_counter *c = &mock.counters[i];
        if (c->x != x || strcmp(c->state, state))
            continue;
        if (strcmp(c->arn, x->arn)) {
            /* an ended execution's address, reused */
            free(c->arn);
            c->arn = dup(x->arn);
            c->n = 0;
        }
        return c->n++;
    }
    if (mock.ncounters == mock.cap)
        make_room();
    mock.counters[mock.ncounters++] = (mock_counter){x, dup(x->arn), dup(state), 1};
    return 0;
}

static const mock_step *find_step(const mock_response *r, long n)
{
    for (int i = 0; i < r->nsteps; i++)
        if (r->steps[i].lo <= n && n <= r->steps[i].hi)
            return &r->steps[i];
    return NULL;
}

bool asl_mock_has_case(const char *machine, const char *test_case)
{
    return mock.file && find_row(machine, test_case, NULL);
}

bool asl_mock_use_case(asl_exec *x, const char *test_case)
{
    if (!asl_mock_has_case(x->machine->name, test_case))
        return false;
    asl_exec_kin *k = asl_exec_kin_of(x);
    free(k->mock_case);
    k->mock_case = dup(test_case);
    return true;
}

bool asl_mock_dispatch(asl_task *t)
{
    if (!mock.file) /* (every task asks: most runs have no mock file) */
        return false;
    const asl_exec *x = t->frame ? t->frame->exec : NULL;
    const char *test_case = x && ASL_KIN(x, mock_case) ? x->kin->mock_case : mock.test_case;
    if (!test_case || !mock.file || !x)
        return false;
    const mock_row *row = find_row(x->machine->name, test_case, t->state->name);
    if (!row)
        return false;
    const mock_response *r = &mock.responses[row->response];
    long n = invocation(x, t->state->name);
    const mock_step *s = find_step(r, n);
    if (!s) {
        /* AWS: "If you do not specify a mocked response [for an
         * invocation], the state machine execution will fail." */
        asl_buf b = {0};
        asl_buf_printf(&b, "Mocked response \"%s\" (test case \"%s\" of %s) has no response for invocation %ld of state "
                           "\"%s\"; it gives invocations 0 to %ld",
                       r->name, test_case, mock.file, n, t->state->name, r->steps[r->nsteps - 1].hi);
        asl_task_complete(t, NULL, "States.Runtime", b.p);
        asl_buf_free(&b);
    } else if (s->value) {
        cJSON *v = asl_json_parse(s->value);
        asl_task_complete(t, v ? v : cJSON_CreateNull(), NULL, NULL);
    } else {
        asl_task_complete(t, NULL, s->error, s->cause);
    }
    return true;
}
