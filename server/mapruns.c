/*
 * mapruns.c: DescribeMapRun, ListMapRuns and UpdateMapRun over the
 * engine's Map Run records (runtime/maprun.c). ListExecutions with a
 * mapRunArn (executions.c) lists a run's child executions.
 */
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "internal.h"
#include "server.h"

asl_map_run *mapruns_named(srv *s, srv_call *c, const char *arn)
{
    if (!machines_arn_ok(c, arn, "mapRun"))
        return NULL;
    asl_map_run *r = asl_engine_map_run(s->engine, arn);
    if (!r)
        srv_reply_error(c, "ResourceNotFound", "Resource not found: '%s'", arn);
    return r;
}

void act_describe_map_run(srv *s, srv_call *c)
{
    asl_map_run *r = mapruns_named(s, c, srv_str(c, "mapRunArn"));
    if (!r)
        return;
    static const char *const dates[] = {"startDate", "stopDate", NULL};
    cJSON *out = asl_map_run_describe(r);
    srv_fix_times(out, dates);
    srv_reply(c, out);
}

static cJSON *list_item(const void *p)
{
    const asl_map_run *r = p;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "executionArn", asl_map_run_execution_arn(r));
    cJSON_AddStringToObject(o, "mapRunArn", asl_map_run_arn(r));
    cJSON_AddStringToObject(o, "stateMachineArn", asl_map_run_machine_arn(r));
    cJSON_AddItemToObject(o, "startDate", srv_time(asl_map_run_start_date(r)));
    if (asl_map_run_stop_date(r) > 0)
        cJSON_AddItemToObject(o, "stopDate", srv_time(asl_map_run_stop_date(r)));
    return o;
}

void act_list_map_runs(srv *s, srv_call *c)
{
    const char *arn = srv_str(c, "executionArn");
    if (!machines_arn_ok(c, arn, "execution"))
        return;
    if (!index_find(s, arn)) {
        srv_reply_error(c, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn);
        return;
    }
    int total = 0;
    void **match = NULL;
    for (asl_map_run *r = asl_engine_map_runs(s->engine); r; r = asl_map_run_next(r)) {
        if (strcmp(asl_map_run_execution_arn(r), arn))
            continue;
        void **grown = realloc(match, sizeof *match * (size_t)(total + 1));
        if (!grown)
            exit(70);
        match = grown;
        match[total++] = r;
    }
    machines_page(c, "mapRuns", match, total, list_item);
    free(match);
}

void act_update_map_run(srv *s, srv_call *c)
{
    asl_map_run *r = mapruns_named(s, c, srv_str(c, "mapRunArn"));
    if (!r)
        return;
    const cJSON *pct = cJSON_GetObjectItemCaseSensitive(c->in, "toleratedFailurePercentage");
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(c->in, "toleratedFailureCount");
    asl_err err = {0};
    if (!asl_map_run_update(s->engine, r, srv_int(c, "maxConcurrency", -1),
                            cJSON_IsNumber(count) ? (long)count->valuedouble : -1,
                            cJSON_IsNumber(pct) ? pct->valuedouble : -1, &err)) {
        srv_reply_error(c, err.error, "%s", err.cause ? err.cause : "");
        asl_err_clear(&err);
        return;
    }
    srv_reply(c, cJSON_CreateObject());
}
