/*
 * report_run.c: `aslc run --report FILE.html`. The runtime's CLI calls
 * back here (asl_cli_report_writer, runtime/cli.h): before the run, to
 * observe the values after each processing step of every state
 * (StateInspection events, which are not part of the history); after it,
 * to gather every execution the run started with its history and write
 * the page (report.c). Compiled programs have no such writer, so the
 * report stays out of the runtime they link.
 */
#include <stdlib.h>
#include <string.h>

#include "asl_engine.h"
#include "cli.h"
#include "report.h"

static const cc_unit *unit;
static cJSON *inspections;   /* execution ARN -> [StateInspection event, ...] */

static void observe(void *ud, const asl_event *ev)
{
    if (strcmp(ev->type, "StateInspection"))
        return;
    const char *arn = asl_exec_arn(ev->exec);
    cJSON *list = cJSON_GetObjectItemCaseSensitive(inspections, arn);
    if (!list)
        list = cJSON_AddArrayToObject(inspections, arn);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "previousEventId", ev->previous_id);
    char *d = asl_event_details_json(ev);
    cJSON_AddItemToObject(e, "details", d ? cJSON_Parse(d) : cJSON_CreateObject());
    free(d);
    cJSON_AddItemToArray(list, e);
}

static void begin(asl_engine *e)
{
    inspections = cJSON_CreateObject();
    asl_engine_observe(e, observe, NULL, ASL_OBSERVE_DETAILS | ASL_OBSERVE_INSPECTION);
}

cJSON *report_execution(const asl_exec *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "executionArn", asl_exec_arn(x));
    cJSON_AddStringToObject(o, "stateMachineArn", asl_exec_machine_arn(x));
    cJSON_AddStringToObject(o, "name", asl_exec_name(x));
    cJSON_AddStringToObject(o, "status", asl_status_name(asl_exec_status(x)));
    if (asl_exec_parent_arn(x))
        cJSON_AddStringToObject(o, "parentArn", asl_exec_parent_arn(x));
    char *h = asl_exec_history_json(x);
    cJSON *history = h ? cJSON_Parse(h) : NULL;
    free(h);
    cJSON *events = cJSON_DetachItemFromObjectCaseSensitive(history, "events");
    cJSON_AddItemToObject(o, "events", events ? events : cJSON_CreateArray());
    cJSON_Delete(history);
    return o;
}

/* report_execution with the StateInspection events the run noted. */
static cJSON *execution(const asl_exec *x)
{
    cJSON *o = report_execution(x);
    cJSON *ins = cJSON_DetachItemFromObjectCaseSensitive(inspections, asl_exec_arn(x));
    if (ins)
        cJSON_AddItemToObject(o, "inspections", ins);
    return o;
}

static int end(asl_engine *e, const char *path)
{
    cJSON *record = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(record, "executions");
    for (asl_exec *x = asl_engine_executions(e); x; x = asl_exec_next(x))
        cJSON_AddItemToArray(list, execution(x));
    int rc = report_write(unit, record, path);
    cJSON_Delete(record);
    cJSON_Delete(inspections);
    inspections = NULL;
    return rc;
}

void report_attach(const cc_unit *u)
{
    static const asl_cli_reporter writer = {begin, end};
    unit = u;
    asl_cli_report_writer = &writer;
}
