/* Task handlers for this case: Echo returns its payload unchanged. */
#include "asl.h"

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Echo", echo)
{
    asl_task_succeed(task, payload);
}
