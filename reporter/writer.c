/*
 * writer.c: gathers a run for its report and writes the page (reporter.h).
 * An observer keeps every StateInspection event (the values after each
 * processing step, which the history does not hold) by execution; once
 * the run is over each execution's history and those events go, as JSON,
 * into the page's data between the frame's head and tail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "internal.h"
#include "reporter.h"

static cJSON *inspections;   /* execution ARN -> [StateInspection event, ...] */
static int observer = -1;

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

void asl_report_begin(asl_engine *e)
{
    cJSON_Delete(inspections);
    inspections = cJSON_CreateObject();
    observer = asl_engine_observe(e, observe, NULL, ASL_OBSERVE_DETAILS | ASL_OBSERVE_INSPECTION);
}

cJSON *asl_report_execution(const asl_exec *x)
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

cJSON *asl_report_executions(asl_engine *e)
{
    cJSON *list = cJSON_CreateArray();
    for (asl_exec *x = asl_engine_executions(e); x; x = asl_exec_next(x)) {
        cJSON *o = asl_report_execution(x);
        cJSON *ins = cJSON_DetachItemFromObjectCaseSensitive(inspections, asl_exec_arn(x));
        if (ins)
            cJSON_AddItemToObject(o, "inspections", ins);
        cJSON_AddItemToArray(list, o);
    }
    if (observer >= 0)
        asl_engine_unobserve(e, observer);
    observer = -1;
    cJSON_Delete(inspections);
    inspections = NULL;
    return list;
}

char *asl_report_script_json(const cJSON *v)
{
    /* "</" could end the element, so it becomes "<\/" (the same string to
     * JSON.parse; "</" only occurs inside strings) */
    asl_buf j = {0}, b = {0};
    asl_json_write(&j, v);
    for (size_t i = 0; i < j.len; i++) {
        if (j.p[i] == '<' && i + 1 < j.len && j.p[i + 1] == '/')
            asl_buf_puts(&b, "<\\");
        else
            asl_buf_putc(&b, j.p[i]);
    }
    asl_buf_free(&j);
    return asl_buf_take(&b);
}

char *asl_report_page(const char *head, const cJSON *executions, const char *tail)
{
    asl_buf b = {0};
    char *json = asl_report_script_json(executions);
    asl_buf_puts(&b, head);
    asl_buf_puts(&b, json);
    asl_buf_puts(&b, tail);
    free(json);
    return asl_buf_take(&b);
}

int asl_report_save(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    bool bad = !f;
    if (f) {
        bad = fputs(text, f) < 0;
        bad |= fclose(f) != 0;
    }
    if (bad)
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
    return bad ? 74 : 0;
}

/* ------------------------------------------------- compiled programs */

static const char *frame_head, *frame_tail;

static int end(asl_engine *e, const char *path)
{
    cJSON *x = asl_report_executions(e);
    char *text = asl_report_page(frame_head, x, frame_tail);
    int rc = asl_report_save(path, text);
    free(text);
    cJSON_Delete(x);
    return rc;
}

void asl_report_install(const char *head, const char *tail)
{
    static const asl_cli_reporter writer = {asl_report_begin, end};
    frame_head = head;
    frame_tail = tail;
    asl_cli_report_writer = &writer;
}
