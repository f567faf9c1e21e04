/*
 * maprun.c: the Map Runs a Distributed Map starts, as DescribeMapRun,
 * ListMapRuns and UpdateMapRun see them. A record outlives its run (a
 * finished Map Run is still described) and goes with the engine. While
 * the run goes on, dmap.c moves each child and its items from one count
 * to the next (pending, running, then how it ended); the record holds
 * only counts, so a million items cost what ten do.
 */
#include <stdlib.h>
#include <string.h>

#include "exec.h"

struct asl_map_run {
    char *arn, *exec_arn, *machine_arn;
    double start, stop;
    asl_status status;
    int max_concurrency;
    long tolerated_count;       /* as described: 0 when the state sets none */
    double tolerated_percent;
    long execs[ASL_MR_SLOTS], items[ASL_MR_SLOTS];
    long total_execs, total_items, written_execs, written_items;
    struct asl_dmap *live;      /* the run while it goes on (dmap.c) */
    asl_map_run *next;          /* newest first */
};

static asl_map_run *runs;

asl_map_run *asl_map_run_new(const char *arn, const asl_exec *parent, struct asl_dmap *live)
{
    asl_map_run *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->arn = strdup(arn);
    r->exec_arn = strdup(parent->arn);
    r->machine_arn = strdup(parent->machine_arn);
    r->start = asl_now();
    r->status = ASL_RUNNING;
    r->live = live;
    r->next = runs;
    runs = r;
    return r;
}

void asl_map_run_settings(asl_map_run *r, int max_concurrency, long tolerated_count, double tolerated_percent)
{
    r->max_concurrency = max_concurrency;
    r->tolerated_count = tolerated_count < 0 ? 0 : tolerated_count;
    r->tolerated_percent = tolerated_percent < 0 ? 0 : tolerated_percent;
}

void asl_map_run_add(asl_map_run *r, long items)
{
    r->execs[ASL_MR_PENDING]++;
    r->items[ASL_MR_PENDING] += items;
    r->total_execs++;
    r->total_items += items;
}

void asl_map_run_move(asl_map_run *r, long items, int from, int to)
{
    r->execs[from]--;
    r->items[from] -= items;
    r->execs[to]++;
    r->items[to] += items;
}

void asl_map_run_written(asl_map_run *r, long execs, long items)
{
    r->written_execs += execs;
    r->written_items += items;
}

void asl_map_run_end(asl_map_run *r, asl_status status)
{
    r->status = status;
    r->stop = asl_now();
    r->live = NULL;
}

void asl_map_run_free_all(void)
{
    while (runs) {
        asl_map_run *r = runs;
        runs = r->next;
        free(r->arn);
        free(r->exec_arn);
        free(r->machine_arn);
        free(r);
    }
}

/* ------------------------------------------------------ the API's view */

asl_map_run *asl_engine_map_run(asl_engine *e, const char *arn)
{
    (void)e;
    for (asl_map_run *r = runs; r; r = r->next)
        if (!strcmp(r->arn, arn))
            return r;
    return NULL;
}

asl_map_run *asl_engine_map_runs(asl_engine *e)
{
    (void)e;
    return runs;
}

asl_map_run *asl_map_run_next(const asl_map_run *r) { return r->next; }
const char *asl_map_run_arn(const asl_map_run *r) { return r->arn; }
const char *asl_map_run_execution_arn(const asl_map_run *r) { return r->exec_arn; }
const char *asl_map_run_machine_arn(const asl_map_run *r) { return r->machine_arn; }
double asl_map_run_start_date(const asl_map_run *r) { return r->start; }
double asl_map_run_stop_date(const asl_map_run *r) { return r->status == ASL_RUNNING ? 0 : r->stop; }

static void add_counts(cJSON *o, const char *key, const long *c, long total, long written)
{
    static const char *const names[ASL_MR_SLOTS] = {"pending", "running", "succeeded", "failed", "timedOut", "aborted"};
    cJSON *counts = cJSON_AddObjectToObject(o, key);
    for (int i = 0; i < ASL_MR_SLOTS; i++)
        cJSON_AddNumberToObject(counts, names[i], (double)c[i]);
    cJSON_AddNumberToObject(counts, "total", (double)total);
    cJSON_AddNumberToObject(counts, "resultsWritten", (double)written);
    /* nothing is redriven, so every unsuccessful child is final */
    cJSON_AddNumberToObject(counts, "failuresNotRedrivable", 0);
    cJSON_AddNumberToObject(counts, "pendingRedrive", 0);
}

cJSON *asl_map_run_describe(const asl_map_run *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "mapRunArn", r->arn);
    cJSON_AddStringToObject(o, "executionArn", r->exec_arn);
    cJSON_AddStringToObject(o, "status", asl_status_name(r->status));
    asl_json_add_date(o, "startDate", r->start);
    if (r->status != ASL_RUNNING)
        asl_json_add_date(o, "stopDate", r->stop);
    cJSON_AddNumberToObject(o, "maxConcurrency", r->max_concurrency);
    cJSON_AddNumberToObject(o, "toleratedFailurePercentage", r->tolerated_percent);
    cJSON_AddNumberToObject(o, "toleratedFailureCount", (double)r->tolerated_count);
    add_counts(o, "itemCounts", r->items, r->total_items, r->written_items);
    add_counts(o, "executionCounts", r->execs, r->total_execs, r->written_execs);
    cJSON_AddNumberToObject(o, "redriveCount", 0);
    return o;
}

char *asl_map_run_describe_json(const asl_map_run *r)
{
    return asl_json_print_take(asl_map_run_describe(r));
}

bool asl_map_run_update(asl_engine *e, asl_map_run *r, int max_concurrency, long tolerated_count,
                        double tolerated_percent, asl_err *err)
{
    (void)e;
    if (max_concurrency < 0 && tolerated_count < 0 && tolerated_percent < 0) {
        asl_err_set(err, "ValidationException",
                    "At least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount is required");
        return false;
    }
    if (!r->live) {
        asl_err_set(err, "ValidationException", "Map Run '%s' is not running: only a RUNNING Map Run can be updated",
                    r->arn);
        return false;
    }
    if (max_concurrency >= 0)
        r->max_concurrency = max_concurrency;
    if (tolerated_count >= 0)
        r->tolerated_count = tolerated_count;
    if (tolerated_percent >= 0)
        r->tolerated_percent = tolerated_percent;
    asl_dmap_update(r->live, max_concurrency, tolerated_count, tolerated_percent);
    return true;
}
