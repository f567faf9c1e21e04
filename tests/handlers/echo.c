/* Echo returns its payload unchanged (shared by the cases whose args name it). */
#include "asl.h"

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Echo", echo)
{
    asl_task_succeed(task, payload);
}
