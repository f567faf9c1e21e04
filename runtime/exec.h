/*
 * exec.h: executions, frames and the scheduler (private to the runtime).
 *
 * One scheduler runs every execution of the process without threads. An
 * execution's top level, each Parallel branch and each Map iteration is a
 * frame: a graph, a current state and that state's input. A state function
 * either moves the frame on, ends it, fails it, or suspends it until a timer,
 * a task completion or its sub-frames wake it through frame->resume.
 */
#ifndef ASL_EXEC_H
#define ASL_EXEC_H

#include <poll.h>
#include <stdarg.h>
#include <stdint.h>

#include "internal.h"

typedef struct asl_history asl_history;
typedef struct asl_unit asl_unit;

struct asl_exec {
    /* (no padding: a run may hold a million executions) */
    const asl_machine *machine;
    asl_unit *unit;             /* the loaded unit the machine belongs to */
    char *name;
    char *arn;
    const char *machine_arn;    /* borrowed from the unit */
    cJSON *input;
    double start, stop;
    cJSON *output;
    asl_err err;
    asl_frame *root;
    asl_history *history;       /* NULL unless someone will read it */
    struct asl_exec_kin *kin;   /* a child's or mocked execution's links, else NULL */
    unsigned long transitions;
    const char *failed_state;   /* the state whose failure nothing handled (for messages) */
    struct asl_timer *timeout;
    void *user;                 /* whoever started it may mark it */
    asl_exec *next, *prev;      /* in the list of all executions */
    asl_status status;
    int events;                 /* events so far (counted even when not recorded) */
    uint32_t hash_arn, hash_name; /* its keys' hashes in exec.c's tables (the low half) */
    bool input_borrowed;        /* input is the starter's, read only (asl_engine_start_shared) */
    bool over_limit;            /* an event found the history full: the execution fails */
    bool name_in_arn;           /* name points into arn (not freed on its own) */
    bool parent_in_arn;         /* kin->parent_arn lies in arn's allocation, after it */
    bool indexed;               /* in exec.c's tables (they are filled when first searched) */
    unsigned char arn_class;    /* arn comes from exec.c's string slab of that class; 0: malloc */
};

/* What only some executions carry: a child execution's links to what
 * started it, a mocked one's test case. Most executions (a million
 * waiting at once among them) have none (asl_exec_kin makes it). */
typedef struct asl_exec_kin {
    asl_task *waiter;           /* the parent's .sync task waiting for us */
    struct asl_dmap *dmap;      /* the Map Run this child execution belongs to (dmap.c) */
    char *parent_arn;           /* execution that started this one */
    char *map_run_arn;          /* the Map Run that started it, or NULL */
    char *mock_case;            /* its own mock test case (aslc serve's ARN#TestCase) */
    long map_items;             /* the items it was given (a Map Run's child) */
    int dmap_slot;              /* its index in its Map Run (dmap) */
    size_t output_bound;        /* its output's size as JSON is at most this (0: unknown) */
} asl_exec_kin;

/* x's links, made on first use. */
asl_exec_kin *asl_exec_kin_of(asl_exec *x);
/* Readers: NULL (0) when x has none. */
#define ASL_KIN(x, field) ((x)->kin ? (x)->kin->field : 0)

/* Why a frame is suspended. */
typedef enum asl_wait_kind {
    ASL_WAIT_NONE, ASL_WAIT_TIMER, ASL_WAIT_TASK, ASL_WAIT_FRAMES,
} asl_wait_kind;

/* What only a Parallel or Map state's frame uses, while its branches or
 * iterations (or its Map Run) are under way: a frame of any other state
 * does without (asl_frame_fan makes it, frame_free frees it). */
