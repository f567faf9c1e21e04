/*
 * asl_engine.h: embedding the aslc engine in a program of your own.
 *
 * The engine runs executions of compiled state machines (units that aslc
 * produced: AOT-linked, or JIT-compiled in memory) on one scheduler without
 * threads. A front end (aslc's CLI, --bench, `aslc serve`, the store, the
 * report, or your own program) creates the engine, loads units into it,
 * starts and stops executions, answers task tokens, and drives the
 * scheduler: to completion, or one turn at a time from its own event loop.
 * Everything that happens goes out as events through observers.
 *
 * The contract:
 * - One engine per process, used from one thread at a time (the runtime
 *   keeps process-wide state: the clock, the run queue, the token table).
 *   asl_engine_new returns NULL while another engine exists. A front end
 *   with threads (an HTTP server) serialises its calls into the engine.
 * - Ownership: strings passed in are copied or only read during the call.
 *   Functions returning `char *` return text the caller frees with free().
 *   `const char *` results are borrowed and stay valid until the object
 *   they came from is freed (an execution until asl_engine_forget or
 *   asl_engine_free). A loaded unit must stay valid until the engine calls
 *   its release function (see asl_engine_load).
 * - Errors: calls that can fail for a reason a client caused return false
 *   or NULL and fill an asl_err with AWS's error name (ExecutionAlreadyExists,
 *   StateMachineDoesNotExist, InvalidExecutionInput, ...) and a message;
 *   release it with asl_err_clear. Internal bugs abort.
 * - Events: every history event of every execution is delivered to every
 *   observer synchronously, in order, while the engine runs; an observer
 *   must not call back into the engine except the read-only accessors.
 */
#ifndef ASL_ENGINE_H
#define ASL_ENGINE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "asl_gen.h"

/* An error as AWS names it (error) with its message or cause (cause); both
 * malloc'd, NULL when unset. */
typedef struct asl_err {
    char *error;
    char *cause;
} asl_err;
void asl_err_clear(asl_err *e);

typedef struct asl_engine asl_engine;
typedef struct asl_exec asl_exec;

typedef struct asl_engine_config {
    const char *region;     /* ARNs' region (NULL: us-east-1) */
    const char *account;    /* ARNs' account (NULL: 123456789012) */
    bool virtual_time;      /* the clock jumps to the next timer */
    bool record_history;    /* keep every execution's events (asl_exec_history_json) */
    double wait_scale;      /* Wait durations are multiplied by this (0: Waits end at once;
                               Step Functions Local's WAIT_TIME_SCALE); negative: 1 */
} asl_engine_config;

/* A new engine (NULL if one exists already). c may be NULL: defaults. */
asl_engine *asl_engine_new(const asl_engine_config *c);
/* Ends every execution without events, unloads every unit, frees all. */
void asl_engine_free(asl_engine *e);

/* ------------------------------------------------------------- units */

/* Loads a compiled unit: each of its machines becomes addressable by its
 * ARN (asl_machine.arn, else built from its name, region and account). A
 * machine whose ARN is already loaded replaces the old one for new
 * executions; running ones finish on the old code. release (may be NULL)
 * is called with ud once the unit is unloaded and no execution uses it any
 * more. Returns the unit's id (> 0). */
int asl_engine_load(asl_engine *e, const asl_program *p, void (*release)(void *ud), void *ud);
/* Unloads a unit: its machines can no longer be started. */
void asl_engine_unload(asl_engine *e, int unit);
/* The machine an ARN (or a bare name) names, or NULL. */
const asl_machine *asl_engine_machine(asl_engine *e, const char *arn_or_name);
/* The ARN a loaded machine answers to (borrowed). */
const char *asl_engine_machine_arn(asl_engine *e, const asl_machine *m);

/* -------------------------------------------------------- executions */

typedef enum asl_status {
    ASL_RUNNING, ASL_SUCCEEDED, ASL_FAILED, ASL_TIMED_OUT, ASL_ABORTED,
} asl_status;

/* Starts an execution of the machine that machine_arn names, with
 * input_json (NULL: {}) and name (NULL: a UUID). NULL with err set:
 * StateMachineDoesNotExist, InvalidExecutionInput, InvalidName,
 * ExecutionAlreadyExists. The execution runs when the scheduler runs. */
asl_exec *asl_engine_start(asl_engine *e, const char *machine_arn, const char *name, const char *input_json,
                           asl_err *err);
