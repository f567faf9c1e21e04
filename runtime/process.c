/*
 * process.c: process task handlers (--lambda NAME=COMMAND). Placeholder
 * until process handlers land: a task bound to one fails clearly.
 */
#include "handlers.h"

void asl_process_run(asl_task *t, const char *command, const char *event_json);

void asl_process_run(asl_task *t, const char *command, const char *event_json)
{
    (void)command;
    (void)event_json;
    asl_task_fail(t, "States.Runtime", "process handlers are not supported yet");
}

bool asl_poll_external(int timeout_ms)
{
    (void)timeout_ms;
    return false;
}
