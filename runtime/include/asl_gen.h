/*
 * asl_gen.h: what generated code sees: the layout of a compiled machine.
 *
 * aslc turns every path, template, intrinsic call and Choice rule of a
 * definition into a tree of asl_node, written out as static C data, so that
 * nothing in ASL syntax is parsed while an execution runs. Each state becomes
 * an asl_state descriptor plus one C function (named after the state) that
 * hands the descriptor to the runtime routine for its type. A unit's
 * machines, handlers and process commands make one asl_program.
 *
 * Like asl.h, which it includes, it needs no system header but <stddef.h>.
 */
#ifndef ASL_GEN_H
#define ASL_GEN_H

#include "asl.h"

/* ---------------------------------------------------------------- nodes */

/* Node kinds. A node is a JSON literal, a template, a path, a filter
 * expression, an intrinsic call or a Choice rule. */
#define ASL_NODE_KINDS(X)                                                              \
    /* JSON literals and templates */                                                  \
    X(NULL)                                                                            \
    X(TRUE)                                                                            \
    X(FALSE)                                                                           \
    X(NUMBER)       /* num; str = the number's text as written, if any */              \
    X(STRING)       /* str */                                                          \
    X(ARRAY)        /* kids = elements; num = literal bound (below) or 0 */           \
    X(OBJECT)       /* kids = ASL_N_FIELD; flags ASL_F_CONST when no field is dynamic; \
                       num = literal bound (below) or 0 */                            \
    X(FIELD)        /* str = key (".$" removed), kids[0] = value */                    \
    /* JSONPath. op = asl_root; str = the original text; kids = steps */               \
    X(PATH)                                                                            \
    X(STEP_NAME)     /* .name or ['name']: str */                                      \
    X(STEP_INDEX)    /* [n]: num (may be negative) */                                  \
    X(STEP_SLICE)    /* [a:b:c]: kids[0..2] are ASL_N_NUMBER or ASL_N_NULL */          \
    X(STEP_WILDCARD) /* .* or [*] */                                                   \
    X(STEP_DESCEND)  /* ..X: kids[0] = the step X (name, wildcard, index, ...) */      \
    X(STEP_UNION)    /* ['a','b'] or [0,1]: kids = NAME/INDEX steps */                 \
    X(STEP_FILTER)   /* [?(expr)]: kids[0] = expression */                             \
    /* filter expressions: literals above, paths with op ASL_ROOT_CURRENT */          \
    X(EXPR_BINARY)   /* op = asl_expr_op, kids[0], kids[1] */                          \
    X(EXPR_NOT)      /* kids[0] */                                                     \
    /* intrinsic function call: op = asl_intrinsic, kids = arguments */                \
    X(CALL)                                                                            \
    /* Choice rules */                                                                 \
    X(RULE_AND)      /* kids = rules */                                                \
    X(RULE_OR)       /* kids = rules */                                                \
    X(RULE_NOT)      /* kids[0] = rule */                                              \
    X(RULE_TEST)     /* op = asl_operator, kids[0] = Variable path, kids[1] = operand  \
                        (literal, or path for the *Path forms) */

typedef enum asl_node_kind {
#define X(id) ASL_N_##id,
    ASL_NODE_KINDS(X)
#undef X
    ASL_N__COUNT
} asl_node_kind;

typedef enum asl_root {
    ASL_ROOT_INPUT,      /* $ */
    ASL_ROOT_CONTEXT,    /* $$ */
    ASL_ROOT_VAR,        /* $name: the path's first step names the variable */
    ASL_ROOT_CURRENT,    /* @ inside a filter */
} asl_root;

typedef enum asl_expr_op {
    ASL_OP_EQ, ASL_OP_NE, ASL_OP_LT, ASL_OP_LE, ASL_OP_GT, ASL_OP_GE,
    ASL_OP_AND, ASL_OP_OR,
} asl_expr_op;