enum { ASL_FAN_INLINE = 4 };
typedef struct asl_fan {
    asl_frame **kids;
    cJSON *items;               /* Map: the items (array) */
    cJSON *results;             /* array being filled */
    cJSON **slots;              /* results' placeholders, so a result takes its place in O(1) */
    const cJSON *next_item;     /* Map: the item the next iteration starts with (in items) */
    size_t results_bound;       /* results' size as JSON is at most this (0: unknown) */
    double tolerated_percent;
    struct asl_dmap *dmap;      /* a Distributed Map's run in progress (dmap.c) */
    int nkids, running, started;
    int failed;                 /* Map: iterations that failed */
    int max_concurrency, tolerated_count;
    /* An inline Map only reads its input while its iterations run: the
     * frame's effective and items may point into data (or items into
     * effective) instead of being copies; these say so, and
     * asl_frame_drop_map_input frees them. */
    bool effective_borrowed, items_borrowed;
    bool kid_failed;            /* a branch or iteration failed (its error may be NULL: a bare Fail) */
    /* kids and slots for up to ASL_FAN_INLINE - 1 branches or items, in
     * the record (asl_fan_kids, asl_fan_slots): no calloc and free each */
    asl_frame *kids_in[ASL_FAN_INLINE];
    cJSON *slots_in[ASL_FAN_INLINE];
} asl_fan;

/* The most retriers a state's Retry counts attempts for. */
#define ASL_RETRIERS_MAX 16

struct asl_frame {
    /* (fields ordered by size, so that no padding is wasted: a run may
     * hold a million frames; what only some states use is kept aside) */
    asl_exec *exec;
    const asl_graph *graph;
    cJSON *data;                /* the current state's raw input */
    asl_frame *parent;          /* Parallel/Map frame that owns us */
    cJSON *vars;                /* this scope's variables (object) or NULL */
    asl_err err;                /* the failure being handled */
    const char *fail_event;     /* MapStateFailed/ParallelStateFailed: recorded unless a retry takes err */
    cJSON *context;             /* $$ for the current state, built lazily */
    double entered;             /* when the current state was entered */
    int *attempts;              /* per retrier of the current state (ASL_RETRIERS_MAX), NULL until one retries */

    /* suspension */
    asl_step (*resume)(asl_frame *f);
    cJSON *result;              /* what woke us (task result) */
    asl_task *task;             /* the task we wait for */
    struct asl_timer *timer;    /* state timer (Wait, retry, timeout) */
    struct asl_timer *heartbeat;

    asl_fan *fan;               /* Parallel and Map, else NULL */
    cJSON *effective;           /* Parallel/Map/Task effective input */
    cJSON *inspect;             /* inspectionData so far (inspect.c), or NULL */
    size_t data_bound;          /* data's size as JSON is at most this (0: unknown) */
    size_t out_bound;           /* the same for the output being made (0: unknown); while a
                                   completed task's result waits in result, that result's */
    asl_frame *next_ready;

    int state;
    int slot;                   /* our index in the parent's results */
    int entered_id;             /* id of its StateEntered event */
    int src;                    /* previousEventId of this frame's next event (AWS's causal chain) */
    int retry_count;            /* $$.State.RetryCount */
    unsigned char wait;         /* an asl_wait_kind (a byte: the frame is 8 bytes smaller) */
    bool fail_state;            /* err comes from a Fail state: no Retry/Catch */
    bool queued;                /* on the run queue */
};

/* f's Parallel/Map record, made on first use. */
asl_fan *asl_frame_fan(asl_frame *f);
/* Frees f's Parallel/Map record with its kids and slots arrays (what else
 * it holds is the caller's). */
void asl_frame_fan_end(asl_frame *f);
/* Zeroed arrays of n + 1 kids or slots for p (in p itself when small). */
asl_frame **asl_fan_kids(asl_fan *p, int n);
cJSON **asl_fan_slots(asl_fan *p, int n);

