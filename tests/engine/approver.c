/* The task handler of tests/engine/machine.asl.json: it keeps the token,
 * as a human approver would, and the test answers it from outside. The
 * handler itself returns (it no longer holds the task), so the engine may
 * free the task once the token has answered it. */
#include <stdlib.h>
#include <string.h>

#include "asl.h"

char *approver_token;

ASL_HANDLER("Approver", approver)
{
    free(approver_token);
    approver_token = strdup(asl_task_token(task));
    asl_task_succeed(task, "null"); /* the Lambda returned; the token completes the task */
}