/* Node flags */
#define ASL_F_CONST      1u  /* subtree holds no path or call: a plain JSON value */
#define ASL_F_DEFINITE   2u  /* path: a reference path (selects at most one node) */
#define ASL_F_EXISTS     4u  /* filter: a bare path, true when it matches */
#define ASL_F_MAP_ITEM   8u  /* path: $$.Map.Item.Index, or $$.Map.Item.Value and steps below it */

/* The most a template's literal parts take printed as JSON (a byte of text
 * may print as \u00XX): a container's brackets, each member's key, quotes,
 * colon and comma, each literal member. aslc adds them up for each array
 * and object of a template into the node's num (its literal bound), so
 * that building the template needs no strlen per key; 0 means not added
 * up: the runtime counts them as it builds. */
#define ASL_BOUND_BRACKETS 2
#define ASL_BOUND_MEMBER(keylen) (4 + 6 * (keylen)) /* "key": and , (an element: 1) */
#define ASL_BOUND_TEXT(len) (2 + 6 * (len))
#define ASL_BOUND_LITERAL 5 /* null, true, false */
#define ASL_BOUND_NUMBER 24

typedef struct asl_node asl_node;
struct asl_node {
    unsigned short kind;     /* asl_node_kind */
    unsigned short op;       /* asl_root, asl_expr_op, asl_intrinsic or asl_operator */
    unsigned int flags;      /* ASL_F_* */
    int count;               /* number of kids */
    double num;
    const char *str;
    const asl_node *kids;
};

/* Intrinsic functions, in the order AWS documents them. */
#define ASL_INTRINSICS(X)                                   \
    X(FORMAT, "States.Format")                              \
    X(STRING_TO_JSON, "States.StringToJson")                \
    X(JSON_TO_STRING, "States.JsonToString")                \
    X(ARRAY, "States.Array")                                \
    X(ARRAY_PARTITION, "States.ArrayPartition")             \
    X(ARRAY_CONTAINS, "States.ArrayContains")               \
    X(ARRAY_RANGE, "States.ArrayRange")                     \
    X(ARRAY_GET_ITEM, "States.ArrayGetItem")                \
    X(ARRAY_LENGTH, "States.ArrayLength")                   \
    X(ARRAY_UNIQUE, "States.ArrayUnique")                   \
    X(BASE64_ENCODE, "States.Base64Encode")                 \
    X(BASE64_DECODE, "States.Base64Decode")                 \
    X(HASH, "States.Hash")                                  \
    X(JSON_MERGE, "States.JsonMerge")                       \
    X(MATH_RANDOM, "States.MathRandom")                     \
    X(MATH_ADD, "States.MathAdd")                           \
    X(STRING_SPLIT, "States.StringSplit")                   \
    X(UUID, "States.UUID")

typedef enum asl_intrinsic {
#define X(id, name) ASL_FN_##id,
    ASL_INTRINSICS(X)
#undef X
    ASL_FN__COUNT
} asl_intrinsic;