/* A task in flight: what a handler or a token completes. */
struct asl_task {
    asl_frame *frame;           /* NULL once the frame is gone */
    const asl_state *state;
    char *token;                /* .waitForTaskToken */
    char *resource;
    struct asl_task_aux *aux;   /* what only some tasks carry, else NULL */
    char *answer;               /* SendTaskSuccess's output as text (checked), parsed when the
                                   frame takes it: a million answered tokens hold 32 bytes each,
                                   not a parsed value of 200 */
    asl_task *next, *prev;      /* in the list of all tasks */
    bool done;                  /* its outcome is decided (or its frame is gone) */
    bool held;                  /* the server (handler, process) may still use it */
    bool submitted;             /* TaskSubmitted recorded */
    bool timed_out;             /* ended by TimeoutSeconds or HeartbeatSeconds */
    bool closed;                /* on task.c's list of candidates to free */
    bool borrowed;              /* resource is the state's own (not freed) */
    bool lambda;                /* resource is a Lambda function ARN (events of its own) */
    bool selected;              /* its result is what OutputPath "$.KEY" selects of the service's
                                   response, that key's value alone (asl_task_result_whole) */
};

/* What only some tasks carry (a million tasks waiting on their tokens
 * carry none of it; asl_task_aux_of makes it). */
typedef struct asl_task_aux {
    asl_exec *child;            /* .sync: the child execution it waits for */
    double heartbeat_seconds;
    cJSON *payload;             /* the effective input, kept while a handler holds the task
                                   unanswered: a restored task is dispatched again with it */
    char *ref;                  /* the front end's own name for it (an activity task token) */
    char *log_result;           /* lambda:invoke with LogType Tail: the log's last 4 KB, Base64 */
} asl_task_aux;

/* t's side record, made on first use. */
asl_task_aux *asl_task_aux_of(asl_task *t);
/* Readers: NULL (0) when t has none. */
#define ASL_AUX(t, field) ((t)->aux ? (t)->aux->field : 0)

/* The output a frame woken by its task takes (taken): f->result, or the
 * task's answer parsed (token.c). */
cJSON *asl_task_take_result(asl_frame *f);

/* ---------------------------------------------------------- scheduler */

/* The clock: real, or virtual (it jumps to the next timer; sched.c). */
typedef struct asl_clock_state {
    bool virt;
    double vnow;                /* the virtual clock's time */
} asl_clock_state;
extern asl_clock_state asl_clock;
double asl_real_now(void);
/* Current time in seconds since the epoch (real or virtual): read in line,
 * since every state entered and every event asks. */
static inline double asl_now(void)
{
    return asl_clock.virt ? asl_clock.vnow : asl_real_now();
}
bool asl_virtual_time(void);
void asl_set_virtual_time(bool on, double start);

typedef struct asl_timer asl_timer;
/* Calls fn(frame) at time `at` unless cancelled first. */
asl_timer *asl_timer_add(double at, asl_frame *f, void (*fn)(asl_frame *f));
void asl_timer_cancel(asl_timer **t);
/* When a timer is due and what it calls (snapshot.c saves both). */
double asl_timer_at(const asl_timer *t);
void (*asl_timer_fn(const asl_timer *t))(asl_frame *f);

/* The continuations a suspended frame may hold (frame->resume) and the
 * timer callbacks: snapshot.c saves them by name. Each is defined next to
 * the state it belongs to. */
extern asl_step (*const asl_branches_done)(asl_frame *f);  /* branches.c */
extern asl_step (*const asl_wait_done)(asl_frame *f);      /* states.c */
extern asl_step (*const asl_task_resume)(asl_frame *f);    /* task.c */
extern void (*const asl_wait_fire)(asl_frame *f);          /* states.c */
extern void (*const asl_retry_fire)(asl_frame *f);         /* exec.c */
extern void (*const asl_exec_timeout)(asl_frame *f);       /* exec.c */
extern void (*const asl_task_timeout)(asl_frame *f);       /* task.c */
extern void (*const asl_heartbeat_timeout)(asl_frame *f);  /* task.c */

/* Puts a suspended frame back on the run queue; it continues with resume
 * (or reruns its current state if resume is NULL). */
