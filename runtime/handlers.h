/*
 * handlers.h: who serves a Task's resource and the shape of its result;
 * the task events; the task-token registry behind SendTask*; child
 * executions.
 */
#ifndef ASL_HANDLERS_H
#define ASL_HANDLERS_H

#include <stdint.h>

#include "exec.h"

/* Hands the effective input (borrowed) to whatever serves the task.
 * owned is payload when the task owns it and nothing reads it after
 * dispatch (whoever serves the task may take parts of it), else NULL;
 * bound is an upper bound of its size as JSON (asl_json_size_bound's), or
 * 0 when not known. */
void asl_task_dispatch(asl_task *t, const cJSON *payload, cJSON *owned, size_t bound);
/* Wraps a handler's result (taken) as the integration returns it: the
 * payload itself for a Lambda ARN, {ExecutedVersion, Payload, ...} for
 * arn:aws:states:::lambda:invoke (with .waitForTaskToken too: that is the
 * response TaskSubmitted records). bound (NULL: none) holds an upper bound
 * of result's size as JSON (0: unknown) and gets the same for what is
 * returned. */
cJSON *asl_task_wrap_result(asl_task *t, cJSON *result, size_t *bound);
/* The one top-level key of t's result that its state reads (OutputPath
 * "$.Payload", "$.Output.x", no ResultSelector, ResultPath or Assign), ""
 * when nothing reads the result (asl_task_result_unread), or NULL when the
 * whole result may be read: by those fields, by later states, by history
 * details or by inspection. An integration may then build that key alone,
 * or nothing, as long as the payload quota judges it as it would the whole
 * (its other fields are never seen). */
const char *asl_task_result_key(const asl_task *t);
/* Whether OutputPath is that key alone ("$.Output", not "$.Output.x"): the
 * key's value is then the state's output, and an integration that reads
 * it may hand that value over as the result, with t->selected set, rather
 * than an object that OutputPath takes apart. Only with a key from
 * asl_task_result_key, for a task whose result is the service's response
 * (no token). */
bool asl_task_result_whole(const asl_task *t);
/* unread.c: whether no later state reads t's result (the walk follows it
 * through the states that pass it on; see unread.c). History and
 * inspection are the caller's to ask about. */
bool asl_task_result_unread(const asl_task *t);
/* Building AWS responses: keys are literals, kept without a copy
 * (cJSON_StringIsConst), as are the values asl_resp_lit adds
 * (cJSON_IsReference); asl_resp_str copies its value. */
cJSON *asl_resp_obj(cJSON *o, const char *key);
void asl_resp_lit(cJSON *o, const char *key, const char *lit);
void asl_resp_str(cJSON *o, const char *key, const char *s);
void asl_resp_num(cJSON *o, const char *key, double n);
/* A list of one string: a literal (lit) or copied. */
void asl_resp_list(cJSON *o, const char *key, const char *s, bool lit);

/* resource and resourceType as AWS's task events name them. */
void asl_resource_parts(const char *resource, char *type, size_t tn, char *name, size_t nn);
/* Fails t with States.DataLimitExceeded: its result is over the payload
 * quota (checked before ResultSelector and ResultPath, as AWS does). */
void asl_task_fail_data_limit(asl_task *t);
/* The service accepted the task and answered response (borrowed): records
 * TaskSubmitted (.sync and .waitForTaskToken tasks), once. */
void asl_task_submitted(asl_task *t, const cJSON *response);
/* Heartbeat received: restarts the HeartbeatSeconds clock. */
void asl_task_heartbeat(asl_task *t);

/* Runs a process handler (process.c): COMMAND with the event on stdin; its
 * answer completes t. */
void asl_process_run(asl_task *t, const char *command, const char *event_json);
/* Lambda's timeout for processes whose task sets no TimeoutSeconds
 * (default 900 s, Lambda's maximum; 0: none). */
void asl_process_set_timeout(double seconds);

/* A front end's own handler (aslc serve: activities, TestState's mocks),
 * asked first for every task that no mock serves. It returns true when it
 * takes t, which it then holds as a C handler does (one asl_task_succeed
 * or asl_task_fail, now or later); payload is the effective input, lent
 * for the call (printed by the handler only if it takes t and needs the
 * text: it declines most tasks). */
typedef bool (*asl_front_handler)(void *ud, asl_task *t, const cJSON *payload);
void asl_handlers_set_front(asl_front_handler fn, void *ud);
/* A front end's Lambda service (aslc serve --lambda-endpoint): takes every
 * Lambda task that no local handler serves, with the function's name and
 * the event, and holds t as a C handler does. */
typedef void (*asl_lambda_handler)(void *ud, asl_task *t, const char *function, const char *event_json);
void asl_handlers_set_lambda(asl_lambda_handler fn, void *ud);

/* Handlers added at run time (--lambda NAME=COMMAND). */
void asl_handlers_add_process(const char *name, const char *command);
void asl_handlers_free(void);

/* The token registry: gives t a new token (t->token) that SendTask* find
 * it by; forgets it once t is over (SendTask* then answer TaskTimedOut). */
void asl_token_issue(asl_task *t);
void asl_token_forget(asl_task *t);
void asl_token_reset(void);
/* A restored task's token (t->token, issued by an earlier process under
 * the same key) answers again; false if the key did not sign it. */
bool asl_token_adopt(asl_task *t);
/* Whether this engine's key signed the token. */
bool asl_token_signed(const char *token);
/* The key tokens are signed with and the next sequence number, which a
 * restart restores before the tokens it adopts. */
void asl_token_state(unsigned char key[16], uint64_t *next_seq);
void asl_token_set_state(const unsigned char key[16], uint64_t next_seq);

/* A front end's own name for a task it serves (aslc serve: the activity
 * task token), kept in snapshots so that a restart gives it back. */
void asl_task_set_ref(asl_task *t, const char *ref);
const char *asl_task_ref(const asl_task *t);

/* Starts a child execution for a states:startExecution task (payload and
 * owned as asl_task_dispatch has them: the child's Input is taken from an
 * owned payload, not copied). */
void asl_child_start_task(asl_task *t, const cJSON *payload, cJSON *owned, size_t bound);

#endif
