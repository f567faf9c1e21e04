/*
 * dmap.c: a Distributed Map (ProcessorConfig.Mode DISTRIBUTED) as a Map
 * Run. Its items come from the state's input or an ItemReader
 * (itemreader.c); ItemSelector shapes each, ItemBatcher groups them into
 * batches ({"BatchInput": ..., "Items": [...]}); each item or batch runs as
 * a child execution of a machine of its own, MACHINE/LABEL (Label, else
 * the state's name), STANDARD or EXPRESS as ExecutionType says, whose
 * events go to its own history. The parent records what AWS records:
 * MapStateStarted, MapRunStarted (with the Map Run's ARN), MapRunSucceeded
 * or MapRunFailed, MapStateSucceeded or MapStateFailed. A child that fails
 * beyond the tolerated failures (none by default) fails the run with
 * States.ExceedToleratedFailureThreshold and aborts the children still
 * running. The results go through ResultWriter (resultwriter.c), or make
 * the state's result, in item order.
 *
 * The run lives in the Map state's frame (f->fan->dmap) and each child points
 * back at it (x->kin->dmap); branches.c hands the state over (asl_dmap_start)
 * and exec.c reports a child's end (asl_dmap_child_finished).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmap.h"
#include "exec.h"
#include "history.h"
#include "ids.h"
#include "jsonata_fields.h"
#include "quotas.h"

typedef struct asl_dmap asl_dmap;

struct asl_dmap {
    asl_frame *f;
    const asl_state *s;
    const asl_machine *machine; /* the children's, kept in `machines` */
    char *run_arn;
    cJSON *inputs;              /* each child's input */
    int n, started, running, failed;
    asl_dmap_result *results;
    asl_exec **kids;            /* running children by index */
    cJSON *writer;              /* the evaluated ResultWriter, or NULL */
    asl_map_run *rec;           /* what DescribeMapRun shows (maprun.c) */
    asl_err err;                /* why the run failed */
};

/* The children's machines outlive their runs (a finished child is still
 * described); they go with the engine. */
typedef struct kept_machine {
    asl_machine m;
    char *name, *arn;
    struct kept_machine *next;
} kept_machine;

static kept_machine *machines;

void asl_dmap_free_all(void)
{
    asl_map_run_free_all();
    while (machines) {
        kept_machine *k = machines;
        machines = k->next;
        free(k->name);
        free(k->arn);
        free(k);
    }
}

/* MACHINE/LABEL's machine, its ARN beside the parent's. */
static const asl_machine *child_machine(asl_frame *f, const asl_state *s, const char *label)
{
    const char *parent = f->exec->machine_arn, *colon = strstr(parent, ":stateMachine:");
    /* one per Map state and parent machine, however many runs it makes */
    size_t plen = strlen(parent);
    for (kept_machine *k = machines; k; k = k->next)
        if (k->m.graph == s->branches[0] && !strncmp(k->arn, parent, plen) && k->arn[plen] == '/' &&
            !strcmp(k->arn + plen + 1, label))
            return &k->m;
    kept_machine *k = calloc(1, sizeof *k);
    if (!k || asprintf(&k->name, "%s/%s", f->exec->machine->name, label) < 0 ||
        asprintf(&k->arn, "%.*s:stateMachine:%s", (int)(colon - parent), parent, k->name) < 0)
        abort();
    k->m = (asl_machine){.name = k->name, .arn = k->arn, .file = f->exec->machine->file, .graph = s->branches[0],
                         .express = s->distributed == 2};
    k->next = machines;
    machines = k;
    return &k->m;
}

/* A template of the state (ItemReader, ItemBatcher, ResultWriter)
 * evaluated against the effective input; NULL with the frame failed. */
static cJSON *evaluate(asl_frame *f, const asl_state *s, const asl_node *n, const char *field)
{
    if (!s->jsonata)
        return asl_apply_template(f, n, f->effective);
    asl_jn j;
    asl_jn_init(&j, f, f->effective);
    cJSON *v = asl_jn_eval(&j, n, field);
    if (!v)
        asl_jn_fail(&j);
    return v;
}

static void run_free(asl_dmap *d)
{
    for (int i = 0; i < d->n; i++) {
        asl_dmap_result *r = &d->results[i];
        free(r->arn);
        free(r->name);
        cJSON_Delete(r->input);
        cJSON_Delete(r->output);
        asl_err_clear(&r->err);
    }
    free(d->results);
    free(d->kids);
    free(d->run_arn);
    cJSON_Delete(d->inputs);
    cJSON_Delete(d->writer);
    asl_err_clear(&d->err);
    free(d);
}