void asl_wake(asl_frame *f, asl_step (*resume)(asl_frame *f));
/* asl_wake for a timer's callback (called only by the timer firing): the
 * frame runs at once when no other frame is ready. */
void asl_wake_timed(asl_frame *f, asl_step (*resume)(asl_frame *f));
/* Runs until no frame is ready and no timer or task is pending. */
void asl_sched_run(void);
/* Turns without blocking (a process handler under the virtual clock
 * excepted, see process.c): runs ready frames, then fires a due timer (the
 * virtual clock jumps to the next one) and turns again, until nothing is
 * ready or due, or a process handler's answer came (collected before any
 * timer fires). True if it did anything. */
bool asl_sched_turn(void);
/* The next timer's time, 0 if a frame is ready, -1 if nothing is pending. */
double asl_sched_deadline(void);
/* Blocks until deadline (epoch seconds, -1: none) or until a process
 * handler answers. */
void asl_sched_block(double deadline);
/* Frees the timer heap once nothing runs (engine teardown). */
void asl_sched_reset(void);
/* The pipes of running process handlers to poll (at most max), and in
 * *retry (epoch seconds, unchanged if none) when to look again at one
 * that closed its stdout but has not exited. */
int asl_process_fds(struct pollfd *fds, int max, double *retry);
/* Number of executions still running. */
int asl_running_executions(void);
/* Counts tasks served outside the scheduler (processes); while any is
 * pending the scheduler waits for them through asl_poll_external. */
void asl_sched_note_pending(int delta);
/* Waits up to timeout_ms (-1: no limit) for an external task to finish and
 * delivers it; returns true if one did. */
bool asl_poll_external(int timeout_ms);
void asl_sched_forget(asl_frame *f);
/* Calls fn for each frame on the run queue (a front end saving what an
 * outside answer woke before the scheduler turns). */
void asl_sched_each_ready(void (*fn)(asl_frame *f, void *ud), void *ud);
void asl_frame_step(asl_frame *f);

/* -------------------------------------------------------- executions */

/* Starts an execution of machine m (of unit u); takes input. name may be
 * NULL (a UUID). Returns the execution, or NULL with e set (e.g. duplicate
 * name). */
asl_exec *asl_exec_start(asl_unit *u, const asl_machine *m, const char *name, cJSON *input,
                         const char *parent_arn, asl_err *e);
/* The same, size an upper bound of the input's size as JSON that is within
 * the payload quota (0: not known, measured here). */
asl_exec *asl_exec_start_sized(asl_unit *u, const asl_machine *m, const char *name, cJSON *input, size_t size,
                               const char *parent_arn, asl_err *e);
/* The same with an input the execution only reads and never frees: it
 * must stay unchanged until the execution is freed. One copy (the root
 * frame's, which states change) instead of two. size is the input's
 * asl_payload_size when the caller knows it (one input started many
 * times is measured once), else 0. */
asl_exec *asl_exec_start_shared(asl_unit *u, const asl_machine *m, const char *name, const cJSON *input,
                                size_t size, const char *parent_arn, asl_err *e);
asl_exec *asl_exec_list(void);
/* A zeroed execution record (freed by asl_exec_free; snapshot.c fills
 * one in). */
asl_exec *asl_exec_alloc(void);
void asl_exec_free_all(void);
/* Links an execution rebuilt from a snapshot (snapshot.c) into the list
 * of all executions; false if its ARN (or an express name) is taken, and
 * then x is freed: nothing else holds it yet. */
bool asl_exec_adopt(asl_exec *x);
/* Frees one ended execution that nothing waits for. */
void asl_exec_free(asl_exec *x);
/* The execution with that ARN, or NULL (a hash table: O(1)). */
asl_exec *asl_exec_find(const char *arn);

/* A frame of x in slot of parent, for graph g, that has entered no state
 * (snapshot.c fills it in). */
