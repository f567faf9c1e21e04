/*
 * internal.h: what the runtime's modules share with each other (and with
 * aslc, which links the runtime in). Not seen by generated code.
 *
 * Ownership rule, stated once: a function that returns cJSON * returns a new
 * value that the caller owns (and frees with cJSON_Delete) unless its comment
 * says "borrowed". Functions that take cJSON * borrow it unless their comment
 * says "takes".
 */
#ifndef ASL_INTERNAL_H
#define ASL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "asl_gen.h"
#include "asl_engine.h"
#include "pool.h"

/* ------------------------------------------------------------- errors */

/* asl_err (asl_engine.h): an ASL error, name (e.g. "States.Runtime") and
 * cause, both malloc'd. */
/* Sets e (replacing what it held) and returns -1, so callers can
 * `return asl_err_set(...)`. cause is a printf format. */
int asl_err_set(asl_err *e, const char *error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Moves src into dst (dst cleared first). */
void asl_err_move(asl_err *dst, asl_err *src);

/* -------------------------------------------------- evaluation context */

/* What a path, template, intrinsic call or Choice rule is evaluated
 * against: the state's input ($), the context object ($$) and the
 * variables ($name). */
typedef struct asl_ctx {
    const cJSON *input;      /* $ (borrowed) */
    asl_frame *frame;        /* supplies $$ and variables; NULL in unit tests */
    const cJSON *context;    /* $$ when frame is NULL (borrowed, may be NULL) */
    const cJSON *vars;       /* variables object when frame is NULL (may be NULL) */
    const cJSON *current;    /* @ inside a filter (borrowed) */
    const cJSON *map_item;   /* $$.Map.Item.Value inside ItemSelector, else NULL */
    int map_index;           /* $$.Map.Item.Index */
    asl_err err;             /* set when an evaluation fails */
} asl_ctx;

/* $$ for this evaluation (borrowed; built on first use). */
const cJSON *asl_ctx_context(asl_ctx *c);
/* The variable's value (borrowed), or NULL if it is not defined. */
const cJSON *asl_ctx_var(asl_ctx *c, const char *name);

/* ------------------------------------------------------------ JSONPath */

/* Selects what a path (ASL_N_PATH) names.
 * Returns 0 and sets *out to a new value: for a definite path the value, for
 * an indefinite one (wildcard, slice, filter, ..) an array of the matches.
 * Returns 1 when a definite path matches nothing (*out NULL, no error set):
 * the caller raises the error its field calls for.
 * Returns -1 with c->err set on any other failure. */
int asl_path_select(const asl_node *path, asl_ctx *c, cJSON **out);

/* Like asl_path_select but borrows: *out points into the document. Only
 * for definite paths. Returns 0 found, 1 not found. */
int asl_path_peek(const asl_node *path, asl_ctx *c, const cJSON **out);
/* A definite $$ path read straight from f's execution (io.c), for a
 * template outside a Map's ItemSelector whose input is input: true with
 * *out set and *bound grown, false when only the general path can say. */
bool asl_context_fast(const asl_node *path, asl_frame *f, const cJSON *input, cJSON **out, size_t *bound);

/* A value moved rather than copied out of a document its owner gives up:
 * for a definite path of names and indexes from $, the value it selects,
 * detached from doc (doc itself for "$"); the rest of doc stays with the
 * caller to free. NULL (doc unchanged) for any other path or no match:
 * the caller then copies with asl_path_select, which words the failure. */
cJSON *asl_path_detach(const asl_node *path, cJSON *doc);

/* ResultPath: stores value (takes it) at path inside *doc, creating objects
 * on the way and replacing *doc when path is "$". Fails with
 * States.ResultPathMatchFailure when the path runs into a non-object. */
int asl_path_assign(cJSON **doc, const asl_node *path, cJSON *value, asl_err *e);

/* ---------------------------------------------------------- intrinsics */

/* Evaluates an ASL_N_CALL node. NULL with c->err set on failure
 * (States.IntrinsicFailure with AWS's cause). */
cJSON *asl_call(const asl_node *call, asl_ctx *c);

/* -------------------------------------------------------------- Choice */

/* Evaluates a Choice rule: 1 true, 0 false, -1 with c->err set. */
int asl_rule_eval(const asl_node *rule, asl_ctx *c);

/* ---------------------------------------------------------- templates */

/* Evaluates any node: literal, template object/array, path or call.
 * NULL with c->err set on failure. */
cJSON *asl_eval(const asl_node *n, asl_ctx *c);
/* The same, *bound set to an upper bound of the value's size as JSON
 * (asl_json_size_bound's). */
cJSON *asl_eval_sized(const asl_node *n, asl_ctx *c, size_t *bound);

/* -------------------------------------------------------------- time */

/* Parses an RFC 3339 timestamp as ASL accepts it (e.g.
 * "2016-03-14T01:59:00Z", "2016-03-14T01:59:00.123+01:00") into seconds
 * since the epoch. Returns false if s is not such a timestamp. */
bool asl_timestamp_parse(const char *s, double *epoch);
/* Formats epoch seconds as AWS prints dates in the context object,
 * "2024-01-02T03:04:05.678Z" (buf >= 32 bytes). */
void asl_timestamp_format(double epoch, char *buf);

/* -------------------------------------------------------------- JSON */

/* A growable text buffer. */
typedef struct asl_buf {
    char *p;
    size_t len, cap;
} asl_buf;

void asl_buf_put(asl_buf *b, const char *s, size_t n);
void asl_buf_puts(asl_buf *b, const char *s);
void asl_buf_putc(asl_buf *b, char c);
void asl_buf_printf(asl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void asl_buf_free(asl_buf *b);
/* Appends n bytes of data in Base64 (the standard alphabet, padded). */
void asl_base64_encode(asl_buf *b, const void *data, size_t n);
/* The text, trimmed to its length (malloc'd); the buffer is left empty. */
char *asl_buf_take(asl_buf *b);

/* Appends v as compact JSON, numbers as AWS prints them: integers exactly,
 * others in the shortest form that reads back to the same double. */
void asl_json_write(asl_buf *b, const cJSON *v);
/* Appends a JSON string literal for s (escaped as AWS escapes). */
void asl_json_write_string(asl_buf *b, const char *s);
/* Appends a number as asl_json_write prints it. */
void asl_json_write_number(asl_buf *b, double d);
/* The same text into out (NUL-terminated); returns its length. */
size_t asl_json_format_number(double d, char out[32]);
/* A deep copy of v without its key (cJSON_Duplicate copies the key too,
 * which a value about to be stored under another key does not need). */
cJSON *asl_json_copy(const cJSON *v);
/* Views (view.c: the rule is there): a new node that reads v, a part of
 * its execution's input, in place; O(1). */
cJSON *asl_json_view(const cJSON *v);
/* Whether v is a view (its members are not its own). */
bool asl_json_is_view(const cJSON *v);
/* Makes a view's members its own (each a view of the member it stands
 * for), so that members can be added, replaced or removed; O(members). */
void asl_json_own(cJSON *v);
/* Replaces every view in v by a copy of what it shows: for a value that
 * moves to another execution. */
void asl_json_settle(cJSON *v);
/* A copy of a value of the execution: its own nodes copied, its views
 * viewed again (O(1) each). */
cJSON *asl_json_clone(const cJSON *v);
/* json_build.c: values made on the hot path. A new node of the type (all else
 * zero), from the allocator cJSON frees with (in line: a template or a copy
 * makes one a member). */
cJSON *asl_json_node_slow(int type);
static inline __attribute__((always_inline)) cJSON *asl_json_node(int type)
{
    cJSON *v = asl_pool_take(sizeof *v);
    if (!v)
        return asl_json_node_slow(type);
    *v = (cJSON){.type = type};
    return v;
}
cJSON *asl_json_number(double d);
/* A literal's node (in line: most members of a template are literals;
 * io.c's walk and params.c build them). */
static inline __attribute__((always_inline)) cJSON *asl_literal_node(const asl_node *n)
{
    if (n->kind == ASL_N_STRING) {
        /* the compiled machine's text, which the execution holds: viewed (view.c) */
        cJSON *v = asl_json_node(cJSON_String | cJSON_IsReference);
        v->valuestring = (char *)(uintptr_t)(n->str ? n->str : "");
        return v;
    }
    if (n->kind == ASL_N_NUMBER)
        return asl_json_number(n->num);
    return asl_json_node(n->kind == ASL_N_NULL ? cJSON_NULL : n->kind == ASL_N_TRUE ? cJSON_True : cJSON_False);
}
cJSON *asl_json_string(const char *s);
/* The same for the n bytes of s (no NUL among them), its length known. */
cJSON *asl_json_string_len(const char *s, size_t n);
/* A copy of the n bytes of s and a NUL, from cJSON's allocator (a key's or
 * a string's text). */
char *asl_json_text(const char *s, size_t n);
/* Links item (taken) after *tail, the last member of parent so far (NULL
 * for none), and makes it the tail. key, if not NULL, is static text that
 * outlives item (not copied, not freed): item's key. (In line: every member
 * of a template is added so.) */
static inline __attribute__((always_inline)) void asl_json_add(cJSON *parent, cJSON **tail, const char *key,
                                                               cJSON *item)
{
    if (key) {
        if (item->string && !(item->type & cJSON_StringIsConst))
            cJSON_free(item->string);
        item->string = (char *)(uintptr_t)key;
        item->type |= cJSON_StringIsConst;
    }
    /* cJSON's list: the first member's prev is the last member. */
    if (*tail) {
        (*tail)->next = item;
        item->prev = *tail;
    } else {
        parent->child = item;
    }
    parent->child->prev = item;
    *tail = item;
}
/* asl_json_copy that adds to *bound an upper bound of the copy's size as
 * JSON (asl_json_size_bound's, without its stop). */
cJSON *asl_json_copy_bound(const cJSON *v, size_t *bound);
/* Compact JSON text of v, malloc'd. */
char *asl_json_print(const cJSON *v);
/* The same, v deleted (taken). */
char *asl_json_print_take(cJSON *v);
/* o[key] = the date t (epoch seconds) in ISO 8601, as DescribeExecution
 * writes dates. */
void asl_json_add_date(cJSON *o, const char *key, double t);
/* The whole text of a file ("-": standard input), malloc'd; NULL with
 * errno set if it cannot be read. */
char *asl_read_file(const char *path);
/* Parses JSON text (NULL if invalid). */
cJSON *asl_json_parse(const char *text);
/* asl_json_parse's fast path (json_read.c): true and *out set when text is
 * of the common kind it reads; false, and cJSON reads it, otherwise. */
bool asl_json_read_fast(const char *text, cJSON **out);
/* Parses JSON that comes from outside (an execution input, a handler's
 * result, a SendTaskSuccess output): NULL with why saying what is wrong
 * and where (invalid UTF-8, a NUL byte, too deep, a number beyond a
 * double, bad syntax). text[len] must be '\0'. */
cJSON *asl_json_parse_checked(const char *text, size_t len, asl_buf *why);
/* Whether text is UTF-8 without NUL bytes; false with why (and where). */
bool asl_json_text_check(const char *text, size_t len, asl_buf *why);
/* Whether a value from outside (a C handler's result, a SendTaskSuccess
 * output given as a value) is what asl_json_parse_checked could have made:
 * JSON types only (no raw text), UTF-8 strings and keys, finite numbers,
 * nesting within cJSON's limit; false with why (what, and its path; why
 * may be NULL). *bound (if not NULL) is set to an upper bound of the
 * value's size as JSON (when it is one). */
bool asl_json_value_check(const cJSON *v, asl_buf *why, size_t *bound);
/* Whether asl_json_parse_checked would take text (text[len] is '\0'),
 * found without building the value (json_valid.c). */
bool asl_json_text_valid(const char *text, size_t len);
/* asl_read_file, also giving the length (the text may hold NUL bytes). */
char *asl_read_file_len(const char *path, size_t *len);
/* Swaps the keys of v's members (at any depth, under views excepted) that
 * m's unit names for the unit's own pointers (cJSON_StringIsConst, the
 * copy freed), so that member.h's look-ups find them by address; keys.c. */
void asl_keys_intern(cJSON *v, const asl_machine *m);
/* The same for a value coming from an execution of another unit, whose
 * constant keys may point into that unit: those m's unit does not name
 * are copied (the other unit may be released first); keys.c. */
void asl_keys_adopt(cJSON *v, const asl_machine *m);

#endif
