/*
 * quotas.h: the AWS Step Functions quotas an execution runs into, enforced
 * as AWS enforces them: 25,000 history events per execution and 256 KiB
 * (262,144 bytes of compact UTF-8 JSON) per input, state output and task
 * result; five minutes per EXPRESS execution. A local user may raise either (--max-history-events,
 * --max-payload-bytes; 0 means no limit).
 */
#ifndef ASL_QUOTAS_H
#define ASL_QUOTAS_H

#include "exec.h"

/* An EXPRESS execution's longest run (five minutes); it then times out. */
#define ASL_EXPRESS_SECONDS 300

typedef struct asl_limits {
    long history_events;        /* events in one execution's history */
    size_t payload_bytes;       /* bytes of one payload as compact JSON */
} asl_limits;

extern asl_limits asl_limit;

/* Bytes of v as compact JSON (asl_json_write's text), counting stopped
 * once past `stop` (so the cost is bounded by the limit, not the value). */
size_t asl_json_size(const cJSON *v, size_t stop);
/* What an execution keeps of its input's size: a bound, exact only when
 * the bound passes the limit (so that a size over the limit is real). */
size_t asl_payload_size(const cJSON *v);
/* Whether v is over the payload limit. */
bool asl_payload_over(const cJSON *v);
/* An upper bound of asl_json_size(v) that formats no number (stopped once
 * past `stop`). */
size_t asl_json_size_bound(const cJSON *v, size_t stop);
/* Whether a state's output is over the limit. Every transition asks, so it
 * walks the output only when the bound the state kept (f->out_bound: the
 * input's size plus its result's, see io.c) does not settle it; the size
 * it finds is the next state's f->data_bound. */
bool asl_output_over(asl_frame *f, const cJSON *output);
/* The same, the common case (a bound that settles it) in line. */
static inline bool asl_output_over_fast(asl_frame *f, const cJSON *output)
{
    size_t limit = asl_limit.payload_bytes, bound = f->out_bound;
    if (bound && bound <= limit) {
        f->out_bound = 0;
        f->data_bound = bound;
        return false;
    }
    return asl_output_over(f, output);
}
/* Whether JSON text of len bytes is over the payload limit. */
bool asl_payload_text_over(size_t len);
/* Fails the frame's current state with States.DataLimitExceeded, AWS's
 * cause naming `what` (the state, or the task's resource); frees output. */
asl_step asl_fail_data_limit(asl_frame *f, const char *what, cJSON *output);
/* AWS's ValidationException cause for an API field over its length limit. */
void asl_limit_validation_cause(asl_buf *b, const char *field, size_t limit);
/* Called before x records an event of the given type: true if the event
 * would leave no room for the execution's final event, in which case the
 * event is not recorded and x is marked to fail (asl_exec_over_limit). */
bool asl_history_over(asl_exec *x, const char *type);
/* AWS's cause for an execution that reached the event limit. */
void asl_history_limit_cause(asl_buf *b);
/* Sets a limit from a run option's value; 0 or an exit status (64). */
int asl_limit_option(const char *prog, const char *option, const char *value);

#endif
