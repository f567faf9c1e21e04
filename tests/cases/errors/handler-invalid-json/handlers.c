/* Garbage returns text that is not JSON. */
#include "asl.h"

ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Garbage", garbage)
{
    (void)payload;
    asl_task_succeed(task, "{not json");
}