asl_frame *asl_frame_alloc(asl_exec *x, const asl_graph *g, asl_frame *parent, int slot);
/* Frames: a new frame runs graph g with input (taken). */
asl_frame *asl_frame_new(asl_exec *x, const asl_graph *g, cJSON *input, asl_frame *parent, int slot);
/* Stops a frame and its sub-frames, cancelling what they wait for. */
void asl_frame_cancel(asl_frame *f);
/* The same for a frame cut short (a sibling branch failed): records the
 * Aborted events AWS records (TaskStateAborted, MapIterationAborted ...). */
void asl_frame_abort(asl_frame *f);
/* Aborts f's running branches or iterations (a sibling failed, or f is
 * aborted): their states' Aborted events, and MapIterationAborted for each
 * iteration of a Map. */
void asl_frame_abort_kids(asl_frame *f);

/* Moves the frame to state `next` with output (taken) as its input. */
asl_step asl_goto(asl_frame *f, int next, cJSON *output);
/* Ends the frame or moves on as the state says (End or Next). */
asl_step asl_advance(asl_frame *f, const asl_state *s, cJSON *output);

/* Records an event of the frame's execution: previousEventId is f->src,
 * the frame's place in AWS's causal chain, which the event then takes
 * (unless side is set: MapIterationSucceeded, ParallelStateSucceeded ...).
 * details (taken, may be NULL) are dropped when history is off; returns the
 * event id, counted either way. */
int asl_frame_event(asl_frame *f, const char *type, cJSON *details, bool side);
/* Whether an ErrorEquals list takes error, as Retry and Catch match it
 * (States.ALL, States.TaskFailed and the terminal States.Runtime). */
bool asl_error_matches(const char *const *names, int n, const char *error);
/* Ends a running execution as ABORTED (StopExecution; a .sync parent task
 * that was cancelled), with its .sync children. */
void asl_exec_abort(asl_exec *x, const char *error, const char *cause);

/* A Parallel branch or Map iteration ended (ok) or failed (kid->err). */
void asl_branch_end(asl_frame *kid, bool ok);
/* A Parallel/Map frame rebuilt from a snapshot takes its items and
 * results so far (both taken; items NULL for a Parallel). */
void asl_branches_restore(asl_frame *f, cJSON *items, cJSON *results);
/* Frees a Map's effective input and items (unless borrowed). */
void asl_frame_drop_map_input(asl_frame *f);
/* A child execution with a waiting parent task finished. */
void asl_child_finished(asl_exec *child);

/* dmap.c: a Distributed Map (s->distributed). Starts the Map Run of frame
 * f with the state's effective input (taken) and its items (taken; NULL
 * when an ItemReader reads them). */
asl_step asl_dmap_start(asl_frame *f, const asl_state *s, cJSON *in, cJSON *items);
/* A child execution of a Map Run ended. */
void asl_dmap_child_finished(asl_exec *child);
/* The frame of a Map Run goes away: its running children are aborted. */
void asl_dmap_abort(asl_frame *f);
/* Frees what Map Runs keep for the executions they started. */
void asl_dmap_free_all(void);
/* UpdateMapRun on a run in progress (negative: unchanged): more children
 * may start, and a lower tolerance may fail the run. */
void asl_dmap_update(struct asl_dmap *d, int max_concurrency, long tolerated_count, double tolerated_percent);

/* maprun.c: a Map Run's record (asl_engine.h's asl_map_run). Counts are
 * kept by slot: pending, then 1 + the child's asl_status. */