/* Choice comparison operators. The *Path forms compare with a second path. */
#define ASL_OPERATORS(X)                                                    \
    X(STRING_EQUALS, "StringEquals")                                        \
    X(STRING_EQUALS_PATH, "StringEqualsPath")                               \
    X(STRING_LESS_THAN, "StringLessThan")                                   \
    X(STRING_LESS_THAN_PATH, "StringLessThanPath")                          \
    X(STRING_GREATER_THAN, "StringGreaterThan")                             \
    X(STRING_GREATER_THAN_PATH, "StringGreaterThanPath")                    \
    X(STRING_LESS_THAN_EQUALS, "StringLessThanEquals")                      \
    X(STRING_LESS_THAN_EQUALS_PATH, "StringLessThanEqualsPath")             \
    X(STRING_GREATER_THAN_EQUALS, "StringGreaterThanEquals")                \
    X(STRING_GREATER_THAN_EQUALS_PATH, "StringGreaterThanEqualsPath")       \
    X(STRING_MATCHES, "StringMatches")                                      \
    X(NUMERIC_EQUALS, "NumericEquals")                                      \
    X(NUMERIC_EQUALS_PATH, "NumericEqualsPath")                             \
    X(NUMERIC_LESS_THAN, "NumericLessThan")                                 \
    X(NUMERIC_LESS_THAN_PATH, "NumericLessThanPath")                        \
    X(NUMERIC_GREATER_THAN, "NumericGreaterThan")                           \
    X(NUMERIC_GREATER_THAN_PATH, "NumericGreaterThanPath")                  \
    X(NUMERIC_LESS_THAN_EQUALS, "NumericLessThanEquals")                    \
    X(NUMERIC_LESS_THAN_EQUALS_PATH, "NumericLessThanEqualsPath")           \
    X(NUMERIC_GREATER_THAN_EQUALS, "NumericGreaterThanEquals")              \
    X(NUMERIC_GREATER_THAN_EQUALS_PATH, "NumericGreaterThanEqualsPath")     \
    X(BOOLEAN_EQUALS, "BooleanEquals")                                      \
    X(BOOLEAN_EQUALS_PATH, "BooleanEqualsPath")                             \
    X(TIMESTAMP_EQUALS, "TimestampEquals")                                  \
    X(TIMESTAMP_EQUALS_PATH, "TimestampEqualsPath")                         \
    X(TIMESTAMP_LESS_THAN, "TimestampLessThan")                             \
    X(TIMESTAMP_LESS_THAN_PATH, "TimestampLessThanPath")                    \
    X(TIMESTAMP_GREATER_THAN, "TimestampGreaterThan")                       \
    X(TIMESTAMP_GREATER_THAN_PATH, "TimestampGreaterThanPath")              \
    X(TIMESTAMP_LESS_THAN_EQUALS, "TimestampLessThanEquals")                \
    X(TIMESTAMP_LESS_THAN_EQUALS_PATH, "TimestampLessThanEqualsPath")       \
    X(TIMESTAMP_GREATER_THAN_EQUALS, "TimestampGreaterThanEquals")          \
    X(TIMESTAMP_GREATER_THAN_EQUALS_PATH, "TimestampGreaterThanEqualsPath") \
    X(IS_NULL, "IsNull")                                                    \
    X(IS_PRESENT, "IsPresent")                                              \
    X(IS_NUMERIC, "IsNumeric")                                              \
    X(IS_STRING, "IsString")                                                \
    X(IS_BOOLEAN, "IsBoolean")                                              \
    X(IS_TIMESTAMP, "IsTimestamp")

typedef enum asl_operator {
#define X(id, name) ASL_CMP_##id,
    ASL_OPERATORS(X)
#undef X
    ASL_CMP__COUNT
} asl_operator;

/* ---------------------------------------------------------------- states */

typedef enum asl_state_type {
    ASL_PASS, ASL_TASK, ASL_CHOICE, ASL_WAIT, ASL_SUCCEED, ASL_FAIL, ASL_PARALLEL, ASL_MAP,
} asl_state_type;

/* How a Task resource is served. */
typedef enum asl_integration {
    ASL_RES_HANDLER,         /* a handler bound at compile or run time */
    ASL_RES_START_EXECUTION, /* arn:aws:states:::states:startExecution */
} asl_integration;

typedef enum asl_pattern {
    ASL_PATTERN_RESPONSE,    /* request-response */
    ASL_PATTERN_SYNC,        /* .sync */
    ASL_PATTERN_SYNC2,       /* .sync:2 */
    ASL_PATTERN_TOKEN,       /* .waitForTaskToken */
} asl_pattern;

typedef struct asl_retrier {
    const char *const *errors;
    int nerrors;
    int max_attempts;        /* default 3 */
    double interval;         /* IntervalSeconds, default 1 */
    double backoff;          /* BackoffRate, default 2 */
    double max_delay;        /* MaxDelaySeconds, 0 = none */
    int jitter_full;         /* JitterStrategy FULL */
} asl_retrier;

typedef struct asl_catcher {
    const char *const *errors;
    int nerrors;
    const asl_node *result_path;  /* NULL = "$" */
    const asl_node *assign;       /* NULL = none */
    int next;
    const asl_node *output;       /* JSONata Output, NULL = the error output */
} asl_catcher;

