/*
 * fields.h: the one table of ASL state fields. Each line says what the
 * field is called in ASL, which asl_state member holds it (NO_MEMBER when
 * its own code builds it: Next, Retry, Choices ...), how its value is read,
 * which state types take it and in which query languages. model.c checks
 * every state's keys against it and reads the generic fields from it;
 * lower.c writes each state's descriptor from it. Adding a field is one
 * line here plus its use in the runtime.
 *
 * Value kinds: PATH (any JSONPath), REF (a reference path), TMPL (a
 * template: Parameters, ResultSelector, Result), OWN (read by the code of
 * the state type or of the field itself).
 */
#ifndef ASLC_FIELDS_H
#define ASLC_FIELDS_H

#include <stddef.h>

#include "asl_gen.h"

/* State types, as bits. */
#define T_PASS     (1u << ASL_PASS)
#define T_TASK     (1u << ASL_TASK)
#define T_CHOICE   (1u << ASL_CHOICE)
#define T_WAIT     (1u << ASL_WAIT)
#define T_SUCCEED  (1u << ASL_SUCCEED)
#define T_FAIL     (1u << ASL_FAIL)
#define T_PARALLEL (1u << ASL_PARALLEL)
#define T_MAP      (1u << ASL_MAP)
#define T_ALL      0xffu
#define T_FLOW     (T_PASS | T_TASK | T_WAIT | T_PARALLEL | T_MAP)   /* Next and End */
#define T_IO       (T_FLOW | T_CHOICE)                              /* Assign, ... */
#define T_ERRORS   (T_TASK | T_PARALLEL | T_MAP)                     /* Retry and Catch */

/* Query languages, as bits. */
#define L_PATH 1u
#define L_ATA  2u
#define L_BOTH 3u

/* A member: its offset in asl_state and its name (for generated code). */
#define M(member) (int)offsetof(asl_state, member), #member
#define NO_MEMBER -1, NULL

/* X(ID, ASL name, member, kind, types, languages). Where two fields share
 * a member (ItemSelector and Parameters in a Map), the first that a state
 * has names it in generated code. */
