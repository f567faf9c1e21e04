/*
 * jsonata.h: the JSONata module's public header: parse an expression into
 * a tree, evaluate the tree over cJSON, free it; failures carry JSONata's
 * error code. The language is JSONata 2.0.6 as jsonata-js runs it, plus
 * the functions AWS Step Functions adds ($partition, $range, $hash,
 * $random with a seed, $uuid, $parse) and without $eval.
 *
 * The module knows nothing of Step Functions beyond one flag,
 * JSONATA_STEP_FUNCTIONS, which selects AWS's dialect: its bounds and its
 * way with results (see jsonata_evaluate). Everything a host provides
 * (variables, the clock, randomness, digests) comes in through
 * jsonata_host. It depends on cJSON and the C library only.
 *
 * The tree is plain data (jsonata_node, below) so that a compiler can
 * write it out as static C data and a program evaluate it without parsing
 * again; what each kind of node holds is private to the module.
 */
#ifndef JSONATA_H
#define JSONATA_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* A node. A parsed expression is a tree whose root has kind
 * JSONATA_KIND_ROOT, str the expression's text and kids[0] its body. The
 * module uses kinds from JSONATA_KIND_BASE up; a host may put the root
 * inside trees of its own, with smaller kinds, and keep its own bits in
 * the root's op, which the module neither sets nor reads. */
typedef struct jsonata_node jsonata_node;
struct jsonata_node {
    unsigned short kind;
    unsigned short op;
    unsigned int flags;
    int count;                  /* number of kids */
    double num;
    const char *str;
    const jsonata_node *kids;
};

#define JSONATA_KIND_BASE 100
#define JSONATA_KIND_ROOT 100

/* Dialect flag for jsonata_parse and jsonata_evaluate: AWS Step Functions'
 * (see each). Without it, standard JSONata as jsonata-js runs it. */
#define JSONATA_STEP_FUNCTIONS 1u

/* A failure. message is malloc'd (free it with jsonata_error_clear) and
 * reads "CODE: text" as JSONata words it ("S0202: Expected \"]\", got
 * \",\" (at position 5)", "T2001: The left side of the \"+\" operator must
 * evaluate to a number"); code is that CODE, or "" for the few failures
 * JSONata has no code for (AWS's bounds). No failure: message NULL. */
typedef struct jsonata_error {
    char code[8];
    char *message;
} jsonata_error;

void jsonata_error_clear(jsonata_error *err);

/* ------------------------------------------------------------ parse */

/* Parses text. Returns the tree (free it with jsonata_free) or NULL with
 * err set (S0xxx, the position 1-based). With JSONATA_STEP_FUNCTIONS the
 * text may carry its "{%" "%}" delimiters, and what AWS refuses at
 * definition time fails, with AWS's sentence and no code: a path that
 * starts from the (absent) context item (a bare field name, *, **, or $
 * outside any path), and $$ ("Reference to 'name' at the top level is not
 * supported."). */
jsonata_node *jsonata_parse(const char *text, unsigned flags, jsonata_error *err);

/* Frees a tree jsonata_parse returned (NULL is fine). */
void jsonata_free(jsonata_node *tree);

/* The name of a node's kind ("PATH", "BINARY", ...), or NULL for a kind
 * the module does not have: for people reading trees written out as C. */
const char *jsonata_kind_name(unsigned kind);

/* ------------------------------------------------------------ evaluate */

/* What the host provides; every member may be NULL (a zeroed struct, or
 * no host at all, is standard JSONata with no variables). */
typedef struct jsonata_host {
    /* $name when the expression does not bind name itself (name without
     * the $): a value the host keeps alive during the call, or NULL. */
    const cJSON *(*variable)(void *ud, const char *name);
    /* Seconds since the epoch, for $now() and $millis(); NULL: the system
     * clock. */
    double (*now)(void *ud);
    /* 64 random bits for $random(), $shuffle and $uuid(); NULL: the
     * module's own generator (not for secrets either way). */
    uint64_t (*random)(void *ud);
    /* $hash(text, algorithm): the digest of data[0..n) as lowercase hex
     * into hex (129 bytes), returning 0, or -1 for an algorithm it does
     * not know; NULL: no algorithm is known. */
    int (*hash)(void *ud, const char *algorithm, const char *data, size_t n, char *hex);
    void *ud;
} jsonata_host;

/* A ready-made variable hook: ud is a cJSON object of bindings. */
const cJSON *jsonata_object_variable(void *ud, const char *name);

/* Evaluates tree with input as the context ($, and $$ the root; NULL: no
 * context). Returns the result (new; the caller owns it), or NULL: the
 * result is undefined when err->message is NULL, else the evaluation
 * failed. Neither input nor what host returns is modified.
 *
 * Standard (flags 0): functions in the result are left out as
 * JSON.stringify leaves them (a function alone is undefined, null in an
 * array); a number that is not finite fails (D1001); bounds are
 * jsonata-js's (deep recursion U1001 at 302 frames, ranges of 1e7 items).
 * JSONATA_STEP_FUNCTIONS: AWS's bounds (depth 100, 873,782 items, 256 MB
 * of values, five seconds), numbers that are not finite come back as the
 * strings "Infinity", "-Infinity" and "NaN", and a function result fails
 * with the message JSONATA_FUNCTION_RESULT (no code). */
cJSON *jsonata_evaluate(const jsonata_node *tree, const cJSON *input, const jsonata_host *host, unsigned flags,
                        jsonata_error *err);

#define JSONATA_FUNCTION_RESULT "returned an unsupported result type."

/* ------------------------------------------------------------ inspect */

/* For checks before evaluation: calls fn for each name the expression
 * uses, with what the name is there:
 *   JSONATA_NAME_BOUND:  bound inside the expression (:=, a parameter,
 *                        @$name, #$name); known everywhere in it;
 *   JSONATA_NAME_READ:   $name read as a value;
 *   JSONATA_NAME_CALLED: $name(...) called by name.
 * $ and $$ are not reported. */
enum { JSONATA_NAME_BOUND, JSONATA_NAME_READ, JSONATA_NAME_CALLED };
void jsonata_names(const jsonata_node *tree, void (*fn)(void *ud, const char *name, int use), void *ud);

/* Which members of the variable $var the expression reads: bit i for
 * members[i] (var.members[i]...), bit n for $var used any other way
 * (alone, or another member). n is at most 31. */
unsigned jsonata_var_members(const jsonata_node *tree, const char *var, const char *const *members, int n);

/* The library's functions: the index of the one named name (without $),
 * or -1; the name of index i, or NULL past the last. */
int jsonata_builtin(const char *name);
const char *jsonata_builtin_name(int i);

#endif