enum { ASL_MR_PENDING, ASL_MR_SLOTS = 2 + ASL_ABORTED };
#define ASL_MR_SLOT(status) (1 + (int)(status))
asl_map_run *asl_map_run_new(const char *arn, const asl_exec *parent, struct asl_dmap *live);
/* The run's settings as DescribeMapRun shows them (negative: none set). */
void asl_map_run_settings(asl_map_run *r, int max_concurrency, long tolerated_count, double tolerated_percent);
/* One more child, pending, with its items. */
void asl_map_run_add(asl_map_run *r, long items);
/* A child and its items move from one slot to another. */
void asl_map_run_move(asl_map_run *r, long items, int from, int to);
/* ResultWriter wrote the records of execs children holding items items. */
void asl_map_run_written(asl_map_run *r, long execs, long items);
/* The run ended (SUCCEEDED, FAILED or ABORTED); it is no longer live. */
void asl_map_run_end(asl_map_run *r, asl_status status);
cJSON *asl_map_run_describe(const asl_map_run *r);
void asl_map_run_free_all(void);
/* branches.c: a Map item's iteration input (ItemSelector applied; $$.Map.Item
 * is item i); reads f->effective as the Map's input. NULL with f failed. */
cJSON *asl_map_item_input(asl_frame *f, const asl_state *s, int i, const cJSON *item);
/* branches.c: the Map's MaxConcurrency and tolerated failures into f. */
int asl_map_settings(asl_frame *f, const asl_state *s, const cJSON *in);

/* Account settings (--region, --account): used in every ARN. */
const char *asl_region(void);
const char *asl_account(void);
const char *asl_role_arn(void);
void asl_set_account(const char *region, const char *account);

/* ------------------------------------------------------------- tasks */

/* Delivers a task result (takes output) or failure to its frame. */
void asl_task_complete(asl_task *t, cJSON *output, const char *error, const char *cause);
/* A result whose size as JSON the producer bounded already (0: unknown): the
 * frame takes the bound with it and measures nothing. */
void asl_task_complete_sized(asl_task *t, cJSON *output, size_t bound);
asl_task *asl_task_new(asl_frame *f, const asl_state *s, const char *resource);
void asl_task_free_all(void);
/* A task rebuilt from a snapshot: no token is issued (snapshot.c sets
 * the one it had). */
asl_task *asl_task_restore(asl_frame *f, const asl_state *s, const char *resource);
/* Hands payload (taken) to whatever serves t (asl_task_dispatch). */
void asl_task_send(asl_task *t, cJSON *payload);
/* Frees the tasks that are done and that no frame, handler or child uses
 * any more (the scheduler calls it at the start of each turn; amortised
 * O(1) a task). */
void asl_task_reap(void);
/* Whether asl_task_reap has anything to do (enough tasks closed since the
 * last pass): tested before the call, between every two turns. */
extern bool asl_task_reap_due;
/* Tasks not freed yet (tests/engine checks that they are). */
int asl_task_count(void);
/* The frame no longer waits for t (it is cancelled): t closes, its token
 * with it, and a .sync child is aborted. */
void asl_task_detach(asl_task *t);
/* ids.c's 256-bit random token; token.c issues tokens of its own now
 * (see asl_token_issue), so this one is unused. */
/* The open task a token names, or NULL. */
asl_task *asl_token_find(const char *token);

/* -------------------------------------------------------- I/O helpers */

/* Sets up an evaluation context for the frame's current state. */
void asl_ctx_init(asl_ctx *c, asl_frame *f, const cJSON *input);
/* The effective input: InputPath then Parameters (NULL with f->err set). */
cJSON *asl_effective_input(asl_frame *f, const asl_state *s, const asl_node *parameters);
/* The same, *bound set to an upper bound of its size as JSON (0: unknown). */
cJSON *asl_effective_input_sized(asl_frame *f, const asl_state *s, const asl_node *parameters, size_t *bound);
/* ResultSelector, ResultPath, OutputPath and Assign for a result (taken);
 * returns the state output, or NULL with f->err set. */
cJSON *asl_state_output(asl_frame *f, const asl_state *s, cJSON *result);
/* The same for a result whose size bound the caller knows (0: unknown):
 * asl_state_output_sized, in line below, calls the first when the result
 * is the output (OutputPath aside), which then saves no registers, and the
 * second otherwise. */
