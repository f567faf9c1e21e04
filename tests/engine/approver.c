/* The task handler of tests/engine/machine.asl.json: it keeps the token,
 * as a human approver would, and the test answers it from outside. */
#include <stdlib.h>
#include <string.h>

#include "asl.h"

char *approver_token;

ASL_HANDLER("Approver", approver)
{
    free(approver_token);
    approver_token = strdup(asl_task_token(task));
}