/* Ends a running execution as ABORTED with error and cause (either may be
 * NULL), as StopExecution does: its tasks, tokens and .sync children end.
 * False if it was not running. */
bool asl_engine_stop(asl_engine *e, asl_exec *x, const char *error, const char *cause);
/* The execution an ARN names (NULL if none). */
asl_exec *asl_engine_find(asl_engine *e, const char *execution_arn);
/* Every execution the engine knows, oldest first: first, then next. */
asl_exec *asl_engine_executions(asl_engine *e);
asl_exec *asl_exec_next(const asl_exec *x);
/* Frees an ended execution (its ARN is then unknown to the engine). */
void asl_engine_forget(asl_engine *e, asl_exec *x);

/* Borrowed views of an execution. */
const char *asl_exec_arn(const asl_exec *x);
const char *asl_exec_name(const asl_exec *x);
const char *asl_exec_machine_arn(const asl_exec *x);
const char *asl_exec_parent_arn(const asl_exec *x);  /* NULL unless a task started it */
asl_status asl_exec_status(const asl_exec *x);
const char *asl_status_name(asl_status s);           /* "RUNNING", "SUCCEEDED", ... */
double asl_exec_start_date(const asl_exec *x);       /* epoch seconds */
double asl_exec_stop_date(const asl_exec *x);        /* 0 while running */
const char *asl_exec_error(const asl_exec *x);       /* NULL unless failed/aborted/timed out */
const char *asl_exec_cause(const asl_exec *x);
unsigned long asl_exec_transitions(const asl_exec *x);
int asl_exec_unit(const asl_exec *x);                /* the id of the unit it runs on */
/* Caller's mark on an execution (NULL until set). */
void *asl_exec_user(const asl_exec *x);
void asl_exec_set_user(asl_exec *x, void *user);

/* New JSON text (free it): the input, the output (NULL unless SUCCEEDED),
 * AWS's DescribeExecution response, and {"events":[...]} (needs
 * record_history). */
char *asl_exec_input_json(const asl_exec *x);
char *asl_exec_output_json(const asl_exec *x);
char *asl_exec_describe_json(const asl_exec *x);
char *asl_exec_history_json(const asl_exec *x);

/* ---------------------------------------------------------- map runs */

/* A Distributed Map's Map Run (DescribeMapRun, ListMapRuns, UpdateMapRun).
 * Kept, like executions, until the engine is freed. */
typedef struct asl_map_run asl_map_run;
/* The Map Run an ARN names, or NULL. */
asl_map_run *asl_engine_map_run(asl_engine *e, const char *map_run_arn);
/* Every Map Run, newest first: first, then next. */
asl_map_run *asl_engine_map_runs(asl_engine *e);
asl_map_run *asl_map_run_next(const asl_map_run *r);
/* Borrowed views: its ARN, the execution that started it and that
 * execution's state machine; dates in epoch seconds (stop 0 while running). */
const char *asl_map_run_arn(const asl_map_run *r);
const char *asl_map_run_execution_arn(const asl_map_run *r);
const char *asl_map_run_machine_arn(const asl_map_run *r);
double asl_map_run_start_date(const asl_map_run *r);
double asl_map_run_stop_date(const asl_map_run *r);
/* AWS's DescribeMapRun response as JSON text (free it). */
char *asl_map_run_describe_json(const asl_map_run *r);
/* UpdateMapRun of a running Map Run (negative values: unchanged); false
 * with err set (ValidationException) when nothing is given or the run is
 * over. More children start at once if the concurrency grows; a tolerance
 * the failures already exceed fails the run. */
bool asl_map_run_update(asl_engine *e, asl_map_run *r, int max_concurrency, long tolerated_count,
                        double tolerated_percent, asl_err *err);
/* The Map Run that started an execution (NULL if none), and the number of
 * items it was given (its batch's, or 1). */
const char *asl_exec_map_run_arn(const asl_exec *x);
long asl_exec_item_count(const asl_exec *x);

/* Task tokens: asl_send_task_success/failure/heartbeat (asl.h) answer any
 * token the engine issued, from anywhere between scheduler turns. */

/* --------------------------------------------------------- scheduling */

/* Runs until nothing can move on: every execution ended, or each one
 * waits for something only the outside can send (a task token). */
void asl_engine_run(asl_engine *e);