typedef struct asl_graph asl_graph;
typedef struct asl_frame asl_frame;
typedef struct asl_state asl_state;

/* What a state function returns to the scheduler. */
typedef enum asl_step {
    ASL_STEP_NEXT,       /* frame->state and the data were updated: run on */
    ASL_STEP_END,        /* the frame finished with its output */
    ASL_STEP_FAIL,       /* the frame holds an error: Retry, Catch, or fail */
    ASL_STEP_SUSPEND,    /* waiting for a timer, token, child or branches */
} asl_step;

typedef asl_step (*asl_state_fn)(asl_frame *f);

/* One state. Paths and templates are NULL when absent; a JSON null path
 * (e.g. "ResultPath": null) is a node of kind ASL_N_NULL. */
struct asl_state {
    const char *name;
    const char *source;         /* the state's JSON, for messages */
    unsigned short type;        /* asl_state_type */
    unsigned short end;         /* End: true */
    int next;                   /* index of Next, -1 if none */
    const asl_node *input_path, *output_path, *result_path;
    const asl_node *parameters; /* Parameters (Map: ItemSelector) */
    const asl_node *result_selector;
    const asl_node *result;     /* Pass Result */
    const asl_node *assign;     /* Assign template */
    /* A JSONPath Task's Parameters written as C (compiler/lower_params.c):
     * the payload built, or NULL for the walk to build it (io.c). */
    void *(*build_parameters)(asl_frame *f, const asl_state *s, size_t *bound);

    /* Task */
    const char *resource;
    unsigned short integration; /* asl_integration */
    unsigned short pattern;     /* asl_pattern */
    const asl_node *timeout;    /* TimeoutSeconds (number) or TimeoutSecondsPath (path) */
    const asl_node *heartbeat;  /* HeartbeatSeconds(Path) */
    const asl_node *credentials;

    /* Choice: rules[i] goes to choice_next[i]; choice_assign[i] may be NULL */
    const asl_node *const *rules;
    const int *choice_next;
    const asl_node *const *choice_assign;
    int nrules;
    int default_next;           /* -1 if none */

    /* Wait: one of seconds / timestamp (number/string literal or path) */
    const asl_node *seconds, *timestamp;

    /* Fail: literals or paths */
    const asl_node *error, *cause;

    /* Parallel: branches; Map: branches[0] is the item processor */
    const asl_graph *const *branches;
    int nbranches;
    const asl_node *items_path;
    const asl_node *max_concurrency;     /* number or path */
    const asl_node *tolerated_count;     /* number or path */
    const asl_node *tolerated_percent;   /* number or path */
    /* Distributed Map (ProcessorConfig.Mode DISTRIBUTED): each item (or
     * batch) runs as a child execution of a Map Run. The three fields are
     * templates evaluated against the state's input (a JSONPath *Path field
     * written as its .$ form). */
    unsigned short distributed;          /* 1 STANDARD children, 2 EXPRESS */
    const char *label;                   /* Label, or NULL */
    const asl_node *item_reader;
    const asl_node *item_batcher;
    const asl_node *result_writer;

    const asl_retrier *retry;
    int nretry;
    const asl_catcher *catches;
    int ncatch;

    /* JSONata ("QueryLanguage": "JSONata"): the state's fields hold
     * templates whose "{% %}" strings are JSONata trees (kinds from 100 up,
     * see jsonata/jsonata.h). parameters holds Arguments (Map:
     * ItemSelector), items_path holds Items, rules[i] the Condition; the
     * number and string fields (timeout, seconds, error ...) may be
     * expressions. No JSONPath field is set. */
    unsigned short jsonata;
    const asl_node *output;               /* Output template, NULL = default */
    const asl_node *const *choice_output; /* per Choice rule, may be NULL */
};

/* A state machine, or a Parallel branch, or a Map item processor. */
struct asl_graph {
    const char *name;           /* for messages: "main", "Branches[0]" ... */
    int start;
    int nstates;
    const asl_state *states;
    const asl_state_fn *fns;
};