#define ASL_FIELDS(X)                                                                  \
    X(TYPE,             "Type",                  NO_MEMBER,              OWN,  T_ALL,      L_BOTH) \
    X(COMMENT,          "Comment",               NO_MEMBER,              OWN,  T_ALL,      L_BOTH) \
    X(QUERY_LANGUAGE,   "QueryLanguage",         NO_MEMBER,              OWN,  T_ALL,      L_BOTH) \
    X(NEXT,             "Next",                  NO_MEMBER,              OWN,  T_FLOW,     L_BOTH) \
    X(END,              "End",                   NO_MEMBER,              OWN,  T_FLOW,     L_BOTH) \
    X(INPUT_PATH,       "InputPath",             M(input_path),        PATH, T_IO | T_SUCCEED, L_PATH) \
    X(OUTPUT_PATH,      "OutputPath",            M(output_path),       PATH, T_IO | T_SUCCEED, L_PATH) \
    X(RESULT_PATH,      "ResultPath",            M(result_path),       REF,  T_PASS | T_ERRORS, L_PATH) \
    X(ASSIGN,           "Assign",                M(assign),            OWN,  T_IO,       L_BOTH) \
    X(ITEM_SELECTOR,    "ItemSelector",          M(parameters),        OWN,  T_MAP,      L_BOTH) \
    X(PARAMETERS,       "Parameters",            M(parameters),        TMPL, T_PASS | T_TASK | T_PARALLEL | T_MAP, L_PATH) \
    X(ARGUMENTS,        "Arguments",             M(parameters),        OWN,  T_TASK | T_PARALLEL, L_ATA) \
    X(RESULT,           "Result",                M(result),            TMPL, T_PASS,     L_PATH) \
    X(RESULT_SELECTOR,  "ResultSelector",        M(result_selector),   TMPL, T_ERRORS,   L_PATH) \
    X(RETRY,            "Retry",                 NO_MEMBER,              OWN,  T_ERRORS,   L_BOTH) \
    X(CATCH,            "Catch",                 NO_MEMBER,              OWN,  T_ERRORS,   L_BOTH) \
    X(RESOURCE,         "Resource",              NO_MEMBER,              OWN,  T_TASK,     L_BOTH) \
    X(TIMEOUT_SECONDS,  "TimeoutSeconds",        M(timeout),           OWN,  T_TASK,     L_BOTH) \
    X(TIMEOUT_SECONDS_PATH, "TimeoutSecondsPath", M(timeout),          OWN,  T_TASK,     L_PATH) \
    X(HEARTBEAT_SECONDS, "HeartbeatSeconds",     M(heartbeat),         OWN,  T_TASK,     L_BOTH) \
    X(HEARTBEAT_SECONDS_PATH, "HeartbeatSecondsPath", M(heartbeat),    OWN,  T_TASK,     L_PATH) \
    X(CREDENTIALS,      "Credentials",           M(credentials),       OWN,  T_TASK,     L_BOTH) \
    X(CHOICES,          "Choices",               NO_MEMBER,              OWN,  T_CHOICE,   L_BOTH) \
    X(DEFAULT,          "Default",               NO_MEMBER,              OWN,  T_CHOICE,   L_BOTH) \
    X(SECONDS,          "Seconds",               M(seconds),           OWN,  T_WAIT,     L_BOTH) \
    X(SECONDS_PATH,     "SecondsPath",           M(seconds),           OWN,  T_WAIT,     L_PATH) \
    X(TIMESTAMP,        "Timestamp",             M(timestamp),         OWN,  T_WAIT,     L_BOTH) \
    X(TIMESTAMP_PATH,   "TimestampPath",         M(timestamp),         OWN,  T_WAIT,     L_PATH) \
    X(ERROR,            "Error",                 M(error),             OWN,  T_FAIL,     L_BOTH) \
    X(ERROR_PATH,       "ErrorPath",             M(error),             OWN,  T_FAIL,     L_PATH) \
    X(CAUSE,            "Cause",                 M(cause),             OWN,  T_FAIL,     L_BOTH) \
    X(CAUSE_PATH,       "CausePath",             M(cause),             OWN,  T_FAIL,     L_PATH) \
    X(BRANCHES,         "Branches",              NO_MEMBER,              OWN,  T_PARALLEL, L_BOTH) \
    X(ITEM_PROCESSOR,   "ItemProcessor",         NO_MEMBER,              OWN,  T_MAP,      L_BOTH) \
    X(ITERATOR,         "Iterator",              NO_MEMBER,              OWN,  T_MAP,      L_BOTH) \
    X(ITEMS_PATH,       "ItemsPath",             M(items_path),        OWN,  T_MAP,      L_PATH) \
    X(ITEMS,            "Items",                 M(items_path),        OWN,  T_MAP,      L_ATA) \
    X(MAX_CONCURRENCY,  "MaxConcurrency",        M(max_concurrency),   OWN,  T_MAP,      L_BOTH) \
    X(MAX_CONCURRENCY_PATH, "MaxConcurrencyPath", M(max_concurrency),  OWN,  T_MAP,      L_PATH) \
    X(TOLERATED_COUNT,  "ToleratedFailureCount", M(tolerated_count),   OWN,  T_MAP,      L_BOTH) \
    X(TOLERATED_COUNT_PATH, "ToleratedFailureCountPath", M(tolerated_count), OWN, T_MAP, L_PATH) \
    X(TOLERATED_PERCENT, "ToleratedFailurePercentage", M(tolerated_percent), OWN, T_MAP, L_BOTH) \
    X(TOLERATED_PERCENT_PATH, "ToleratedFailurePercentagePath", M(tolerated_percent), OWN, T_MAP, L_PATH) \
    X(LABEL,            "Label",                 NO_MEMBER,              OWN,  T_MAP,      L_BOTH) \
    X(ITEM_READER,      "ItemReader",            M(item_reader),       OWN,  T_MAP,      L_BOTH) \
    X(RESULT_WRITER,    "ResultWriter",          M(result_writer),     OWN,  T_MAP,      L_BOTH) \
    X(ITEM_BATCHER,     "ItemBatcher",           M(item_batcher),      OWN,  T_MAP,      L_BOTH) \
    X(OUTPUT,           "Output",                M(output),            OWN,  T_IO | T_SUCCEED, L_ATA)

typedef enum field_ident {
#define X(id, name, member, kind, types, langs) F_##id,
    ASL_FIELDS(X)
#undef X
    F__COUNT
} field_ident;

typedef enum field_kind { PATH, REF, TMPL, OWN } field_kind;

typedef struct field_info {
    const char *name;
    int member;            /* offset in asl_state of its asl_node pointer, or -1 */
    const char *member_name;
    field_kind kind;
    unsigned types;        /* T_* */
    unsigned langs;        /* L_* */
} field_info;

extern const field_info asl_fields[F__COUNT];

/* The node a field's member holds in s (NULL if it has no member). */
static inline const asl_node *field_node(const asl_state *s, const field_info *f)
{
    return f->member < 0 ? NULL : *(const asl_node *const *)((const char *)s + f->member);
}

#endif
