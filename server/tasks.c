/*
 * tasks.c: SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat from any
 * client, for any token the engine issued (waitForTaskToken tasks, and
 * the tasks of activity workers). The runtime says why a token is refused;
 * the messages are AWS's.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* Answers the call for what the runtime returned (NULL or "": accepted). */
static void answer(srv_call *c, const char *err)
{
    if (!err || !*err) {
        srv_reply(c, cJSON_CreateObject());
    } else if (!strcmp(err, "InvalidToken")) {
        srv_reply_error(c, err, "Invalid Token: '%s'", srv_str(c, "taskToken"));
    } else if (!strcmp(err, "InvalidOutput")) {
        srv_reply_error(c, err, "Invalid Output: 'the output is not valid JSON'");
    } else if (!strcmp(err, "ValidationException")) {
        srv_reply_error(c, err, "1 validation error detected: Value at 'output' failed to satisfy constraint: "
                        "Member must have length less than or equal to 262144");
    } else if (!strcmp(err, "TaskTimedOut")) {
        srv_reply_error(c, err, "Task Timed Out: 'Provided task does not exist anymore'");
    } else {
        srv_reply_error(c, err, "Task Does Not Exist: '%s'", srv_str(c, "taskToken"));
    }
}

void act_send_task_success(srv *s, srv_call *c)
{
    const char *token = srv_str(c, "taskToken"), *output = srv_str(c, "output");
    const char *err = activities_answer(s, token, "success", output, NULL, NULL);
    answer(c, err ? err : asl_send_task_success(token, output));
}

void act_send_task_failure(srv *s, srv_call *c)
{
    const char *token = srv_str(c, "taskToken"), *error = srv_str(c, "error"), *cause = srv_str(c, "cause");
    const char *err = activities_answer(s, token, "failure", NULL, error, cause);
    answer(c, err ? err : asl_send_task_failure(token, error, cause));
}

void act_send_task_heartbeat(srv *s, srv_call *c)
{
    const char *token = srv_str(c, "taskToken");
    const char *err = activities_answer(s, token, "heartbeat", NULL, NULL, NULL);
    answer(c, err ? err : asl_send_task_heartbeat(token));
}