/* A complete state machine known to the program. */
typedef struct asl_machine {
    const char *name;           /* state machine name */
    const char *arn;            /* ARN it answers to (may be NULL: built from name) */
    const char *file;           /* definition file, for messages */
    const asl_graph *graph;
    const asl_node *timeout;    /* machine TimeoutSeconds, NULL if none */
    int express;                /* 1: an EXPRESS machine, 0: STANDARD */
    /* The unit's object keys by hash (runtime/member.h's asl_key_hash, open
     * addressing, key_slots a power of two, 0 none): an execution's input
     * keys are swapped for these, the very pointers the code names. */
    const char *const *key_index;
    unsigned key_slots;
} asl_machine;

typedef struct asl_binding {
    const char *resource;       /* Resource ARN, function name or ARN */
    asl_handler_fn fn;          /* ASL_HANDLER: the payload as text */
    asl_handler_json_fn json;   /* ASL_HANDLER_JSON (fn NULL): as a value */
} asl_binding;

/* Everything a compiled program knows. */
typedef struct asl_program {
    const asl_machine *machines;
    int nmachines;              /* machines[0] is the main machine */
    const asl_binding *bindings;
    int nbindings;
    const char *const *processes;  /* "NAME=COMMAND" process handlers */
    int nprocesses;
} asl_program;

/* ----------------------------------------------------- state entry points */

/* Each runs one state of type X for frame f, described by s. */
asl_step asl_state_pass(asl_frame *f, const asl_state *s);
asl_step asl_state_task(asl_frame *f, const asl_state *s);
asl_step asl_state_choice(asl_frame *f, const asl_state *s);
asl_step asl_state_wait(asl_frame *f, const asl_state *s);
asl_step asl_state_succeed(asl_frame *f, const asl_state *s);
asl_step asl_state_fail(asl_frame *f, const asl_state *s);
asl_step asl_state_parallel(asl_frame *f, const asl_state *s);
asl_step asl_state_map(asl_frame *f, const asl_state *s);

/* ------------------------------------------------ Choice rules written as C */

/* aslc writes a JSONPath Choice state's rules as C (compiler/lower_choice.c):
 * the state function begins the state (InputPath applied), looks up each
 * path a rule compares (asl_peek), tests the values in line, and hands the
 * first rule that holds (or -1: Default) to asl_choose, which applies the
 * rule's Assign and OutputPath and moves on, exactly as asl_state_choice
 * does for rules it walks. A path that matches nothing fails the state with
 * States.Runtime as the walker fails it: the first such path sets failed
 * (and the frame's error), the values it yields compare false, and
 * asl_holds makes the rule under evaluation end the state (asl_choose
 * then returns the failure). Rules with an indefinite path are left to the
 * walker (asl_choice_walk). */
typedef struct asl_choice {
    asl_frame *frame;
    const asl_state *state;
    void *input;                /* the state's input after InputPath (runtime JSON) */
    int failed;                 /* a path found nothing: the state fails */
} asl_choice;

/* A looked-up value: its type, and its number or text. */
typedef enum asl_val_type {
    ASL_V_MISSING, ASL_V_NULL, ASL_V_FALSE, ASL_V_TRUE, ASL_V_NUMBER, ASL_V_STRING, ASL_V_ARRAY, ASL_V_OBJECT,
} asl_val_type;

typedef struct asl_val {
    int type;                   /* asl_val_type */
    double num;                 /* ASL_V_NUMBER */
    const char *str;            /* ASL_V_STRING */
} asl_val;