cJSON *asl_state_output_plain(asl_frame *f, const asl_state *s, cJSON *result, size_t bound);
cJSON *asl_state_output_rest(asl_frame *f, const asl_state *s, cJSON *result, size_t bound);
/* Evaluates an Assign template and stores the variables in the frame's
 * scope; -1 with c->err set on failure. */
int asl_assign(asl_frame *f, const asl_node *assign, asl_ctx *c);
/* Stores an object of evaluated variables (taken) in the frame's scope. */
void asl_store_vars(asl_frame *f, cJSON *vals);
/* InputPath/OutputPath/ItemsPath: NULL path is "$", a null path {}.
 * NULL with f->err set (States.Runtime, AWS's cause). */
cJSON *asl_apply_path(asl_frame *f, const asl_node *path, const cJSON *doc);
/* The same for a caller that only reads the value: it points into doc when
 * it can (no path, or a definite path from $), else it is a new value,
 * also left in *owned for the caller to free. NULL with f->err set. */
const cJSON *asl_path_view(asl_frame *f, const asl_node *path, const cJSON *doc, cJSON **owned);
/* The same for a document the caller gives up (takes doc, even on
 * failure): the value is moved out of it when the path allows
 * (asl_path_detach), copied otherwise. */
cJSON *asl_apply_path_take(asl_frame *f, const asl_node *path, cJSON *doc);
/* states.c: the input after InputPath of a state that passes it on
 * (Succeed, Choice, Wait), moved out of f->data; NULL with f->err set. */
cJSON *asl_state_input(asl_frame *f, const asl_state *s);
/* Evaluates a template against input; NULL with f->err set. */
cJSON *asl_apply_template(asl_frame *f, const asl_node *tmpl, const cJSON *input);
/* Fails the frame with States.Runtime, the cause prefixed as AWS does
 * ("An error occurred while executing the state ..."). */
