/*
 * warm.h: warm Lambda runners. A python:/node: handler runs in a runner
 * process that stays alive between invocations, as a warm Lambda
 * container does: module state persists, and one runner handles one
 * invocation at a time (concurrent invocations use more runners of the
 * same function). process.c drives the invocations; this file keeps the
 * pool and the wire format.
 *
 * The wire: a request on the runner's stdin is the line
 * "REQUEST_ID DEADLINE_MS TAIL LENGTH\n" and LENGTH bytes of event JSON;
 * the answer on its descriptor 4 is "STATUS LENGTH LOGLENGTH KEEP\n",
 * LENGTH bytes of result (STATUS 0) or error payload (STATUS 1), then
 * LOGLENGTH bytes of what the handler logged (asked for with TAIL 1, for
 * LogType Tail). KEEP 0 says the runner exits after answering.
 */
#ifndef ASL_WARM_H
#define ASL_WARM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "internal.h"

typedef struct asl_runner asl_runner;

/* The runner's descriptors, ours ends: in (requests), out (answers), cb
 * (its callback channel, ASLC_CALLBACK_FD); and its pid. */
struct asl_runner_fds {
    pid_t pid;
    int in, out, cb;
};
const struct asl_runner_fds *asl_runner_fds(const asl_runner *r);

/* Whether COMMAND is served by a warm runner (python:FILE, node:FILE). */
bool asl_warm_command(const char *command);
/* An idle runner of the function (COMMAND as the function fname/arn, from
 * this working directory), or a new one; NULL with errno set if none could
 * be started. The runner is busy until given back. */
asl_runner *asl_warm_acquire(const char *command, const char *fname, const char *arn);
/* The invocation answered: the runner is idle again (or, if it said it
 * exits, discarded). */
void asl_warm_release(asl_runner *r, bool keep);
/* The invocation nobody waits for any more: the runner goes on until it
 * answers (then it is idle again) or until real time `until` (then it is
 * killed). partial is what it already answered. */
void asl_warm_drain(asl_runner *r, const char *partial, size_t len, double until);
/* Whether a busy runner has exited (its wait status in *status); it is then
 * reaped, its process group killed. */
bool asl_warm_exited(asl_runner *r, int *status);
/* Kills the runner's process group (unless it exited) and forgets it. */
void asl_warm_discard(asl_runner *r);
/* Kills every runner (at the end of the engine, or of the process). */
void asl_warm_shutdown(void);

/* The request for one invocation. */
void asl_warm_request(asl_buf *b, const char *request_id, double deadline_ms, bool tail, const char *event);

typedef struct asl_warm_answer {
    int status;               /* 0: result, 1: error payload */
    size_t head, len, loglen; /* header bytes, result bytes, log bytes */
    bool keep;                /* the runner stays alive */
} asl_warm_answer;
/* Parses an answer: 1 complete, 0 incomplete, -1 malformed; 2 when the
 * header announces a result longer than limit (the rest need not come). */
int asl_warm_answer_parse(const char *buf, size_t len, size_t limit, asl_warm_answer *a);

#endif