/* What the outer loop waits for before the next turn. */
typedef struct asl_engine_wait {
    struct pollfd fds[192]; /* process handlers' pipes, with the events to poll for */
    int nfds;
    double deadline;        /* epoch seconds of the next timer (or of the next look at a
                               process handler); 0: call again now; -1: nothing timed
                               (wait for fds or outside events) */
} asl_engine_wait;

/* One turn: runs every ready state, fires due timers and collects what
 * process handlers answered, without blocking. Fills w (may be NULL) and
 * returns the number of executions still running. With the virtual clock,
 * a turn moves the clock to the next timer when nothing else is ready. */
int asl_engine_step(asl_engine *e, asl_engine_wait *w);
/* Blocks until w's deadline passes or a process handler answers (for an
 * outer loop that has nothing else to wait for). */
void asl_engine_block(asl_engine *e, const asl_engine_wait *w);

/* ------------------------------------------------------------ events */

/* One history event as AWS's GetExecutionHistory names it. */
typedef struct asl_event {
    asl_exec *exec;
    int id;
    int previous_id;
    const char *type;           /* "ExecutionStarted", "TaskStateEntered", ... */
    double timestamp;           /* epoch seconds */
    const void *details;        /* internal (a cJSON object or NULL); use asl_event_details_json */
} asl_event;

/* The event's details object as JSON text (free it), NULL if it has none
 * (or no observer asked for details). */
char *asl_event_details_json(const asl_event *ev);
/* The key AWS gives the details ("taskScheduledEventDetails", ...). */
const char *asl_event_details_key(const asl_event *ev, char *buf, size_t n);

typedef void (*asl_observer_fn)(void *ud, const asl_event *ev);

#define ASL_OBSERVE_DETAILS    1u   /* events carry their details (costs a little) */
#define ASL_OBSERVE_INSPECTION 2u   /* also "StateInspection" events: the value after each processing
                                       step of a state, as TestState's inspectionData */
#define ASL_OBSERVE_EXECUTIONS 4u   /* only the events of executions starting and ending
                                       (ExecutionStarted, ExecutionSucceeded, ...) */
#define ASL_OBSERVE_ENDS       8u   /* only the events that end executions (ExecutionSucceeded,
                                       ExecutionFailed, ExecutionTimedOut, ExecutionAborted):
                                       what an embedder that reaps ended executions needs */

/* The event as GetExecutionHistory shows it ({"timestamp", "type", "id",
 * "previousEventId", and its details when the observer asked for them}),
 * as JSON text (free it). */
char *asl_event_json(const asl_event *ev);

/* Adds an observer (there may be any number); returns its id (> 0) for
 * asl_engine_unobserve. */
int asl_engine_observe(asl_engine *e, asl_observer_fn fn, void *ud, unsigned flags);
void asl_engine_unobserve(asl_engine *e, int id);

/* -------------------------------------------------------- durability */

/* What a front end saves to keep executions across a restart (aslc serve
 * --data; docs/durability.md). Take snapshots between scheduler turns
 * (after asl_engine_step returns), when every frame of an execution is
 * suspended (on a timer, a task, its branches) or done.
 *
 * The execution as JSON text (free it): its summary, its frames with their
 * data and variables, what each one waits for and when its timers are due,
 * its tasks with their tokens. Not its history: events go out through the
 * observers (asl_event_json) and come back to asl_engine_restore. */
char *asl_exec_snapshot(const asl_exec *x);

/* Rebuilds an execution from a snapshot and its history events (a JSON
 * array of asl_event_json objects, or NULL), on machine `unit` (a loaded
 * unit's id; 0: the newest unit with the execution's machine ARN). Its
 * timers are set at their original due times (overdue ones fire at the
 * next turn); its tokens answer again (restore the engine state first); a
 * .sync child is linked to its parent's task (restore parents before
 * their children, all before the next turn); a task whose handler had not
 * answered is dispatched again (at least once). NULL with err set:
 * StateMachineDoesNotExist, ExecutionAlreadyExists, InvalidSnapshot (not
 * a snapshot, or the machine's states differ from the snapshot's). */
asl_exec *asl_engine_restore(asl_engine *e, int unit, const char *snapshot_json, const char *events_json,
                             asl_err *err);

/* The engine-wide state that restored tokens need (the key they are signed
 * with, the next sequence number) as JSON text (free it); it changes when
 * a token is issued. Give it back to a new engine before any execution. */
char *asl_engine_save_state(asl_engine *e);
bool asl_engine_load_state(asl_engine *e, const char *state_json, asl_err *err);

#endif