asl_step asl_fail_runtime(asl_frame *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with any error name. */
asl_step asl_fail_prefixed(asl_frame *f, const char *error, const char *fmt, va_list ap);
void asl_cause_prefix(asl_buf *b, asl_frame *f);
/* Fails the frame with the error; returns ASL_STEP_FAIL. */
asl_step asl_frame_fail(asl_frame *f, const char *error, const char *cause);
asl_step asl_frame_fail_err(asl_frame *f, asl_err *e);

/* ---------------------------------------------------------- inspect.c */

/* Notes the value (borrowed) a processing step of the frame's state gave,
 * under its inspectionData name; nothing unless an observer asked. */
void asl_inspect_note(asl_frame *f, const char *key, const cJSON *v);
#define asl_inspect(f, key, v) (asl_engine_wants_inspection() ? asl_inspect_note(f, key, v) : (void)0)
/* Sends what was noted for the state as a StateInspection event (with the
 * error, if err is set) and forgets it. */
void asl_inspect_flush(asl_frame *f, const asl_err *err);

/* ------------------------------------------------ engine.c (internals) */

/* The engine of the process (NULL when there is none). */
asl_engine *asl_engine_current(void);
/* The machine an ARN or a bare name names among the loaded units (newest
 * first); *u is set to its unit. NULL if none. */
const asl_machine *asl_units_find(const char *arn_or_name, asl_unit **u);
const asl_program *asl_unit_program(const asl_unit *u);
/* The loaded unit with that id, and the machine of unit u that answers
 * to arn (NULL if none). */
asl_unit *asl_unit_by_id(int id);
const asl_machine *asl_unit_machine(const asl_unit *u, const char *arn);
/* snapshot.c: forgets .sync links still waiting for their child's
 * snapshot (the restore is over once the scheduler turns). */
void asl_snapshot_links_clear(void);
/* The ARN machine m of unit u answers to (borrowed, lives with the unit). */
const char *asl_unit_machine_arn(const asl_unit *u, const asl_machine *m);
/* asl_unit_machine_arn, and in *prefix and *n what the ARNs of m's
 * executions start with, up to and with the colon before their name
 * (borrowed; NULL if m is not one of u's machines: a Map Run's). */
const char *asl_unit_machine_arns(const asl_unit *u, const asl_machine *m, const char **prefix, size_t *n);
/* The same, made from a machine's ARN (free it): ":stateMachine:" becomes
 * ":execution:" (":express:" for an EXPRESS machine). */
char *asl_exec_arn_prefix(const char *machine_arn, bool express, size_t *n);
/* An execution holds its unit until it is freed. */
void asl_unit_hold(asl_unit *u);
void asl_unit_drop(asl_unit *u);
/* What the engine's observers want (ASL_OBSERVING_* bits; 0 most of the
 * time, and then no event is handed out at all). */
extern unsigned asl_observing;
#define ASL_OBSERVING_ALL        1u  /* some observer wants every event */
#define ASL_OBSERVING_EXECUTIONS 2u  /* some observer wants executions' start and end */
#define ASL_OBSERVING_DETAILS    4u  /* events need their details (an observer, or recording) */
#define ASL_OBSERVING_INSPECTION 8u  /* some observer wants StateInspection events */
#define ASL_OBSERVING_ENDS       16u /* some observer wants executions' ends */
/* The ASL_OBSERVING_* bits of the observers that hear an event of that
 * type: every observer hears an execution's end, ASL_OBSERVE_ENDS ones not
 * its start ("ExecutionStarted": among the execution events, the one
 * with a 't' after "ExecutionS"), and only those that want every event
 * hear the others (no other event type starts with "Exe"). */
#define ASL_HEARERS_START (ASL_OBSERVING_ALL | ASL_OBSERVING_EXECUTIONS)
#define ASL_HEARERS_END   (ASL_OBSERVING_ALL | ASL_OBSERVING_EXECUTIONS | ASL_OBSERVING_ENDS)
static inline unsigned asl_event_hearers(const char *type)
{
    if (type[0] != 'E' || type[1] != 'x' || type[2] != 'e')
        return ASL_OBSERVING_ALL;
    return type[10] == 't' ? ASL_HEARERS_START : ASL_HEARERS_END;
}
/* Hands an event to every observer (history.c calls it for each event). */
void asl_engine_emit(asl_exec *x, int id, int prev, const char *type, double at, const cJSON *details);
/* The same for an event heard by the observers with the hearers bits
 * (asl_event_hearers(type)). */
void asl_engine_emit_heard(asl_exec *x, int id, int prev, const char *type, double at, const cJSON *details,
                           unsigned hearers);
/* asl_engine_start for a loaded machine and an input value (taken), as
 * the CLI and --bench start executions without printing and parsing. */
asl_exec *asl_engine_start_value(asl_engine *e, const asl_machine *m, const char *name, cJSON *input,
                                 asl_err *err);
/* The same with an input the execution only reads (asl_exec_start_shared):
 * --bench starts every execution from one parsed input. */
asl_exec *asl_engine_start_shared(asl_engine *e, const asl_machine *m, const char *name, const cJSON *input,
                                  size_t size, asl_err *err);
/* AWS's rule for execution names. */
bool asl_exec_name_valid(const char *name);
/* AWS DescribeExecution for x (new value). */
cJSON *asl_describe(const asl_exec *x);
/* Whether anyone wants inspection events (a flag test: states ask often). */
#define asl_engine_wants_inspection() ((asl_observing & ASL_OBSERVING_INSPECTION) != 0)
/* The engine's wait_scale: what Wait durations are multiplied by (1
 * without an engine; a variable: every Wait reads it). */
extern double asl_wait_scale;
#define asl_engine_wait_scale() asl_wait_scale

static inline cJSON *asl_state_output_sized(asl_frame *f, const asl_state *s, cJSON *result, size_t bound)
{
    if (!s->result_path && !s->jsonata && !s->result_selector && !s->assign && !asl_engine_wants_inspection())
        return asl_state_output_plain(f, s, result, bound);
    return asl_state_output_rest(f, s, result, bound);
}

#endif