/* --------------------------------------------------------- batches */

static double number(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) && v->valuedouble > 0 ? v->valuedouble : 0;
}

static cJSON *new_batch(const cJSON *batch_input)
{
    cJSON *b = cJSON_CreateObject();
    if (batch_input)
        cJSON_AddItemToObject(b, "BatchInput", cJSON_Duplicate(batch_input, 1));
    cJSON_AddArrayToObject(b, "Items");
    return b;
}

/* The items (taken) grouped as ItemBatcher (evaluated) says: at most
 * MaxItemsPerBatch items and MaxInputBytesPerBatch bytes a batch (a batch
 * holds one item at least). */
static cJSON *batches(cJSON *items, const cJSON *cfg)
{
    double max_items = number(cfg, "MaxItemsPerBatch"), max_bytes = number(cfg, "MaxInputBytesPerBatch");
    const cJSON *batch_input = cJSON_GetObjectItemCaseSensitive(cfg, "BatchInput");
    cJSON *out = cJSON_CreateArray(), *b = NULL;
    for (cJSON *item; (item = cJSON_DetachItemFromArray(items, 0));) {
        if (b && max_bytes > 0) {
            cJSON *list = cJSON_GetObjectItemCaseSensitive(b, "Items");
            cJSON_AddItemToArray(list, item);
            bool over = (double)asl_json_size(b, (size_t)max_bytes + 1) > max_bytes;
            cJSON_DetachItemViaPointer(list, item);
            if (over)
                b = NULL;
        }
        if (!b)
            cJSON_AddItemToArray(out, b = new_batch(batch_input));
        cJSON *list = cJSON_GetObjectItemCaseSensitive(b, "Items");
        cJSON_AddItemToArray(list, item);
        if (max_items > 0 && cJSON_GetArraySize(list) >= max_items)
            b = NULL;
    }
    cJSON_Delete(items);
    return out;
}

/* ------------------------------------------------------------ the run */

static asl_step run_done(asl_frame *f);

static bool tolerates(const asl_dmap *d)
{
    const asl_fan *p = d->f->fan;
    if (p->tolerated_count >= 0 && d->failed <= p->tolerated_count)
        return true;
    return p->tolerated_percent >= 0 && d->n > 0 && 100.0 * d->failed / d->n <= p->tolerated_percent;
}

/* Aborts the children still running (their records say ABORTED). */
static void abort_children(asl_dmap *d)
{
    for (int i = 0; i < d->n; i++) {
        asl_exec *x = d->kids[i];
        if (!x)
            continue;
        d->kids[i] = NULL;
        x->kin->dmap = NULL;
        asl_exec_abort(x, NULL, NULL);
        d->results[i].status = "ABORTED";
        d->results[i].stop = x->stop;
        asl_map_run_move(d->rec, d->results[i].items, ASL_MR_SLOT(ASL_RUNNING), ASL_MR_SLOT(ASL_ABORTED));
    }
    d->running = 0;
}

static void start_more(asl_dmap *d)
{
    asl_frame *f = d->f;
    while (d->started < d->n && (f->fan->max_concurrency == 0 || d->running < f->fan->max_concurrency)) {
        int i = d->started++;
        asl_dmap_result *r = &d->results[i];
        asl_err e = {0};
        asl_exec *x = asl_exec_start(f->exec->unit, d->machine, NULL, cJSON_Duplicate(r->input, 1), f->exec->arn, &e);
        if (!x) {
            /* it could not start (its input is over the limit): it failed */
            r->status = "FAILED";
            asl_err_move(&r->err, &e);
            r->start = r->stop = asl_now();
            d->failed++;
            asl_map_run_move(d->rec, r->items, ASL_MR_PENDING, ASL_MR_SLOT(ASL_FAILED));
            continue;
        }
        asl_map_run_move(d->rec, r->items, ASL_MR_PENDING, ASL_MR_SLOT(ASL_RUNNING));
        asl_exec_kin *k = asl_exec_kin_of(x);
        k->dmap = d;
        k->dmap_slot = i;
        k->map_run_arn = strdup(d->run_arn);
        k->map_items = r->items;
        d->kids[i] = x;
        d->running++;
        r->arn = strdup(x->arn);
        r->name = strdup(x->name);
        r->status = "RUNNING";
        r->start = x->start;
    }
}