/* Begins Choice state s: 0 with the frame failed (InputPath found nothing). */
int asl_choice_begin(asl_choice *c, asl_frame *f, const asl_state *s);
/* What a definite path names; ASL_V_MISSING (and c->failed) if nothing. */
asl_val asl_peek(asl_choice *c, const asl_node *path);
/* The same for $.key, the commonest path (path is its text, for the error). */
asl_val asl_peek_key(asl_choice *c, const char *key, const char *path);
/* IsPresent: whether a definite path names something (never fails). */
int asl_present(asl_choice *c, const asl_node *path);
/* Rule i of the state evaluated by the walker: whether it holds (or failed). */
int asl_choice_walk(asl_choice *c, int i);
/* Rule i was taken (-1: Default, or States.NoChoiceMatched without one). */
asl_step asl_choose(asl_choice *c, int i);
/* Whether a rule ends the evaluation: it holds, or a path failed it. */
static inline int asl_holds(const asl_choice *c, int hit)
{
    return hit || c->failed;
}
/* Java's String.compareTo, as AWS orders strings (<0, 0, >0). */
int asl_string_compare(const char *a, const char *b);
/* StringMatches: '*' any run of characters, \* a star, \\ a backslash. */
int asl_string_matches(const char *s, const char *pattern);
/* Whether v is a timestamp string; *t its instant (epoch seconds). */
int asl_timestamp(asl_val v, double *t);

/* ----------------------------------------------- Parameters written as C */

/* aslc writes a Pass or Task state's Parameters template as C when every
 * field is a literal, a definite path from $ (or $$), an intrinsic call or
 * such an object (compiler/lower_params.c): the function adds the fields
 * in order, then asl_tmpl_pass passes the object on as asl_state_pass
 * does, or asl_tmpl_take hands it to a Task as its payload. The runtime
 * (params.c) builds what the template walk builds; on anything unusual or
 * failing it runs the state through asl_state_pass instead, which words
 * the failure, so the two never differ. */
#define ASL_TMPL_DEPTH 8          /* objects inside objects, at most */
typedef struct asl_tmpl {
    asl_frame *frame;
    const asl_state *state;
    const void *input;          /* what the template reads: the input after InputPath (runtime JSON) */
    void *out, *tail;           /* the object being built, its last member */
    void *outer[ASL_TMPL_DEPTH][2]; /* the objects around it, and their last members */
    int depth;
    size_t bound;               /* the whole template's size as JSON is at most this */
    int failed;                 /* the walk must do it */
} asl_tmpl;

/* Begins state s's Parameters; 0: the walk must run the state
 * (an InputPath that finds nothing, or an observer inspecting each step). */
int asl_tmpl_begin(asl_tmpl *t, asl_frame *f, const asl_state *s);
/* "field.$": a definite path from $. */
void asl_tmpl_path(asl_tmpl *t, const char *field, const asl_node *path);
/* "field.$": a definite path from $$ (bound: ASL_BOUND_MEMBER of the
 * field's length). */
void asl_tmpl_context(asl_tmpl *t, const char *field, const asl_node *path, size_t bound);
/* "field.$": States.MathAdd(path, n), n an integer. */
void asl_tmpl_math_add(asl_tmpl *t, const char *field, const asl_node *path, double n);
/* "field.$": any other intrinsic call (not MathRandom or UUID). */
void asl_tmpl_call(asl_tmpl *t, const char *field, const asl_node *call);
/* "field": a literal (node of a constant value). */
void asl_tmpl_value(asl_tmpl *t, const char *field, const asl_node *n);
/* "field": null, true, false, a number or a string; bound is the member's
 * size bound (ASL_BOUND_MEMBER of the field's length and the value's). */
void asl_tmpl_literal(asl_tmpl *t, const char *field, const asl_node *n, size_t bound);
/* "field": {...} with fields of its own: they follow, then asl_tmpl_close
 * with the same field. */
void asl_tmpl_open(asl_tmpl *t);
void asl_tmpl_close(asl_tmpl *t, const char *field);
/* ResultPath, OutputPath and Next with the object built. */
asl_step asl_tmpl_pass(asl_tmpl *t);
/* A Task's payload: the object built (its size bound in *bound), or NULL
 * after a failure (nothing kept: the walk builds it again and words it). */
void *asl_tmpl_take(asl_tmpl *t, size_t *bound);

/* Runs a compiled program with the command-line arguments of a compiled
 * machine (see --help); returns the process exit status. */
int asl_main(const asl_program *p, int argc, char **argv);

#endif
