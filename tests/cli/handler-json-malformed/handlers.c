/* An ASL_HANDLER_JSON line without its function name. */
#include "asl.h"

ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Hello")
{
}