void asl_dmap_child_finished(asl_exec *x)
{
    asl_dmap *d = x->kin->dmap;
    int i = x->kin->dmap_slot;
    x->kin->dmap = NULL;
    d->kids[i] = NULL;
    d->running--;
    asl_dmap_result *r = &d->results[i];
    r->status = asl_status_name(x->status);
    r->stop = x->stop;
    asl_map_run_move(d->rec, r->items, ASL_MR_SLOT(ASL_RUNNING), ASL_MR_SLOT(x->status));
    if (x->status == ASL_SUCCEEDED) {
        r->output = cJSON_Duplicate(x->output, 1);
    } else {
        asl_err_set(&r->err, x->err.error ? x->err.error : "", x->err.cause ? "%s" : NULL, x->err.cause);
        d->failed++;
        if (!tolerates(d)) {
            asl_err_set(&d->err, "States.ExceedToleratedFailureThreshold",
                        "The specified tolerated failure threshold was exceeded");
            abort_children(d);
            asl_wake(d->f, run_done);
            return;
        }
    }
    start_more(d);
    if (d->running == 0 && d->started == d->n)
        asl_wake(d->f, run_done);
}

void asl_dmap_abort(asl_frame *f)
{
    asl_dmap *d = f->fan->dmap;
    f->fan->dmap = NULL;
    abort_children(d);
    asl_map_run_end(d->rec, ASL_ABORTED);
    run_free(d);
}

/* The records ResultWriter wrote to S3: every child that started. */
static void count_written(asl_dmap *d)
{
    for (int i = 0; i < d->n; i++)
        if (d->results[i].status)
            asl_map_run_written(d->rec, 1, d->results[i].items);
}

void asl_dmap_update(asl_dmap *d, int max_concurrency, long tolerated_count, double tolerated_percent)
{
    asl_frame *f = d->f;
    if (max_concurrency >= 0)
        f->fan->max_concurrency = max_concurrency;
    if (tolerated_count >= 0)
        f->fan->tolerated_count = tolerated_count > INT_MAX ? INT_MAX : (int)tolerated_count;
    if (tolerated_percent >= 0)
        f->fan->tolerated_percent = tolerated_percent;
    if (d->err.error || (d->running == 0 && d->started == d->n))
        return; /* already ending */
    if (d->failed && !tolerates(d)) {
        asl_err_set(&d->err, "States.ExceedToleratedFailureThreshold",
                    "The specified tolerated failure threshold was exceeded");
        abort_children(d);
        asl_wake(f, run_done);
        return;
    }
    start_more(d);
    if (d->running == 0 && d->started == d->n)
        asl_wake(f, run_done);
}

/* The run has ended: results written, MapRun* and MapState* events. */
static asl_step run_done(asl_frame *f)
{
    asl_dmap *d = f->fan->dmap;
    const asl_state *s = d->s;
    f->fan->dmap = NULL;
    cJSON *out = NULL;
    /* the results are written whether or not the run succeeded */
    if (!d->err.error || (d->writer && cJSON_GetObjectItemCaseSensitive(d->writer, "Resource"))) {
        asl_err e = {0};
        out = asl_results_write(d->writer, d->run_arn, d->machine->arn, d->results, d->n, &e);
        if (!out && !d->err.error)
            asl_err_move(&d->err, &e);
        if (out && d->writer && cJSON_GetObjectItemCaseSensitive(d->writer, "Resource"))
            count_written(d);
        asl_err_clear(&e);
    }
    cJSON_Delete(f->effective);
    f->effective = NULL;
    if (d->err.error) {
        cJSON_Delete(out);
        cJSON *det = NULL;
        if (asl_history_enabled()) {
            det = cJSON_CreateObject();
            cJSON_AddStringToObject(det, "error", d->err.error);
            if (d->err.cause)
                cJSON_AddStringToObject(det, "cause", d->err.cause);
        }
        asl_frame_event(f, "MapRunFailed", det, false);
        asl_map_run_end(d->rec, ASL_FAILED);
        asl_err_move(&f->err, &d->err);
        run_free(d);
        f->fail_event = "MapStateFailed";
        return ASL_STEP_FAIL;
    }
    asl_map_run_end(d->rec, ASL_SUCCEEDED);
    run_free(d);
    asl_frame_event(f, "MapRunSucceeded", NULL, false);
    asl_frame_event(f, "MapStateSucceeded", NULL, true);
    cJSON *o = asl_state_output(f, s, out);
    return o ? asl_advance(f, s, o) : ASL_STEP_FAIL;
}

