/* The task handler of tests/durable/crash.py: the service a
 * .waitForTaskToken task calls accepts the request at once; the token is
 * answered later from the client, found in the execution's history. */
#include "asl.h"

ASL_HANDLER("Notify", notify)
{
    asl_task_succeed(task, "{}");
}
