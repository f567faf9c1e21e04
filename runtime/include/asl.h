/*
 * asl.h: the task handler API, the one header a C task handler includes.
 *
 * A handler is a C function bound to a Task's resource (or a Lambda
 * function's name or ARN) with ASL_HANDLER (it gets the task's payload as
 * JSON text) or ASL_HANDLER_JSON (as a cJSON value, nothing printed or
 * parsed) and finishes the task now or later. Any code may answer a task
 * token with the SendTask* calls. The layout of compiled machines that
 * generated code fills in is in asl_gen.h; embedding the engine is
 * asl_engine.h.
 *
 * This header includes only <stddef.h>: libtcc compiles handler files and
 * generated code against it in a few milliseconds. cJSON values are named
 * by their struct (struct cJSON is cJSON.h's cJSON); a handler that uses
 * them includes <cjson/cJSON.h> itself.
 */
#ifndef ASL_H
#define ASL_H

#include <stddef.h>

/* A task handler compiled in with --tasks: a C function bound to a resource. */
typedef struct asl_task asl_task;
struct cJSON;
typedef void (*asl_handler_fn)(asl_task *t, const char *payload_json);
typedef void (*asl_handler_json_fn)(asl_task *t, const struct cJSON *event);

/* Declares a task handler in a --tasks file:
 *     ASL_HANDLER("arn:aws:lambda:us-east-1:123456789012:function:Hello", hello) { ... }
 * aslc finds these lines and binds each resource (or Lambda function name)
 * to its function. */
#define ASL_HANDLER(resource, fn)                         \
    void fn(asl_task *task, const char *payload);         \
    void fn(asl_task *task, const char *payload)

/* The same, the payload given as a value:
 *     ASL_HANDLER_JSON("arn:aws:lambda:us-east-1:123456789012:function:Hello", hello) { ... }
 * event is the task's payload (for a Lambda function, the event it is
 * invoked with), read-only and valid only until the handler returns: it may
 * be part of the execution's input, read in place. Read it, copy what must
 * outlive the call (cJSON_Duplicate); never change, free or keep it. */
#define ASL_HANDLER_JSON(resource, fn)                         \
    void fn(asl_task *task, const struct cJSON *event);        \
    void fn(asl_task *task, const struct cJSON *event)

/* ------------------------------------------------------- handler API */

/* A task handler receives the task's payload as JSON text and must, now or
 * later, call exactly one of asl_task_succeed / asl_task_fail. A handler
 * that wants to finish later keeps the asl_task pointer (valid until one of
 * those calls). */
void asl_task_succeed(asl_task *t, const char *output_json);
void asl_task_fail(asl_task *t, const char *error, const char *cause);
/* asl_task_succeed with the output as a value, which the runtime takes
 * (frees, whatever happens; NULL is JSON null). It must be a tree of its
 * own: parts of the event go in as copies (cJSON_Duplicate), not as
 * references. Checked as text is (UTF-8 strings, finite numbers, depth):
 * a value that is not JSON fails the task with States.Runtime; one over
 * 256 KiB as JSON, with States.DataLimitExceeded. */
void asl_task_succeed_json(asl_task *t, struct cJSON *output);
/* The task token of a .waitForTaskToken task, or NULL. */
const char *asl_task_token(const asl_task *t);
/* The resource the task names. */
const char *asl_task_resource(const asl_task *t);

/* Step Functions' SendTask* APIs, usable by any handler of any execution.
 * They return NULL on success, else the AWS error name (TaskDoesNotExist,
 * InvalidToken, InvalidOutput, TaskTimedOut). */
const char *asl_send_task_success(const char *token, const char *output_json);
/* SendTaskSuccess with the output as a value, taken as asl_task_succeed_json
 * takes it (freed on every outcome, success or error); the same errors:
 * ValidationException over 256 KiB as JSON, InvalidOutput for a value that
 * is not JSON, then the token's. */
const char *asl_send_task_success_json(const char *token, struct cJSON *output);
const char *asl_send_task_failure(const char *token, const char *error, const char *cause);
const char *asl_send_task_heartbeat(const char *token);

#endif