/* Fails the run before any child started. */
static asl_step run_fails_early(asl_frame *f)
{
    if (!f->fan->dmap->err.error) {
        asl_err_move(&f->fan->dmap->err, &f->err);
        if (!f->fan->dmap->err.error)
            asl_err_set(&f->fan->dmap->err, "States.Runtime", NULL);
    }
    return run_done(f);
}

/* Each child's input: ItemSelector applied, then batched. NULL with the
 * frame failed. */
static cJSON *child_inputs(asl_frame *f, const asl_state *s, cJSON *items)
{
    cJSON *inputs = cJSON_CreateArray();
    int i = 0;
    for (const cJSON *item = items->child; item; item = item->next, i++) {
        cJSON *in = asl_map_item_input(f, s, i, item);
        if (!in) {
            cJSON_Delete(inputs);
            return NULL;
        }
        cJSON_AddItemToArray(inputs, in);
    }
    if (!s->item_batcher)
        return inputs;
    cJSON *cfg = evaluate(f, s, s->item_batcher, "ItemBatcher");
    if (!cfg) {
        cJSON_Delete(inputs);
        return NULL;
    }
    cJSON *out = batches(inputs, cfg);
    cJSON_Delete(cfg);
    return out;
}

asl_step asl_dmap_start(asl_frame *f, const asl_state *s, cJSON *in, cJSON *items)
{
    f->effective = in;
    cJSON *det = NULL;
    if (asl_history_enabled()) {
        det = cJSON_CreateObject();
        cJSON_AddNumberToObject(det, "length", items ? cJSON_GetArraySize(items) : 0);
    }
    asl_frame_event(f, "MapStateStarted", det, false);
    asl_dmap *d = calloc(1, sizeof *d);
    if (!d)
        abort();
    f->fan->dmap = d;
    d->f = f;
    d->s = s;
    d->machine = child_machine(f, s, s->label ? s->label : s->name);
    char id[37];
    asl_uuid(id);
    const char *colon = strstr(d->machine->arn, ":stateMachine:");
    if (asprintf(&d->run_arn, "%.*s:mapRun:%s:%s", (int)(colon - d->machine->arn), d->machine->arn, colon + 14, id) < 0)
        abort();
    if (asl_history_enabled()) {
        det = cJSON_CreateObject();
        cJSON_AddStringToObject(det, "mapRunArn", d->run_arn);
    }
    asl_frame_event(f, "MapRunStarted", det, false);
    d->rec = asl_map_run_new(d->run_arn, f->exec, d);
    asl_map_run_settings(d->rec, f->fan->max_concurrency, f->fan->tolerated_count, f->fan->tolerated_percent);
    if (!items) {
        cJSON *reader = evaluate(f, s, s->item_reader, "ItemReader");
        if (!reader)
            return run_fails_early(f);
        items = asl_items_read(reader, &d->err);
        cJSON_Delete(reader);
        if (!items)
            return run_fails_early(f);
    }
    d->inputs = child_inputs(f, s, items);
    cJSON_Delete(items);
    if (!d->inputs)
        return run_fails_early(f);
    if (s->result_writer && !(d->writer = evaluate(f, s, s->result_writer, "ResultWriter")))
        return run_fails_early(f);
    d->n = cJSON_GetArraySize(d->inputs);
    d->results = calloc((size_t)d->n + 1, sizeof *d->results);
    d->kids = calloc((size_t)d->n + 1, sizeof *d->kids);
    if (!d->results || !d->kids)
        abort();
    int i = 0;
    for (cJSON *in1 = d->inputs->child; in1; in1 = in1->next, i++) {
        d->results[i].input = cJSON_Duplicate(in1, 1);
        /* a batch holds its Items; an item alone is one */
        d->results[i].items = s->item_batcher ? cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(in1, "Items")) : 1;
        asl_map_run_add(d->rec, d->results[i].items);
    }
    f->wait = ASL_WAIT_FRAMES;
    start_more(d);
    if (d->failed && !tolerates(d))
        asl_err_set(&d->err, "States.ExceedToleratedFailureThreshold",
                    "The specified tolerated failure threshold was exceeded");
    if (d->err.error)
        abort_children(d);
    if (d->running == 0)
        asl_wake(f, run_done);
    return ASL_STEP_SUSPEND;
}
