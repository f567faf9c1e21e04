/*
 * sync.c: StartSyncExecution, for EXPRESS machines: starts the execution
 * and answers when it ends (pending.c), with its outcome, input and output
 * in one response. STANDARD machines are refused as AWS refuses them.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* AWS's answer: DescribeExecution's members that StartSyncExecution has,
 * plus billingDetails. */
static void answer(srv_call *c, asl_exec *x)
{
    cJSON *d = executions_describe(x), *out = cJSON_CreateObject();
    static const char *const keep[] = {"executionArn", "stateMachineArn", "name", "startDate", "stopDate",
                                       "status", "error", "cause", "input", "inputDetails", "output",
                                       "outputDetails"};
    for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(d, keep[i]);
        if (v)
            cJSON_AddItemToObject(out, keep[i], v);
    }
    cJSON_Delete(d);
    cJSON *bill = cJSON_AddObjectToObject(out, "billingDetails");
    double ms = (asl_exec_stop_date(x) - asl_exec_start_date(x)) * 1000.0;
    cJSON_AddNumberToObject(bill, "billedMemoryUsedInMB", 64);
    cJSON_AddNumberToObject(bill, "billedDurationInMilliseconds", ms < 100 ? 100 : (double)(long long)(ms + 0.5));
    srv_reply(c, out);
}

static bool ended(srv *s, srv_pending *p, bool cancel)
{
    asl_exec *x = p->ud;
    if (cancel && asl_exec_status(x) == ASL_RUNNING)
        asl_engine_stop(s->engine, x, "States.Runtime", "aslc serve stopped");
    if (asl_exec_status(x) == ASL_RUNNING)
        return false;
    answer(p->call, x);
    return true;
}

void act_start_sync_execution(srv *s, srv_call *c)
{
    const char *arn = srv_str(c, "stateMachineArn");
    char *base = strndup(arn, strcspn(arn, "#"));
    srv_machine *m = machines_find(s, base);
    free(base);
    if (m && strcmp(m->type, "EXPRESS")) {
        srv_reply_error(c, "StateMachineTypeNotSupported", "This operation is not supported by this type of state "
                        "machine");
        return;
    }
    asl_exec *x = executions_start(s, c);
    if (x)
        pending_add(s, c, ended, x);
}
